using EditorAssist.Core.Errors;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using EditorAssist.Core.Local;
using EditorAssist.Llama.Native;
using Microsoft.Extensions.Logging;

namespace EditorAssist.Llama;

/// <summary>
/// The single owner of a llama_context. A dedicated thread takes jobs from an unbounded
/// channel in arrival order (fair: first come, first served) and is the only thread that ever
/// touches the context, its batch and its KV cache. It also remembers which tokens the KV
/// cache holds, so a request that shares a prefix with the previous one evaluates only the rest.
/// </summary>
internal sealed unsafe class ContextWorker
{
    private readonly LocalModel _model;
    private readonly SafeLlamaContextHandle _ctx;
    private readonly ILogger _logger;
    private readonly Channel<Job> _jobs = Channel.CreateUnbounded<Job>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Thread _thread;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _shutdown = new();
    private readonly List<int> _cached = []; // tokens whose K/V are in the cache, positions 0..n-1
    // How many of _cached are the last prompt (the rest were generated after it).
    private int _promptLength;
    // Tail reuse (GenerationRequest.ReuseShiftedTail) parks the tail on this spare sequence while
    // the changed middle is evaluated on sequence 0. Only when the context was made for it.
    private readonly bool _canReuseTail;
    // Tokens evaluated in front of a reused tail since the tail itself was last evaluated, and
    // where that stale tail starts in _cached (int.MaxValue: nothing is stale).
    private int _tailDrift;
    private int _staleFrom = int.MaxValue;
    /// <summary>
    /// Once this many tokens have been evaluated in front of a reused tail, the tail is evaluated
    /// again: its keys and values were computed against an older middle, and a completion should
    /// not drift from what a fresh evaluation would give for long.
    /// </summary>
    internal const int MaxTailDrift = 256;
    /// <summary>Below this, a common tail is not worth the shuffle: evaluate it.</summary>
    internal const int MinTailReuse = 8;
    private readonly int _nCtx;
    private readonly int _nBatch;
    private LlamaBatch _batch;
    private int _queued;
    // Read by the native abort callback during llama_decode (on this worker's thread pool threads).
    private volatile bool _abortDecode;
    private GCHandle _self;

    /// <param name="spareSequence">The context was created with n_seq_max ≥ 2 and a unified KV cache,
    /// so sequence 1 can hold a reused tail (see <see cref="GenerationRequest.ReuseShiftedTail"/>).</param>
    public ContextWorker(LocalModel model, SafeLlamaContextHandle ctx, ILogger logger, bool spareSequence = false)
    {
        _model = model;
        _ctx = ctx;
        _logger = logger;
        _nCtx = (int)NativeMethods.llama_n_ctx(ctx);
        _nBatch = (int)NativeMethods.llama_n_batch(ctx);
        _batch = NativeMethods.llama_batch_init(_nBatch, 0, 1);
        _canReuseTail = spareSequence && NativeMethods.llama_memory_can_shift(NativeMethods.llama_get_memory(ctx));
        // Lets a cancellation interrupt a long prompt evaluation between compute graph nodes
        // instead of after a whole batch (libllama honours it on CPU; GPU backends finish the batch).
        _self = GCHandle.Alloc(this, GCHandleType.Normal);
        NativeMethods.llama_set_abort_callback(ctx, &OnAbort, GCHandle.ToIntPtr(_self));
        _thread = new Thread(Run) { IsBackground = true, Name = "llama-context " + System.IO.Path.GetFileName(model.Path) };
        _thread.Start();
    }

    public int Queued => Volatile.Read(ref _queued);

    public Task<GenerationResult> Enqueue(GenerationRequest request, Action<string>? onDelta, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Messages == null && request.Prompt == null && request.PromptTokens == null)
        {
            throw new ArgumentException("A request needs Messages, a Prompt or PromptTokens.", nameof(request));
        }
        if (request.Options.MaxTokens < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(request), "MaxTokens must be at least 1.");
        }
        var job = new Job(request, onDelta, ct, Stopwatch.GetTimestamp());
        // A caller that gives up while its request waits in the queue is answered at once, not
        // when the worker gets there (the worker then skips the job). Once running, cancellation
        // is the generation loop's business: the result carries FinishReason.Cancelled.
        // Registered before the job is visible to the worker, which disposes it when done.
        job.ReleaseWhenCancelledWhileQueued();
        Interlocked.Increment(ref _queued);
        if (!_jobs.Writer.TryWrite(job))
        {
            Interlocked.Decrement(ref _queued);
            job.Dispose();
            throw new LocalModelException(ErrorCode.ModelBusy, "The model is being unloaded.");
        }
        return job.Completion.Task;
    }

    [UnmanagedCallersOnly]
    private static byte OnAbort(IntPtr data)
    {
        try
        {
            return GCHandle.FromIntPtr(data).Target is ContextWorker { _abortDecode: true } ? (byte)1 : (byte)0;
        }
        catch
        {
            return 0;
        }
    }

    public Task EnqueueReset()
    {
        var job = new Job(null, null, CancellationToken.None, Stopwatch.GetTimestamp());
        Interlocked.Increment(ref _queued);
        if (!_jobs.Writer.TryWrite(job))
        {
            Interlocked.Decrement(ref _queued);
            throw new LocalModelException(ErrorCode.ModelBusy, "The model is being unloaded.");
        }
        return job.Completion.Task;
    }

    /// <summary>Refuses new work, cancels the running job, fails queued ones, frees the context.</summary>
    public Task StopAsync()
    {
        if (_jobs.Writer.TryComplete())
        {
            _shutdown.Cancel();
        }
        return _stopped.Task;
    }

    private void Run()
    {
        try
        {
            var reader = _jobs.Reader;
            // Blocking waits are right here: this thread exists only to own the context, and
            // an await would resume on a pool thread, breaking the single-owner rule.
            while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                while (reader.TryRead(out var job))
                {
                    Interlocked.Decrement(ref _queued);
                    if (_shutdown.IsCancellationRequested)
                    {
                        job.Completion.TrySetException(new LocalModelException(ErrorCode.ModelBusy, "The model was unloaded."));
                        continue;
                    }
                    Execute(job);
                }
            }
        }
        catch (Exception e)
        {
            _logger.LogError(e, "The llama context worker failed");
        }
        finally
        {
            NativeMethods.llama_batch_free(_batch);
            _batch = default;
            _ctx.Dispose();
            _self.Free();
            _stopped.TrySetResult();
        }
    }

    private void Execute(Job job)
    {
        if (job.Request == null)
        {
            ClearCache();
            job.Completion.TrySetResult(null!);
            return;
        }
        try
        {
            if (!job.TryStart())
            {
                return; // cancelled while queued; the caller already has its answer
            }
            if (job.Token.IsCancellationRequested)
            {
                job.Completion.TrySetCanceled(job.Token);
                return;
            }
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(job.Token, _shutdown.Token);
            _abortDecode = false;
            using (linked.Token.Register(() => _abortDecode = true))
            {
                job.Completion.TrySetResult(Generate(job, linked.Token));
            }
        }
        catch (Exception e)
        {
            job.Completion.TrySetException(e);
        }
        finally
        {
            _abortDecode = false;
            job.Dispose();
        }
    }

    private void ClearCache()
    {
        NativeMethods.llama_memory_clear(NativeMethods.llama_get_memory(_ctx), true);
        _cached.Clear();
        _promptLength = 0;
        _tailDrift = 0;
        _staleFrom = int.MaxValue;
    }

    private GenerationResult Generate(Job job, CancellationToken ct)
    {
        var req = job.Request!;
        var opt = req.Options;
        long start = Stopwatch.GetTimestamp();
        int[] tokens;
        if (req.PromptTokens != null)
        {
            tokens = [.. req.PromptTokens];
        }
        else
        {
            string prompt = req.Messages != null ? _model.ApplyChatTemplate(req.Messages, addAssistantPrefix: true) : req.Prompt!;
            // The template already contains BOS if the model wants one; tokenizing with addSpecial
            // would add it twice, so only a raw prompt gets the model's automatic specials.
            bool templated = req.Messages != null;
            tokens = _model.Tokenize(prompt, addSpecial: !templated || !StartsWithBos(prompt), parseSpecial: true);
        }
        if (tokens.Length == 0)
        {
            throw new ArgumentException("The prompt is empty.");
        }
        if (tokens.Length >= _nCtx)
        {
            throw new LocalModelException(ErrorCode.ContextLengthExceeded,
                $"The prompt has {tokens.Length} tokens; the context holds {_nCtx}.")
            {
                Details = new Dictionary<string, object?> { ["promptTokens"] = tokens.Length, ["contextLength"] = _nCtx },
            };
        }

        using var sampler = SamplerFactory.Create(_model, opt);

        // --- prefix reuse: keep the common prefix in the KV cache, drop the rest -------------
        int reuse = 0;
        while (reuse < _cached.Count && reuse < tokens.Length && _cached[reuse] == tokens[reuse])
        {
            reuse++;
        }
        if (reuse == tokens.Length)
        {
            reuse--; // the last prompt token must be evaluated again to get logits to sample from
        }
        // --- tail reuse: the end of the last prompt that the new one also ends with ------------
        int tail = req.ReuseShiftedTail && _canReuseTail ? CommonTail(tokens, reuse) : 0;
        int oldTailStart = Math.Min(_promptLength, _cached.Count) - 1 - tail;
        IntPtr mem = NativeMethods.llama_get_memory(_ctx);
        if (tail > 0)
        {
            // Park the tail on the spare sequence; removing sequence 0 from those cells below
            // then leaves them in place for sequence 1 alone.
            NativeMethods.llama_memory_seq_cp(mem, 0, 1, oldTailStart, oldTailStart + tail);
        }
        if (reuse < _cached.Count)
        {
            if (!NativeMethods.llama_memory_seq_rm(mem, 0, reuse, -1))
            {
                // Some memories (recurrent models) cannot drop a suffix: start over.
                NativeMethods.llama_memory_clear(mem, true);
                reuse = 0;
                tail = 0;
            }
            _cached.RemoveRange(reuse, _cached.Count - reuse);
        }
        _promptLength = Math.Min(_promptLength, reuse);

        // --- prompt evaluation in batches; cancellation checked between batches ---------------
        // With a reused tail: the middle on sequence 0, then the tail joins it at its new
        // positions, then the last token alone (for the logits).
        int middleEnd = tail > 0 ? tokens.Length - 1 - tail : tokens.Length;
        FinishReason? finish = EvaluatePrompt(tokens, reuse, middleEnd, logitsAtEnd: tail == 0, ct);
        if (tail > 0)
        {
            if (finish == null)
            {
                int newTailStart = middleEnd;
                NativeMethods.llama_memory_seq_add(mem, 1, oldTailStart, oldTailStart + tail, newTailStart - oldTailStart);
                NativeMethods.llama_memory_seq_cp(mem, 1, 0, newTailStart, newTailStart + tail);
                _cached.AddRange(tokens.AsSpan(newTailStart, tail));
                _tailDrift += middleEnd - reuse;
                _staleFrom = reuse <= _staleFrom ? newTailStart : _staleFrom;
            }
            NativeMethods.llama_memory_seq_rm(mem, 1, -1, -1);
            if (finish == null)
            {
                finish = EvaluatePrompt(tokens, tokens.Length - 1, tokens.Length, logitsAtEnd: true, ct);
            }
        }
        else if (reuse <= _staleFrom)
        {
            // Everything past the common prefix was evaluated afresh, the stale tail included.
            _tailDrift = 0;
            _staleFrom = int.MaxValue;
        }
        _promptLength = finish == null ? tokens.Length : _cached.Count;
        long promptDone = Stopwatch.GetTimestamp();

        var utf8 = new Utf8StreamAssembler();
        var stops = new StopSequenceMatcher(opt.Stop);
        var text = new System.Text.StringBuilder();
        int completion = 0;
        long firstToken = 0;

        void Emit(string s)
        {
            if (s.Length == 0)
            {
                return;
            }
            text.Append(s);
            job.OnDelta?.Invoke(s);
        }

        while (finish == null)
        {
            int token = NativeMethods.llama_sampler_sample(sampler, _ctx, -1);
            if (firstToken == 0)
            {
                firstToken = Stopwatch.GetTimestamp();
            }
            if (NativeMethods.llama_vocab_is_eog(_model.Vocab, token))
            {
                finish = FinishReason.Stop;
                break;
            }
            completion++;
            string piece = utf8.Append(_model.TokenToPiece(token));
            Emit(stops.Append(piece));
            if (stops.Stopped)
            {
                finish = FinishReason.Stop;
                break;
            }
            if (completion >= opt.MaxTokens || _cached.Count + 1 >= _nCtx)
            {
                finish = FinishReason.Length;
                break;
            }
            if (ct.IsCancellationRequested)
            {
                finish = FinishReason.Cancelled;
                break;
            }
            if (!Decode([token], _cached.Count, logitsForLast: true))
            {
                finish = FinishReason.Cancelled;
            }
        }
        utf8.Reset();
        Emit(stops.Flush());

        long end = Stopwatch.GetTimestamp();
        double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;
        double genMs = Ms(promptDone, end);
        double promptMs = Ms(start, promptDone);
        int cachedPrompt = reuse + tail;
        int evaluated = tokens.Length - cachedPrompt;
        var usage = new GenerationUsage(tokens.Length, completion, cachedPrompt);
        var timings = new GenerationTimings(
            QueueMs: Ms(job.EnqueuedAt, start),
            TtftMs: firstToken == 0 ? 0 : Ms(job.EnqueuedAt, firstToken),
            PromptMs: promptMs,
            TotalMs: Ms(job.EnqueuedAt, end),
            TokensPerSecond: completion > 0 && genMs > 0 ? completion / (genMs / 1000) : 0,
            PromptTokensPerSecond: evaluated > 0 && promptMs > 0 ? evaluated / (promptMs / 1000) : 0);
        return new GenerationResult(text.ToString(), finish.Value, usage, timings);
    }

    /// <summary>
    /// Tokens [from, to) of the prompt on sequence 0, in batches; cancellation is checked between
    /// batches and the abort callback stops a batch. Null when done, Cancelled when stopped.
    /// </summary>
    private FinishReason? EvaluatePrompt(int[] tokens, int from, int to, bool logitsAtEnd, CancellationToken ct)
    {
        for (int i = from; i < to; i += _nBatch)
        {
            if (ct.IsCancellationRequested)
            {
                return FinishReason.Cancelled;
            }
            int n = Math.Min(_nBatch, to - i);
            if (!Decode(tokens.AsSpan(i, n), i, logitsForLast: logitsAtEnd && i + n == to))
            {
                return FinishReason.Cancelled;
            }
        }
        return null;
    }

    /// <summary>
    /// How many tokens before the last one of the new prompt end the last prompt too, past the
    /// common prefix (the last token is always evaluated again, for the logits). 0 when too few
    /// to be worth it, or when the tail has drifted too far from a fresh evaluation.
    /// </summary>
    private int CommonTail(int[] tokens, int reuse)
    {
        int oldEnd = Math.Min(_promptLength, _cached.Count);
        if (oldEnd < 1 || tokens.Length < 1 || _cached[oldEnd - 1] != tokens[^1] || _tailDrift >= MaxTailDrift)
        {
            return 0;
        }
        int tail = 0;
        int room = Math.Min(oldEnd - 1, tokens.Length - 1) - reuse;
        while (tail < room && _cached[oldEnd - 2 - tail] == tokens[tokens.Length - 2 - tail])
        {
            tail++;
        }
        // A tail that starts right where the prefix ends is already in place: plain prefix reuse.
        bool inPlace = oldEnd == tokens.Length && oldEnd - 1 - tail == reuse;
        return tail >= MinTailReuse && !inPlace ? tail : 0;
    }

    private bool StartsWithBos(string prompt)
    {
        int bos = _model.BosToken;
        if (bos < 0)
        {
            return false;
        }
        string bosText = System.Text.Encoding.UTF8.GetString(_model.TokenToPiece(bos, renderSpecial: true));
        return bosText.Length > 0 && prompt.StartsWith(bosText, StringComparison.Ordinal);
    }

    /// <summary>
    /// Decodes tokens at positions pos.. on sequence 0 and records them as cached. Returns false
    /// when the abort callback stopped it (cancellation); the cache then holds exactly the
    /// tokens recorded before the call.
    /// </summary>
    private bool Decode(ReadOnlySpan<int> tokens, int pos, bool logitsForLast)
    {
        _batch.n_tokens = tokens.Length;
        for (int i = 0; i < tokens.Length; i++)
        {
            _batch.token[i] = tokens[i];
            _batch.pos[i] = pos + i;
            _batch.n_seq_id[i] = 1;
            _batch.seq_id[i][0] = 0;
            _batch.logits[i] = (sbyte)(logitsForLast && i == tokens.Length - 1 ? 1 : 0);
        }
        int rc = NativeMethods.llama_decode(_ctx, _batch);
        if (rc == 2)
        {
            // Aborted: micro-batches that finished stay in the KV cache; drop them so the cache
            // matches _cached again and the context stays usable.
            if (!NativeMethods.llama_memory_seq_rm(NativeMethods.llama_get_memory(_ctx), 0, _cached.Count, -1))
            {
                ClearCache();
            }
            return false;
        }
        if (rc != 0)
        {
            // The memory state is uncertain after a failure: start the next request clean.
            ClearCache();
            throw rc == 1
                ? new LocalModelException(ErrorCode.ContextLengthExceeded, "The context is full (no KV cache slot).")
                : new InvalidOperationException($"llama_decode failed with {rc}.");
        }
        for (int i = 0; i < tokens.Length; i++)
        {
            _cached.Add(tokens[i]);
        }
        return true;
    }

    private sealed class Job(GenerationRequest? request, Action<string>? onDelta, CancellationToken token, long enqueuedAt) : IDisposable
    {
        private const int Queued = 0, Running = 1, Abandoned = 2;
        private int _state;
        private CancellationTokenRegistration _tokenReg;

        /// <summary>Worker side: claims the job; false when it was abandoned while queued.</summary>
        public bool TryStart() => Interlocked.CompareExchange(ref _state, Running, Queued) == Queued;

        public void ReleaseWhenCancelledWhileQueued()
        {
            _tokenReg = Token.Register(() => Abandon(Token));
        }

        private void Abandon(CancellationToken why)
        {
            if (Interlocked.CompareExchange(ref _state, Abandoned, Queued) == Queued)
            {
                Completion.TrySetCanceled(why);
            }
        }

        public GenerationRequest? Request { get; } = request;
        public Action<string>? OnDelta { get; } = onDelta;
        public CancellationToken Token { get; } = token;
        public long EnqueuedAt { get; } = enqueuedAt;
        public TaskCompletionSource<GenerationResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public void Dispose()
        {
            _tokenReg.Dispose();
        }
    }
}
