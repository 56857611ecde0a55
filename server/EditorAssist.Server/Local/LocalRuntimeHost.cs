using System.Collections.Concurrent;
using EditorAssist.Core.Errors;
using EditorAssist.Core.Local;
using EditorAssist.Core.SystemInfo;
using EditorAssist.Llama;
using EditorAssist.Server.Hosting;
using EditorAssist.Core.Settings;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EditorAssist.Server.Local;

/// <summary>
/// The sidecar's handle on the local runtime: initialises libllama lazily (the first
/// <c>system/info</c>, <c>models/load</c> or local chat — start-up stays fast), owns the
/// <see cref="LocalModelManager"/>, and resolves model refs (<c>local/&lt;id&gt;</c>) to files.
/// Settings read at initialisation: <c>local.allowGpu</c> (default true), <c>local.nativeDir</c>,
/// <c>local.idleUnloadMinutes</c> (default 15, 0 = never).
/// Thread-safe.
/// </summary>
public sealed class LocalRuntimeHost(SessionScope session, ILoggerFactory loggerFactory, TimeProvider time, IOptionsMonitor<SidecarSettings>? settings = null)
    : IAcceleratorInfoSource, EditorAssist.Downloads.ILoadedModels, IAsyncDisposable
{
    public const string ProviderId = "local";

    private readonly ILogger _logger = loggerFactory.CreateLogger("EditorAssist.Local");
    private readonly IOptionsMonitor<SidecarSettings> _settings = settings ?? new SettingsMonitor(session);
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, string> _registered = new(StringComparer.Ordinal);
    private LlamaRuntime? _runtime;
    private LocalModelManager? _models;
    private string? _initError;

    /// <summary>Raised when a model's state changes: (ref, state, detail).</summary>
    public event Action<string, LocalModelState, string?>? StateChanged;

    /// <summary>Raised when a generation starts on a local model, inline completions included: (ref).</summary>
    public event Action<string>? Used;

    /// <summary>The session's per-model settings (context length); none before initialize, or where none are registered.</summary>
    private EditorAssist.Storage.ModelSettingsStore? ModelSettings =>
        session.HasBegun ? session.Services.GetService<EditorAssist.Storage.ModelSettingsStore>() : null;

    /// <summary>The runtime, initialising it on first use.</summary>
    /// <exception cref="LocalModelException">ProviderUnavailable when the native library cannot be loaded.</exception>
    public LlamaRuntime Runtime
    {
        get
        {
            EnsureInitialized();
            return _runtime ?? throw new LocalModelException(ErrorCode.ProviderUnavailable,
                $"The local runtime is unavailable: {_initError}");
        }
    }

    public LocalModelManager Models
    {
        get
        {
            _ = Runtime;
            return _models!;
        }
    }

    private void EnsureInitialized()
    {
        lock (_gate)
        {
            if (_runtime is not null || _initError is not null) return;
            try
            {
                var current = _settings.CurrentValue;
                var allowGpu = current.LocalAllowGpu;
                var nativeDir = current.LocalNativeDir ?? PackagedNativeDirectory(allowGpu);
                _runtime = LlamaRuntime.Initialize(new LlamaRuntimeOptions { NativeDirectory = nativeDir, AllowVulkan = allowGpu }, loggerFactory.CreateLogger("EditorAssist.Llama"));
                var idleMinutes = current.LocalIdleUnloadMinutes;
                _models = new LocalModelManager(_runtime, idleMinutes > 0 ? TimeSpan.FromMinutes(idleMinutes) : null, time, loggerFactory.CreateLogger("EditorAssist.Local.Models"));
                _models.StateChanged += (key, state, error) => StateChanged?.Invoke(key, state, error);
                _models.Used += key => Used?.Invoke(key);
                _logger.LogInformation("Local runtime: {Build}; backends {Backends}; GPU {Gpu}.",
                    _runtime.BuildInfo, string.Join(", ", _runtime.Backends), _runtime.GpuDevice?.Description ?? "none");
            }
            catch (Exception ex)
            {
                _initError = ex.Message;
                _logger.LogWarning("The local runtime could not start: {Reason}", ex.Message);
            }
        }
    }

    /// <summary>
    /// Options for a load in the sidecar. CPU threads default to one fewer than the cores (setting
    /// <c>local.threads</c> overrides): ggml's worker threads spin at their barriers, so when they
    /// take every core, the threads that stream tokens to the client (and the editor itself)
    /// preempt them and a token can take several times longer. Measured in docs/BENCHMARKS.md.
    /// </summary>
    public LocalModelOptions DefaultOptions(int? gpuLayers = null, int? contextLength = null)
    {
        var threads = _settings.CurrentValue.LocalThreads ?? Math.Max(1, Environment.ProcessorCount - 1);
        return new LocalModelOptions { GpuLayers = gpuLayers, ContextLength = contextLength, Threads = threads };
    }

    /// <summary>
    /// Options for loading <paramref name="modelRef"/>: as <see cref="DefaultOptions"/>, with the context
    /// length the model's settings store (<c>models/configure</c>) unless the caller names one.
    /// </summary>
    public LocalModelOptions OptionsFor(string modelRef, int? gpuLayers = null, int? contextLength = null) =>
        DefaultOptions(gpuLayers, contextLength ?? ModelSettings?.Get(modelRef).ContextLength);

    /// <summary>The model manager if the runtime has started, else null (never starts it: for read-only looks).</summary>
    public LocalModelManager? StartedModels => _models;

    /// <summary>A packaged sidecar (the VSIX) carries the native build beside itself in <c>native/&lt;variant&gt;</c>.</summary>
    private static string? PackagedNativeDirectory(bool allowGpu)
    {
        var root = Path.Combine(AppContext.BaseDirectory, "native");
        if (!Directory.Exists(root)) return null;
        string[] variants = allowGpu ? ["linux-x64-vulkan", "linux-x64"] : ["linux-x64", "linux-x64-vulkan"];
        return variants.Select(v => Path.Combine(root, v)).FirstOrDefault(Directory.Exists);
    }

    /// <summary>The ref a file gets (one rule for all local models: <see cref="EditorAssist.Downloads.LocalModelStore.RefFor"/>).</summary>
    public static string RefForPath(string path) => EditorAssist.Downloads.LocalModelStore.RefFor(path);

    /// <summary>
    /// The store's settings key that keeps <c>models/load {path}</c> registrations ({ref: path}): the
    /// chosen model is remembered across sidecar restarts (a window reload starts a new sidecar),
    /// so its ref must still resolve to the file afterwards.
    /// </summary>
    public const string RegisteredFilesSetting = SettingKeys.LocalFiles;

    private bool _restored;

    /// <summary>Files registered with <c>models/load {path}</c>, in this session or an earlier one (files that still exist).</summary>
    public IReadOnlyCollection<string> RegisteredPaths
    {
        get
        {
            RestoreRegistered();
            return _registered.Values.ToList();
        }
    }

    /// <summary>Registers a GGUF file on disk under its ref (models/load {path}) and remembers it in the store.</summary>
    public string Register(string path)
    {
        RestoreRegistered();
        var full = Path.GetFullPath(path);
        var modelRef = RefForPath(full);
        var known = _registered.TryGetValue(modelRef, out var before) && before == full;
        _registered[modelRef] = full;
        if (!known) PersistRegistered();
        return modelRef;
    }

    /// <summary>Reads the registrations an earlier sidecar stored, once the store is open; files since deleted are dropped.</summary>
    private void RestoreRegistered()
    {
        if (_restored || !session.HasBegun) return;
        lock (_gate)
        {
            if (_restored) return;
            _restored = true;
            try
            {
                foreach (var (modelRef, file) in _settings.CurrentValue.LocalFiles)
                {
                    if (File.Exists(file)) _registered.TryAdd(modelRef, file);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _logger.LogWarning("Could not read the remembered model files: {Reason}", ex.Message);
            }
        }
    }

    private void PersistRegistered()
    {
        if (!session.HasBegun) return;
        try
        {
            using var buffer = new MemoryStream();
            using (var w = new System.Text.Json.Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteStartObject(RegisteredFilesSetting);
                foreach (var (modelRef, file) in _registered.OrderBy(x => x.Key, StringComparer.Ordinal)) w.WriteString(modelRef, file);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            using var doc = System.Text.Json.JsonDocument.Parse(buffer.ToArray());
            session.Store.Settings.Update(doc.RootElement);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The model is loaded and answers now; only its memory across restarts is lost.
            _logger.LogWarning("Could not remember the model file: {Reason}", ex.Message);
        }
    }

    /// <summary>The file behind a local ref: a registered path, else <c>&lt;storage&gt;/models/&lt;id&gt;.gguf</c>.</summary>
    /// <exception cref="EditorAssistException">ModelNotFound.</exception>
    public string Resolve(string modelRef)
    {
        RestoreRegistered();
        if (_registered.TryGetValue(modelRef, out var path)) return path;
        // A loaded model knows its file: no directory scan on every chat or keystroke.
        if (_models?.Get(modelRef) is { } loaded) return loaded.Path;
        if (modelRef.StartsWith(ProviderId + "/", StringComparison.Ordinal) && session.HasBegun)
        {
            // Refs are lower-cased file stems; the files keep their own case.
            var dir = new DirectoryInfo(Path.Combine(session.Store.Directory, "models"));
            if (dir.Exists)
            {
                var match = dir.EnumerateFiles("*.gguf").FirstOrDefault(f => string.Equals(RefForPath(f.Name), modelRef, StringComparison.Ordinal));
                if (match is not null) return match.FullName;
            }
        }
        throw new EditorAssistException(ErrorCode.ModelNotFound, $"No local model '{modelRef}'. Load a GGUF file by path or download a model first.");
    }

    /// <summary>For storage eviction and listings: is this file (in the models folder) loaded? Never starts the runtime.</summary>
    public bool IsLoaded(string fileName)
    {
        var models = _models;
        if (models is null) return false;
        foreach (var key in models.LoadedKeys)
            if (models.Get(key) is { } m && string.Equals(Path.GetFileName(m.Path), fileName, Core.Platform.PlatformFiles.NameComparison())) return true;
        return false;
    }

    public IReadOnlyList<GpuInfo> GetGpus()
    {
        EnsureInitialized();
        if (_runtime is null) return [];
        return _runtime.RefreshDevices()
            .Where(d => d.Type is LlamaDeviceType.Gpu or LlamaDeviceType.IntegratedGpu || (d.IsGpuBackend && _runtime.GpuDevice?.Name == d.Name))
            .Select(d => new GpuInfo(d.Description.Length > 0 ? d.Description : d.Name, d.IsMetal ? "metal" : d.Backend.ToLowerInvariant(), d.MemoryTotalBytes, d.MemoryFreeBytes))
            .ToList();
    }

    public RuntimeInfo GetRuntime()
    {
        EnsureInitialized();
        return _runtime is null ? new RuntimeInfo(null, [], _initError) : new RuntimeInfo(_runtime.BuildInfo, _runtime.Backends, null);
    }

    public async ValueTask DisposeAsync()
    {
        if (_models is not null) await _models.DisposeAsync().ConfigureAwait(false);
    }
}
