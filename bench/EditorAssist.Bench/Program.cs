using System.Diagnostics;
using System.IO.Pipelines;
using System.Text.Json;
using EditorAssist.Rpc;
using EditorAssist.Rpc.Dispatch;

// In-process JSON-RPC round trip: a client JsonRpcConnection and a server JsonRpcConnection joined by
// two in-memory pipes, the same transport (StreamJsonRpc and our glue above it) the sidecar runs over stdio.
// Prints one JSON object on stdout: {"rtt":{"p50Us","p99Us","n"},"notificationsPerSecond"}.
var n = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 20000;
var notifications = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200000;

var toServer = new Pipe(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
var toClient = new Pipe(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
var server = new JsonRpcConnection(toServer.Reader, toClient.Writer, new JsonRpcOptions { RequireInitialize = false });
var client = new JsonRpcConnection(toClient.Reader, toServer.Writer, new JsonRpcOptions { RequireInitialize = false });
long ticks = 0;
var allTicks = new TaskCompletionSource();
server.AddRequestHandler("echo", (r, _) =>
{
    var copy = r.Params.Clone();
    return ValueTask.FromResult(RpcResult.FromWriter(copy.WriteTo));
});
server.AddNotificationHandler("tick", (_, _) =>
{
    if (++ticks == notifications) allTicks.TrySetResult();
    return ValueTask.CompletedTask;
});
server.Start();
client.Start();

static void WriteParams(Utf8JsonWriter w)
{
    w.WriteStartObject();
    w.WriteString("text", "hello");
    w.WriteNumber("n", 42);
    w.WriteEndObject();
}

for (var i = 0; i < 2000; i++) await client.SendRequestAsync("echo", WriteParams);

var samples = new double[n];
for (var i = 0; i < n; i++)
{
    var t0 = Stopwatch.GetTimestamp();
    await client.SendRequestAsync("echo", WriteParams);
    samples[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
}
Array.Sort(samples);

var sw = Stopwatch.StartNew();
for (var i = 0; i < notifications; i++)
{
    var k = i;
    client.Notify("tick", w => { w.WriteStartObject(); w.WriteNumber("n", k); w.WriteEndObject(); });
}
await allTicks.Task;
var perSecond = notifications / sw.Elapsed.TotalSeconds;

Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
{
    ["rtt"] = new Dictionary<string, double> { ["p50Us"] = samples[n / 2], ["p99Us"] = samples[(int)(n * 0.99)], ["n"] = n },
    ["notificationsPerSecond"] = perSecond,
}));
await client.DisposeAsync();
await server.DisposeAsync();
