using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text.Json;
using EditorAssist.Providers.Mcp;
using EditorAssist.Core.Providers;
using EditorAssist.Core.Tools;
using EditorAssist.Testing;
using Microsoft.Extensions.Logging;

namespace EditorAssist.Core.Tests.Mcp;

/// <summary>
/// MCP servers through the official SDK against tests/tools/fakeMcpServer.mjs (a real MCP server over
/// stdio or HTTP, run with node): listing, calling through the tool loop, crashes, privacy, approval.
/// Waits are on events (state changes, the fixture's call log), bounded by generous limits.
/// </summary>
public sealed class McpManagerTests : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);
    private readonly TempDirectory _dir = new();
    private readonly ListLoggerFactory _logs = new();
    private readonly List<McpManager> _managers = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var m in _managers) await m.DisposeAsync();
        _dir.Dispose();
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EditorAssist.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("EditorAssist.sln not found above the test output.");
    }

    private static string Fixture => Path.Combine(RepoRoot(), "tests", "tools", "fakeMcpServer.mjs");
    private string CallsFile => Path.Combine(_dir.Path, "calls.txt");
    private string[] Calls() => File.Exists(CallsFile) ? File.ReadAllLines(CallsFile) : [];

    private McpServerConfig Stdio(string name = "fixture", bool trusted = false, params string[] extraArgs) => new()
    {
        Name = name,
        Command = "node",
        Args = [Fixture, .. extraArgs],
        Env = new Dictionary<string, string> { ["MCP_FIXTURE_CALLS"] = CallsFile, ["MCP_FIXTURE_NAME"] = name, ["FIXTURE_SECRET"] = "canary-env-5f1e" },
        Trusted = trusted,
    };

    private McpManager Manager(Func<bool>? localOnly = null, McpManagerOptions? options = null)
    {
        var m = new McpManager(localOnly ?? (() => false), _logs, options ?? new McpManagerOptions { ConnectTimeout = Limit });
        _managers.Add(m);
        return m;
    }

    private static async Task<McpServerSnapshot> Settle(McpManager m, string name)
    {
        await m.WhenSettledAsync().WaitAsync(Limit);
        return m.List().Single(s => s.Name == name);
    }

    private static Task<McpServerSnapshot> NextState(McpManager m, string name, string state)
    {
        var tcs = new TaskCompletionSource<McpServerSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
        m.Changed += s => { if (s.Name == name && s.State == state) tcs.TrySetResult(s); };
        return tcs.Task.WaitAsync(Limit);
    }

    [Fact]
    public async Task A_stdio_servers_tools_are_listed_and_called_through_the_tool_loop()
    {
        var m = Manager();
        m.Configure([Stdio(trusted: true)]);
        var s = await Settle(m, "fixture");

        Assert.Equal(McpStates.Ready, s.State);
        Assert.Equal(McpTransports.Stdio, s.Transport);
        Assert.Equal(PrivacyClass.OnDevice, s.Privacy);
        Assert.Contains(s.Tools, t => t.QualifiedName == "fixture__echo" && t.ToolName == "echo" && t.ParametersJson.Contains("\"text\""));
        Assert.Contains(s.Tools, t => t.QualifiedName == "fixture__dotted_name" && t.ToolName == "dotted.name");

        var provider = new ScriptedProvider(
            _ => (null, [new ToolCallRequest("c1", "fixture__echo", "{\"text\":\"hi there\"}")]),
            r => ($"The tool said: {r.Messages[^1].Content}", []));
        var executor = new McpToolExecutor(new NoClientTools(), m.Tools(), new Approver(_ => throw new InvalidOperationException("a trusted server is not asked about")));
        var (text, loop) = await Run(provider, executor);

        Assert.Equal("The tool said: echo: hi there", text);
        Assert.Equal([new ToolCallRecord("c1", "fixture__echo", "{\"text\":\"hi there\"}", "echo: hi there", false)], loop.Calls);
        Assert.Contains(provider.Requests[0].Tools, d => d.Name == "fixture__echo" && d.Description.Contains("Echoes"));
        Assert.Equal(["echo"], Calls());
        // The server's stderr went to the log; the secret of its environment did not.
        Assert.Contains(_logs.Lines, l => l.Contains("MCP server 'fixture' stderr: fixture: fixture started"));
        Assert.DoesNotContain(_logs.Lines, l => l.Contains("canary-env-5f1e"));
    }

    [Fact]
    public async Task A_tool_error_is_a_failed_call_and_the_turn_goes_on()
    {
        var m = Manager();
        m.Configure([Stdio(trusted: true)]);
        await Settle(m, "fixture");
        var provider = new ScriptedProvider(
            _ => (null, [new ToolCallRequest("c1", "fixture__fail", "{}")]),
            r => ($"failed: {r.Messages[^1].IsError}", []));
        var (text, loop) = await Run(provider, new McpToolExecutor(new NoClientTools(), m.Tools(), new Approver(_ => new McpApproval(true))));
        Assert.Equal("failed: True", text);
        Assert.Equal("it failed on purpose", loop.Calls[0].Result);
        Assert.True(loop.Calls[0].IsError);
    }

    [Fact]
    public async Task A_denied_call_tells_the_model_and_nothing_runs()
    {
        var m = Manager();
        m.Configure([Stdio()]);
        await Settle(m, "fixture");
        var asked = new List<(string Server, string Tool, string Args)>();
        var provider = new ScriptedProvider(
            _ => (null, [new ToolCallRequest("c1", "fixture__echo", "{\"text\":\"x\"}")]),
            r => ($"model read: {r.Messages[^1].Content}", []));
        var statuses = new List<ToolStatusUpdate>();
        var approver = new Approver(a => { asked.Add(a); return new McpApproval(false); });
        var (text, loop) = await Run(provider, new McpToolExecutor(new NoClientTools(), m.Tools(), approver), statuses.Add);

        Assert.Equal("model read: denied by the user", text);
        Assert.Equal([("fixture", "echo", "{\"text\":\"x\"}")], asked);
        Assert.True(provider.Requests[1].Messages[^1].IsError);
        Assert.Equal(ToolStates.Denied, statuses[^1].State);
        Assert.Empty(Calls());
    }

    [Fact]
    public async Task Allow_for_this_chat_asks_once_per_server()
    {
        var m = Manager();
        m.Configure([Stdio()]);
        await Settle(m, "fixture");
        var asked = 0;
        var provider = new ScriptedProvider(
            _ => (null, [new ToolCallRequest("c1", "fixture__echo", "{\"text\":\"1\"}"), new ToolCallRequest("c2", "fixture__add", "{\"a\":2,\"b\":3}")]),
            r => ($"{r.Messages[^2].Content} {r.Messages[^1].Content}", []));
        var (text, _) = await Run(provider, new McpToolExecutor(new NoClientTools(), m.Tools(), new Approver(_ => { asked++; return new McpApproval(true, Always: true); })));
        Assert.Equal("echo: 1 5", text);
        Assert.Equal(1, asked);
        Assert.Equal(["echo", "add"], Calls());
    }

    [Fact]
    public async Task Other_calls_go_to_the_client_executor()
    {
        var m = Manager();
        m.Configure([Stdio(trusted: true)]);
        await Settle(m, "fixture");
        var client = new NoClientTools();
        var executor = new McpToolExecutor(client, m.Tools(), new Approver(_ => new McpApproval(true)));
        using var doc = JsonDocument.Parse("{}");
        var r = await executor.InvokeAsync(new ToolCallRequest("c1", "read_file", "{}"), doc.RootElement, CancellationToken.None);
        Assert.Equal("client ran read_file", r.Content);
        Assert.Empty(Calls());
    }

    [Fact]
    public async Task A_server_that_crashes_is_failed_with_the_reason_and_its_tools_go()
    {
        var m = Manager();
        m.Configure([Stdio(trusted: true)]);
        await Settle(m, "fixture");
        var failed = NextState(m, "fixture", McpStates.Failed);
        var crash = m.Tools().Single(t => t.Tool.ToolName == "crash");
        using var doc = JsonDocument.Parse("{}");

        var result = await crash.CallAsync(doc.RootElement, CancellationToken.None).WaitAsync(Limit);
        var s = await failed;

        Assert.True(result.IsError);
        Assert.Contains("exited with code 3", s.Error);
        Assert.Contains("crashing on request", s.Error);
        Assert.Empty(s.Tools);
        Assert.Empty(m.Tools());
        // A call through a binding taken before the crash is an error result, not an exception.
        var late = await crash.CallAsync(doc.RootElement, CancellationToken.None);
        Assert.True(late.IsError);
    }

    [Fact]
    public async Task A_server_that_changes_its_tools_while_connected_is_listed_again()
    {
        var m = Manager();
        m.Configure([Stdio(trusted: true)]);
        var before = await Settle(m, "fixture");
        Assert.DoesNotContain(before.Tools, t => t.ToolName == "extra");
        var changed = new TaskCompletionSource<McpServerSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
        m.Changed += s => { if (s.Name == "fixture" && s.Tools.Any(t => t.ToolName == "extra")) changed.TrySetResult(s); };
        using var doc = JsonDocument.Parse("{}");

        var grown = await m.Tools().Single(t => t.Tool.ToolName == "grow").CallAsync(doc.RootElement, CancellationToken.None).WaitAsync(Limit);
        var after = await changed.Task.WaitAsync(Limit);

        Assert.Equal("grown", grown.Content);
        Assert.Equal(McpStates.Ready, after.State);
        Assert.Contains(after.Tools, t => t.QualifiedName == "fixture__extra");
        Assert.Contains(m.Tools(), t => t.Tool.QualifiedName == "fixture__extra");
        Assert.Equal(before.Tools.Count + 1, after.Tools.Count);
    }

    [Fact]
    public async Task A_server_that_fails_to_start_is_failed_and_chat_keeps_the_others()
    {
        var m = Manager();
        m.Configure([Stdio("broken", false, "--fail-start"), Stdio("good"), new McpServerConfig { Name = "missing", Command = Path.Combine(_dir.Path, "no-such-command") }]);
        await m.WhenSettledAsync().WaitAsync(Limit);
        var list = m.List();

        Assert.Equal(McpStates.Failed, list.Single(s => s.Name == "broken").State);
        Assert.Contains("could not be started", list.Single(s => s.Name == "broken").Error);
        Assert.Equal(McpStates.Failed, list.Single(s => s.Name == "missing").State);
        Assert.Equal(McpStates.Ready, list.Single(s => s.Name == "good").State);
        Assert.All(m.Tools(), t => Assert.Equal("good", t.Tool.ServerName));
    }

    [Fact]
    public async Task Stop_cancels_a_running_call_and_the_server_is_told()
    {
        var m = Manager();
        m.Configure([Stdio(trusted: true)]);
        await Settle(m, "fixture");
        var sleep = m.Tools().Single(t => t.Tool.ToolName == "sleep");
        using var doc = JsonDocument.Parse("{\"ms\":600000}");
        using var cts = new CancellationTokenSource();

        var call = sleep.CallAsync(doc.RootElement, cts.Token);
        await Until(() => Calls().Contains("sleep"));
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Limit));
        await Until(() => Calls().Contains("sleep-cancelled"));
        Assert.Equal(McpStates.Ready, m.List()[0].State);
    }

    [Fact]
    public async Task Reconfiguring_keeps_unchanged_servers_and_closes_removed_ones()
    {
        var m = Manager();
        m.Configure([Stdio("a", true), Stdio("b", true)]);
        await m.WhenSettledAsync().WaitAsync(Limit);
        var a = m.Tools().First(t => t.Tool.ServerName == "a");

        var now = m.Configure([Stdio("a", true)]);

        Assert.Equal(["a"], now.Select(s => s.Name));
        Assert.Equal(McpStates.Ready, now[0].State); // not reconnected
        using var doc = JsonDocument.Parse("{\"text\":\"still\"}");
        Assert.Equal("echo: still", (await a.CallAsync(doc.RootElement, CancellationToken.None)).Content);
        Assert.Throws<ArgumentException>(() => m.Configure([Stdio("x"), Stdio("x")]));
        Assert.Throws<ArgumentException>(() => m.Configure([new McpServerConfig { Name = "y" }]));
        Assert.Throws<ArgumentException>(() => m.Configure([new McpServerConfig { Name = "z", Url = "ftp://host/x" }]));
    }

    [Fact]
    public async Task An_http_server_on_another_host_is_cloud_and_refused_in_local_only_mode()
    {
        // Not contacted at all: the name does not resolve, so a connection attempt would fail with another error.
        var localOnly = true;
        var m = Manager(() => localOnly);
        m.Configure([new McpServerConfig { Name = "remote", Url = "http://mcp.invalid:9/mcp", Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer canary-hdr-77a" } }]);
        var s = await Settle(m, "remote");

        Assert.Equal(PrivacyClass.Cloud, s.Privacy);
        Assert.Equal(McpTransports.Http, s.Transport);
        Assert.Equal(McpStates.Failed, s.State);
        Assert.Equal(1018, s.ErrorCode);
        Assert.Contains("local-only", s.Error);
        Assert.Empty(m.Tools());
        Assert.DoesNotContain(_logs.Lines, l => l.Contains("canary-hdr-77a"));
    }

    [Fact]
    public async Task A_cloud_servers_tool_is_refused_once_local_only_is_on()
    {
        await using var http = await HttpFixture.StartAsync(CallsFile);
        var localOnly = false;
        // The fake listens on loopback; the URL names another host, which the handler routes to it.
        var m = Manager(() => localOnly, new McpManagerOptions { ConnectTimeout = Limit, HttpHandler = () => http.Handler() });
        m.Configure([new McpServerConfig { Name = "remote", Url = $"http://mcp.example.com:{http.Port}/mcp", Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer canary-hdr-77a" } }]);
        var s = await Settle(m, "remote");
        Assert.Equal(McpStates.Ready, s.State);
        Assert.Equal(PrivacyClass.Cloud, s.Privacy);

        var echo = m.Tools().Single(t => t.Tool.ToolName == "echo");
        using var doc = JsonDocument.Parse("{\"text\":\"over http\"}");
        Assert.Equal("echo: over http", (await echo.CallAsync(doc.RootElement, CancellationToken.None)).Content);
        Assert.Equal(["echo"], Calls());

        localOnly = true;
        var refused = await echo.CallAsync(doc.RootElement, CancellationToken.None);
        Assert.True(refused.IsError);
        Assert.Contains("1018", refused.Content);
        Assert.Equal(["echo"], Calls()); // the second call never reached the server

        var failed = NextState(m, "remote", McpStates.Failed);
        m.PolicyChanged();
        Assert.Equal(1018, (await failed).ErrorCode);
        Assert.Empty(m.Tools());

        localOnly = false;
        var ready = NextState(m, "remote", McpStates.Ready);
        m.PolicyChanged();
        await ready;
        Assert.Single(m.Tools(), t => t.Tool.ToolName == "echo");
        Assert.DoesNotContain(_logs.Lines, l => l.Contains("canary-hdr-77a"));
    }

    [Fact]
    public void Privacy_follows_the_transport_and_host()
    {
        Assert.Equal(PrivacyClass.OnDevice, new McpServerConfig { Name = "s", Command = "x" }.Privacy);
        Assert.Equal(PrivacyClass.Loopback, new McpServerConfig { Name = "s", Url = "http://127.0.0.1:3000/mcp" }.Privacy);
        Assert.Equal(PrivacyClass.Loopback, new McpServerConfig { Name = "s", Url = "http://localhost:3000/mcp" }.Privacy);
        Assert.Equal(PrivacyClass.Cloud, new McpServerConfig { Name = "s", Url = "https://mcp.example.com/mcp" }.Privacy);
        Assert.Equal(PrivacyClass.Cloud, new McpServerConfig { Name = "s", Url = "http://192.168.1.5/mcp" }.Privacy);
    }

    [Theory]
    [InlineData("fs", "read_file", "fs__read_file")]
    [InlineData("my server", "get.weather/now", "my_server__get_weather_now")]
    [InlineData("ü", "tool", "___tool")]
    public void Tool_names_are_namespaced_and_made_safe(string server, string tool, string expected) =>
        Assert.Equal(expected, McpToolNames.Qualify(server, tool));

    [Fact]
    public void Long_and_clashing_tool_names_stay_apart()
    {
        var a = McpToolNames.Qualify("server", new string('a', 80) + "1");
        var b = McpToolNames.Qualify("server", new string('a', 80) + "2");
        Assert.Equal(64, a.Length);
        Assert.NotEqual(a, b);
        Assert.Matches("^[A-Za-z0-9_-]{1,64}$", a);
        var taken = new HashSet<string> { "s__t" };
        Assert.Equal("s__t_2", McpToolNames.Unique("s__t", taken));
        Assert.Equal("s__t_3", McpToolNames.Unique("s__t", taken));
    }

    private static async Task Until(Func<bool> condition)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > Limit) throw new TimeoutException("the condition did not become true");
            await Task.Delay(20);
        }
    }

    private static async Task<(string Text, ToolLoop Loop)> Run(IChatProvider provider, McpToolExecutor executor, Action<ToolStatusUpdate>? onStatus = null)
    {
        var turn = new ToolTurn { Tools = executor.Definitions.ToList(), Executor = executor, OnStatus = onStatus ?? (_ => { }) };
        var loop = new ToolLoop(provider, new ProviderContext { Descriptor = provider.Descriptor }, new ChatRequest { Model = "m", Messages = [new("user", "go")] }, turn);
        var text = new System.Text.StringBuilder();
        await foreach (var c in loop.RunAsync(CancellationToken.None).WithCancellation(CancellationToken.None)) text.Append(c.Delta);
        return (text.ToString(), loop);
    }

    private sealed class NoClientTools : IToolExecutor
    {
        public Task<ToolResult> InvokeAsync(ToolCallRequest call, JsonElement arguments, CancellationToken cancellationToken) =>
            Task.FromResult(new ToolResult($"client ran {call.Name}"));
    }

    private sealed class Approver(Func<(string Server, string Tool, string Args), McpApproval> answer) : IMcpApprover
    {
        public Task<McpApproval> ApproveAsync(ToolCallRequest call, string server, string tool, JsonElement arguments, CancellationToken cancellationToken) =>
            Task.FromResult(answer((server, tool, arguments.GetRawText())));
    }

    private sealed class ScriptedProvider(params Func<ChatRequest, (string? Text, ToolCallRequest[] Calls)>[] steps) : IChatProvider
    {
        public List<ChatRequest> Requests { get; } = [];

        public ProviderDescriptor Descriptor { get; } = new() { Id = "scripted", DisplayName = "Scripted", Kind = ProviderKind.Remote, Api = ProviderApi.Openai, Capabilities = new ProviderCapabilities { Chat = true, Tools = true } };

        public Task<ProviderStatus> CheckAsync(ProviderContext context, CancellationToken cancellationToken) => Task.FromResult(new ProviderStatus(Availability.Readily));

        public Task<IReadOnlyList<ModelInfo>> ListModelsAsync(ProviderContext context, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<ModelInfo>>([]);

        public async IAsyncEnumerable<ChatChunk> StreamChatAsync(ProviderContext context, ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            Requests.Add(request);
            await Task.Yield();
            var (text, calls) = steps[Math.Min(Requests.Count - 1, steps.Length - 1)](request);
            if (text is not null) yield return ChatChunk.Text(text);
            foreach (var c in calls) yield return ChatChunk.Call(c);
            yield return ChatChunk.Done(new ChatFinal { FinishReason = calls.Length > 0 ? FinishReasons.ToolCalls : FinishReasons.Stop });
        }
    }

    /// <summary>fakeMcpServer.mjs --http on 127.0.0.1, and a handler that routes any host name to it.</summary>
    private sealed class HttpFixture : IAsyncDisposable
    {
        private readonly Process _process;

        private HttpFixture(Process process, int port)
        {
            _process = process;
            Port = port;
        }

        public int Port { get; }

        public static async Task<HttpFixture> StartAsync(string callsFile)
        {
            var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add(Fixture);
            psi.ArgumentList.Add("--http");
            psi.Environment["MCP_FIXTURE_CALLS"] = callsFile;
            var p = Process.Start(psi)!;
            var line = await p.StandardOutput.ReadLineAsync().WaitAsync(Limit) ?? throw new InvalidOperationException("the HTTP fixture did not start");
            var url = new Uri(line["listening ".Length..]);
            return new HttpFixture(p, url.Port);
        }

        public HttpMessageHandler Handler() => new SocketsHttpHandler
        {
            ConnectCallback = async (ctx, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, ctx.DnsEndPoint.Port), ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };

        public async ValueTask DisposeAsync()
        {
            try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            await _process.WaitForExitAsync();
            _process.Dispose();
        }
    }

    private sealed class ListLoggerFactory : ILoggerFactory
    {
        private readonly ListLogger _logger = new();
        public IReadOnlyList<string> Lines => _logger.Lines;
        public ILogger CreateLogger(string categoryName) => _logger;
        public void AddProvider(ILoggerProvider provider) { }
        public void Dispose() { }
    }
}
