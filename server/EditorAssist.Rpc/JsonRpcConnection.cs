using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Reflection;
using System.Text.Json;
using System.Threading.Channels;
using EditorAssist.Rpc.Dispatch;
using EditorAssist.Rpc.Framing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace EditorAssist.Rpc;

public delegate ValueTask<RpcResult> RpcRequestHandler(RpcRequest request, CancellationToken cancellationToken);

public delegate ValueTask RpcNotificationHandler(RpcRequest notification, CancellationToken cancellationToken);

/// <summary>
/// One JSON-RPC 2.0 peer over a pair of pipes, framed as the LSP base protocol. StreamJsonRpc does the
/// protocol work (framing on the way out, ids, correlating responses, cancellation tokens, sending
/// <c>$/cancelRequest</c> for our own requests); this class is the policy on top:
/// <list type="bullet">
/// <item>Requests from the peer run concurrently on the thread pool, each with a CancellationToken that
/// <c>$/cancelRequest</c> trips; a request cancelled before it finished answers -32800.</item>
/// <item>Notifications run one at a time, in arrival order, and a request starts only after every
/// notification that arrived before it has been handled (an explicit queue, as Roslyn's language server
/// keeps one: StreamJsonRpc alone would let a request start while an earlier notification still runs).</item>
/// <item>Malformed messages are answered and the connection goes on (<see cref="LspMessageHandler"/>);
/// only a frame that cannot be delimited closes it.</item>
/// <item>Handler failures cross the wire as a code and a plain sentence: domain errors through
/// <see cref="JsonRpcOptions.ExceptionMapper"/>, anything else as -32603 with an incident id whose
/// details go to the log only.</item>
/// </list>
/// Handlers must be registered before <see cref="Start"/>. Other members are thread-safe. Messages this
/// side sends go out in the order of the calls (StreamJsonRpc's send lock is first come, first served).
/// </summary>
public sealed class JsonRpcConnection : IAsyncDisposable, IInboundPolicy
{
    public const string InitializeMethod = "initialize";
    public const string ExitMethod = "exit";
    public const string CancelRequestMethod = "$/cancelRequest";
    /// <summary>LSP's work-done progress notification, <c>{token, value}</c>.</summary>
    public const string ProgressMethod = "$/progress";

    /// <summary>Set on the thread that invokes a request's entry point (see <see cref="Invoke"/>).</summary>
    [ThreadStatic] private static DispatchContext? t_context;

    private static readonly JsonRpcMessage NotificationDone = new JsonRpcResult();

    private readonly ILogger _logger;
    private readonly Engine _rpc;
    private readonly InboundCancellation _cancellation;
    private readonly Dictionary<string, RpcRequestHandler> _requestHandlers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RpcNotificationHandler> _notificationHandlers = new(StringComparer.Ordinal);
    private readonly Channel<Work> _queue = Channel.CreateUnbounded<Work>(new() { SingleReader = true, SingleWriter = true });
    private readonly ConcurrentDictionary<RequestId, byte> _unanswered = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _allAnswered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _dispatchLoop = Task.CompletedTask;
    private long _arrivals;  // reader loop only
    private int _queued;     // messages in the queue or being handled by its loop
    private int _sending;    // sends in progress (StreamJsonRpc's SendAsync)
    private int _started;
    private int _finishing;
    private volatile bool _draining;
    private volatile bool _initialized;
    private volatile bool _shutdownRequested;

    public JsonRpcConnection(PipeReader input, PipeWriter output, JsonRpcOptions? options = null, ILogger? logger = null)
    {
        Options = options ?? new JsonRpcOptions();
        _logger = logger ?? NullLogger.Instance;
        var formatter = new SystemTextJsonFormatter { JsonSerializerOptions = WireJson.CreateOptions(Options.TypeInfoResolver) };
        var handler = new LspMessageHandler(output, input, formatter, Options.MaxMessageBytes, this, _logger);
        _rpc = new Engine(handler, formatter, this)
        {
            // Our entry points only hand work to the queue below, so StreamJsonRpc may invoke them inline
            // (its default would post each one to a single-threaded context first).
            SynchronizationContext = InlineSynchronizationContext.Instance,
            CancelLocallyInvokedMethodsWhenConnectionIsClosed = true,
            // StreamJsonRpc traces exceptions with their stack; our log (ILogger) is the one place for that.
            TraceSource = new TraceSource("EditorAssist.Rpc", SourceLevels.Off),
        };
        _cancellation = new InboundCancellation(this);
        _rpc.CancellationStrategy = _cancellation;
        _rpc.Disconnected += OnDisconnected;
    }

    /// <summary>Over a duplex pipe (Nerdbank.Streams' <c>FullDuplexStream.CreatePipePair()</c> in tests).</summary>
    public JsonRpcConnection(IDuplexPipe pipe, JsonRpcOptions? options = null, ILogger? logger = null)
        : this(pipe.Input, pipe.Output, options, logger)
    {
    }

    public static JsonRpcConnection Create(Stream input, Stream output, JsonRpcOptions? options = null, ILogger? logger = null) =>
        new(PipeReader.Create(input, new StreamPipeReaderOptions(bufferSize: 64 * 1024)),
            PipeWriter.Create(output, new StreamPipeWriterOptions(minimumBufferSize: 16 * 1024)),
            options, logger);

    public JsonRpcOptions Options { get; }

    /// <summary>Completes when the connection has closed and nothing is being written any more.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Tripped when the connection starts closing (end of input, framing error, disposal).</summary>
    public CancellationToken Closing => _closing.Token;

    /// <summary>Why the connection closed: null for a clean end of stream or a local close.</summary>
    public string? CloseReason { get; private set; }

    public bool IsInitialized => _initialized;

    public bool IsShutdownRequested => _shutdownRequested;

    /// <summary>Called by the <c>shutdown</c> handler: later requests are refused with -32600.</summary>
    public void MarkShutdownRequested() => _shutdownRequested = true;

    public void AddRequestHandler(string method, RpcRequestHandler handler)
    {
        EnsureNotStarted();
        _requestHandlers.Add(method, handler);
    }

    public void AddNotificationHandler(string method, RpcNotificationHandler handler)
    {
        EnsureNotStarted();
        _notificationHandlers.Add(method, handler);
    }

    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) == 1) throw new InvalidOperationException("The connection is already started.");
        // One StreamJsonRpc method per name, taking the whole params object as one JsonElement (as Roslyn's
        // language server registers its handlers), so handlers keep reading params through source-generated
        // JsonTypeInfo<T> and never through reflection-based binding.
        foreach (var (name, handler) in _requestHandlers)
            _rpc.AddLocalRpcMethod(RequestEntry.Method, new RequestEntry(this, name, handler), new JsonRpcMethodAttribute(name) { UseSingleObjectParameterDeserialization = true });
        foreach (var (name, handler) in _notificationHandlers)
            _rpc.AddLocalRpcMethod(NotificationEntry.Method, new NotificationEntry(this, name, handler), new JsonRpcMethodAttribute(name) { UseSingleObjectParameterDeserialization = true });
        _dispatchLoop = Task.Run(DispatchLoopAsync);
        _rpc.StartListening();
    }

    /// <summary>Sends a notification. Never blocks on the peer; a notification sent after close is dropped.</summary>
    public void Notify(string method, Action<Utf8JsonWriter>? writeParams)
    {
        Task sent;
        try
        {
            sent = _rpc.NotifyWithParameterObjectAsync(method, writeParams is null ? null : (object)RpcResult.FromWriter(writeParams), null);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or ConnectionLostException)
        {
            return;
        }
        if (!sent.IsCompletedSuccessfully) _ = ObserveAsync(sent, method);
    }

    private async Task ObserveAsync(Task sent, string method)
    {
        try
        {
            await sent.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or ConnectionLostException or OperationCanceledException || _rpc.IsDisposed)
        {
            // Closed meanwhile: nobody is listening any more.
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Could not send '{Method}'.", method);
        }
    }

    /// <summary>
    /// Sends a request to the peer and returns its <c>result</c> (cloned). Cancelling the token sends
    /// <c>$/cancelRequest</c> and completes the task as cancelled at once; a late answer is ignored.
    /// </summary>
    public async Task<JsonElement> SendRequestAsync(string method, Action<Utf8JsonWriter>? writeParams, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_closing.IsCancellationRequested || _rpc.IsDisposed) throw new ConnectionClosedException(ClosedText());
        Task<JsonElement> call;
        try
        {
            call = _rpc.InvokeWithParameterObjectAsync<JsonElement>(method, writeParams is null ? null : (object)RpcResult.FromWriter(writeParams), cancellationToken);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or ConnectionLostException)
        {
            throw new ConnectionClosedException(ClosedText());
        }

        try
        {
            return await call.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // StreamJsonRpc has sent $/cancelRequest; whatever the peer answers later is dropped.
            _ = call.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw;
        }
        catch (PeerError error)
        {
            throw new RemoteRpcException(error.Code, error.Message, error.Data);
        }
        catch (OperationCanceledException)
        {
            throw new RemoteRpcException(ErrorCodes.RequestCancelled, $"The client cancelled '{method}'.", null);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or ConnectionLostException)
        {
            throw new ConnectionClosedException(ClosedText());
        }
    }

    private string ClosedText() => CloseReason is null ? "The connection closed." : $"The connection closed: {CloseReason}";

    /// <summary>Closes the connection: cancels running handlers, lets them answer, then disconnects.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _started) == 0)
        {
            _closing.Cancel();
            _rpc.Dispose();
            _completion.TrySetResult();
            return;
        }
        await DrainAsync().ConfigureAwait(false);
        // A read blocked in the OS (stdin of a live parent) may never observe cancellation; disconnecting
        // does not wait for it, and the process can exit with that read pending.
        _rpc.Dispose();
        await Completion.ConfigureAwait(false);
    }

    // ---------------------------------------------------------------- inbound policy (reader loop)

    void IInboundPolicy.CancelInbound(RpcId id) => _cancellation.Cancel(Envelope.ToRequestId(id));

    (int Code, string Message)? IInboundPolicy.Refuse(string method, bool isRequest)
    {
        if (isRequest)
        {
            if (Options.RequireInitialize && !_initialized && method != InitializeMethod)
                return (ErrorCodes.ServerNotInitialized, $"The server is not initialized: send '{InitializeMethod}' first.");
            if (_shutdownRequested)
                return (ErrorCodes.InvalidRequest, "The server is shutting down and accepts no more requests.");
            if (!_requestHandlers.ContainsKey(method))
                return (ErrorCodes.MethodNotFound, $"Method '{Truncate(method)}' not found.");
            return null;
        }
        // LSP: notifications before initialize are dropped (exit excepted).
        if (Options.RequireInitialize && !_initialized && method != ExitMethod)
            return (0, "received before initialize");
        if (!_notificationHandlers.ContainsKey(method))
            return (0, "no handler");
        return null;
    }

    async ValueTask IInboundPolicy.InputEndedAsync(string? failure)
    {
        CloseReason ??= failure;
        await DrainAsync().ConfigureAwait(false);
    }

    // ---------------------------------------------------------------- dispatch

    /// <summary>
    /// Called by StreamJsonRpc on its reader loop for every request or notification bound to one of our
    /// methods; <paramref name="invoke"/> runs the entry point. Decides when that happens.
    /// </summary>
    private ValueTask<JsonRpcMessage> Dispatch(JsonRpcRequest request, Func<ValueTask<JsonRpcMessage>> invoke)
    {
        if (!request.IsResponseExpected)
        {
            Interlocked.Increment(ref _queued);
            if (!_queue.Writer.TryWrite(new Work(invoke, null))) Interlocked.Decrement(ref _queued);
            return new(NotificationDone); // nothing is sent for a notification
        }

        var context = new DispatchContext(request.RequestId, ++_arrivals);
        _unanswered.TryAdd(request.RequestId, 0);
        // Nothing ahead of it in the queue (only this reader adds to it): start at once and save the hop.
        if (Volatile.Read(ref _queued) == 0) return new(Start(invoke, context));

        var work = new Work(invoke, context);
        Interlocked.Increment(ref _queued);
        if (_queue.Writer.TryWrite(work)) return new(work.Started!.Task);
        Interlocked.Decrement(ref _queued);
        return new(Start(invoke, context)); // closing: its token is cancelled, so it answers -32800
    }

    private static Task<JsonRpcMessage> Start(Func<ValueTask<JsonRpcMessage>> invoke, DispatchContext context) =>
        Task.Run(() => Invoke(invoke, context));

    private static Task<JsonRpcMessage> Invoke(Func<ValueTask<JsonRpcMessage>> invoke, DispatchContext? context)
    {
        // StreamJsonRpc invokes the entry point synchronously on this thread (inline synchronization
        // context), so the entry point finds its id and arrival order here.
        t_context = context;
        try
        {
            return invoke().AsTask();
        }
        finally
        {
            t_context = null;
        }
    }

    private async Task DispatchLoopAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var work))
            {
                if (work.Context is { } context)
                {
                    _ = ForwardAsync(Start(work.Invoke, context), work.Started!);
                    Interlocked.Decrement(ref _queued);
                    continue;
                }
                try
                {
                    await Invoke(work.Invoke, null).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    _logger.LogError(ex, "Notification dispatch failed.");
                }
                finally
                {
                    // Only now may a later request skip the queue: this notification is done.
                    Interlocked.Decrement(ref _queued);
                }
            }
        }
    }

    private static async Task ForwardAsync(Task<JsonRpcMessage> task, TaskCompletionSource<JsonRpcMessage> to)
    {
        try { to.TrySetResult(await task.ConfigureAwait(false)); }
        catch (Exception ex) { to.TrySetException(ex); }
    }

    private async Task<RpcResult> RunRequestAsync(string method, RpcRequestHandler handler, JsonElement @params, CancellationToken cancellationToken)
    {
        var context = t_context;
        t_context = null;
        cancellationToken.ThrowIfCancellationRequested();
        var request = new RpcRequest(this, method, context?.Id is { } id ? ToRpcId(id) : null, @params, context?.Sequence ?? 0);
        try
        {
            var result = await handler(request, cancellationToken).ConfigureAwait(false);
            // The client has given up on it: one consistent answer, even if the handler got to the end.
            cancellationToken.ThrowIfCancellationRequested();
            // Flip the state before the answer is sent: the client may send its next request the moment
            // it reads the answer.
            if (method == InitializeMethod) _initialized = true;
            return result;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw; // StreamJsonRpc answers -32800
        }
        catch (RpcException)
        {
            throw;
        }
        catch (Exception ex)
        {
            throw MapFailure(method, ex);
        }
    }

    private RpcException MapFailure(string method, Exception ex)
    {
        RpcException? mapped = null;
        try { mapped = Options.ExceptionMapper?.Invoke(ex); }
        catch (Exception mapperFailure) { _logger.LogError(mapperFailure, "The exception mapper failed."); }
        if (mapped is not null)
        {
            _logger.LogDebug(ex, "'{Method}' failed with {Code}: {Message}", method, mapped.Code, mapped.Message);
            return mapped;
        }
        // The full exception goes to the log only; the wire gets a plain sentence and a reference the
        // user can find in the log.
        var incident = NewIncident();
        _logger.LogError(ex, "Unhandled error in '{Method}' (incident {Incident}).", method, incident);
        return new RpcException(ErrorCodes.InternalError, $"Internal error while handling '{method}' (incident {incident}; details are in the EditorAssist log).");
    }

    private async Task RunNotificationAsync(string method, RpcNotificationHandler handler, JsonElement @params)
    {
        try
        {
            await handler(new RpcRequest(this, method, null, @params), _closing.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // A notification has no answer; the log is the only place a failure can go.
            _logger.LogError(ex, "Notification handler for '{Method}' failed.", method);
        }
    }

    /// <summary>StreamJsonRpc asks how to put a failure on the wire; only our own RpcException gets through as it is.</summary>
    private JsonRpcError.ErrorDetail ErrorDetailsFor(JsonRpcRequest request, Exception exception)
    {
        if (exception is RpcException rpc)
            return new JsonRpcError.ErrorDetail
            {
                Code = (JsonRpcErrorCode)rpc.Code,
                Message = rpc.Message,
                Data = rpc.WriteData is null ? null : RpcResult.FromWriter(rpc.WriteData),
            };
        var incident = NewIncident();
        _logger.LogError(exception, "Unhandled error in '{Method}' (incident {Incident}).", request.Method, incident);
        return new JsonRpcError.ErrorDetail
        {
            Code = (JsonRpcErrorCode)ErrorCodes.InternalError,
            Message = $"Internal error while handling '{Truncate(request.Method ?? "")}' (incident {incident}; details are in the EditorAssist log).",
        };
    }

    private static string NewIncident() => Guid.NewGuid().ToString("N")[..8];

    // ---------------------------------------------------------------- closing

    private async Task DrainAsync()
    {
        _draining = true;
        _closing.Cancel();
        _cancellation.CancelAll();
        _queue.Writer.TryComplete();
        // Running handlers see their token cancelled; give them a moment to answer -32800.
        try
        {
            await _dispatchLoop.WaitAsync(Options.DrainTimeout).ConfigureAwait(false);
            if (!_unanswered.IsEmpty) await _allAnswered.Task.WaitAsync(Options.DrainTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _logger.LogWarning("{Count} request handler(s) did not finish within {Timeout} of the connection closing.", _unanswered.Count, Options.DrainTimeout);
        }
    }

    private void Answered(RequestId id)
    {
        if (_unanswered.TryRemove(id, out _) && _draining && _unanswered.IsEmpty) _allAnswered.TrySetResult();
    }

    private void OnDisconnected(object? sender, JsonRpcDisconnectedEventArgs e)
    {
        if (e.Reason is not (DisconnectedReason.RemotePartyTerminated or DisconnectedReason.LocallyDisposed))
        {
            CloseReason ??= e.Description;
            _logger.LogError("Closing the connection: {Reason}", e.Description);
        }
        _closing.Cancel();
        _queue.Writer.TryComplete();
        _cancellation.CancelAll();
        if (Interlocked.Exchange(ref _finishing, 1) == 0) _ = FinishAsync();
    }

    private async Task FinishAsync()
    {
        // Sends that were under way when the connection dropped finish (or fail) quickly.
        var deadline = Stopwatch.GetTimestamp() + (long)(Options.DrainTimeout.TotalSeconds * Stopwatch.Frequency);
        while (Volatile.Read(ref _sending) > 0 && Stopwatch.GetTimestamp() < deadline)
            await Task.Delay(1).ConfigureAwait(false);
        _completion.TrySetResult();
    }

    private void EnsureNotStarted()
    {
        if (Volatile.Read(ref _started) == 1) throw new InvalidOperationException("Handlers must be added before Start().");
    }

    private static string Truncate(string s) => s.Length <= 100 ? s : s[..100] + "…";

    private static RpcId ToRpcId(RequestId id) => id.String is { } text ? new RpcId(text) : new RpcId(id.Number ?? 0);

    private sealed record DispatchContext(RequestId Id, long Sequence);

    /// <summary>A queued notification (Context null) or a request waiting for earlier notifications.</summary>
    private sealed class Work(Func<ValueTask<JsonRpcMessage>> invoke, DispatchContext? context)
    {
        public Func<ValueTask<JsonRpcMessage>> Invoke { get; } = invoke;
        public DispatchContext? Context { get; } = context;
        public TaskCompletionSource<JsonRpcMessage>? Started { get; } =
            context is null ? null : new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>StreamJsonRpc's target for one request method.</summary>
    private sealed class RequestEntry(JsonRpcConnection connection, string method, RpcRequestHandler handler)
    {
        public static readonly MethodInfo Method = typeof(RequestEntry).GetMethod(nameof(InvokeAsync))!;

        public Task<RpcResult> InvokeAsync(JsonElement @params = default, CancellationToken cancellationToken = default) =>
            connection.RunRequestAsync(method, handler, @params, cancellationToken);
    }

    /// <summary>StreamJsonRpc's target for one notification method.</summary>
    private sealed class NotificationEntry(JsonRpcConnection connection, string method, RpcNotificationHandler handler)
    {
        public static readonly MethodInfo Method = typeof(NotificationEntry).GetMethod(nameof(InvokeAsync))!;

        public Task InvokeAsync(JsonElement @params = default) => connection.RunNotificationAsync(method, handler, @params);
    }

    /// <summary>Runs posted work on the posting thread.</summary>
    private sealed class InlineSynchronizationContext : SynchronizationContext
    {
        public static readonly InlineSynchronizationContext Instance = new();
        public override void Post(SendOrPostCallback d, object? state) => d(state);
        public override void Send(SendOrPostCallback d, object? state) => d(state);
        public override SynchronizationContext CreateCopy() => this;
    }

    /// <summary>An error answer from the peer, as StreamJsonRpc hands it to <see cref="SendRequestAsync"/>.</summary>
    private sealed class PeerError : StreamJsonRpc.RemoteRpcException
    {
        public PeerError(int code, string message, JsonElement? data) : base(message)
        {
            Code = code;
            Data = data;
            ErrorCode = (JsonRpcErrorCode)code;
        }

        public int Code { get; }
        public new JsonElement? Data { get; }
    }

    /// <summary>StreamJsonRpc with our dispatch, error and send policies.</summary>
    private sealed class Engine(IJsonRpcMessageHandler handler, IJsonRpcMessageFormatter formatter, JsonRpcConnection owner) : JsonRpc(handler)
    {
        protected override ValueTask<JsonRpcMessage> DispatchRequestAsync(JsonRpcRequest request, TargetMethod targetMethod, CancellationToken cancellationToken) =>
            owner.Dispatch(request, () => base.DispatchRequestAsync(request, targetMethod, cancellationToken));

        protected override JsonRpcError.ErrorDetail CreateErrorDetails(JsonRpcRequest request, Exception exception) =>
            owner.ErrorDetailsFor(request, exception);

        protected override Type? GetErrorDetailsDataType(JsonRpcError error) => typeof(JsonElement);

        protected override StreamJsonRpc.RemoteRpcException CreateExceptionFromRpcError(JsonRpcRequest request, JsonRpcError response)
        {
            var error = response.Error!;
            var data = error.GetData(typeof(JsonElement)) is JsonElement d ? d : (JsonElement?)null;
            return new PeerError((int)error.Code, error.Message ?? "Unknown error.", data);
        }

        protected override async ValueTask SendAsync(JsonRpcMessage message, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref owner._sending);
            try
            {
                await base.SendAsync(message, cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException ex) when (message is JsonRpcResult && !IsDisposed)
            {
                // The result could not be serialized (nothing reached the wire: the formatter serializes
                // before the frame is written). Answer the request, keep the connection.
                var result = (JsonRpcResult)message;
                var incident = NewIncident();
                owner._logger.LogError(ex, "Could not serialize the answer to request {Id} (incident {Incident}).", result.RequestId, incident);
                var error = (formatter as IJsonRpcMessageFactory)?.CreateErrorMessage() ?? new JsonRpcError();
                error.RequestId = result.RequestId;
                error.Error = new JsonRpcError.ErrorDetail
                {
                    Code = (JsonRpcErrorCode)ErrorCodes.InternalError,
                    Message = $"Internal error while writing the answer (incident {incident}; details are in the EditorAssist log).",
                };
                await base.SendAsync(error, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref owner._sending);
                if (message is IJsonRpcMessageWithId { RequestId: var id } and (JsonRpcResult or JsonRpcError)) owner.Answered(id);
            }
        }
    }
}
