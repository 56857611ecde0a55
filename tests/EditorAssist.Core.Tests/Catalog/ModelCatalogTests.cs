using EditorAssist.Core.Catalog;

namespace EditorAssist.Core.Tests.Catalog;

public sealed class ModelCatalogTests
{
    private static readonly ModelCatalog Catalog = ModelCatalog.LoadEmbedded();

    [Fact]
    public void The_embedded_catalog_has_chat_and_fim_models_from_half_a_billion_to_fourteen_billion_parameters()
    {
        Assert.True(Catalog.Entries.Count >= 6);
        Assert.Contains(Catalog.Entries, e => e.Roles.Contains("fim"));
        Assert.Contains(Catalog.Entries, e => e.Roles.Contains("chat") && !e.Roles.Contains("fim"));
        Assert.Contains(Catalog.Entries, e => e.Parameters < 1_000_000_000);
        Assert.Contains(Catalog.Entries, e => e.Parameters > 10_000_000_000);
        Assert.Contains(Catalog.Entries, e => e.Quant == "Q8_0");
        Assert.Contains(Catalog.Entries, e => e.Quant == "Q4_K_M");
    }

    [Fact]
    public void Every_entry_is_complete_and_consistent()
    {
        Assert.Equal(Catalog.Entries.Count, Catalog.Entries.Select(e => e.Id).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        foreach (var e in Catalog.Entries)
        {
            Assert.Matches("^[a-z0-9._-]+$", e.Id);
            Assert.Matches("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", e.Repo);
            Assert.EndsWith(".gguf", e.File, StringComparison.OrdinalIgnoreCase);
            Assert.Contains(e.Quant.ToLowerInvariant().Replace("_", ""), e.File.ToLowerInvariant().Replace("_", ""));
            Assert.True(e.SizeBytes > 100_000_000, e.Id);
            Assert.InRange(e.DefaultContext, 512, e.ContextLength);
            Assert.NotEmpty(e.Roles);
            Assert.All(e.Roles, r => Assert.Contains(r, new[] { "chat", "fim", "tools" }));
            Assert.False(string.IsNullOrWhiteSpace(e.License));
            Assert.True(e.Architecture.Layers > 0 && e.Architecture.HeadsKv > 0 && e.Architecture.HeadDim > 0, e.Id);
            // Bits per weight from size and parameter count: Q4_K_M ≈ 4.5–6, Q8_0 ≈ 8.5–11 (embeddings kept wider in small models).
            var bpw = e.SizeBytes * 8.0 / e.Parameters;
            Assert.InRange(bpw, e.Quant == "Q8_0" ? 8.0 : 4.3, e.Quant == "Q8_0" ? 11.5 : 8.0);
            // Nothing is claimed as verified that is not pinned: a verified entry has an exact size and a hash.
            if (e.VerifiedOffline) Assert.True(e.Sha256 is { Length: 64 } && !e.SizeApproximate, e.Id);
            if (e.Sha256 is null) Assert.False(e.VerifiedOffline, e.Id);
            if (e.Sha256 is not null) Assert.Matches("^[0-9a-f]{64}$", e.Sha256);
        }
    }

    /// <summary>
    /// The architectures the pinned llama.cpp build loads (node-llama-cpp 3.22.1 → llama.cpp
    /// de3ff815ea7d, the LLM_ARCH_NAMES table of src/llama-arch.cpp; docs/DOWNLOADS.md says how to
    /// get that source). Only the ones the catalog uses, plus their neighbours for context.
    /// </summary>
    private static readonly string[] PinnedBuildArchitectures =
        ["llama", "qwen2", "qwen2moe", "qwen3", "qwen3moe", "gemma2", "gemma3", "gpt-oss", "deepseek2", "phi3", "starcoder2", "mistral3"];

    [Fact]
    public void Every_entry_names_an_architecture_the_pinned_llama_cpp_build_supports()
    {
        foreach (var e in Catalog.Entries)
            Assert.Contains(e.LlamaArchitecture, PinnedBuildArchitectures);
    }

    [Fact]
    public void The_catalog_offers_the_current_open_families_and_a_small_fill_in_the_middle_model()
    {
        Assert.Contains(Catalog.Entries, e => e.LlamaArchitecture == "qwen3");
        Assert.Contains(Catalog.Entries, e => e.Id.StartsWith("qwen3-coder", StringComparison.Ordinal) && e.Roles.Contains("fim") && e.Roles.Contains("tools"));
        Assert.Contains(Catalog.Entries, e => e.LlamaArchitecture == "gemma3");
        Assert.Contains(Catalog.Entries, e => e.LlamaArchitecture == "gpt-oss");
        Assert.Contains(Catalog.Entries, e => e.LlamaArchitecture == "deepseek2" && e.Roles.Contains("fim"));
        Assert.Contains(Catalog.Entries, e => e.Roles.Contains("fim") && e.SizeBytes < 1_000_000_000);
        Assert.DoesNotContain(Catalog.Entries, e => e.Id.StartsWith("llama-3.2", StringComparison.Ordinal) || e.Id.StartsWith("phi-3.5", StringComparison.Ordinal));
    }

    [Fact]
    public void Resolve_urls_follow_the_hugging_face_layout_and_honour_a_mirror()
    {
        var e = Catalog.Find("qwen2.5-coder-1.5b-q8_0")!;
        Assert.Equal("https://huggingface.co/Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF/resolve/main/qwen2.5-coder-1.5b-instruct-q8_0.gguf",
            ModelCatalog.ResolveUrl(e, new Uri(ModelCatalog.DefaultHuggingFaceEndpoint)).ToString());
        Assert.Equal("https://mirror.corp/hf/Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF/resolve/main/qwen2.5-coder-1.5b-instruct-q8_0.gguf",
            ModelCatalog.ResolveUrl(e, new Uri("https://mirror.corp/hf/")).ToString());
        Assert.Equal("qwen2.5-coder-1.5b-q8_0.gguf", e.LocalFileName);
    }

    [Fact]
    public void Kv_bytes_per_token_match_the_architecture()
    {
        // Qwen2.5 1.5B: 28 layers, 2 KV heads of 128 → 2·28·2·128·2 = 28 KiB per token at f16.
        Assert.Equal(28_672, Catalog.Find("qwen2.5-coder-1.5b-q8_0")!.Architecture.KvBytesPerToken);
    }
}
