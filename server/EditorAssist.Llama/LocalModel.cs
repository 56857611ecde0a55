using EditorAssist.Core.Errors;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using EditorAssist.Core.Local;
using EditorAssist.Llama.Native;
using Microsoft.Extensions.Logging;

namespace EditorAssist.Llama;

/// <summary>Facts about a loaded model, read from its GGUF metadata and from libllama.</summary>
public sealed record LocalModelInfo(
    string Architecture,
    string? Name,
    long ParameterCount,
    long SizeBytes,
    int TrainedContextLength,
    int LayerCount,
    int EmbeddingLength,
    int VocabSize,
    string? ChatTemplate,
    bool HasFimTokens);

/// <summary>
/// A loaded model with one context. Tokenizer and metadata calls are thread-safe (they only
/// read the vocabulary). Generation goes through one owner thread per context: requests are
/// queued first-come first-served and run one at a time, because a llama_context must never be
/// used from two threads. Dispose (or DisposeAsync) unloads: queued requests fail with
/// ModelBusy, the running one is cancelled, then context and model are freed.
/// </summary>
public sealed class LocalModel : IAsyncDisposable, IDisposable
{
    private readonly SafeLlamaModelHandle _model;
    private readonly ContextWorker _worker;
    private readonly IntPtr _vocab;
    private readonly LlamaContextParams _contextParams;
    private readonly ILogger _logger;
    private readonly Lock _laneGate = new();
    private ContextWorker? _completionWorker;
    private bool _completionLaneFailed;
    private bool _disposed;

    private LocalModel(string path, SafeLlamaModelHandle model, SafeLlamaContextHandle context, LlamaContextParams contextParams,
        MemoryPlan plan, string backend, TimeSpan loadTime, ILogger logger)
    {
        Path = path;
        _model = model;
        _vocab = NativeMethods.llama_model_get_vocab(model);
        Plan = plan;
        Backend = backend;
        LoadTime = loadTime;
        ContextLength = (int)NativeMethods.llama_n_ctx(context);
        // A vocabulary that puts a space in front of plain text shows it in the first piece
        // (Detokenize would strip it again); TokenizeExact then cuts a newline's tokens off instead.
        _spacePrefixLead = Tokenize("a", addSpecial: false, parseSpecial: false) is [var first, ..] && TokenToPiece(first) is [(byte)' ', ..]
            ? Tokenize("\n", addSpecial: false, parseSpecial: false)
            : null;
        Fim = FimTemplate.For(this);
        Info = ReadInfo();
        _contextParams = contextParams;
        _logger = logger;
        _worker = new ContextWorker(this, context, logger);
        HasCpuThreadpool = context.HasCpuThreadpool;
    }

    /// <summary>The chat context computes on a persistent CPU thread pool (more than one thread).</summary>
    internal bool HasCpuThreadpool { get; }

    /// <summary>Tokens the completion lane's context holds (its prompts must fit in this).</summary>
    public int CompletionContextLength => Math.Min(ContextLength, MaxCompletionContext);

    /// <summary>
    /// Inline completion prompts are windows of a file (80 + 25 lines by default) plus a few
    /// context chunks; 4096 tokens hold them with room to spare and keep the second KV cache small.
    /// </summary>
    private const int MaxCompletionContext = EditorAssist.Core.Catalog.HardwareFit.CompletionLaneTokens; // the fit estimate counts the same

    /// <summary>
    /// The worker for a lane. The completion lane gets its own context on first use: two
    /// sequences over one unified KV cache (the second holds a reused tail while the middle is
    /// evaluated, see ContextWorker). If it cannot be created (memory), completion shares the
    /// chat context instead, and says so in the log once.
    /// </summary>
    private ContextWorker WorkerFor(GenerationLane lane)
    {
        if (lane == GenerationLane.Chat)
        {
            return _worker;
        }
        lock (_laneGate)
        {
            if (_completionWorker != null || _completionLaneFailed || _disposed)
            {
                return _completionWorker ?? _worker;
            }
            var cp = _contextParams;
            cp.n_ctx = (uint)CompletionContextLength;
            cp.n_batch = Math.Min(cp.n_batch, cp.n_ctx);
            cp.n_ubatch = Math.Min(cp.n_ubatch, cp.n_batch);
            cp.n_seq_max = 2;
            cp.kv_unified = 1;
            var context = SafeLlamaContextHandle.Create(_model, cp);
            if (context.IsInvalid)
            {
                _completionLaneFailed = true;
                _logger.LogWarning("Could not create a separate completion context for {Path}; inline completion shares the chat context", Path);
                return _worker;
            }
            context.AttachCpuThreadpool(cp.n_threads); // its own pool: both lanes may decode at once
            _completionWorker = new ContextWorker(this, context, _logger, spareSequence: true);
            return _completionWorker;
        }
    }

    public string Path { get; }
    public LocalModelInfo Info { get; }
    public MemoryPlan Plan { get; }
    /// <summary>Layers offloaded to the GPU (TotalLayers + 1 = everything including the output layer).</summary>
    public int GpuLayers => Plan.GpuLayers;
    public int ContextLength { get; }
    /// <summary>"Vulkan" or "CPU".</summary>
    public string Backend { get; }
    public TimeSpan LoadTime { get; }

    internal SafeLlamaModelHandle Handle => _model;
    internal IntPtr Vocab => _vocab;

    internal static unsafe LocalModel Load(LlamaRuntime runtime, string path, LocalModelOptions options,
        IProgress<float>? progress, ILogger logger, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var sw = Stopwatch.StartNew();
        path = System.IO.Path.GetFullPath(path);
        var file = GgufFile.Read(path);

        LlamaDevice? gpu = options.GpuLayers == 0 ? null : runtime.GpuDevice;
        long? gpuFree = null;
        if (gpu != null)
        {
            gpuFree = runtime.RefreshDevices().FirstOrDefault(d => d.Index == gpu.Index)?.MemoryFreeBytes ?? gpu.MemoryFreeBytes;
        }
        var plan = MemoryPlanner.Plan(file, options, gpuFree, LlamaRuntime.AvailableSystemMemory() ?? long.MaxValue);
        if (plan.GpuLayers == 0)
        {
            gpu = null;
        }

        var mp = NativeMethods.llama_model_default_params();
        mp.n_gpu_layers = plan.GpuLayers;
        mp.split_mode = LlamaSplitMode.None;
        // devices is a NULL-terminated list: exactly the chosen GPU, or none at all so that a
        // CPU load never touches a GPU backend (not even for op offload).
        IntPtr* devices = stackalloc IntPtr[2];
        devices[0] = gpu != null ? LlamaLibrary.DevicePointer(gpu.Index) : IntPtr.Zero;
        devices[1] = IntPtr.Zero;
        mp.devices = (IntPtr)devices;
        mp.main_gpu = 0;

        var state = new LoadProgress(progress, ct);
        var gch = GCHandle.Alloc(state);
        IntPtr modelPtr;
        try
        {
            mp.progress_callback = &OnLoadProgress;
            mp.progress_callback_user_data = GCHandle.ToIntPtr(gch);
            modelPtr = NativeMethods.llama_model_load_from_file(path, mp);
        }
        finally
        {
            gch.Free();
        }
        if (state.Error != null)
        {
            logger.LogWarning(state.Error, "The load progress callback threw");
        }
        var model = SafeLlamaModelHandle.FromPointer(modelPtr);
        if (model.IsInvalid)
        {
            ct.ThrowIfCancellationRequested();
            throw new InvalidModelFileException($"libllama could not load {path} (see the log for its reason).");
        }

        try
        {
            ct.ThrowIfCancellationRequested();
            var cp = NativeMethods.llama_context_default_params();
            cp.n_ctx = (uint)plan.ContextLength;
            cp.n_batch = (uint)Math.Min(options.BatchSize, plan.ContextLength);
            // The physical batch stays at llama.cpp's default: compute buffers scale with it, and
            // an abort (cancellation) is checked between graph nodes, whose size it sets.
            cp.n_ubatch = Math.Min(cp.n_batch, 512u);
            cp.n_seq_max = 1;
            int threads = options.Threads ?? Environment.ProcessorCount;
            cp.n_threads = threads;
            cp.n_threads_batch = threads;
            cp.no_perf = 0;
            if (gpu == null)
            {
                cp.offload_kqv = 0;
                cp.op_offload = 0;
            }
            var context = SafeLlamaContextHandle.Create(model, cp);
            if (context.IsInvalid)
            {
                throw new LocalModelException(ErrorCode.InsufficientMemory,
                    $"libllama could not create a context of {plan.ContextLength} tokens for {path} (see the log).");
            }
            // A persistent pool: without it ggml creates and joins the worker threads in every decode
            // (docs/LOCAL_RUNTIME.md, "LLamaSharp as the measured peer").
            context.AttachCpuThreadpool(threads);
            progress?.Report(1f);
            var lm = new LocalModel(path, model, context, cp, plan, gpu?.Backend ?? "CPU", sw.Elapsed, logger);
            logger.LogInformation("Loaded {Path} on {Backend}: {GpuLayers}/{Layers} GPU layers, context {Ctx}, {Ms} ms",
                path, lm.Backend, plan.GpuLayers, plan.TotalLayers, lm.ContextLength, (long)sw.Elapsed.TotalMilliseconds);
            return lm;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private sealed class LoadProgress(IProgress<float>? progress, CancellationToken ct)
    {
        public IProgress<float>? Progress { get; } = progress;
        public CancellationToken Token { get; } = ct;
        public Exception? Error { get; set; }
    }

    // Called by llama's loader on the loading thread; returning 0 (false) aborts the load.
    [UnmanagedCallersOnly]
    private static byte OnLoadProgress(float p, IntPtr user)
    {
        try
        {
            var state = (LoadProgress)GCHandle.FromIntPtr(user).Target!;
            if (state.Token.IsCancellationRequested)
            {
                return 0;
            }
            try
            {
                state.Progress?.Report(p);
            }
            catch (Exception e)
            {
                state.Error = e; // a broken progress sink must not kill the load or the process
            }
            return 1;
        }
        catch
        {
            return 0;
        }
    }

    private LocalModelInfo ReadInfo()
    {
        IntPtr tmpl = NativeMethods.llama_model_chat_template(_model, null);
        return new LocalModelInfo(
            Architecture: GetMetadata("general.architecture") ?? "unknown",
            Name: GetMetadata("general.name"),
            ParameterCount: (long)NativeMethods.llama_model_n_params(_model),
            SizeBytes: (long)NativeMethods.llama_model_size(_model),
            TrainedContextLength: NativeMethods.llama_model_n_ctx_train(_model),
            LayerCount: NativeMethods.llama_model_n_layer(_model),
            EmbeddingLength: NativeMethods.llama_model_n_embd(_model),
            VocabSize: NativeMethods.llama_vocab_n_tokens(_vocab),
            ChatTemplate: NativeMethods.PtrToString(tmpl),
            HasFimTokens: Fim != null);
    }

    /// <summary>A metadata value as a string (numbers and bools formatted by libllama), or null if absent.</summary>
    public unsafe string? GetMetadata(string key)
    {
        int size = 256;
        while (true)
        {
            byte[] buf = new byte[size];
            int n;
            fixed (byte* p = buf)
            {
                n = NativeMethods.llama_model_meta_val_str(_model, key, p, (nuint)buf.Length);
            }
            if (n < 0)
            {
                return null;
            }
            if (n < size)
            {
                return Encoding.UTF8.GetString(buf, 0, n);
            }
            size = n + 1;
        }
    }

    /// <summary>The special tokens for fill-in-the-middle prompts (-1 where the model has none).</summary>
    public FimTokenIds FimTokens => new(
        NativeMethods.llama_vocab_fim_pre(_vocab), NativeMethods.llama_vocab_fim_suf(_vocab),
        NativeMethods.llama_vocab_fim_mid(_vocab), NativeMethods.llama_vocab_fim_pad(_vocab),
        NativeMethods.llama_vocab_fim_rep(_vocab), NativeMethods.llama_vocab_fim_sep(_vocab));

    /// <summary>This model's fill-in-the-middle prompt layout; null when it has no FIM tokens.</summary>
    public FimTemplate? Fim { get; }

    /// <summary>Whether the vocabulary puts BOS in front of a prompt (tokenizer.ggml.add_bos_token).</summary>
    public bool AddsBos => NativeMethods.llama_vocab_get_add_bos(_vocab);

    /// <summary>The id of the special (control) token spelled <paramref name="text"/>, or -1.</summary>
    public int SpecialToken(string text)
    {
        int[] special = Tokenize(text, addSpecial: false, parseSpecial: true);
        return special.Length == 1 && Tokenize(text, addSpecial: false, parseSpecial: false).Length > 1 ? special[0] : -1;
    }

    /// <summary>How a special token is spelled (e.g. "&lt;|fim_prefix|&gt;").</summary>
    public string SpecialText(int token) => Encoding.UTF8.GetString(TokenToPiece(token, renderSpecial: true));

    /// <summary>
    /// Tokens of exactly <paramref name="text"/> as plain text: no BOS, no special tokens, and
    /// without the leading space SentencePiece vocabularies with add_space_prefix put in front
    /// (so a piece between two special tokens is not changed; cf. CodeLlama's encode_infilling).
    /// </summary>
    public int[] TokenizeExact(string text)
    {
        if (_spacePrefixLead is not { } lead)
        {
            return Tokenize(text, addSpecial: false, parseSpecial: false);
        }
        int[] all = Tokenize("\n" + text, addSpecial: false, parseSpecial: false);
        return all.AsSpan().StartsWith(lead) ? all[lead.Length..] : Tokenize(text, addSpecial: false, parseSpecial: false);
    }

    // The tokens of "\n" in a vocabulary that adds a space prefix; null when it does not.
    private readonly int[]? _spacePrefixLead;

    public int BosToken => NativeMethods.llama_vocab_bos(_vocab);
    public int EosToken => NativeMethods.llama_vocab_eos(_vocab);
    public int EotToken => NativeMethods.llama_vocab_eot(_vocab);
    public bool IsEndOfGeneration(int token) => NativeMethods.llama_vocab_is_eog(_vocab, token);

    /// <param name="addSpecial">Add BOS/EOS as the model's metadata asks.</param>
    /// <param name="parseSpecial">Turn "&lt;|im_start|&gt;"-style text into the special token instead of plain text.</param>
    public unsafe int[] Tokenize(string text, bool addSpecial, bool parseSpecial)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        int cap = bytes.Length + 8;
        while (true)
        {
            int[] tokens = new int[cap];
            int n;
            fixed (byte* t = bytes)
            fixed (int* o = tokens)
            {
                n = NativeMethods.llama_tokenize(_vocab, t, bytes.Length, o, cap, addSpecial, parseSpecial);
            }
            if (n == int.MinValue)
            {
                throw new ArgumentException("The text is too long to tokenize.", nameof(text));
            }
            if (n >= 0)
            {
                return tokens.AsSpan(0, n).ToArray();
            }
            cap = -n;
        }
    }

    /// <summary>The raw bytes of one token (a byte-fallback token is a single, possibly partial UTF-8 byte).</summary>
    public unsafe byte[] TokenToPiece(int token, bool renderSpecial = false)
    {
        Span<byte> buf = stackalloc byte[128];
        int n;
        fixed (byte* p = buf)
        {
            n = NativeMethods.llama_token_to_piece(_vocab, token, p, buf.Length, 0, renderSpecial);
        }
        if (n >= 0)
        {
            return buf[..n].ToArray();
        }
        byte[] big = new byte[-n];
        fixed (byte* p = big)
        {
            n = NativeMethods.llama_token_to_piece(_vocab, token, p, big.Length, 0, renderSpecial);
        }
        return big.AsSpan(0, Math.Max(n, 0)).ToArray();
    }

    public unsafe string Detokenize(ReadOnlySpan<int> tokens, bool renderSpecial = false)
    {
        int cap = tokens.Length * 8 + 16;
        while (true)
        {
            byte[] buf = new byte[cap];
            int n;
            fixed (int* t = tokens)
            fixed (byte* p = buf)
            {
                n = NativeMethods.llama_detokenize(_vocab, t, tokens.Length, p, cap, false, renderSpecial);
            }
            if (n >= 0)
            {
                return Encoding.UTF8.GetString(buf, 0, n);
            }
            cap = -n;
        }
    }

    /// <summary>
    /// Formats messages with the model's own chat template (GGUF tokenizer.chat_template), via
    /// llama_chat_apply_template, which recognises the common template families (ChatML, Llama
    /// 3, Gemma, ...). A model without a template, or with one libllama does not know, gets ChatML.
    /// </summary>
    public unsafe string ApplyChatTemplate(IReadOnlyList<ChatMessage> messages, bool addAssistantPrefix = true)
    {
        string? formatted = Info.ChatTemplate is string template ? TryApply(template, messages, addAssistantPrefix) : null;
        formatted ??= TryApply("chatml", messages, addAssistantPrefix)
            ?? throw new InvalidOperationException("The chat template could not be applied.");
        // libllama renders the template family, not the Jinja text: a template whose generation prompt
        // opens the think span (the model was trained to start inside it) loses that here; put it back.
        if (addAssistantPrefix && PrefillsThinking && !formatted.TrimEnd().EndsWith(Core.Chat.ThinkSplitter.OpenTag, StringComparison.Ordinal))
            formatted += Core.Chat.ThinkSplitter.OpenTag + "\n";
        return formatted;
    }

    /// <summary>The chat template knows the think tags: answers may open with a <c>&lt;think&gt;</c> span (Qwen3, DeepSeek-R1…).</summary>
    public bool UsesThinkTags => Core.Chat.ThinkTemplate.UsesThinkTags(Info.ChatTemplate);

    /// <summary>The chat template's generation prompt opens the think span: the output starts inside it.</summary>
    public bool PrefillsThinking => Core.Chat.ThinkTemplate.PrefillsThinking(Info.ChatTemplate);

    private static unsafe string? TryApply(string template, IReadOnlyList<ChatMessage> messages, bool addAss)
    {
        var handles = new List<IntPtr>(messages.Count * 2 + 1);
        try
        {
            IntPtr tmpl = Marshal.StringToCoTaskMemUTF8(template);
            handles.Add(tmpl);
            var msgs = new LlamaChatMessage[messages.Count];
            int total = 0;
            for (int i = 0; i < messages.Count; i++)
            {
                msgs[i].role = Marshal.StringToCoTaskMemUTF8(messages[i].Role);
                msgs[i].content = Marshal.StringToCoTaskMemUTF8(messages[i].Content);
                handles.Add(msgs[i].role);
                handles.Add(msgs[i].content);
                total += Encoding.UTF8.GetByteCount(messages[i].Content) + messages[i].Role.Length;
            }
            int cap = total * 2 + 256;
            while (true)
            {
                byte[] buf = new byte[cap];
                int n;
                fixed (LlamaChatMessage* m = msgs)
                fixed (byte* b = buf)
                {
                    n = NativeMethods.llama_chat_apply_template((byte*)tmpl, m, (nuint)msgs.Length, addAss, b, cap);
                }
                if (n < 0)
                {
                    return null; // template not supported by libllama
                }
                if (n <= cap)
                {
                    return Encoding.UTF8.GetString(buf, 0, n);
                }
                cap = n;
            }
        }
        finally
        {
            foreach (IntPtr h in handles)
            {
                Marshal.FreeCoTaskMem(h);
            }
        }
    }

    /// <summary>
    /// Queues a generation on this model's context and completes when it ends. Deltas are
    /// delivered in order on the context's owner thread: keep <paramref name="onDelta"/> short
    /// (hand the text to a channel or a writer), since generation waits for it. Cancellation
    /// while queued throws OperationCanceledException; once running, generation stops within
    /// one decode step and the result has FinishReason.Cancelled with the partial text.
    /// </summary>
    /// <exception cref="LocalModelException">ContextLengthExceeded, ModelBusy (unloading).</exception>
    public Task<GenerationResult> GenerateAsync(GenerationRequest request, Action<string>? onDelta = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return WorkerFor(request.Lane).Enqueue(request, onDelta, cancellationToken);
    }

    /// <summary>Forgets the cached prompt (KV cache) of a lane; its next request evaluates everything.</summary>
    public Task ResetCacheAsync(GenerationLane lane = GenerationLane.Chat) => WorkerFor(lane).EnqueueReset();

    /// <summary>Requests waiting behind the running one, over all lanes.</summary>
    public int QueuedRequests => _worker.Queued + (Volatile.Read(ref _completionWorker)?.Queued ?? 0);

    public async ValueTask DisposeAsync()
    {
        ContextWorker? completion;
        lock (_laneGate)
        {
            _disposed = true;
            completion = _completionWorker;
        }
        await _worker.StopAsync().ConfigureAwait(false);
        if (completion != null)
        {
            await completion.StopAsync().ConfigureAwait(false);
        }
        _model.Dispose(); // freed after the contexts drop their references
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}

/// <summary>Token ids of the fill-in-the-middle specials; -1 when absent.</summary>
public readonly record struct FimTokenIds(int Prefix, int Suffix, int Middle, int Pad, int RepoName, int FileSeparator);
