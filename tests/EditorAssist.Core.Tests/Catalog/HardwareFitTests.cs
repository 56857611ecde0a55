using EditorAssist.Core.Catalog;

namespace EditorAssist.Core.Tests.Catalog;

public sealed class HardwareFitTests
{
    private const long GiB = 1L << 30;
    // 28 layers, 28 KiB KV per token: 8192 tokens → 224 MiB of KV cache.
    private static readonly ModelArchitecture Small = new(28, 1536, 2, 128);
    // 48 layers, 8 KV heads: 192 KiB per token → 1.5 GiB at 8192.
    private static readonly ModelArchitecture Large = new(48, 5120, 8, 128);

    public static TheoryData<string, long, ModelArchitecture, long, long, FitVerdict, int> Cases => new()
    {
        // name, weights, arch, vramFree, ramFree, verdict, gpuLayers (-1: any ≥ 1)
        { "small model, 8 GiB GPU", 2 * GiB, Small, 8 * GiB, 16 * GiB, FitVerdict.FullGpu, 28 },
        { "small model, no GPU, enough RAM", 2 * GiB, Small, 0, 16 * GiB, FitVerdict.CpuOnly, 0 },
        { "small model, no GPU, too little RAM", 2 * GiB, Small, 0, 2 * GiB, FitVerdict.TooLarge, 0 },
        { "14B on a 6 GiB GPU with 32 GiB RAM", 9 * GiB, Large, 6 * GiB, 32 * GiB, FitVerdict.PartialGpu, -1 },
        { "14B on a 24 GiB GPU", 9 * GiB, Large, 24 * GiB, 8 * GiB, FitVerdict.FullGpu, 48 },
        { "14B with a tiny GPU is CPU only", 9 * GiB, Large, GiB / 4, 32 * GiB, FitVerdict.CpuOnly, 0 },
        { "14B: partial offload but the rest does not fit RAM", 9 * GiB, Large, 4 * GiB, 4 * GiB, FitVerdict.TooLarge, 0 },
        { "nothing fits", 40 * GiB, Large, 8 * GiB, 16 * GiB, FitVerdict.TooLarge, 0 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Verdicts(string name, long weights, ModelArchitecture arch, long vram, long ram, FitVerdict verdict, int layers)
    {
        var fit = HardwareFit.Evaluate(weights, arch, 8192, vram, ram);
        Assert.True(verdict == fit.Verdict, $"{name}: expected {verdict}, got {fit.Verdict} ({fit.GpuLayers} layers, {fit.EstimatedBytes / (double)GiB:0.00} GiB)");
        if (layers >= 0) Assert.Equal(layers, fit.GpuLayers);
        else Assert.InRange(fit.GpuLayers, 1, arch.Layers - 1);
        Assert.Equal(HardwareFit.EstimateBytes(weights, arch, 8192), fit.EstimatedBytes);
    }

    [Fact]
    public void More_vram_never_offloads_fewer_layers()
    {
        var previous = -1;
        for (var vram = 0L; vram <= 16 * GiB; vram += GiB / 2)
        {
            var fit = HardwareFit.Evaluate(9 * GiB, Large, 8192, vram, 64 * GiB);
            Assert.True(fit.GpuLayers >= previous, $"at {vram / (double)GiB} GiB: {fit.GpuLayers} < {previous}");
            previous = fit.GpuLayers;
        }
        Assert.Equal(48, previous);
    }

    [Fact]
    public void The_estimate_counts_the_kv_cache_at_the_context()
    {
        Assert.Equal(2 * GiB + 28_672L * 8192 + HardwareFit.OverheadBytes, HardwareFit.EstimateBytes(2 * GiB, Small, 8192));
    }

    [Fact]
    public void A_catalog_entry_uses_the_gpu_with_the_most_free_memory()
    {
        var entry = ModelCatalog.LoadEmbedded().Find("qwen2.5-coder-7b-q4_k_m")!;
        Assert.Equal(FitVerdict.FullGpu, HardwareFit.Evaluate(entry, [2 * GiB, 12 * GiB], 8 * GiB).Verdict);
        Assert.Equal(FitVerdict.CpuOnly, HardwareFit.Evaluate(entry, [], 16 * GiB).Verdict);
    }

    [Fact]
    public void A_code_completion_model_also_counts_the_kv_cache_of_its_completion_context()
    {
        var catalog = ModelCatalog.LoadEmbedded();
        var fim = catalog.Entries.First(e => e.Roles.Contains("fim"));
        var chatOnly = catalog.Entries.First(e => !e.Roles.Contains("fim"));
        Assert.Equal(Math.Min(fim.DefaultContext, fim.ContextLength) + Math.Min(HardwareFit.CompletionLaneTokens, fim.ContextLength), HardwareFit.KvTokens(fim));
        Assert.Equal(Math.Min(chatOnly.DefaultContext, chatOnly.ContextLength), HardwareFit.KvTokens(chatOnly));
        var fit = HardwareFit.Evaluate(fim, [], 1024 * GiB);
        Assert.Equal(HardwareFit.EstimateBytes(fim.SizeBytes, fim.Architecture, HardwareFit.KvTokens(fim)), fit.EstimatedBytes);
    }
}
