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
            Assert.All(e.Roles, r => Assert.Contains(r, new[] { "chat", "fim" }));
            Assert.False(string.IsNullOrWhiteSpace(e.License));
            Assert.True(e.Architecture.Layers > 0 && e.Architecture.HeadsKv > 0 && e.Architecture.HeadDim > 0, e.Id);
            // Bits per weight from size and parameter count: Q4_K_M ≈ 4.5–6, Q8_0 ≈ 8.5–11 (embeddings kept wider in small models).
            var bpw = e.SizeBytes * 8.0 / e.Parameters;
            Assert.InRange(bpw, e.Quant == "Q8_0" ? 8.0 : 4.3, e.Quant == "Q8_0" ? 11.5 : 8.0);
        }
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
