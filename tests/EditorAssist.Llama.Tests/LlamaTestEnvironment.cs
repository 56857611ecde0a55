using System.Collections.Concurrent;
using EditorAssist.Testing.Gguf;
using Microsoft.Extensions.Logging;

// Native tests share one libllama, one CPU model and two cores: running classes in parallel
// would only make every timing assertion noisy.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace EditorAssist.Llama.Tests;

/// <summary>
/// Process-wide test setup. One native build per process (LlamaLibrary), so the tests load
/// the Vulkan build — it carries the CPU backends too — with lavapipe made visible
/// (GGML_VK_VISIBLE_DEVICES=0) before the library is loaded. CPU tests load models with 0
/// GPU layers and no GPU device.
/// </summary>
public static class LlamaTestEnvironment
{
    private static readonly Lazy<LlamaRuntime> s_runtime = new(() => LlamaRuntime.Initialize(
        new LlamaRuntimeOptions { AllowVulkan = true, VulkanVisibleDevices = "0" }, Logger));

    private static readonly Lazy<string> s_dir = new(() =>
    {
        string dir = Path.Combine(Path.GetTempPath(), "editorassist-llama-tests-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
        return dir;
    });

    private static readonly Lazy<string> s_tinyModel = new(() => TestModel.Write(Path.Combine(TempDir, "tiny.gguf")));

    public static CollectingLogger Logger { get; } = new();
    public static LlamaRuntime Runtime => s_runtime.Value;
    public static string TempDir => s_dir.Value;
    /// <summary>The default tiny model, written once per test process.</summary>
    public static string TinyModelPath => s_tinyModel.Value;

    public static string NewPath(string name) => Path.Combine(TempDir, Guid.NewGuid().ToString("N")[..8] + "-" + name);
}

/// <summary>Keeps log lines in memory (tests assert on native log routing) and echoes warnings to stderr.</summary>
public sealed class CollectingLogger : ILogger
{
    private long _count;

    /// <summary>Every line logged in this process (a whole test run logs a few tens of thousands).</summary>
    public ConcurrentQueue<(LogLevel Level, string Message)> Lines { get; } = new();

    /// <summary>Lines logged so far; Lines.Skip(Count-before) are the newer ones.</summary>
    public long Count => Interlocked.Read(ref _count);

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        string msg = formatter(state, exception);
        Lines.Enqueue((logLevel, msg));
        Interlocked.Increment(ref _count);
        if (logLevel >= LogLevel.Warning)
        {
            Console.Error.WriteLine($"[{logLevel}] {msg}");
        }
    }
}

/// <summary>The tiny model loaded once on CPU, shared by every class in the "cpu-model" collection.</summary>
public sealed class CpuModelFixture : IAsyncLifetime
{
    public LocalModel Model { get; private set; } = null!;
    public List<float> Progress { get; } = [];

    public async Task InitializeAsync()
    {
        var progress = new SyncProgress<float>(Progress.Add);
        Model = await LlamaTestEnvironment.Runtime.LoadModelAsync(LlamaTestEnvironment.TinyModelPath,
            new LocalModelOptions { GpuLayers = 0, ContextLength = 1024, Threads = 1 }, progress);
    }

    public async Task DisposeAsync() => await Model.DisposeAsync();
}

[CollectionDefinition("cpu-model")]
public sealed class CpuModelCollection : ICollectionFixture<CpuModelFixture>;

/// <summary>IProgress that reports synchronously (Progress&lt;T&gt; posts to the pool, which races assertions).</summary>
public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
