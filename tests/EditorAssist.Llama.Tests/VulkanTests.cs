
namespace EditorAssist.Llama.Tests;

/// <summary>
/// Loads the tiny model once, fully offloaded to the Vulkan device (Mesa lavapipe in CI, made
/// visible with GGML_VK_VISIBLE_DEVICES=0 by LlamaTestEnvironment). The first run in a fresh
/// machine compiles Vulkan pipelines (~30 s); Mesa caches them for later processes.
/// </summary>
public sealed class VulkanModelFixture : IAsyncLifetime
{
    public LocalModel Model { get; private set; } = null!;
    public List<float> Progress { get; } = [];

    public async Task InitializeAsync()
    {
        var runtime = LlamaTestEnvironment.Runtime;
        if (runtime.GpuDevice is not { IsVulkan: true })
        {
            // Not a skip: the Vulkan path is part of the contract. Install libvulkan1 and
            // mesa-vulkan-drivers (lavapipe) — .ci/run does.
            throw new InvalidOperationException(
                "No Vulkan device found. Devices: " + string.Join("; ", runtime.Devices.Select(d => $"{d.Name} [{d.Backend}]")) +
                ". Install libvulkan1 and mesa-vulkan-drivers; GGML_VK_VISIBLE_DEVICES=0 exposes lavapipe.");
        }
        Model = await runtime.LoadModelAsync(LlamaTestEnvironment.TinyModelPath,
            new LocalModelOptions { ContextLength = 1024, Threads = 1 }, new SyncProgress<float>(Progress.Add));
    }

    public async Task DisposeAsync()
    {
        if (Model != null)
        {
            await Model.DisposeAsync();
        }
    }
}

/// <summary>The whole generation contract again, on the Vulkan backend, plus Vulkan specifics.</summary>
public sealed class VulkanTests(VulkanModelFixture fixture) : ContextWorkerContract, IClassFixture<VulkanModelFixture>
{
    protected override LocalModel Model => fixture.Model;

    [Fact]
    public void Model_is_fully_offloaded_to_the_vulkan_device_automatically()
    {
        Assert.Equal("Vulkan", Model.Backend);
        Assert.True(Model.Plan.FullyOffloaded, $"GPU layers {Model.GpuLayers} of {Model.Plan.TotalLayers}");
        Assert.Equal(Model.Info.LayerCount + 1, Model.GpuLayers);
        Assert.Equal(1f, fixture.Progress[^1]);
        // llama.cpp reports where the layers went; it must name the Vulkan device.
        Assert.Contains(LlamaTestEnvironment.Logger.Lines, l => l.Message.Contains("Vulkan0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Explicit_gpu_layer_count_offloads_part_of_the_model()
    {
        await using var m = await LlamaTestEnvironment.Runtime.LoadModelAsync(LlamaTestEnvironment.TinyModelPath,
            new LocalModelOptions { GpuLayers = 1, ContextLength = 256, Threads = 1 });
        Assert.Equal("Vulkan", m.Backend);
        Assert.Equal(1, m.GpuLayers);
        Assert.False(m.Plan.FullyOffloaded);
        var r = await m.GenerateAsync(new GenerationRequest { Prompt = "hello", Options = new() { Temperature = 0, MaxTokens = 4, IgnoreEndOfGeneration = true } });
        Assert.Equal(4, r.Usage.CompletionTokens);
    }

    [Fact]
    public async Task Vulkan_and_cpu_agree_on_greedy_tokens_for_the_first_steps()
    {
        // Same weights, same prompt: the backends compute in different orders, so long
        // generations may drift on near-ties, but the first token of a random model has a clear argmax.
        var opt = new GenerationOptions { Temperature = 0, MaxTokens = 1, IgnoreEndOfGeneration = true };
        await using var cpu = await LlamaTestEnvironment.Runtime.LoadModelAsync(LlamaTestEnvironment.TinyModelPath,
            new LocalModelOptions { GpuLayers = 0, ContextLength = 256, Threads = 1 });
        var a = await cpu.GenerateAsync(new GenerationRequest { Prompt = "hello world", Options = opt });
        await Model.ResetCacheAsync();
        var b = await Model.GenerateAsync(new GenerationRequest { Prompt = "hello world", Options = opt });
        Assert.Equal(a.Text, b.Text);
    }
}
