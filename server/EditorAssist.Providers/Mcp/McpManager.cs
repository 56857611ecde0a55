using System.Text;
using System.Text.Json;
using EditorAssist.Core.Errors;
using EditorAssist.Core.Providers;
using EditorAssist.Core.Tools;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace EditorAssist.Providers.Mcp;

/// <summary>Timeouts and seams of <see cref="McpManager"/>.</summary>
public sealed record McpManagerOptions
{
    /// <summary>How long one server may take to start, initialize and list its tools before it counts as failed.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>How long a stdio server gets to exit after its stdin closes before it is killed.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);
    public TimeProvider Time { get; init; } = TimeProvider.System;
    /// <summary>The handler HTTP servers are reached through (tests: a fake under a cloud-looking host name); null: a plain one.</summary>
    public Func<HttpMessageHandler>? HttpHandler { get; init; }
    public string ClientVersion { get; init; } = "0.1.0";
}

/// <summary>
/// The MCP servers the user listed (issue 14, item 4): connects to each with the official SDK
/// (stdio process or HTTP), lists its tools, keeps its state (<c>connecting</c> → <c>ready</c> |
/// <c>failed</c> with the reason) and calls its tools for the <see cref="ToolLoop"/>. A server that fails
/// to start or exits later only loses its own tools; chat goes on. An HTTP server on a non-loopback host
/// is a cloud service: with local-only mode on it is not contacted at all (1018) and a call to a tool of
/// one that was listed before is refused.
/// </summary>
public sealed class McpManager : IAsyncDisposable
{
    private readonly object _lock = new();
    private readonly List<Connection> _servers = [];
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _log;
    private readonly McpManagerOptions _options;
    private readonly Func<bool> _localOnly;

    public McpManager(Func<bool> localOnly, ILoggerFactory? loggers = null, McpManagerOptions? options = null)
    {
        _localOnly = localOnly;
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _log = _loggers.CreateLogger<McpManager>();
        _options = options ?? new McpManagerOptions();
    }

    /// <summary>A server's state or tools changed (<c>mcp/didChange</c>).</summary>
    public event Action<McpServerSnapshot>? Changed;

    public bool LocalOnly => _localOnly();

    /// <summary>
    /// Replaces the list. Servers whose configuration is unchanged keep their connection; removed or
    /// changed ones are closed; new ones start connecting (in the background: the result shows them
    /// <c>connecting</c>, <see cref="Changed"/> tells when each is ready or failed).
    /// </summary>
    public IReadOnlyList<McpServerSnapshot> Configure(IReadOnlyList<McpServerConfig> servers)
    {
        McpServerConfig.Validate(servers);
        List<Connection> close, start = [];
        lock (_lock)
        {
            var next = new List<Connection>();
            foreach (var config in servers)
            {
                var existing = _servers.FirstOrDefault(c => c.Config.SameAs(config));
                if (existing is not null) next.Add(existing);
                else
                {
                    var c = new Connection(this, config);
                    next.Add(c);
                    start.Add(c);
                }
            }
            close = _servers.Where(c => !next.Contains(c)).ToList();
            _servers.Clear();
            _servers.AddRange(next);
        }
        foreach (var c in close) _ = c.CloseAsync();
        foreach (var c in start) c.Start();
        if (close.Count > 0 || start.Count > 0)
            _log.LogInformation("MCP servers: {Count} configured ({Started} starting, {Closed} closed).", servers.Count, start.Count, close.Count);
        return List();
    }

    public IReadOnlyList<McpServerSnapshot> List()
    {
        lock (_lock) return _servers.Select(c => c.Snapshot()).ToList();
    }

    /// <summary>Completes when no server is <c>connecting</c> (tests and <c>mcp/list {wait: true}</c>; bounded by the connect timeout).</summary>
    public Task WhenSettledAsync()
    {
        lock (_lock) return Task.WhenAll(_servers.Select(c => c.Settled));
    }

    /// <summary>The tools of every ready server, with names unique among themselves and <paramref name="taken"/> (the client's tools).</summary>
    public IReadOnlyList<McpToolBinding> Tools(IEnumerable<string>? taken = null)
    {
        var names = new HashSet<string>(taken ?? [], StringComparer.Ordinal);
        var list = new List<McpToolBinding>();
        lock (_lock)
        {
            foreach (var c in _servers)
            {
                if (c.State != McpStates.Ready) continue;
                foreach (var t in c.Tools)
                {
                    var name = McpToolNames.Unique(t.QualifiedName, names);
                    list.Add(new McpToolBinding(this, c, t with { QualifiedName = name }));
                }
            }
        }
        return list;
    }

    /// <summary>Local-only mode was turned on or off: cloud servers are closed (1018) or connected again.</summary>
    public void PolicyChanged()
    {
        var localOnly = _localOnly();
        List<Connection> affected;
        lock (_lock) affected = _servers.Where(c => c.Config.Privacy == PrivacyClass.Cloud).ToList();
        foreach (var c in affected)
        {
            if (localOnly && c.RefusedByPolicy is false) c.Refuse();
            else if (!localOnly && c.RefusedByPolicy) c.Restart();
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<Connection> all;
        lock (_lock)
        {
            all = [.. _servers];
            _servers.Clear();
        }
        await Task.WhenAll(all.Select(c => c.CloseAsync())).ConfigureAwait(false);
    }

    internal static string RefusedMessage(string server) =>
        $"The MCP server '{server}' is on another host (a cloud service) and local-only mode is on: it is not contacted (error 1018 McpServerRefused). Turn local-only mode off to use it.";

    private void Publish(Connection c)
    {
        var snapshot = c.Snapshot();
        _log.LogInformation("MCP server '{Server}': {State}{Detail}", snapshot.Name, snapshot.State,
            snapshot.State == McpStates.Ready ? $" ({snapshot.Tools.Count} tools)" : snapshot.Error is null ? "" : $": {snapshot.Error}");
        try
        {
            Changed?.Invoke(snapshot);
        }
        catch (Exception ex)
        {
            _log.LogWarning(ex, "An MCP change listener failed.");
        }
    }

    /// <summary>Calls a tool (the binding was taken when the turn started). Refused calls and failures are results, not exceptions.</summary>
    internal async Task<ToolResult> CallAsync(Connection c, McpToolInfo tool, JsonElement arguments, CancellationToken cancellationToken)
    {
        if (c.Config.Privacy == PrivacyClass.Cloud && _localOnly())
            return new ToolResult(RefusedMessage(c.Config.Name), IsError: true);
        var client = c.ReadyClient;
        if (client is null)
            return new ToolResult($"The MCP server '{c.Config.Name}' is not available ({c.Snapshot().Error ?? "not connected"}).", IsError: true);
        var args = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var p in arguments.EnumerateObject()) args[p.Name] = p.Value.Clone();
        try
        {
            var result = await client.CallToolAsync(tool.ToolName, args, progress: null, options: null, cancellationToken).ConfigureAwait(false);
            return new ToolResult(ContentText(result), IsError: result.IsError == true);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (McpProtocolException ex)
        {
            return new ToolResult($"The MCP server '{c.Config.Name}' refused the call: {ex.Message}", IsError: true);
        }
        catch (Exception ex)
        {
            // The server went away during the call (its watcher marks it failed) or the transport broke.
            _log.LogWarning("MCP server '{Server}': the call to '{Tool}' failed: {Message}", c.Config.Name, tool.ToolName, ex.Message);
            return new ToolResult($"The MCP server '{c.Config.Name}' failed during the call: {ex.Message}", IsError: true);
        }
    }

    /// <summary>What the model reads: the text blocks, a note for other content, the structured result when there is no text.</summary>
    internal static string ContentText(CallToolResult result)
    {
        var sb = new StringBuilder();
        foreach (var block in result.Content ?? [])
        {
            if (sb.Length > 0) sb.Append('\n');
            sb.Append(block switch
            {
                TextContentBlock t => t.Text,
                ImageContentBlock i => $"[image {i.MimeType}]",
                AudioContentBlock a => $"[audio {a.MimeType}]",
                EmbeddedResourceBlock r => r.Resource is TextResourceContents tr ? tr.Text : $"[resource {r.Resource.Uri}]",
                ResourceLinkBlock l => $"[resource link {l.Uri}]",
                _ => $"[{block.Type} content]",
            });
        }
        if (sb.Length == 0 && result.StructuredContent is { } s) sb.Append(s.ToString());
        return sb.ToString();
    }

    /// <summary>One configured server and its connection.</summary>
    internal sealed class Connection(McpManager owner, McpServerConfig config)
    {
        private readonly object _gate = new();
        private CancellationTokenSource _cts = new();
        private McpClient? _client;
        private string _state = McpStates.Connecting;
        private string? _error;
        private int? _errorCode;
        private IReadOnlyList<McpToolInfo> _tools = [];
        private bool _closed;
        private TaskCompletionSource _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public McpServerConfig Config { get; } = config;
        public Task Settled { get { lock (_gate) return _settled.Task; } }
        public string State { get { lock (_gate) return _state; } }
        public IReadOnlyList<McpToolInfo> Tools { get { lock (_gate) return _tools; } }
        public bool RefusedByPolicy { get { lock (_gate) return _errorCode == (int)ErrorCode.McpServerRefused; } }
        public McpClient? ReadyClient { get { lock (_gate) return _state == McpStates.Ready ? _client : null; } }

        public McpServerSnapshot Snapshot()
        {
            lock (_gate) return new McpServerSnapshot(Config.Name, Config.Transport, Config.Privacy, Config.Trusted, _state, _error, _errorCode, _tools);
        }

        public void Start()
        {
            CancellationToken ct;
            lock (_gate) ct = _cts.Token;
            _ = Task.Run(() => ConnectAsync(ct));
        }

        public void Refuse()
        {
            McpClient? client;
            lock (_gate)
            {
                _cts.Cancel();
                _cts = new CancellationTokenSource();
                client = _client;
                _client = null;
            }
            Fail(RefusedMessage(Config.Name), (int)ErrorCode.McpServerRefused);
            if (client is not null) _ = DisposeQuietly(client);
        }

        public void Restart()
        {
            lock (_gate)
            {
                if (_closed) return;
                _state = McpStates.Connecting;
                _error = null;
                _errorCode = null;
                if (_settled.Task.IsCompleted) _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            owner.Publish(this);
            Start();
        }

        private async Task ConnectAsync(CancellationToken ct)
        {
            if (Config.Privacy == PrivacyClass.Cloud && owner._localOnly())
            {
                Fail(RefusedMessage(Config.Name), (int)ErrorCode.McpServerRefused);
                return;
            }
            owner.Publish(this);
            using var timeout = new CancellationTokenSource(owner._options.ConnectTimeout, owner._options.Time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
            McpClient? client = null;
            try
            {
                var transport = CreateTransport();
                var options = new McpClientOptions
                {
                    ClientInfo = new Implementation { Name = "EditorAssist", Version = owner._options.ClientVersion },
                    InitializationTimeout = owner._options.ConnectTimeout,
                };
                client = await McpClient.CreateAsync(transport, options, owner._loggers, linked.Token).ConfigureAwait(false);
                // A server may change its tools while connected (notifications/tools/list_changed):
                // listen before the first listing, so no change falls between the two.
                var connected = client;
                // Registered for the client's lifetime (it goes with the client).
                _ = client.RegisterNotificationHandler(NotificationMethods.ToolListChangedNotification,
                    (_, _) => { _ = RelistAsync(connected, ct); return ValueTask.CompletedTask; });
                var tools = await ListAsync(client, linked.Token).ConfigureAwait(false);
                lock (_gate)
                {
                    if (_closed || ct.IsCancellationRequested)
                    {
                        _ = DisposeQuietly(client);
                        return;
                    }
                    _client = client;
                    _tools = tools;
                    _state = McpStates.Ready;
                    _settled.TrySetResult();
                }
                owner.Publish(this);
                _ = WatchAsync(client, ct);
            }
            catch (Exception ex) when (ct.IsCancellationRequested)
            {
                // Closed or refused while connecting: whoever did it set the state.
                owner._log.LogDebug("MCP server '{Server}': connecting stopped ({Type}).", Config.Name, ex.GetType().Name);
                if (client is not null) await DisposeQuietly(client).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                if (client is not null) await DisposeQuietly(client).ConfigureAwait(false);
                var reason = timeout.IsCancellationRequested
                    ? $"it did not answer within {owner._options.ConnectTimeout.TotalSeconds:0.#} s"
                    : Describe(ex);
                Fail($"The MCP server '{Config.Name}' could not be started: {reason}", null);
            }
        }

        /// <summary>The server's tools under the names the model sees (qualified, safe, unique).</summary>
        private async Task<List<McpToolInfo>> ListAsync(McpClient client, CancellationToken ct)
        {
            var listed = await client.ListToolsAsync(cancellationToken: ct).ConfigureAwait(false);
            var taken = new HashSet<string>(StringComparer.Ordinal);
            return listed.Select(t => new McpToolInfo(Config.Name, t.Name,
                McpToolNames.Unique(McpToolNames.Qualify(Config.Name, t.Name), taken),
                string.IsNullOrEmpty(t.Description) ? t.ProtocolTool.Title ?? t.Name : t.Description,
                t.ProtocolTool.InputSchema.ValueKind == JsonValueKind.Object ? t.ProtocolTool.InputSchema.GetRawText() : "{\"type\":\"object\",\"properties\":{}}")).ToList();
        }

        /// <summary>The server said its tools changed: list them again; the next turn offers the new set.</summary>
        private async Task RelistAsync(McpClient client, CancellationToken ct)
        {
            try
            {
                var tools = await ListAsync(client, ct).ConfigureAwait(false);
                lock (_gate)
                {
                    if (_closed || ct.IsCancellationRequested || !ReferenceEquals(_client, client)) return;
                    _tools = tools;
                }
                owner._log.LogInformation("MCP server '{Server}' changed its tools: {Count} now.", Config.Name, tools.Count);
                owner.Publish(this);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The connection's own watcher reports a lost server; a failed listing keeps the last tools.
                owner._log.LogWarning("MCP server '{Server}': listing its changed tools failed: {Reason}", Config.Name, ex.Message);
            }
        }

        private async Task WatchAsync(McpClient client, CancellationToken ct)
        {
            var details = await client.Completion.ConfigureAwait(false);
            lock (_gate)
            {
                if (_closed || ct.IsCancellationRequested || !ReferenceEquals(_client, client)) return;
                _client = null;
            }
            var why = details is StdioClientCompletionDetails s
                ? $"the server process exited{(s.ExitCode is { } code ? $" with code {code}" : "")}{Tail(s.StandardErrorTail)}"
                : details.Exception is { } e ? $"the connection was lost: {e.Message}" : "the connection was closed";
            Fail($"The MCP server '{Config.Name}' stopped: {why}", null);
            await DisposeQuietly(client).ConfigureAwait(false);
        }

        private static string Tail(IEnumerable<string>? lines)
        {
            var last = lines?.Where(l => !string.IsNullOrWhiteSpace(l)).TakeLast(3).ToList();
            return last is { Count: > 0 } ? $" ({string.Join(" / ", last)})" : "";
        }

        private IClientTransport CreateTransport()
        {
            if (Config.IsStdio)
            {
                var serverLog = owner._loggers.CreateLogger("EditorAssist.Mcp.Server");
                var name = Config.Name;
                return new StdioClientTransport(new StdioClientTransportOptions
                {
                    Name = Config.Name,
                    Command = Config.Command!,
                    Arguments = [.. Config.Args],
                    WorkingDirectory = string.IsNullOrEmpty(Config.Cwd) ? null : Config.Cwd,
                    EnvironmentVariables = Config.Env?.ToDictionary(kv => kv.Key, kv => (string?)kv.Value),
                    ShutdownTimeout = owner._options.ShutdownTimeout,
                    // The server's stderr is its log: ours goes to stderr too, never to stdout (the protocol's).
                    StandardErrorLines = line => serverLog.LogInformation("MCP server '{Server}' stderr: {Line}", name, line),
                }, owner._loggers);
            }
            var handler = owner._options.HttpHandler?.Invoke() ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
            var http = new HttpClient(handler, disposeHandler: true);
            return new HttpClientTransport(new HttpClientTransportOptions
            {
                Name = Config.Name,
                Endpoint = new Uri(Config.Url!),
                TransportMode = HttpTransportMode.AutoDetect,
                ConnectionTimeout = owner._options.ConnectTimeout,
                AdditionalHeaders = Config.Headers?.ToDictionary(kv => kv.Key, kv => kv.Value),
            }, http, owner._loggers, ownsHttpClient: true);
        }

        /// <summary>The reason, without the command line, environment or headers (they may hold secrets).</summary>
        private static string Describe(Exception ex)
        {
            var inner = ex;
            while (inner.InnerException is not null && inner is AggregateException or McpException { InnerException: not null }) inner = inner.InnerException!;
            return inner switch
            {
                System.ComponentModel.Win32Exception w => $"the command could not be run ({w.Message})",
                HttpRequestException h => h.StatusCode is { } st ? $"HTTP {(int)st}" : $"the server could not be reached ({h.Message})",
                _ => inner.Message,
            };
        }

        private void Fail(string error, int? code)
        {
            lock (_gate)
            {
                if (_closed) return;
                _state = McpStates.Failed;
                _error = error;
                _errorCode = code;
                _tools = [];
                _settled.TrySetResult();
            }
            owner.Publish(this);
        }

        public async Task CloseAsync()
        {
            McpClient? client;
            lock (_gate)
            {
                _closed = true;
                _cts.Cancel();
                client = _client;
                _client = null;
                _settled.TrySetResult();
            }
            if (client is not null) await DisposeQuietly(client).ConfigureAwait(false);
        }

        private async Task DisposeQuietly(McpClient client)
        {
            try
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                owner._log.LogDebug("MCP server '{Server}': closing failed: {Message}", Config.Name, ex.Message);
            }
        }
    }
}

/// <summary>An MCP tool offered in one turn: its server's connection and the name the model sees.</summary>
public sealed class McpToolBinding
{
    private readonly McpManager _owner;
    private readonly McpManager.Connection _connection;

    internal McpToolBinding(McpManager owner, McpManager.Connection connection, McpToolInfo tool)
    {
        _owner = owner;
        _connection = connection;
        Tool = tool;
    }

    public McpToolInfo Tool { get; }
    public McpServerConfig Server => _connection.Config;
    public ToolDefinition Definition => new(Tool.QualifiedName, $"[MCP {Tool.ServerName}] {Tool.Description}", Tool.ParametersJson);

    public Task<ToolResult> CallAsync(JsonElement arguments, CancellationToken cancellationToken) =>
        _owner.CallAsync(_connection, Tool, arguments, cancellationToken);
}
