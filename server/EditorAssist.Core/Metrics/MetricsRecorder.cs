using EditorAssist.Core.Providers;

namespace EditorAssist.Core.Metrics;

/// <summary>A model's figures since the recorder started (<c>metrics/get</c>).</summary>
public sealed record ModelFigures
{
    public required string Ref { get; init; }
    public long Requests { get; init; }
    public long Errors { get; init; }
    public double? TtftMsP50 { get; init; }
    public double? TtftMsP95 { get; init; }
    public double? DecodeTokensPerSecondP50 { get; init; }
    public double? PromptTokensPerSecondP50 { get; init; }
    /// <summary>Decode speed of the most recent answers, oldest first.</summary>
    public IReadOnlyList<double> RecentTokensPerSecond { get; init; } = [];
    public double? LastLoadMs { get; init; }
    /// <summary>Inline completions answered (<c>completion/inline</c>), cache hits included.</summary>
    public long CompletionRequests { get; init; }
    public long CompletionErrors { get; init; }
    /// <summary>Completions superseded by a newer keystroke or cancelled before they answered.</summary>
    public long CompletionCancelled { get; init; }
    public long CompletionCacheHits { get; init; }
    /// <summary>Latency of the answered completions that were not cache hits (request to answer, ms).</summary>
    public double? CompletionMsP50 { get; init; }
    public double? CompletionMsP95 { get; init; }
}

/// <summary>How a <c>completion/inline</c> request ended, for <see cref="MetricsRecorder.RecordCompletion"/>.</summary>
public enum CompletionOutcome { Answered, CacheHit, Cancelled, Failed }

/// <summary>
/// Per-model request figures kept in memory since the sidecar started: counters, and the last
/// <see cref="Capacity"/> samples of time to first token, decode speed and prompt speed in a ring
/// buffer, so memory stays bounded however long the sidecar runs; percentiles are computed over
/// those samples when asked. Recording is a lock on one model's entry and a few array writes.
/// Disabled, every call returns at once (the benchmark's "metrics off"). Thread-safe.
/// </summary>
public sealed class MetricsRecorder
{
    public const int DefaultCapacity = 256;
    /// <summary>
    /// Models kept at most. A request names any ref it likes (a typo, a removed model), so beyond this
    /// the least recently used model's figures go: the table cannot grow without bound.
    /// </summary>
    public const int DefaultMaxModels = 64;

    private long _clock;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public MetricsRecorder(TimeProvider? time = null, bool enabled = true, int capacity = DefaultCapacity, int maxModels = DefaultMaxModels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxModels, 1);
        Capacity = capacity;
        MaxModels = maxModels;
        Enabled = enabled;
        Since = (time ?? TimeProvider.System).GetUtcNow();
    }

    public bool Enabled { get; }
    public int Capacity { get; }
    public int MaxModels { get; }
    /// <summary>When recording started (the sidecar's start).</summary>
    public DateTimeOffset Since { get; }

    /// <summary>
    /// A finished answer. Decode speed excludes the first token (it belongs to the prompt's time);
    /// prompt speed is the evaluated (not cached) prompt tokens over the time to the first token —
    /// for a remote model that includes the network, so it is a lower bound.
    /// </summary>
    public void RecordAnswer(string modelRef, double ttftMs, double decodeTokensPerSecond, ChatUsage usage)
    {
        if (!Enabled) return;
        var evaluated = Math.Max(usage.PromptTokens - usage.CachedTokens, 0);
        double promptSpeed = evaluated > 0 && ttftMs > 0 ? evaluated / (ttftMs / 1000.0) : double.NaN;
        var e = EntryFor(modelRef);
        lock (e)
        {
            e.Requests++;
            var i = e.Next;
            e.Ttft[i] = ttftMs;
            e.Decode[i] = usage.CompletionTokens > 1 ? decodeTokensPerSecond : double.NaN;
            e.Prompt[i] = promptSpeed;
            e.Next = (i + 1) % Capacity;
            e.Count = Math.Min(e.Count + 1, Capacity);
        }
    }

    /// <summary>A request that failed (not a cancel: the user stopping an answer is no error).</summary>
    public void RecordError(string modelRef)
    {
        if (!Enabled) return;
        var e = EntryFor(modelRef);
        lock (e)
        {
            e.Requests++;
            e.Errors++;
        }
    }

    /// <summary>
    /// An inline completion of <paramref name="modelRef"/> ended. <paramref name="totalMs"/> (answered
    /// ones only) is sampled in the same bounded ring as chat's figures.
    /// </summary>
    public void RecordCompletion(string modelRef, CompletionOutcome outcome, double totalMs = 0)
    {
        if (!Enabled) return;
        var e = EntryFor(modelRef);
        lock (e)
        {
            switch (outcome)
            {
                case CompletionOutcome.Answered:
                    e.CompletionRequests++;
                    e.CompletionMs[e.CompletionNext] = totalMs;
                    e.CompletionNext = (e.CompletionNext + 1) % Capacity;
                    e.CompletionCount = Math.Min(e.CompletionCount + 1, Capacity);
                    break;
                case CompletionOutcome.CacheHit:
                    e.CompletionRequests++;
                    e.CompletionCacheHits++;
                    break;
                case CompletionOutcome.Cancelled:
                    e.CompletionCancelled++;
                    break;
                default:
                    e.CompletionRequests++;
                    e.CompletionErrors++;
                    break;
            }
        }
    }

    public void RecordLoad(string modelRef, double loadMs)
    {
        if (!Enabled) return;
        var e = EntryFor(modelRef);
        lock (e) e.LastLoadMs = loadMs;
    }

    /// <summary>Every model with figures, by ref.</summary>
    public IReadOnlyList<ModelFigures> Snapshot()
    {
        List<KeyValuePair<string, Entry>> entries;
        lock (_gate) entries = [.. _entries];
        return entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => Figures(e.Key, e.Value)).ToList();
    }

    public ModelFigures? Get(string modelRef)
    {
        Entry? e;
        lock (_gate) _entries.TryGetValue(modelRef, out e);
        return e is null ? null : Figures(modelRef, e);
    }

    private Entry EntryFor(string modelRef)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(modelRef, out var e))
            {
                if (_entries.Count >= MaxModels)
                {
                    // Full: the model used least recently makes room (a scan, only when a new ref arrives).
                    var oldest = _entries.MinBy(x => Volatile.Read(ref x.Value.LastUsed)).Key;
                    _entries.Remove(oldest);
                }
                _entries[modelRef] = e = new Entry(Capacity);
            }
            Volatile.Write(ref e.LastUsed, ++_clock);
            return e;
        }
    }

    private ModelFigures Figures(string modelRef, Entry e)
    {
        double[] ttft, decode, prompt, completion;
        long requests, errors, cRequests, cErrors, cCancelled, cHits;
        double? load;
        lock (e)
        {
            // Oldest first: the ring starts at Next once it has wrapped.
            var order = Enumerable.Range(0, e.Count).Select(k => (e.Next - e.Count + k + Capacity) % Capacity).ToArray();
            ttft = order.Select(i => e.Ttft[i]).ToArray();
            decode = order.Select(i => e.Decode[i]).ToArray();
            prompt = order.Select(i => e.Prompt[i]).ToArray();
            (requests, errors, load) = (e.Requests, e.Errors, e.LastLoadMs);
            completion = e.CompletionMs.AsSpan(0, e.CompletionCount).ToArray(); // order does not matter for percentiles
            (cRequests, cErrors, cCancelled, cHits) = (e.CompletionRequests, e.CompletionErrors, e.CompletionCancelled, e.CompletionCacheHits);
        }
        return new ModelFigures
        {
            Ref = modelRef,
            Requests = requests,
            Errors = errors,
            TtftMsP50 = Percentile(ttft, 50),
            TtftMsP95 = Percentile(ttft, 95),
            DecodeTokensPerSecondP50 = Percentile(decode, 50),
            PromptTokensPerSecondP50 = Percentile(prompt, 50),
            RecentTokensPerSecond = decode.Where(d => !double.IsNaN(d)).Select(d => Math.Round(d, 2)).ToList(),
            LastLoadMs = load,
            CompletionRequests = cRequests,
            CompletionErrors = cErrors,
            CompletionCancelled = cCancelled,
            CompletionCacheHits = cHits,
            CompletionMsP50 = Percentile(completion, 50),
            CompletionMsP95 = Percentile(completion, 95),
        };
    }

    /// <summary>Nearest-rank percentile of the samples that are numbers; null when there are none.</summary>
    public static double? Percentile(IEnumerable<double> samples, double percent)
    {
        var sorted = samples.Where(x => !double.IsNaN(x)).Order().ToArray();
        if (sorted.Length == 0) return null;
        var rank = (int)Math.Ceiling(percent / 100.0 * sorted.Length);
        return Math.Round(sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)], 2);
    }

    private sealed class Entry(int capacity)
    {
        public readonly double[] Ttft = new double[capacity];
        public readonly double[] Decode = new double[capacity];
        public readonly double[] Prompt = new double[capacity];
        public int Next;
        public int Count;
        public long Requests;
        public long Errors;
        public double? LastLoadMs;
        public readonly double[] CompletionMs = new double[capacity];
        public int CompletionNext;
        public int CompletionCount;
        public long CompletionRequests;
        public long CompletionErrors;
        public long CompletionCancelled;
        public long CompletionCacheHits;
        /// <summary>The recorder's clock at the last use (for evicting the least recently used model).</summary>
        public long LastUsed;
    }
}
