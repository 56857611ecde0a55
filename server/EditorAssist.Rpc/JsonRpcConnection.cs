using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading.Channels;
using EditorAssist.Rpc.Dispatch;
using EditorAssist.Rpc.Framing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EditorAssist.Rpc;

public delegate ValueTask<RpcResult> RpcRequestHandler(RpcRequest request, CancellationToken cancellationToken);

public delegate ValueTask RpcNotificationHandler(RpcRequest notification, CancellationToken cancellationToken);

/// <summary>
/// One JSON-RPC 2.0 peer over a pair of pipes, framed as the LSP base protocol.
/// <list type="bullet">
/// <item>Requests from the peer run concurrently on the thread pool, each with a CancellationToken
/// that <c>$/cancelRequest</c> trips; a cancelled request answers -32800.</item>
/// <item>Notifications from the peer run one at a time, in arrival order, and a request starts only
/// after every notification that arrived before it has been handled.</item>
/// <item>Everything this side sends goes through one queue drained by one writer loop, so the
/// order of <see cref="Notify"/> calls is the order on the wire.</item>
/// <item>Malformed messages are answered and the connection goes on; only a frame that cannot be
/// delimited closes it.</item>
/// </list>
/// Handlers must be registered before <see cref="Start"/>. Other members are thread-safe.
/// </summary>
public sealed class JsonRpcConnection : IAsyncDisposable
{
    public const string InitializeMethod = "initialize";
    public const string ExitMethod = "exit";
    public const string CancelRequestMethod = "$/cancelRequest";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Relaxed escaping is safe here: the payload goes to a JSON parser, never into HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    [ThreadStatic] private static PooledBufferWriter? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    private readonly FrameReader _frameReader;
    private readonly FrameWriter _frameWriter;
    private readonly PipeReader _input;
    private readonly ILogger _logger;
    private readonly Dictionary<string, RpcRequestHandler> _requestHandlers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RpcNotificationHandler> _notificationHandlers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<RpcId, CancellationTokenSource> _running = new();
    private readonly ConcurrentDictionary<Task, byte> _inflight = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly Channel<OutboundMessage> _outbound = Channel.CreateUnbounded<OutboundMessage>(new() { SingleReader = true });
    private readonly Channel<InboundMessage> _dispatch = Channel.CreateUnbounded<InboundMessage>(new() { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _nextId;
    private long _arrivals; // reader loop only
    private int _queued;    // messages in the dispatch queue or being handled by its loop
    private int _started;
    private int _closeStarted;
    private Task _writeLoop = Task.CompletedTask;
    private Task _dispatchLoop = Task.CompletedTask;
    private volatile bool _initialized;
    private volatile bool _shutdownRequested;

    public JsonRpcConnection(PipeReader input, PipeWriter output, JsonRpcOptions? options = null, ILogger? logger = null)
    {
        Options = options ?? new JsonRpcOptions();
        _input = input;
        _frameReader = new FrameReader(input, Options.MaxMessageBytes);
        _frameWriter = new FrameWriter(output);
        _logger = logger ?? NullLogger.Instance;
    }

    public static JsonRpcConnection Create(Stream input, Stream output, JsonRpcOptions? options = null, ILogger? logger = null) =>
        new(PipeReader.Create(input, new StreamPipeReaderOptions(bufferSize: 64 * 1024)),
            PipeWriter.Create(output, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024)),
            options, logger);

    public JsonRpcOptions Options { get; }

    /// <summary>Completes when the connection has closed and everything queued has been written.</summary>
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
        _writeLoop = Task.Run(WriteLoopAsync);
        _dispatchLoop = Task.Run(DispatchLoopAsync);
        _ = Task.Run(async () =>
        {
            await ReadLoopAsync().ConfigureAwait(false);
            await _input.CompleteAsync().ConfigureAwait(false);
            await CloseCoreAsync().ConfigureAwait(false);
        });
    }

    /// <summary>Sends a notification. Never blocks; a notification sent after close is dropped.</summary>
    public void Notify(string method, Action<Utf8JsonWriter>? writeParams)
    {
        Enqueue(w => WriteCall(w, null, method, writeParams));
    }

    /// <summary>A request (with an id) or a notification (without).</summary>
    private static void WriteCall(Utf8JsonWriter w, long? id, string method, Action<Utf8JsonWriter>? writeParams)
    {
        w.WriteStartObject();
        w.WriteString("jsonrpc"u8, "2.0"u8);
        if (id is long value) w.WriteNumber("id"u8, value);
        w.WriteString("method"u8, method);
        if (writeParams is not null)
        {
            w.WritePropertyName("params"u8);
            writeParams(w);
        }
        w.WriteEndObject();
    }

    /// <summary>
    /// Sends a request to the peer and returns its <c>result</c> (cloned). Cancelling the token sends
    /// <c>$/cancelRequest</c> and completes the task as cancelled at once; a late answer is ignored.
    /// </summary>
    public async Task<JsonElement> SendRequestAsync(string method, Action<Utf8JsonWriter>? writeParams, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_closing.IsCancellationRequested) throw new ConnectionClosedException("The connection is closed.");
        var id = Interlocked.Increment(ref _nextId);
        var tcs = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = tcs;
        Enqueue(w => WriteCall(w, id, method, writeParams));
        using var registration = cancellationToken.Register(() =>
        {
            if (!_pending.TryRemove(id, out var waiting)) return;
            Notify(CancelRequestMethod, w => { w.WriteStartObject(); w.WriteNumber("id"u8, id); w.WriteEndObject(); });
            waiting.TrySetCanceled(cancellationToken);
        });
        try
        {
            return await tcs.Task.ConfigureAwait(false);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>Closes the connection: stops reading, cancels running handlers, drains the outbound queue.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _started) == 0)
        {
            _closing.Cancel();
            _completion.TrySetResult();
            return;
        }
        _closing.Cancel();
        // A read blocked in the OS (stdin of a live parent) may not observe cancellation; closing
        // does not wait for it. The process can exit with that read still pending.
        _input.CancelPendingRead();
        await CloseCoreAsync().ConfigureAwait(false);
    }

    // ---------------------------------------------------------------- reading

    private async Task ReadLoopAsync()
    {
        try
        {
            while (!_closing.IsCancellationRequested)
            {
                var frame = await _frameReader.ReadAsync(_closing.Token).ConfigureAwait(false);
                switch (frame.Kind)
                {
                    case FrameKind.EndOfStream:
                        _logger.LogInformation("Input stream ended; closing the connection.");
                        return;
                    case FrameKind.Oversize:
                        _logger.LogWarning("Discarded a {Bytes}-byte message: the limit is {Limit} bytes.", frame.DeclaredLength, Options.MaxMessageBytes);
                        SendError(null, ErrorCodes.InvalidRequest,
                            $"Message of {frame.DeclaredLength} bytes exceeds the {Options.MaxMessageBytes}-byte limit and was discarded.");
                        continue;
                    default:
                        HandleFrame(frame);
                        break;
                }
            }
        }
        catch (FramingException ex)
        {
            CloseReason = ex.Message;
            _logger.LogError("Closing the connection: unrecoverable framing error: {Reason}", ex.Message);
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            // Local close.
        }
        catch (Exception ex)
        {
            CloseReason = ex.Message;
            _logger.LogError(ex, "Closing the connection: the input failed.");
        }
    }

    private void HandleFrame(Frame frame)
    {
        if (frame.UnsupportedCharset is { } charset)
        {
            frame.Dispose();
            SendError(null, ErrorCodes.ParseError, $"Unsupported charset '{charset}': messages must be UTF-8.");
            return;
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(frame.Body, new JsonDocumentOptions { MaxDepth = 128 });
        }
        catch (JsonException)
        {
            frame.Dispose();
            SendError(null, ErrorCodes.ParseError, "Parse error: the message is not valid JSON.");
            return;
        }

        var message = new InboundMessage(frame, doc);
        var root = doc.RootElement;
        if (root.ValueKind == JsonValueKind.Array)
        {
            message.Dispose();
            SendError(null, ErrorCodes.InvalidRequest, "Batch messages are not supported: send one JSON-RPC message per frame.");
            return;
        }
        if (root.ValueKind != JsonValueKind.Object)
        {
            message.Dispose();
            SendError(null, ErrorCodes.InvalidRequest, "Invalid request: a message must be a JSON object.");
            return;
        }

        var hasId = root.TryGetProperty("id"u8, out var idElement);
        RpcId id = default;
        var idValid = hasId && RpcId.TryRead(idElement, out id);
        RpcId? replyId = idValid ? id : null;

        if (!root.TryGetProperty("jsonrpc"u8, out var version) || version.ValueKind != JsonValueKind.String || !version.ValueEquals("2.0"u8))
        {
            message.Dispose();
            SendError(replyId, ErrorCodes.InvalidRequest, "Invalid request: \"jsonrpc\" must be \"2.0\".");
            return;
        }

        if (root.TryGetProperty("method"u8, out var methodElement))
        {
            if (methodElement.ValueKind != JsonValueKind.String)
            {
                message.Dispose();
                SendError(replyId, ErrorCodes.InvalidRequest, "Invalid request: \"method\" must be a string.");
                return;
            }
            var hasParams = root.TryGetProperty("params"u8, out var @params);
            if (hasParams && @params.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
            {
                message.Dispose();
                SendError(replyId, ErrorCodes.InvalidRequest, "Invalid request: \"params\" must be an object or an array.");
                return;
            }
            var method = methodElement.GetString()!;
            if (!hasId)
            {
                HandleNotification(message, method, hasParams ? @params : default);
                return;
            }
            if (!idValid)
            {
                message.Dispose();
                SendError(null, ErrorCodes.InvalidRequest, "Invalid request: \"id\" must be a string or an integer.");
                return;
            }
            HandleRequest(message, id, method, hasParams ? @params : default);
            return;
        }

        if (hasId && (root.TryGetProperty("result"u8, out _) || root.TryGetProperty("error"u8, out _)))
        {
            HandleResponse(message, idElement);
            return;
        }

        message.Dispose();
        SendError(replyId, ErrorCodes.InvalidRequest, "Invalid request: neither a request, a notification nor a response.");
    }

    private void HandleRequest(InboundMessage message, RpcId id, string method, JsonElement @params)
    {
        string? refusal = null;
        var code = 0;
        RpcRequestHandler? handler = null;
        if (Options.RequireInitialize && !_initialized && method != InitializeMethod)
            (code, refusal) = (ErrorCodes.ServerNotInitialized, $"The server is not initialized: send '{InitializeMethod}' first.");
        else if (_shutdownRequested)
            (code, refusal) = (ErrorCodes.InvalidRequest, "The server is shutting down and accepts no more requests.");
        else if (!_requestHandlers.TryGetValue(method, out handler))
            (code, refusal) = (ErrorCodes.MethodNotFound, $"Method '{Truncate(method)}' not found.");

        if (refusal is not null)
        {
            message.Dispose();
            SendError(id, code, refusal);
            return;
        }

        var cts = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token);
        if (!_running.TryAdd(id, cts))
        {
            cts.Dispose();
            message.Dispose();
            SendError(id, ErrorCodes.InvalidRequest, $"A request with id {id} is already running.");
            return;
        }

        // Started from the ordered dispatch queue, so a request never overtakes a notification that
        // arrived before it (a document change before a completion request, say). It then runs
        // concurrently with everything after it.
        message.Method = method;
        message.Params = @params;
        message.Request = (id, handler!, cts);
        message.Sequence = ++_arrivals;
        // Nothing ahead of it in the dispatch queue (only this reader adds to it): start at once
        // and save the queue hop, which is most of an in-process round trip.
        if (Volatile.Read(ref _queued) == 0)
        {
            StartRequest(message);
            return;
        }
        Interlocked.Increment(ref _queued);
        if (!_dispatch.Writer.TryWrite(message))
        {
            Interlocked.Decrement(ref _queued);
            _running.TryRemove(id, out _);
            cts.Dispose();
            message.Dispose();
        }
    }

    private void StartRequest(InboundMessage message)
    {
        var (id, handler, cts) = message.Request!.Value;
        var request = new RpcRequest(this, message.Method!, id, message.Params, message.Sequence);
        var task = Task.Run(() => RunRequestAsync(handler, request, message, cts));
        _inflight.TryAdd(task, 0);
        task.ContinueWith(static (t, s) => ((ConcurrentDictionary<Task, byte>)s!).TryRemove(t, out _), _inflight, TaskScheduler.Default);
    }

    private async Task RunRequestAsync(RpcRequestHandler handler, RpcRequest request, InboundMessage message, CancellationTokenSource cts)
    {
        var id = request.Id!.Value;
        try
        {
            cts.Token.ThrowIfCancellationRequested();
            var result = await handler(request, cts.Token).ConfigureAwait(false);
            if (cts.IsCancellationRequested)
            {
                SendError(id, ErrorCodes.RequestCancelled, "The request was cancelled.");
                return;
            }
            // Flip the state before the answer is queued: the client may send its next request the
            // moment it reads the answer.
            if (request.Method == InitializeMethod) _initialized = true;
            SendResult(id, result);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            SendError(id, ErrorCodes.RequestCancelled, "The request was cancelled.");
        }
        catch (RpcException ex)
        {
            SendError(id, ex.Code, ex.Message, ex.WriteData);
        }
        catch (Exception ex)
        {
            RpcException? mapped = null;
            try { mapped = Options.ExceptionMapper?.Invoke(ex); }
            catch (Exception mapperFailure) { _logger.LogError(mapperFailure, "The exception mapper failed."); }

            if (mapped is not null)
            {
                _logger.LogDebug(ex, "'{Method}' failed with {Code}: {Message}", request.Method, mapped.Code, mapped.Message);
                SendError(id, mapped.Code, mapped.Message, mapped.WriteData);
            }
            else
            {
                // The full exception goes to the log only; the wire gets a plain sentence and a
                // reference the user can find in the log.
                var incident = Guid.NewGuid().ToString("N")[..8];
                _logger.LogError(ex, "Unhandled error in '{Method}' (incident {Incident}).", request.Method, incident);
                SendError(id, ErrorCodes.InternalError, $"Internal error while handling '{request.Method}' (incident {incident}; details are in the EditorAssist log).");
            }
        }
        finally
        {
            _running.TryRemove(id, out _);
            cts.Dispose();
            message.Dispose();
        }
    }

    private void HandleNotification(InboundMessage message, string method, JsonElement @params)
    {
        if (method == CancelRequestMethod)
        {
            // Handled on the reader so a cancel never waits behind queued notifications.
            if (@params.ValueKind == JsonValueKind.Object && @params.TryGetProperty("id"u8, out var idElement) &&
                RpcId.TryRead(idElement, out var target) && _running.TryGetValue(target, out var cts))
            {
                try { _ = cts.CancelAsync(); }
                catch (ObjectDisposedException) { /* finished meanwhile */ }
            }
            message.Dispose();
            return;
        }

        if (Options.RequireInitialize && !_initialized && method != ExitMethod)
        {
            // LSP: notifications before initialize are dropped (exit excepted).
            _logger.LogDebug("Dropped notification '{Method}' received before initialize.", method);
            message.Dispose();
            return;
        }

        message.Method = method;
        message.Params = @params;
        Interlocked.Increment(ref _queued);
        if (!_dispatch.Writer.TryWrite(message))
        {
            Interlocked.Decrement(ref _queued);
            message.Dispose();
        }
    }

    private async Task DispatchLoopAsync()
    {
        var reader = _dispatch.Reader;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var message))
                {
                    if (message.Request is not null)
                    {
                        StartRequest(message);
                        Interlocked.Decrement(ref _queued);
                        continue;
                    }
                    try
                    {
                        if (_notificationHandlers.TryGetValue(message.Method!, out var handler))
                            await handler(new RpcRequest(this, message.Method!, null, message.Params), _closing.Token).ConfigureAwait(false);
                        else if (!message.Method!.StartsWith("$/", StringComparison.Ordinal))
                            _logger.LogDebug("No handler for notification '{Method}'.", message.Method);
                    }
                    catch (OperationCanceledException) when (_closing.IsCancellationRequested)
                    {
                    }
                    catch (Exception ex)
                    {
                        // A notification has no answer; the log is the only place a failure can go.
                        _logger.LogError(ex, "Notification handler for '{Method}' failed.", message.Method);
                    }
                    finally
                    {
                        message.Dispose();
                        // Only now may a later request skip the queue: this notification is done.
                        Interlocked.Decrement(ref _queued);
                    }
                }
            }
        }
        finally
        {
            while (reader.TryRead(out var left))
            {
                if (left.Request is { } r)
                {
                    // Never started: answer it so the client is not left waiting.
                    _running.TryRemove(r.Id, out _);
                    r.Cts.Dispose();
                    SendError(r.Id, ErrorCodes.RequestCancelled, "The request was cancelled: the connection is closing.");
                }
                left.Dispose();
            }
        }
    }

    private void HandleResponse(InboundMessage message, JsonElement idElement)
    {
        try
        {
            if (idElement.ValueKind != JsonValueKind.Number || !idElement.TryGetInt64(out var id) || !_pending.TryRemove(id, out var tcs))
            {
                _logger.LogDebug("Ignored a response for unknown or abandoned request {Id}.", idElement.GetRawText());
                return;
            }
            var root = message.Document.RootElement;
            if (root.TryGetProperty("error"u8, out var error) && error.ValueKind == JsonValueKind.Object)
            {
                var code = error.TryGetProperty("code"u8, out var c) && c.TryGetInt32(out var ci) ? ci : ErrorCodes.InternalError;
                var text = error.TryGetProperty("message"u8, out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "Unknown error.";
                JsonElement? data = error.TryGetProperty("data"u8, out var d) ? d.Clone() : null;
                tcs.TrySetException(new RemoteRpcException(code, text, data));
            }
            else
            {
                tcs.TrySetResult(root.GetProperty("result"u8).Clone());
            }
        }
        finally
        {
            message.Dispose();
        }
    }

    // ---------------------------------------------------------------- writing

    private void SendResult(RpcId id, RpcResult result)
    {
        Enqueue(w =>
        {
            w.WriteStartObject();
            w.WriteString("jsonrpc"u8, "2.0"u8);
            w.WritePropertyName("id"u8);
            id.WriteTo(w);
            w.WritePropertyName("result"u8);
            result.WriteTo(w);
            w.WriteEndObject();
        });
    }

    private void SendError(RpcId? id, int code, string text, Action<Utf8JsonWriter>? writeData = null)
    {
        Enqueue(w =>
        {
            w.WriteStartObject();
            w.WriteString("jsonrpc"u8, "2.0"u8);
            w.WritePropertyName("id"u8);
            if (id is { } value) value.WriteTo(w);
            else w.WriteNullValue();
            w.WriteStartObject("error"u8);
            w.WriteNumber("code"u8, code);
            w.WriteString("message"u8, text);
            if (writeData is not null)
            {
                w.WritePropertyName("data"u8);
                writeData(w);
            }
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    /// <summary>Serializes on the caller's thread, then queues the bytes for the writer loop.</summary>
    private void Enqueue(Action<Utf8JsonWriter> write)
    {
        var buffer = t_buffer ??= new PooledBufferWriter();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        writer.Reset(buffer);
        try
        {
            write(writer);
            writer.Flush();
        }
        catch
        {
            buffer.Detach().Return();
            throw;
        }
        var message = buffer.Detach();
        if (!_outbound.Writer.TryWrite(message)) message.Return();
    }

    private async Task WriteLoopAsync()
    {
        var reader = _outbound.Reader;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                var unflushed = 0;
                while (reader.TryRead(out var message))
                {
                    _frameWriter.Write(message.Span);
                    unflushed += message.Length;
                    message.Return();
                    // Bound the bytes held between flushes during a burst.
                    if (unflushed >= 64 * 1024)
                    {
                        if ((await _frameWriter.FlushAsync(CancellationToken.None).ConfigureAwait(false)).IsCompleted) return;
                        unflushed = 0;
                    }
                }
                if ((await _frameWriter.FlushAsync(CancellationToken.None).ConfigureAwait(false)).IsCompleted) return;
            }
        }
        catch (Exception ex)
        {
            // The peer stopped reading (pipe closed). Nothing more can be said to it.
            _logger.LogWarning("Output stream failed: {Reason}", ex.Message);
            _closing.Cancel();
        }
        finally
        {
            while (reader.TryRead(out var left)) left.Return();
            await _frameWriter.CompleteAsync().ConfigureAwait(false);
        }
    }

    private async Task CloseCoreAsync()
    {
        if (Interlocked.Exchange(ref _closeStarted, 1) == 1)
        {
            await Completion.ConfigureAwait(false);
            return;
        }
        var writeLoop = _writeLoop;
        var dispatchLoop = _dispatchLoop;
        _closing.Cancel();
        _dispatch.Writer.TryComplete();
        foreach (var (_, tcs) in _pending)
            tcs.TrySetException(new ConnectionClosedException(CloseReason is null ? "The connection closed." : $"The connection closed: {CloseReason}"));
        _pending.Clear();

        // Running handlers see their token cancelled; give them a moment to answer -32800.
        try
        {
            await Task.WhenAll(_inflight.Keys.Append(dispatchLoop)).WaitAsync(Options.DrainTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _logger.LogWarning("{Count} request handler(s) did not finish within {Timeout} of the connection closing.", _inflight.Count, Options.DrainTimeout);
        }
        catch (Exception)
        {
            // Handler failures were already answered and logged.
        }

        _outbound.Writer.TryComplete();
        try { await writeLoop.ConfigureAwait(false); }
        catch (Exception ex) { _logger.LogDebug(ex, "Writer loop ended with an error."); }
        _completion.TrySetResult();
    }

    private void EnsureNotStarted()
    {
        if (Volatile.Read(ref _started) == 1) throw new InvalidOperationException("Handlers must be added before Start().");
    }

    private static string Truncate(string s) => s.Length <= 100 ? s : s[..100] + "…";

    /// <summary>A parsed message and the pooled buffer its JsonDocument points into.</summary>
    private sealed class InboundMessage(Frame frame, JsonDocument document) : IDisposable
    {
        public JsonDocument Document { get; } = document;
        public string? Method { get; set; }
        public JsonElement Params { get; set; }
        public (RpcId Id, RpcRequestHandler Handler, CancellationTokenSource Cts)? Request { get; set; }
        public long Sequence { get; set; }

        public void Dispose()
        {
            Document.Dispose();
            frame.Dispose();
        }
    }
}
