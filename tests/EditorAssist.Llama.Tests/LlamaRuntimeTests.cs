using Microsoft.Extensions.Logging;

namespace EditorAssist.Llama.Tests;

public sealed class LlamaRuntimeTests
{
    private static LlamaRuntime Runtime => LlamaTestEnvironment.Runtime;

    [Fact]
    public void Loads_the_npm_build_and_registers_cpu_and_vulkan_backends()
    {
        Assert.EndsWith(Path.Combine("linux-x64-vulkan", "bins", "linux-x64-vulkan"), Runtime.NativeDirectory);
        Assert.Equal(LlamaVariant.Vulkan, Runtime.Variant);
        Assert.Contains("CPU", Runtime.Backends);
        Assert.Contains("Vulkan", Runtime.Backends);
        Assert.Contains("AVX", Runtime.SystemInfo, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("llama.cpp v0.5.0 (node-llama-cpp build, vulkan)", Runtime.BuildInfo);
    }

    [Fact]
    public void Lists_devices_with_memory_and_picks_the_visible_vulkan_device()
    {
        var cpu = Assert.Single(Runtime.Devices, d => d.Type == LlamaDeviceType.Cpu);
        Assert.True(cpu.MemoryTotalBytes > 0);
        var vk = Assert.Single(Runtime.Devices, d => d.IsVulkan);
        Assert.Equal("Vulkan0", vk.Name);
        Assert.Contains("llvmpipe", vk.Description, StringComparison.OrdinalIgnoreCase);
        Assert.True(vk.MemoryTotalBytes > 0 && vk.MemoryFreeBytes > 0 && vk.MemoryFreeBytes <= vk.MemoryTotalBytes);
        Assert.Equal(vk, Runtime.GpuDevice);
        Assert.Equal("Vulkan", Runtime.BackendName);
        Assert.Equal(Runtime.Devices.Count, Runtime.RefreshDevices().Count);
    }

    [Fact]
    public async Task Native_logging_is_routed_to_the_logger()
    {
        _ = Runtime; // this test may be the first to load the library
        var logger = LlamaTestEnvironment.Logger;
        Assert.Contains(logger.Lines, l => l.Message.Contains("llama.cpp runtime from", StringComparison.Ordinal));
        // A model load makes llama.cpp log through llama_log_set / ggml_log_set; the lines must
        // arrive in our logger, assembled into whole lines (no trailing newline fragments).
        long before = logger.Count;
        await using (await Runtime.LoadModelAsync(LlamaTestEnvironment.TinyModelPath, new LocalModelOptions { GpuLayers = 0, ContextLength = 128 }))
        {
        }
        var native = logger.Lines.Skip((int)Math.Min(before, logger.Lines.Count)).Where(l => l.Message.Contains("llama_model_loader", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(native);
        Assert.All(native, l => Assert.DoesNotContain('\n', l.Message));
    }

    [Fact]
    public void Initialize_again_without_gpu_reuses_the_loaded_build_and_runs_on_cpu()
    {
        string loaded = Runtime.NativeDirectory; // the shared (Vulkan) build must be loaded first
        var cpuOnly = LlamaRuntime.Initialize(new LlamaRuntimeOptions { AllowVulkan = false });
        Assert.Equal(loaded, cpuOnly.NativeDirectory);
        Assert.Null(cpuOnly.GpuDevice);
        Assert.Equal("CPU", cpuOnly.BackendName);
    }
}
