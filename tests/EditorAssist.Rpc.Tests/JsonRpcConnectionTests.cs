using System.Text.Json;
using System.Text.Json.Nodes;
using EditorAssist.Rpc.Dispatch;
using EditorAssist.Testing.Rpc;

namespace EditorAssist.Rpc.Tests;

public class JsonRpcConnectionTests
{
    private static async Task<(RawRpcPeer Peer, JsonRpcConnection Server)> StartAsync(
        Action<JsonRpcConnection>? configure = null, JsonRpcOptions? options = null, bool initialize = true)
    {
        var peer = new RawRpcPeer();
        var server = new JsonRpcConnection(peer.ServerInput, peer.ServerOutput, options ?? new JsonRpcOptions());
        server.AddRequestHandler("initialize", (_, _) => ValueTask.FromResult(RpcResult.EmptyObject));
        server.AddRequestHandler("echo", (r, _) =>
        {
            var copy = r.Params.Clone();
            return ValueTask.FromResult(RpcResult.FromWriter(w => copy.WriteTo(w)));
        });
        configure?.Invoke(server);
        server.Start();
        if (initialize) await peer.InitializeAsync();
        return (peer, server);
    }

    private static int ErrorCode(JsonObject response) => response["error"]!["code"]!.GetValue<int>();

    [Fact]
    public async Task Echo_request_round_trips_with_string_and_number_ids()
    {
        var (peer, _) = await StartAsync();
        await peer.RequestAsync(7, "echo", new JsonObject { ["x"] = 1 });
        await peer.RequestAsync("abc", "echo", new JsonObject { ["y"] = "ü" });
        var a = await peer.ReceiveResponseAsync(7);
        var b = await peer.ReceiveResponseAsync("abc");
        Assert.Equal(1, a["result"]!["x"]!.GetValue<int>());
        Assert.Equal("ü", b["result"]!["y"]!.GetValue<string>());
        Assert.Equal("2.0", a["jsonrpc"]!.GetValue<string>());
    }

    [Fact]
    public async Task Invalid_json_gets_a_parse_error_and_the_connection_goes_on()
    {
        var (peer, _) = await StartAsync();
        await peer.SendAsync("{\"jsonrpc\":\"2.0\",\"id\":1,");
        var error = await peer.ReceiveAsync();
        Assert.Equal(ErrorCodes.ParseError, ErrorCode(error));
        Assert.Null(error["id"]);
        await peer.RequestAsync(2, "echo", new JsonObject());
        Assert.NotNull((await peer.ReceiveResponseAsync(2))["result"]);
    }

    [Theory]
    [InlineData("42", null)]
    [InlineData("\"text\"", null)]
    [InlineData("{\"id\":3,\"method\":\"echo\"}", 3)]
    [InlineData("{\"jsonrpc\":\"1.0\",\"id\":4,\"method\":\"echo\"}", 4)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":{\"a\":1},\"method\":\"echo\"}", null)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"echo\"}", null)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"echo\"}", null)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":12}", 5)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"echo\",\"params\":3}", 6)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":7}", 7)]
    public async Task Invalid_requests_get_minus_32600_and_the_connection_goes_on(string json, int? expectedId)
    {
        var (peer, _) = await StartAsync();
        await peer.SendAsync(json);
        var error = await peer.ReceiveAsync();
        Assert.Equal(ErrorCodes.InvalidRequest, ErrorCode(error));
        if (expectedId is null) Assert.Null(error["id"]);
        else Assert.Equal(expectedId, error["id"]!.GetValue<int>());
        await peer.RequestAsync(99, "echo", new JsonObject());
        Assert.NotNull((await peer.ReceiveResponseAsync(99))["result"]);
    }

    [Fact]
    public async Task A_batch_gets_a_clear_error()
    {
        var (peer, _) = await StartAsync();
        await peer.SendAsync("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\"}]");
        var error = await peer.ReceiveAsync();
        Assert.Equal(ErrorCodes.InvalidRequest, ErrorCode(error));
        Assert.Contains("Batch", error["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unknown_method_gets_minus_32601()
    {
        var (peer, _) = await StartAsync();
        await peer.RequestAsync(1, "no/such");
        Assert.Equal(ErrorCodes.MethodNotFound, ErrorCode(await peer.ReceiveResponseAsync(1)));
    }

    private sealed record AddParams(int A, int B);

    [Fact]
    public async Task Bad_params_get_minus_32602_with_a_plain_message()
    {
        var info = (System.Text.Json.Serialization.Metadata.JsonTypeInfo<AddParams>)JsonSerializerOptions.Web.GetTypeInfo(typeof(AddParams));
        var intInfo = (System.Text.Json.Serialization.Metadata.JsonTypeInfo<int>)JsonSerializerOptions.Web.GetTypeInfo(typeof(int));
        var (peer, _) = await StartAsync(s => s.AddRequestHandler("add", info, intInfo, (p, _, _) => ValueTask.FromResult(p.A + p.B)));
        await peer.RequestAsync(1, "add", new JsonObject { ["a"] = 2, ["b"] = 3 });
        Assert.Equal(5, (await peer.ReceiveResponseAsync(1))["result"]!.GetValue<int>());
        await peer.RequestAsync(2, "add", new JsonObject { ["a"] = "two", ["b"] = 3 });
        var error = await peer.ReceiveResponseAsync(2);
        Assert.Equal(ErrorCodes.InvalidParams, ErrorCode(error));
        Assert.Contains("$.a", error["error"]!["message"]!.GetValue<string>());
        await peer.RequestAsync(3, "add", new JsonArray(1, 2));
        Assert.Equal(ErrorCodes.InvalidParams, ErrorCode(await peer.ReceiveResponseAsync(3)));
    }

    [Fact]
    public async Task Requests_before_initialize_get_minus_32002_and_notifications_are_dropped()
    {
        var seen = new List<string>();
        var (peer, server) = await StartAsync(s => s.AddNotificationHandler("note", (n, _) => { seen.Add("note"); return ValueTask.CompletedTask; }), initialize: false);
        await peer.NotifyAsync("note");
        await peer.RequestAsync(1, "echo", new JsonObject());
        Assert.Equal(ErrorCodes.ServerNotInitialized, ErrorCode(await peer.ReceiveResponseAsync(1)));
        Assert.False(server.IsInitialized);
        await peer.InitializeAsync();
        Assert.True(server.IsInitialized);
        await peer.RequestAsync(2, "echo", new JsonObject());
        Assert.NotNull((await peer.ReceiveResponseAsync(2))["result"]);
        Assert.Empty(seen);
    }

    [Fact]
    public async Task Handler_exceptions_become_minus_32603_without_stack_or_exception_text()
    {
        var (peer, _) = await StartAsync(s => s.AddRequestHandler("boom", (_, _) => throw new InvalidOperationException("secret sk-test-123 leaked?")));
        await peer.RequestAsync(1, "boom");
        var error = await peer.ReceiveResponseAsync(1);
        Assert.Equal(ErrorCodes.InternalError, ErrorCode(error));
        var text = error.ToJsonString();
        Assert.DoesNotContain("sk-test-123", text);
        Assert.DoesNotContain(" at ", text);
        Assert.DoesNotContain("InvalidOperationException", text);
        Assert.Null(error["error"]!["data"]);
    }

    [Fact]
    public async Task The_exception_mapper_turns_domain_errors_into_stable_codes()
    {
        var options = new JsonRpcOptions { ExceptionMapper = ex => ex is FileNotFoundException ? new RpcException(1001, "Model not found.", w => w.WriteStringValue("local/x")) : null };
        var (peer, _) = await StartAsync(s => s.AddRequestHandler("find", (_, _) => throw new FileNotFoundException("x")), options);
        await peer.RequestAsync(1, "find");
        var error = await peer.ReceiveResponseAsync(1);
        Assert.Equal(1001, ErrorCode(error));
        Assert.Equal("local/x", error["error"]!["data"]!.GetValue<string>());
    }

    [Fact]
    public async Task Cancel_during_a_handler_reaches_its_token_and_answers_minus_32800()
    {
        var started = new TaskCompletionSource();
        var observed = new TaskCompletionSource<bool>();
        var (peer, _) = await StartAsync(s => s.AddRequestHandler("slow", async (_, ct) =>
        {
            started.SetResult();
            try { await Task.Delay(Timeout.Infinite, ct); }
            catch (OperationCanceledException) { observed.SetResult(true); throw; }
            return RpcResult.Null;
        }));
        await peer.RequestAsync(1, "slow");
        await started.Task.WaitAsync(RawRpcPeer.DefaultTimeout);
        await peer.NotifyAsync("$/cancelRequest", new JsonObject { ["id"] = 1 });
        var error = await peer.ReceiveResponseAsync(1);
        Assert.Equal(ErrorCodes.RequestCancelled, ErrorCode(error));
        Assert.True(await observed.Task.WaitAsync(RawRpcPeer.DefaultTimeout));
    }

    [Fact]
    public async Task Cancel_arriving_before_the_handler_does_its_work_answers_minus_32800()
    {
        var gate = new TaskCompletionSource();
        var ranToCompletion = false;
        var (peer, _) = await StartAsync(s => s.AddRequestHandler("gated", async (_, ct) =>
        {
            await gate.Task;
            ct.ThrowIfCancellationRequested();
            ranToCompletion = true;
            return RpcResult.Null;
        }));
        // Request, cancel and a probe in one write: once the probe is answered, the reader has
        // processed the cancel too, and the gated handler has not done its work yet.
        await peer.SendRawAsync([
            .. RawRpcPeer.Frame("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"gated\"}"),
            .. RawRpcPeer.Frame("{\"jsonrpc\":\"2.0\",\"method\":\"$/cancelRequest\",\"params\":{\"id\":1}}"),
            .. RawRpcPeer.Frame("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"echo\",\"params\":{}}"),
        ]);
        var pending = new List<JsonObject>();
        await peer.ReceiveResponseAsync(2, pending);
        gate.SetResult();
        var error = pending.FirstOrDefault(m => m["id"]?.GetValue<int>() == 1) ?? await peer.ReceiveResponseAsync(1);
        Assert.Equal(ErrorCodes.RequestCancelled, ErrorCode(error));
        Assert.False(ranToCompletion);
    }

    [Fact]
    public async Task Requests_run_concurrently()
    {
        var secondDone = new TaskCompletionSource();
        var (peer, _) = await StartAsync(s =>
        {
            s.AddRequestHandler("first", async (_, _) => { await secondDone.Task; return RpcResult.Null; });
            s.AddRequestHandler("second", (_, _) => { secondDone.SetResult(); return ValueTask.FromResult(RpcResult.Null); });
        });
        await peer.RequestAsync(1, "first");
        await peer.RequestAsync(2, "second");
        var order = new List<JsonObject>();
        await peer.ReceiveResponseAsync(1, order);
        Assert.Equal(2, order.Single()["id"]!.GetValue<int>());
    }

    [Fact]
    public async Task Notifications_are_handled_one_at_a_time_in_arrival_order()
    {
        var seen = new List<int>();
        var all = new TaskCompletionSource();
        var concurrent = 0;
        var maxConcurrent = 0;
        var (peer, _) = await StartAsync(s => s.AddNotificationHandler("seq", async (n, _) =>
        {
            var now = Interlocked.Increment(ref concurrent);
            maxConcurrent = Math.Max(maxConcurrent, now);
            if (n.Params.GetProperty("n").GetInt32() % 100 == 0) await Task.Yield();
            seen.Add(n.Params.GetProperty("n").GetInt32());
            Interlocked.Decrement(ref concurrent);
            if (seen.Count == 2000) all.SetResult();
        }));
        var batch = new List<byte>();
        for (var i = 0; i < 2000; i++)
            batch.AddRange(RawRpcPeer.Frame($"{{\"jsonrpc\":\"2.0\",\"method\":\"seq\",\"params\":{{\"n\":{i}}}}}"));
        await peer.SendRawAsync(batch.ToArray());
        await all.Task.WaitAsync(RawRpcPeer.DefaultTimeout);
        Assert.Equal(Enumerable.Range(0, 2000), seen);
        Assert.Equal(1, maxConcurrent);
    }

    [Fact]
    public async Task A_request_never_overtakes_notifications_sent_before_it()
    {
        var count = 0;
        var (peer, _) = await StartAsync(s =>
        {
            s.AddNotificationHandler("inc", async (_, _) => { await Task.Yield(); count++; });
            s.AddRequestHandler("count", (_, _) => ValueTask.FromResult(RpcResult.FromWriter(w => w.WriteNumberValue(count))));
        });
        var batch = new List<byte>();
        for (var i = 0; i < 500; i++) batch.AddRange(RawRpcPeer.Frame("{\"jsonrpc\":\"2.0\",\"method\":\"inc\"}"));
        batch.AddRange(RawRpcPeer.Frame("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"count\"}"));
        await peer.SendRawAsync(batch.ToArray());
        Assert.Equal(500, (await peer.ReceiveResponseAsync(1))["result"]!.GetValue<int>());
    }

    [Fact]
    public async Task Progress_arrives_in_order_throttled_with_the_final_value()
    {
        var options = new JsonRpcOptions { ProgressInterval = TimeSpan.FromMilliseconds(50) };
        var (peer, _) = await StartAsync(s => s.AddRequestHandler("work", (r, _) =>
        {
            using var progress = r.CreateProgress();
            progress.Begin("Working");
            for (var i = 0; i <= 500; i++)
            {
                var n = i;
                progress.Report(w => w.WriteNumber("done", n));
            }
            progress.End(w => w.WriteString("message", "finished"));
            return ValueTask.FromResult(RpcResult.Null);
        }), options);
        await peer.RequestAsync(1, "work", new JsonObject { ["workDoneToken"] = "tok-1" });
        var notes = new List<JsonObject>();
        await peer.ReceiveResponseAsync(1, notes);
        var values = notes.Where(n => n["method"]!.GetValue<string>() == "$/progress").Select(n =>
        {
            Assert.Equal("tok-1", n["params"]!["token"]!.GetValue<string>());
            return n["params"]!["value"]!.AsObject();
        }).ToList();
        Assert.Equal("begin", values[0]["kind"]!.GetValue<string>());
        Assert.Equal("Working", values[0]["title"]!.GetValue<string>());
        Assert.Equal("end", values[^1]["kind"]!.GetValue<string>());
        var reports = values.Skip(1).SkipLast(1).ToList();
        Assert.All(reports, r => Assert.Equal("report", r["kind"]!.GetValue<string>()));
        Assert.InRange(reports.Count, 1, 20);
        var done = reports.Select(r => r["done"]!.GetValue<int>()).ToList();
        Assert.Equal(done.OrderBy(x => x), done);
        Assert.Equal(500, done[^1]);
    }

    [Fact]
    public async Task Progress_without_a_token_sends_nothing()
    {
        var (peer, _) = await StartAsync(s => s.AddRequestHandler("work", (r, _) =>
        {
            using var progress = r.CreateProgress();
            Assert.False(progress.IsActive);
            progress.Begin("x");
            progress.Report(w => w.WriteNumber("n", 1));
            return ValueTask.FromResult(RpcResult.Null);
        }));
        await peer.RequestAsync(1, "work");
        var others = new List<JsonObject>();
        await peer.ReceiveResponseAsync(1, others);
        Assert.Empty(others);
    }

    [Fact]
    public async Task Server_to_client_requests_get_results_errors_and_cancellation()
    {
        var (peer, server) = await StartAsync();
        var call = server.SendRequestAsync("client/ask", w => { w.WriteStartObject(); w.WriteString("q", "?"); w.WriteEndObject(); });
        var request = await peer.ReceiveAsync();
        Assert.Equal("client/ask", request["method"]!.GetValue<string>());
        await peer.SendAsync(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = request["id"]!.DeepClone(), ["result"] = new JsonObject { ["a"] = 42 } });
        Assert.Equal(42, (await call).GetProperty("a").GetInt32());

        var failing = server.SendRequestAsync("client/fail", null);
        var r2 = await peer.ReceiveAsync();
        await peer.SendAsync(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = r2["id"]!.DeepClone(), ["error"] = new JsonObject { ["code"] = 1004, ["message"] = "no key" } });
        var ex = await Assert.ThrowsAsync<RemoteRpcException>(() => failing);
        Assert.Equal(1004, ex.Code);

        using var cts = new CancellationTokenSource();
        var cancelled = server.SendRequestAsync("client/slow", null, cts.Token);
        var r3 = await peer.ReceiveAsync();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        var cancel = await peer.ReceiveAsync();
        Assert.Equal("$/cancelRequest", cancel["method"]!.GetValue<string>());
        Assert.Equal(r3["id"]!.GetValue<long>(), cancel["params"]!["id"]!.GetValue<long>());
    }

    [Fact]
    public async Task Oversize_messages_are_answered_and_the_connection_goes_on()
    {
        var (peer, _) = await StartAsync(options: new JsonRpcOptions { MaxMessageBytes = 1024 });
        await peer.RequestAsync(1, "echo", new JsonObject { ["blob"] = new string('x', 4096) });
        var error = await peer.ReceiveAsync();
        Assert.Equal(ErrorCodes.InvalidRequest, ErrorCode(error));
        Assert.Contains("exceeds", error["error"]!["message"]!.GetValue<string>());
        await peer.RequestAsync(2, "echo", new JsonObject());
        Assert.NotNull((await peer.ReceiveResponseAsync(2))["result"]);
    }

    [Fact]
    public async Task A_framing_error_closes_the_connection_cleanly_and_fails_pending_calls()
    {
        var (peer, server) = await StartAsync();
        var pending = server.SendRequestAsync("client/never", null);
        await peer.ReceiveAsync();
        await peer.SendRawAsync("Content-Length: nope\r\n\r\n{}");
        await server.Completion.WaitAsync(RawRpcPeer.DefaultTimeout);
        Assert.Contains("Content-Length", server.CloseReason);
        await Assert.ThrowsAsync<ConnectionClosedException>(() => pending);
        Assert.Null(await peer.TryReceiveAsync());
    }

    [Fact]
    public async Task End_of_input_cancels_running_handlers_and_completes()
    {
        var started = new TaskCompletionSource();
        var (peer, server) = await StartAsync(s => s.AddRequestHandler("slow", async (_, ct) =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return RpcResult.Null;
        }));
        await peer.RequestAsync(1, "slow");
        await started.Task.WaitAsync(RawRpcPeer.DefaultTimeout);
        peer.CompleteInput();
        await server.Completion.WaitAsync(RawRpcPeer.DefaultTimeout);
        Assert.Null(server.CloseReason);
        Assert.Equal(ErrorCodes.RequestCancelled, ErrorCode(await peer.ReceiveResponseAsync(1)));
    }

    [Fact]
    public async Task After_shutdown_requests_are_refused()
    {
        var (peer, _) = await StartAsync(s => s.AddRequestHandler("shutdown", (r, _) =>
        {
            r.Connection.MarkShutdownRequested();
            return ValueTask.FromResult(RpcResult.Null);
        }));
        await peer.RequestAsync(1, "shutdown");
        Assert.True((await peer.ReceiveResponseAsync(1)).ContainsKey("result"));
        await peer.RequestAsync(2, "echo", new JsonObject());
        Assert.Equal(ErrorCodes.InvalidRequest, ErrorCode(await peer.ReceiveResponseAsync(2)));
    }

    [Fact]
    public async Task Duplicate_running_ids_are_refused()
    {
        var gate = new TaskCompletionSource();
        var (peer, _) = await StartAsync(s => s.AddRequestHandler("gated", async (_, _) => { await gate.Task; return RpcResult.Null; }));
        await peer.RequestAsync(5, "gated");
        await peer.RequestAsync(5, "gated");
        var first = await peer.ReceiveAsync();
        Assert.Equal(ErrorCodes.InvalidRequest, ErrorCode(first));
        gate.SetResult();
        Assert.True((await peer.ReceiveResponseAsync(5)).ContainsKey("result"));
    }

    [Fact]
    public async Task A_request_cancelled_while_running_answers_minus_32800_even_if_its_handler_completes()
    {
        var started = new TaskCompletionSource();
        var gate = new TaskCompletionSource();
        var (peer, _) = await StartAsync(s => s.AddRequestHandler("stubborn", async (_, _) =>
        {
            started.SetResult();
            await gate.Task; // ignores its token on purpose
            return RpcResult.FromWriter(w => w.WriteStringValue("finished anyway"));
        }));
        await peer.RequestAsync(1, "stubborn");
        await started.Task.WaitAsync(RawRpcPeer.DefaultTimeout);
        await peer.NotifyAsync("$/cancelRequest", new JsonObject { ["id"] = 1 });
        // A probe behind the cancel: once it is answered, the cancel has been read.
        await peer.RequestAsync(2, "echo", new JsonObject());
        var pending = new List<JsonObject>();
        await peer.ReceiveResponseAsync(2, pending);
        gate.SetResult();
        Assert.Equal(ErrorCodes.RequestCancelled, ErrorCode(await peer.ReceiveResponseAsync(1)));
    }

    private sealed class Unwritable
    {
        public int Value => throw new InvalidOperationException("cannot serialize sk-test-999");
    }

    [Fact]
    public async Task A_result_that_cannot_be_serialized_answers_minus_32603_and_the_connection_goes_on()
    {
        var info = (System.Text.Json.Serialization.Metadata.JsonTypeInfo<Unwritable>)JsonSerializerOptions.Default.GetTypeInfo(typeof(Unwritable));
        var (peer, _) = await StartAsync(s => s.AddRequestHandler("bad", (_, _) => ValueTask.FromResult(RpcResult.From(new Unwritable(), info))));
        await peer.RequestAsync(1, "bad");
        var error = await peer.ReceiveResponseAsync(1);
        Assert.Equal(ErrorCodes.InternalError, ErrorCode(error));
        Assert.Contains("incident", error["error"]!["message"]!.GetValue<string>());
        Assert.DoesNotContain("sk-test-999", error.ToJsonString());
        await peer.RequestAsync(2, "echo", new JsonObject { ["after"] = true });
        Assert.True((await peer.ReceiveResponseAsync(2))["result"]!["after"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_charset_other_than_utf8_gets_a_parse_error_and_the_connection_goes_on()
    {
        var (peer, _) = await StartAsync();
        await peer.SendRawAsync("Content-Type: application/vscode-jsonrpc; charset=latin1\r\nContent-Length: 2\r\n\r\n{}");
        var error = await peer.ReceiveAsync();
        Assert.Equal(ErrorCodes.ParseError, ErrorCode(error));
        Assert.True(error.ContainsKey("id"));
        Assert.Null(error["id"]);
        await peer.RequestAsync(2, "echo", new JsonObject());
        Assert.NotNull((await peer.ReceiveResponseAsync(2))["result"]);
    }

    [Fact]
    public async Task Two_connections_over_a_duplex_pipe_pair_talk_both_ways()
    {
        var (a, b) = Nerdbank.Streams.FullDuplexStream.CreatePipePair();
        var options = new JsonRpcOptions { RequireInitialize = false };
        await using var server = new JsonRpcConnection(a, options);
        await using var client = new JsonRpcConnection(b, options);
        var seen = new TaskCompletionSource<string>();
        server.AddRequestHandler("ask", async (r, ct) =>
        {
            // A server → client request from inside a handler (as chat/toolCall does).
            var answer = await r.Connection.SendRequestAsync("client/name", null, ct);
            return RpcResult.FromWriter(w => w.WriteStringValue("hello " + answer.GetString()));
        });
        client.AddRequestHandler("client/name", (_, _) => ValueTask.FromResult(RpcResult.FromWriter(w => w.WriteStringValue("ü-client"))));
        client.AddNotificationHandler("note", (n, _) => { seen.SetResult(n.Params.GetProperty("text").GetString()!); return ValueTask.CompletedTask; });
        server.Start();
        client.Start();
        var result = await client.SendRequestAsync("ask", null).WaitAsync(RawRpcPeer.DefaultTimeout);
        Assert.Equal("hello ü-client", result.GetString());
        server.Notify("note", w => { w.WriteStartObject(); w.WriteString("text", "ok"); w.WriteEndObject(); });
        Assert.Equal("ok", await seen.Task.WaitAsync(RawRpcPeer.DefaultTimeout));
    }

    [Fact]
    public async Task Handlers_see_the_request_id_and_an_increasing_arrival_order()
    {
        var seen = new List<(RpcId? Id, long Sequence)>();
        var (peer, _) = await StartAsync(s => s.AddRequestHandler("who", (r, _) =>
        {
            lock (seen) seen.Add((r.Id, r.Sequence));
            return ValueTask.FromResult(RpcResult.Null);
        }));
        await peer.SendRawAsync([
            .. RawRpcPeer.Frame("{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"who\"}"),
            .. RawRpcPeer.Frame("{\"jsonrpc\":\"2.0\",\"id\":\"eleven\",\"method\":\"who\"}"),
        ]);
        var others = new List<JsonObject>();
        await peer.ReceiveResponseAsync(10, others);
        if (others.Count == 0) await peer.ReceiveResponseAsync("eleven");
        var byId = seen.ToDictionary(x => x.Id!.Value.ToString(), x => x.Sequence);
        Assert.True(byId["10"] > 0);
        Assert.True(byId["\"eleven\""] > byId["10"]);
    }
}
