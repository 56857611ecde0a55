namespace EditorAssist.Llama;

/// <summary>How the native runtime is found and which backend it may use.</summary>
public sealed record LlamaRuntimeOptions
{
    /// <summary>A folder holding libllama*.so and its ggml siblings; wins over everything else.</summary>
    public string? NativeDirectory { get; init; }

    /// <summary>Whether a GPU device (Vulkan, or Metal on macOS) may be used, and the GPU build preferred when searching.</summary>
    public bool AllowVulkan { get; init; } = true;

    /// <summary>
    /// Sets GGML_VK_VISIBLE_DEVICES in the C environment before loading (e.g. "0"). ggml-vulkan
    /// hides CPU-type Vulkan devices such as Mesa's lavapipe unless they are listed there; a
    /// device made visible this way is treated as a GPU.
    /// </summary>
    public string? VulkanVisibleDevices { get; init; }

    /// <summary>Where the upward search for node_modules starts; default AppContext.BaseDirectory.</summary>
    public string? SearchFrom { get; init; }
}

/// <summary>enum ggml_backend_dev_type, public form.</summary>
public enum LlamaDeviceType
{
    Cpu = 0,
    Gpu = 1,
    IntegratedGpu = 2,
    Accelerator = 3,
    Meta = 4,
}

/// <summary>A device a registered ggml backend exposes; memory figures are as of enumeration.</summary>
public sealed record LlamaDevice(
    int Index,
    string Name,
    string Description,
    string Backend,
    LlamaDeviceType Type,
    long MemoryTotalBytes,
    long MemoryFreeBytes)
{
    public bool IsVulkan => Backend.Equals("Vulkan", StringComparison.OrdinalIgnoreCase);

    /// <summary>ggml-metal registers as "MTL" (devices MTL0, …) on Apple silicon.</summary>
    public bool IsMetal => Backend.Equals("MTL", StringComparison.OrdinalIgnoreCase) || Backend.Equals("Metal", StringComparison.OrdinalIgnoreCase);

    /// <summary>A device of a GPU backend that models are offloaded to: Vulkan, or Metal on macOS.</summary>
    public bool IsGpuBackend => IsVulkan || IsMetal;
}
