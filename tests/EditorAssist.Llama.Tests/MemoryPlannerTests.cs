using EditorAssist.Core.Errors;
using EditorAssist.Core.Local;
using EditorAssist.Testing.Gguf;

namespace EditorAssist.Llama.Tests;

public sealed class MemoryPlannerTests
{
    private static readonly Lazy<GgufFile> s_file = new(() => GgufFile.Read(LlamaTestEnvironment.TinyModelPath));
    private static GgufFile File => s_file.Value;
    private const long Plenty = 64L << 30;

    [Fact]
    public void Cpu_only_when_no_gpu_device()
    {
        var p = MemoryPlanner.Plan(File, new LocalModelOptions(), gpuFreeBytes: null, Plenty);
        Assert.Equal(0, p.GpuLayers);
        Assert.Equal(0, p.GpuBytes);
        Assert.Equal(2048, p.ContextLength); // min(trained 2048, 4096)
        Assert.True(p.CpuBytes >= p.WeightBytes + p.KvCacheBytes);
    }

    [Fact]
    public void Everything_offloaded_when_it_fits()
    {
        var p = MemoryPlanner.Plan(File, new LocalModelOptions(), gpuFreeBytes: Plenty, Plenty);
        Assert.Equal(File.BlockCount + 1, p.GpuLayers);
        Assert.True(p.FullyOffloaded);
    }

    [Fact]
    public void Partial_offload_when_the_device_is_small()
    {
        var big = GgufFile.Read(TestModel.Write(LlamaTestEnvironment.NewPath("planner-mid.gguf"),
            TestModelSpec.Tiny with { EmbeddingLength = 256, LayerCount = 8, FeedForwardLength = 1024, HeadCount = 4, HeadCountKv = 4 }));
        var opts = new LocalModelOptions { ContextLength = 512, BatchSize = 64 };
        var full = MemoryPlanner.Plan(big, opts, gpuFreeBytes: Plenty, Plenty);
        long perLayer = (big.LayerTensorBytes / big.BlockCount) + full.KvCacheBytes / big.BlockCount;
        // Room for the compute buffers plus about three layers.
        long free = (long)((full.ComputeBytes + (64L << 20) + perLayer * 3.5) / 0.9);
        var p = MemoryPlanner.Plan(big, opts, free, Plenty);
        Assert.Equal(3, p.GpuLayers);
        Assert.False(p.FullyOffloaded);
    }

    [Fact]
    public void Explicit_layers_are_honoured_and_minus_one_means_all()
    {
        Assert.Equal(1, MemoryPlanner.Plan(File, new LocalModelOptions { GpuLayers = 1 }, Plenty, Plenty).GpuLayers);
        Assert.Equal(File.BlockCount + 1, MemoryPlanner.Plan(File, new LocalModelOptions { GpuLayers = -1 }, Plenty, Plenty).GpuLayers);
        Assert.Equal(0, MemoryPlanner.Plan(File, new LocalModelOptions { GpuLayers = 0 }, Plenty, Plenty).GpuLayers);
    }

    [Fact]
    public void Too_large_for_ram_or_for_a_forced_gpu_count_throws_InsufficientMemory()
    {
        var e = Assert.Throws<InsufficientModelMemoryException>(() =>
            MemoryPlanner.Plan(File, new LocalModelOptions(), null, cpuFreeBytes: 1 << 20));
        Assert.Equal(ErrorCode.InsufficientMemory, e.Code);
        Assert.Equal(1L << 20, e.Details!["availableBytes"]);

        Assert.Throws<InsufficientModelMemoryException>(() =>
            MemoryPlanner.Plan(File, new LocalModelOptions { GpuLayers = -1 }, gpuFreeBytes: 1 << 20, Plenty));
    }

    [Fact]
    public void Kv_cache_estimate_follows_the_formula()
    {
        // 2 (K,V) x layers x ctx x kv heads x head dim x 2 bytes (F16)
        var p = MemoryPlanner.Plan(File, new LocalModelOptions { ContextLength = 1000 }, null, Plenty);
        Assert.Equal(2L * 2 * 1000 * 2 * 16 * 2, p.KvCacheBytes);
    }
}
