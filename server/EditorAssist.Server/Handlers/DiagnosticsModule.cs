using EditorAssist.Rpc;
using EditorAssist.Rpc.Dispatch;
using EditorAssist.Server.Hosting;
using EditorAssist.Server.Protocol;

namespace EditorAssist.Server.Handlers;

/// <summary>
/// Methods for the interop tests and the transport benchmarks, registered only with
/// <c>--diagnostics</c>: an echo, a cancellable wait that reports progress, a notification counter,
/// a notification burst towards the client, and a handler that fails.
/// </summary>
internal sealed class DiagnosticsModule(TimeProvider time) : IRpcModule
{
    private long _ticks;
    private long _lastTick;

    public IEnumerable<string> Methods =>
    [
        Protocol.Methods.DiagnosticsEcho, Protocol.Methods.DiagnosticsWait, Protocol.Methods.DiagnosticsTick,
        Protocol.Methods.DiagnosticsStats, Protocol.Methods.DiagnosticsBurst, Protocol.Methods.DiagnosticsFail,
    ];

    public void Register(JsonRpcConnection connection, SidecarSession session)
    {
        connection.AddRequestHandler(Protocol.Methods.DiagnosticsEcho, (r, _) =>
        {
            var copy = r.Params.ValueKind == System.Text.Json.JsonValueKind.Undefined ? default : r.Params.Clone();
            return ValueTask.FromResult(copy.ValueKind == System.Text.Json.JsonValueKind.Undefined ? RpcResult.Null : RpcResult.FromWriter(copy.WriteTo));
        });

        connection.AddRequestHandler(Protocol.Methods.DiagnosticsWait, async (r, ct) =>
        {
            var p = r.ReadParams(ProtocolJson.Default.WaitParams);
            var steps = Math.Max(1, p.Steps);
            using var progress = r.CreateProgress();
            progress.Begin("Waiting", w => w.WriteNumber("steps", steps));
            for (var i = 1; i <= steps; i++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(p.Ms / (double)steps), time, ct).ConfigureAwait(false);
                var done = i;
                progress.Report(w => { w.WriteNumber("step", done); w.WriteNumber("percentage", done * 100 / steps); });
            }
            progress.End(w => w.WriteString("message", "done"));
            return RpcResult.FromWriter(w => { w.WriteStartObject(); w.WriteNumber("steps", steps); w.WriteEndObject(); });
        });

        connection.AddNotificationHandler(Protocol.Methods.DiagnosticsTick, (n, _) =>
        {
            _ticks++;
            if (n.Params.ValueKind == System.Text.Json.JsonValueKind.Object && n.Params.TryGetProperty("n", out var v) && v.TryGetInt64(out var seq))
                _lastTick = seq;
            return ValueTask.CompletedTask;
        });

        connection.AddRequestHandler(Protocol.Methods.DiagnosticsStats, () => ProtocolJson.Default.DiagnosticsStats, (_, _) =>
            ValueTask.FromResult(new DiagnosticsStats(_ticks, _lastTick)));

        connection.AddRequestHandler(Protocol.Methods.DiagnosticsBurst, (r, _) =>
        {
            var p = r.ReadParams(ProtocolJson.Default.BurstParams);
            for (var i = 0; i < p.Count; i++)
            {
                var n = i;
                connection.Notify("diagnostics/burstItem", w => { w.WriteStartObject(); w.WriteNumber("n", n); w.WriteEndObject(); });
            }
            return ValueTask.FromResult(RpcResult.FromWriter(w => { w.WriteStartObject(); w.WriteNumber("sent", p.Count); w.WriteEndObject(); }));
        });

        // The text carries something shaped like a secret: tests assert it never reaches the wire.
        connection.AddRequestHandler(Protocol.Methods.DiagnosticsFail, (_, _) =>
            throw new InvalidOperationException("diagnostic failure with sk-diagnostic-secret-0000"));
    }
}
