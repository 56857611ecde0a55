using StreamJsonRpc;

namespace EditorAssist.Rpc;

/// <summary>
/// StreamJsonRpc's cancellation strategy, ours so that (a) <c>$/cancelRequest</c> trips the token at once on
/// the reader (the standard strategy cancels from the thread pool, after later messages may already have been
/// handled), (b) a second request reusing the id of a running one is refused with -32600 instead of failing
/// inside StreamJsonRpc, and (c) closing can cancel every running request.
/// </summary>
internal sealed class InboundCancellation(JsonRpcConnection connection) : ICancellationStrategy
{
    private readonly Dictionary<RequestId, CancellationTokenSource> _running = [];
    private readonly Dictionary<RequestId, int> _refused = [];
    private bool _closed;

    public void IncomingRequestStarted(RequestId requestId, CancellationTokenSource cancellationTokenSource)
    {
        lock (_running)
        {
            if (!_running.TryAdd(requestId, cancellationTokenSource))
            {
                // StreamJsonRpc calls IncomingRequestEnded for this one too: it must not remove the running one.
                _refused[requestId] = _refused.GetValueOrDefault(requestId) + 1;
                throw new RpcException(ErrorCodes.InvalidRequest, $"A request with id {requestId} is already running.");
            }
            if (_closed) _ = cancellationTokenSource.CancelAsync();
        }
    }

    public void IncomingRequestEnded(RequestId requestId)
    {
        lock (_running)
        {
            if (_refused.TryGetValue(requestId, out var n))
            {
                if (n == 1) _refused.Remove(requestId);
                else _refused[requestId] = n - 1;
                return;
            }
            _running.Remove(requestId);
        }
    }

    public void Cancel(RequestId requestId)
    {
        CancellationTokenSource? cts;
        lock (_running) _running.TryGetValue(requestId, out cts);
        // The token reads as cancelled at once; its callbacks run on the thread pool, not on the reader.
        try { _ = cts?.CancelAsync(); }
        catch (ObjectDisposedException) { /* finished meanwhile */ }
    }

    public void CancelAll()
    {
        CancellationTokenSource[] all;
        lock (_running)
        {
            _closed = true;
            all = [.. _running.Values];
        }
        foreach (var cts in all)
        {
            try { _ = cts.CancelAsync(); }
            catch (ObjectDisposedException) { }
        }
    }

    public void CancelOutboundRequest(RequestId requestId) =>
        connection.Notify(JsonRpcConnection.CancelRequestMethod, w =>
        {
            w.WriteStartObject();
            w.WritePropertyName("id"u8);
            if (requestId.String is { } s) w.WriteStringValue(s);
            else w.WriteNumberValue(requestId.Number ?? 0);
            w.WriteEndObject();
        });

    public void OutboundRequestEnded(RequestId requestId)
    {
    }
}
