using EditorAssist.Core.Errors;
using EditorAssist.Core.Local;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EditorAssist.Llama;

/// <summary>Lifecycle states, as in the protocol's runtime/didChangeState (Unloaded is its "idle").</summary>
public enum LocalModelState
{
    Loading,
    Ready,
    Generating,
    Error,
    Unloaded,
}

/// <summary>For models/status.</summary>
public sealed record LocalModelStatus(string Key, LocalModelState? State, bool Loading, bool Loaded, float? Progress, string? Error);

/// <summary>
/// Keeps the loaded models of the sidecar by key (the model ref): load once and share,
/// reload when path or options change (that also resets the KV cache), unload on request or
/// after an idle time, and report state changes. Thread-safe.
/// </summary>
public sealed class LocalModelManager : IAsyncDisposable
{
    private readonly LlamaRuntime _runtime;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private ITimer? _timer;
    private TimeSpan? _idleUnloadAfter;

    public LocalModelManager(LlamaRuntime runtime, TimeSpan? idleUnloadAfter = null, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        _runtime = runtime;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        IdleUnloadAfter = idleUnloadAfter;
    }

    /// <summary>
    /// Raised on every state change (key, state, error message or null). Handlers must be quick.
    /// Generating / Ready around a generation are raised for the chat lane only: an inline
    /// completion runs on every keystroke, and a state pair per keystroke would be chatter nobody
    /// shows (the completion lane never makes the model look busy). <see cref="Used"/> sees every lane.
    /// </summary>
    public event Action<string, LocalModelState, string?>? StateChanged;

    /// <summary>Raised when a generation starts on a model, any lane (key). Handlers must be quick.</summary>
    public event Action<string>? Used;

    /// <summary>Unload a model after it has been unused this long (null = never). Settable at run time.</summary>
    public TimeSpan? IdleUnloadAfter
    {
        get => _idleUnloadAfter;
        set
        {
            lock (_gate)
            {
                _idleUnloadAfter = value;
                _timer?.Dispose();
                _timer = null;
                if (value is TimeSpan idle && idle > TimeSpan.Zero)
                {
                    // Check a few times per idle period, but not more often than needed.
                    var period = TimeSpan.FromTicks(Math.Clamp(idle.Ticks / 4, TimeSpan.FromMilliseconds(20).Ticks, TimeSpan.FromSeconds(30).Ticks));
                    _timer = _time.CreateTimer(_ => _ = UnloadIdleAsync(), null, period, period);
                }
            }
        }
    }

    public IReadOnlyList<string> LoadedKeys
    {
        get
        {
            lock (_gate)
            {
                return _entries.Where(e => e.Value.Model != null).Select(e => e.Key).ToList();
            }
        }
    }

    /// <summary>
    /// Loads <paramref name="path"/> under <paramref name="key"/>, or returns the model already
    /// loaded (or loading) there with the same path and options. Different path or options
    /// unload the old model first. Cancelling aborts the load for everyone waiting on it.
    /// </summary>
    public async Task<LocalModel> LoadAsync(string key, string path, LocalModelOptions? options = null,
        IProgress<float>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new LocalModelOptions();
        Entry entry;
        Entry? replaced = null;
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var existing) && existing.Path == path && existing.Options == options && existing.Error == null)
            {
                entry = existing;
            }
            else
            {
                replaced = existing;
                entry = new Entry(path, options, _time.GetUtcNow());
                _entries[key] = entry;
                entry.LoadTask = LoadEntryAsync(key, entry, replaced, progress, cancellationToken);
            }
        }
        return await entry.LoadTask!.ConfigureAwait(false);
    }

    /// <summary>
    /// The model under <paramref name="key"/> whatever options it was loaded with — waiting for
    /// it if it is still loading — or, when there is none (or the last load failed), a new load
    /// of <paramref name="path"/> with <paramref name="optionsIfNew"/>. For callers that just
    /// need "the" model (chat/send) and must not reload one that models/load set up differently.
    /// </summary>
    public Task<LocalModel> GetOrLoadAsync(string key, string path, LocalModelOptions? optionsIfNew = null,
        IProgress<float>? progress = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var existing) && existing.Error == null && existing.LoadTask != null)
            {
                return existing.Model is LocalModel loaded ? Task.FromResult(loaded) : existing.LoadTask.WaitAsync(cancellationToken);
            }
        }
        return LoadAsync(key, path, optionsIfNew, progress, cancellationToken);
    }

    private async Task<LocalModel> LoadEntryAsync(string key, Entry entry, Entry? replaced, IProgress<float>? progress, CancellationToken ct)
    {
        await Task.Yield(); // never run the load under the caller's lock or on its stack
        if (replaced != null)
        {
            await DisposeEntryAsync(replaced).ConfigureAwait(false);
        }
        Raise(key, LocalModelState.Loading, null);
        var sink = new ProgressSink(entry, progress);
        try
        {
            var model = await _runtime.LoadModelAsync(entry.Path, entry.Options, sink, ct).ConfigureAwait(false);
            lock (_gate)
            {
                entry.Model = model;
                entry.LastUsed = _time.GetUtcNow();
                if (!_entries.TryGetValue(key, out var current) || current != entry)
                {
                    entry.Model = null; // unloaded or replaced while loading
                }
            }
            if (entry.Model == null)
            {
                await model.DisposeAsync().ConfigureAwait(false);
                throw new OperationCanceledException("The model was unloaded while it was loading.");
            }
            Raise(key, LocalModelState.Ready, null);
            return model;
        }
        catch (OperationCanceledException)
        {
            bool wasCurrent;
            lock (_gate)
            {
                wasCurrent = _entries.TryGetValue(key, out var current) && current == entry;
                if (wasCurrent)
                {
                    _entries.Remove(key);
                }
            }
            if (wasCurrent)
            {
                Raise(key, LocalModelState.Unloaded, null);
            }
            throw;
        }
        catch (Exception e)
        {
            entry.Error = e.Message;
            Raise(key, LocalModelState.Error, e.Message);
            throw;
        }
    }

    /// <summary>The loaded model under <paramref name="key"/>, or null (loading, failed or absent).</summary>
    public LocalModel? Get(string key)
    {
        lock (_gate)
        {
            return _entries.TryGetValue(key, out var e) ? e.Model : null;
        }
    }

    /// <summary>The options the model under <paramref name="key"/> was loaded (or is loading) with, or null; a reload with a change starts from them.</summary>
    public LocalModelOptions? GetOptions(string key)
    {
        lock (_gate)
        {
            return _entries.TryGetValue(key, out var e) && e.Error == null ? e.Options : null;
        }
    }

    public LocalModelStatus GetStatus(string key)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out var e))
            {
                return new LocalModelStatus(key, null, false, false, null, null);
            }
            bool loading = e.Model == null && e.Error == null;
            LocalModelState state = e.Error != null ? LocalModelState.Error
                : loading ? LocalModelState.Loading
                : e.ChatActive > 0 ? LocalModelState.Generating : LocalModelState.Ready;
            return new LocalModelStatus(key, state, loading, e.Model != null, loading ? e.Progress : null, e.Error);
        }
    }

    /// <summary>
    /// Generates with the model loaded under <paramref name="key"/>, marking it in use so idle
    /// unload leaves it alone. See <see cref="LocalModel.GenerateAsync"/>.
    /// </summary>
    /// <exception cref="LocalModelException">ModelNotFound when nothing is loaded under the key.</exception>
    public async Task<GenerationResult> GenerateAsync(string key, GenerationRequest request, Action<string>? onDelta = null,
        CancellationToken cancellationToken = default)
    {
        Entry entry;
        LocalModel model;
        var chat = request.Lane == GenerationLane.Chat;
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out entry!) || entry.Model is null)
            {
                throw new LocalModelException(ErrorCode.ModelNotFound, $"No model is loaded as '{key}'.");
            }
            model = entry.Model;
            entry.Active++;
            if (chat) entry.ChatActive++;
            entry.LastUsed = _time.GetUtcNow();
        }
        RaiseUsed(key);
        if (chat) Raise(key, LocalModelState.Generating, null);
        try
        {
            return await model.GenerateAsync(request, onDelta, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            bool done;
            lock (_gate)
            {
                entry.Active--;
                if (chat) entry.ChatActive--;
                entry.LastUsed = _time.GetUtcNow();
                done = chat && entry.ChatActive == 0;
            }
            if (done)
            {
                Raise(key, LocalModelState.Ready, null); // what GetStatus says of it from now on
            }
        }
    }

    /// <summary>Unloads the model under <paramref name="key"/>; false when there was none.</summary>
    public async Task<bool> UnloadAsync(string key)
    {
        Entry? entry;
        lock (_gate)
        {
            if (!_entries.Remove(key, out entry))
            {
                return false;
            }
        }
        await DisposeEntryAsync(entry).ConfigureAwait(false);
        Raise(key, LocalModelState.Unloaded, null);
        return true;
    }

    /// <summary>Unloads models unused for longer than <see cref="IdleUnloadAfter"/>; returns how many.</summary>
    public async Task<int> UnloadIdleAsync()
    {
        List<string> idle;
        lock (_gate)
        {
            if (_idleUnloadAfter is not TimeSpan limit)
            {
                return 0;
            }
            var now = _time.GetUtcNow();
            idle = _entries.Where(e => e.Value.Model != null && e.Value.Active == 0 && now - e.Value.LastUsed >= limit)
                .Select(e => e.Key).ToList();
        }
        int n = 0;
        foreach (string key in idle)
        {
            _logger.LogInformation("Unloading idle model {Key}", key);
            if (await UnloadAsync(key).ConfigureAwait(false))
            {
                n++;
            }
        }
        return n;
    }

    private async Task DisposeEntryAsync(Entry entry)
    {
        LocalModel? model;
        lock (_gate)
        {
            model = entry.Model;
            entry.Model = null;
        }
        if (model != null)
        {
            await model.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void RaiseUsed(string key)
    {
        try
        {
            Used?.Invoke(key);
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "A model use handler threw");
        }
    }

    private void Raise(string key, LocalModelState state, string? error)
    {
        try
        {
            StateChanged?.Invoke(key, state, error);
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "A model state handler threw");
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<string> keys;
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
            keys = [.. _entries.Keys];
        }
        foreach (string k in keys)
        {
            await UnloadAsync(k).ConfigureAwait(false);
        }
    }

    private sealed class Entry(string path, LocalModelOptions options, DateTimeOffset created)
    {
        public string Path { get; } = path;
        public LocalModelOptions Options { get; } = options;
        public Task<LocalModel>? LoadTask { get; set; }
        public LocalModel? Model { get; set; }
        public volatile float Progress;
        public string? Error { get; set; }
        public DateTimeOffset LastUsed { get; set; } = created;
        /// <summary>Generations running, every lane (idle unload waits for none).</summary>
        public int Active { get; set; }

        /// <summary>Chat-lane generations running: what makes the model "generating".</summary>
        public int ChatActive { get; set; }
    }

    private sealed class ProgressSink(Entry entry, IProgress<float>? next) : IProgress<float>
    {
        public void Report(float value)
        {
            entry.Progress = value;
            next?.Report(value);
        }
    }
}
