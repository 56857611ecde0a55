using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;
using StreamJsonRpc.Reflection;

namespace EditorAssist.Rpc.Framing;

/// <summary>What the message handler asks of the connection while it reads (all calls on the reader loop).</summary>
internal interface IInboundPolicy
{
    /// <summary><c>$/cancelRequest</c>: trips the token of a running or queued request, at once.</summary>
    void CancelInbound(RpcId id);

    /// <summary>Lifecycle gate: null lets the message through; otherwise the refusal (a drop for a notification).</summary>
    (int Code, string Message)? Refuse(string method, bool isRequest);

    /// <summary>
    /// The input ended (<paramref name="failure"/> null) or became undelimitable. Called before the handler
    /// reports the end to StreamJsonRpc, so running handlers can still answer -32800.
    /// </summary>
    ValueTask InputEndedAsync(string? failure);
}

/// <summary>
/// StreamJsonRpc's <see cref="HeaderDelimitedMessageHandler"/> (its writer: <c>Content-Length</c> framing, one
/// message per flush, under its send lock) with the read side of our contract:
/// <list type="bullet">
/// <item>headers through <see cref="FrameReader"/>: names case-insensitive, a size limit checked on the header
/// (an oversize body is skipped, never buffered, and answered), a non-UTF-8 charset answered;</item>
/// <item>a frame that is well delimited but not a valid JSON-RPC 2.0 message is answered (-32700 / -32600, with
/// <c>"id": null</c> when the id cannot be read) and reading goes on — StreamJsonRpc itself would disconnect;</item>
/// <item><c>$/cancelRequest</c> and the lifecycle gate are applied here, on the reader, in arrival order.</item>
/// </list>
/// </summary>
internal sealed class LspMessageHandler : HeaderDelimitedMessageHandler, IJsonRpcMessageBufferManager
{
    private readonly FrameReader _frames;
    private readonly IInboundPolicy _policy;
    private readonly ILogger _logger;
    private readonly int _maxMessageBytes;
    private JsonRpcMessage? _lentMessage;
    private Frame? _lentFrame;

    public LspMessageHandler(PipeWriter writer, PipeReader reader, IJsonRpcMessageFormatter formatter, int maxMessageBytes, IInboundPolicy policy, ILogger logger)
        : base(writer, reader, formatter)
    {
        _frames = new FrameReader(reader, maxMessageBytes);
        _maxMessageBytes = maxMessageBytes;
        _policy = policy;
        _logger = logger;
    }

    protected override async ValueTask<JsonRpcMessage?> ReadCoreAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Frame frame;
            try
            {
                frame = await _frames.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (FramingException ex)
            {
                _logger.LogError("Closing the connection: unrecoverable framing error: {Reason}", ex.Message);
                await _policy.InputEndedAsync(ex.Message).ConfigureAwait(false);
                return null;
            }

            switch (frame.Kind)
            {
                case FrameKind.EndOfStream:
                    _logger.LogInformation("Input stream ended; closing the connection.");
                    await _policy.InputEndedAsync(null).ConfigureAwait(false);
                    return null;
                case FrameKind.Oversize:
                    _logger.LogWarning("Discarded a {Bytes}-byte message: the limit is {Limit} bytes.", frame.DeclaredLength, _maxMessageBytes);
                    Answer(RequestId.Null, ErrorCodes.InvalidRequest,
                        $"Message of {frame.DeclaredLength} bytes exceeds the {_maxMessageBytes}-byte limit and was discarded.");
                    continue;
            }

            if (frame.UnsupportedCharset is { } charset)
            {
                frame.Dispose();
                Answer(RequestId.Null, ErrorCodes.ParseError, $"Unsupported charset '{charset}': messages must be UTF-8.");
                continue;
            }

            if (Accept(frame) is { } message) return message;
        }
    }

    /// <summary>Returns the message to hand to StreamJsonRpc, or null when it was answered or consumed here.</summary>
    private JsonRpcMessage? Accept(Frame frame)
    {
        JsonRpcMessage? message = null;
        try
        {
            message = Formatter.Deserialize(new ReadOnlySequence<byte>(frame.Body));
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or NotSupportedException or ArgumentException)
        {
            // The formatter rejects anything it cannot map; tell the client what exactly was wrong.
        }

        if (message is null || !LooksValid(message))
        {
            var verdict = Envelope.Classify(frame.Body.Span);
            if (message is not null) Release(message);
            frame.Dispose();
            if (verdict.Code != 0) Answer(verdict.Id, verdict.Code, verdict.Message);
            else if (verdict.IsRequest) Answer(verdict.Id, ErrorCodes.InvalidRequest, "Invalid request: the message could not be read.");
            else _logger.LogDebug("Ignored a message the formatter could not read.");
            return null;
        }

        if (message is JsonRpcRequest request)
        {
            if (request.Method == JsonRpcConnection.CancelRequestMethod)
            {
                if (!request.IsResponseExpected && request.TryGetArgumentByNameOrIndex("id", -1, typeof(JsonElement), out var value) &&
                    value is JsonElement idElement && RpcId.TryRead(idElement, out var target))
                    _policy.CancelInbound(target);
                Release(message);
                frame.Dispose();
                return null;
            }

            if (_policy.Refuse(request.Method!, request.IsResponseExpected) is { } refusal)
            {
                var id = request.RequestId;
                Release(message);
                frame.Dispose();
                if (request.IsResponseExpected) Answer(id, refusal.Code, refusal.Message);
                else _logger.LogDebug("Dropped notification '{Method}': {Reason}", request.Method, refusal.Message);
                return null;
            }
        }

        // The formatter's JsonDocument points into the frame's buffer: both live until StreamJsonRpc says
        // it has deserialized what it needs (DeserializationComplete below).
        _lentMessage = message;
        _lentFrame = frame;
        return message;
    }

    /// <summary>What the formatter accepts but the contract does not (the envelope is re-checked in detail then).</summary>
    private static bool LooksValid(JsonRpcMessage message) => message.Version == "2.0" && message switch
    {
        JsonRpcRequest r => !r.RequestId.IsNull,
        IJsonRpcMessageWithId m => !m.RequestId.IsEmpty,
        _ => false,
    };

    void IJsonRpcMessageBufferManager.DeserializationComplete(JsonRpcMessage message)
    {
        if (!ReferenceEquals(message, _lentMessage)) return;
        Release(message);
        _lentFrame?.Dispose();
        _lentMessage = null;
        _lentFrame = null;
    }

    private static void Release(JsonRpcMessage message) => (message as IJsonRpcMessageBufferManager)?.DeserializationComplete(message);

    /// <summary>An error answer written by the handler itself (through the same send lock as everything else).</summary>
    private void Answer(RequestId id, int code, string text)
    {
        var error = (Formatter as IJsonRpcMessageFactory)?.CreateErrorMessage() ?? new JsonRpcError();
        error.RequestId = id;
        error.Error = new JsonRpcError.ErrorDetail { Code = (JsonRpcErrorCode)code, Message = text };
        ValueTask write;
        try
        {
            write = WriteAsync(error, CancellationToken.None);
        }
        catch (Exception ex)
        {
            _logger.LogDebug("Could not answer a malformed message: {Reason}", ex.Message);
            return;
        }
        if (!write.IsCompletedSuccessfully) _ = ObserveAsync(write);
    }

    private async Task ObserveAsync(ValueTask write)
    {
        try { await write.ConfigureAwait(false); }
        catch (Exception ex) { _logger.LogDebug("Could not answer a malformed message: {Reason}", ex.Message); }
    }
}
