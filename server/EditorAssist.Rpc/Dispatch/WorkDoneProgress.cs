using System.Text.Json;

namespace EditorAssist.Rpc.Dispatch;

/// <summary>
/// LSP work-done progress (<c>$/progress {token, value:{kind: begin|report|end, ...}}</c>).
/// Reports are throttled: at most one per <see cref="JsonRpcOptions.ProgressInterval"/>, the latest
/// value winning; a report that arrives inside the interval is sent when the interval elapses.
/// <c>end</c> first flushes a pending report so final figures are never lost. All messages of one
/// reporter go through the connection's single outbound queue under one lock, so they arrive in order.
/// Thread-safe.
/// </summary>
public sealed class WorkDoneProgress : IDisposable
{
    private readonly JsonRpcConnection _connection;
    private readonly RpcId? _token;
    private readonly Lock _lock = new();
    private readonly TimeSpan _interval;
    private long _lastSentTimestamp;
    private Action<Utf8JsonWriter>? _pending;
    private ITimer? _timer;
    private bool _begun, _ended;

    internal WorkDoneProgress(JsonRpcConnection connection, RpcId? token)
    {
        _connection = connection;
        _token = token;
        _interval = connection.Options.ProgressInterval;
    }

    /// <summary>False when the client sent no workDoneToken: every call is then a no-op.</summary>
    public bool IsActive => _token is not null;

    public void Begin(string title, Action<Utf8JsonWriter>? fields = null, bool cancellable = true)
    {
        if (_token is null) return;
        lock (_lock)
        {
            if (_begun || _ended) return;
            _begun = true;
            Send("begin", w =>
            {
                w.WriteString("title", title);
                w.WriteBoolean("cancellable", cancellable);
                fields?.Invoke(w);
            });
            _lastSentTimestamp = _connection.Options.TimeProvider.GetTimestamp();
        }
    }

    /// <summary>Queues a report; <paramref name="fields"/> writes the value's own properties (not <c>kind</c>).</summary>
    public void Report(Action<Utf8JsonWriter> fields)
    {
        if (_token is null) return;
        lock (_lock)
        {
            if (!_begun || _ended) return;
            var time = _connection.Options.TimeProvider;
            var elapsed = time.GetElapsedTime(_lastSentTimestamp);
            if (elapsed >= _interval && _pending is null)
            {
                SendReport(fields);
                return;
            }
            _pending = fields;
            if (_timer is null)
            {
                var due = _interval - elapsed;
                if (due < TimeSpan.Zero) due = TimeSpan.Zero;
                _timer = time.CreateTimer(static s => ((WorkDoneProgress)s!).FlushPending(), this, due, Timeout.InfiniteTimeSpan);
            }
        }
    }

    public void End(Action<Utf8JsonWriter>? fields = null)
    {
        if (_token is null) return;
        lock (_lock)
        {
            if (!_begun || _ended) return;
            _timer?.Dispose();
            _timer = null;
            if (_pending is { } p) { _pending = null; SendReport(p); }
            _ended = true;
            Send("end", fields);
        }
    }

    public void Dispose() => End();

    private void FlushPending()
    {
        lock (_lock)
        {
            _timer?.Dispose();
            _timer = null;
            if (_ended || _pending is null) return;
            var p = _pending;
            _pending = null;
            SendReport(p);
        }
    }

    private void SendReport(Action<Utf8JsonWriter> fields)
    {
        Send("report", fields);
        _lastSentTimestamp = _connection.Options.TimeProvider.GetTimestamp();
    }

    private void Send(string kind, Action<Utf8JsonWriter>? fields)
    {
        var token = _token!.Value;
        _connection.Notify(JsonRpcConnection.ProgressMethod, w =>
        {
            w.WriteStartObject();
            w.WritePropertyName("token");
            token.WriteTo(w);
            w.WriteStartObject("value");
            w.WriteString("kind", kind);
            fields?.Invoke(w);
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }
}
