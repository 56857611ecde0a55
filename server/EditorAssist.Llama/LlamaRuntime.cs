using EditorAssist.Core.Local;
using EditorAssist.Llama.Native;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EditorAssist.Llama;

/// <summary>
/// The loaded llama.cpp runtime: which native build, which backends and devices, and which
/// device models go to. Create one per process with <see cref="Initialize"/>; it is
/// thread-safe. Models are loaded through <see cref="LoadModelAsync"/>.
/// </summary>
public sealed class LlamaRuntime
{
    private readonly ILogger _logger;

    private LlamaRuntime(LlamaLibrary.LoadedLibrary lib, LlamaRuntimeOptions options, ILogger logger)
    {
        _logger = logger;
        Options = options;
        NativeDirectory = lib.Directory;
        Variant = lib.Variant;
        Backends = LlamaLibrary.EnumerateBackends();
        Devices = LlamaLibrary.EnumerateDevices();
        SystemInfo = NativeMethods.PtrToString(NativeMethods.llama_print_system_info()) ?? "";
        BuildInfo = ReadBuildInfo(lib.Directory, lib.Variant);
        bool vulkanForced = options.VulkanVisibleDevices != null ||
                            Environment.GetEnvironmentVariable("GGML_VK_VISIBLE_DEVICES") != null;
        GpuDevice = options.AllowVulkan
            ? Devices.FirstOrDefault(d => d.IsGpuBackend &&
                (d.Type is LlamaDeviceType.Gpu or LlamaDeviceType.IntegratedGpu || vulkanForced))
            : null;
        _logger.LogInformation("llama.cpp runtime from {Dir} ({Variant}); backends: {Backends}; devices: {Devices}; using {Device}",
            NativeDirectory, Variant, string.Join(", ", Backends),
            string.Join("; ", Devices.Select(d => $"{d.Name} [{d.Backend}, {d.Type}] {d.Description} {d.MemoryFreeBytes >> 20}/{d.MemoryTotalBytes >> 20} MiB free")),
            GpuDevice?.Name ?? "CPU");
    }

    /// <summary>Loads the native build (once per process) and enumerates backends and devices.</summary>
    /// <exception cref="LocalModelException">ProviderUnavailable when no native build is found or it fails to load.</exception>
    public static LlamaRuntime Initialize(LlamaRuntimeOptions? options = null, ILogger? logger = null)
    {
        options ??= new LlamaRuntimeOptions();
        logger ??= NullLogger.Instance;
        var lib = LlamaLibrary.Load(options, logger);
        return new LlamaRuntime(lib, options, logger);
    }

    public LlamaRuntimeOptions Options { get; }
    public string NativeDirectory { get; }
    public LlamaVariant Variant { get; }
    /// <summary>Registered ggml backends, e.g. ["CPU", "Vulkan"].</summary>
    public IReadOnlyList<string> Backends { get; }
    /// <summary>Devices at initialisation; <see cref="RefreshDevices"/> re-reads free memory.</summary>
    public IReadOnlyList<LlamaDevice> Devices { get; }
    /// <summary>The device models are offloaded to, or null for CPU only.</summary>
    public LlamaDevice? GpuDevice { get; }
    /// <summary>"gpu backend name" for status lines: "Vulkan" or "CPU".</summary>
    public string BackendName => GpuDevice?.Backend ?? "CPU";
    /// <summary>llama_print_system_info: CPU features the chosen CPU backend uses.</summary>
    public string SystemInfo { get; }

    /// <summary>For system/info runtime.llamaBuild, e.g. "llama.cpp v0.5.0 (node-llama-cpp build, vulkan)".</summary>
    public string BuildInfo { get; }

    private static string ReadBuildInfo(string dir, LlamaVariant variant)
    {
        string v = variant.ToString().ToLowerInvariant();
        try
        {
            // node-llama-cpp's prebuilt folders describe their llama.cpp release here.
            string meta = Path.Combine(dir, "_nlcBuildMetadata.json");
            if (File.Exists(meta))
            {
                using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(meta));
                if (doc.RootElement.TryGetProperty("buildOptions", out var b) && b.TryGetProperty("llamaCpp", out var l) &&
                    l.TryGetProperty("release", out var rel))
                {
                    return $"llama.cpp {rel.GetString()} (node-llama-cpp build, {v})";
                }
            }
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException or UnauthorizedAccessException)
        {
        }
        return $"llama.cpp ({v})";
    }

    /// <summary>Re-enumerates devices to read current free memory.</summary>
    public IReadOnlyList<LlamaDevice> RefreshDevices() => LlamaLibrary.EnumerateDevices();

    /// <summary>
    /// Loads a GGUF model and creates its context. The header is validated in managed code
    /// first; memory is planned before any native allocation. Progress reports 0..1 from
    /// llama's loader; cancelling aborts the load through the progress callback.
    /// </summary>
    /// <exception cref="InvalidModelFileException">not GGUF, truncated, or rejected by libllama.</exception>
    /// <exception cref="InsufficientModelMemoryException">cannot fit; nothing was allocated.</exception>
    /// <exception cref="OperationCanceledException">cancelled during load.</exception>
    public Task<LocalModel> LoadModelAsync(string path, LocalModelOptions? options = null,
        IProgress<float>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new LocalModelOptions();
        // Loading is blocking native I/O and compute (seconds for big models): run it off the caller's thread.
        return Task.Factory.StartNew(
            () => LocalModel.Load(this, path, options, progress, _logger, cancellationToken),
            cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Free bytes available to a model on the CPU side (MemAvailable), or null if unknown.</summary>
    internal static long? AvailableSystemMemory()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                {
                    var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        var gc = GC.GetGCMemoryInfo();
        return gc.TotalAvailableMemoryBytes > 0 ? gc.TotalAvailableMemoryBytes : null;
    }
}
