using EditorAssist.Core.Providers;
using EditorAssist.Core.Tools;
using EditorAssist.Providers.Mcp;
using EditorAssist.Rpc;
using EditorAssist.Server.Hosting;
using EditorAssist.Server.Protocol;

namespace EditorAssist.Server.Handlers;

/// <summary>
/// <c>mcp/configure</c> and <c>mcp/list</c>, and <c>mcp/didChange</c> on every change of a server's state or
/// tools. The servers themselves live in <see cref="McpManager"/>; their tools join <c>chat/send</c>'s turn
/// in <see cref="ChatToolsWire"/>.
/// </summary>
internal sealed class McpModule(SessionScope scope) : IRpcModule
{
    private int _subscribed;

    public IEnumerable<string> Methods => [Protocol.Methods.McpConfigure, Protocol.Methods.McpList];

    public void Register(JsonRpcConnection connection, SidecarSession session)
    {
        var json = McpProtocolJson.Default;
        // The manager is a session service (built after initialize); its changes go out from the first request on,
        // which is before any server exists (only mcp/configure adds one).
        McpManager Manager()
        {
            var manager = scope.Get<McpManager>();
            if (Interlocked.Exchange(ref _subscribed, 1) == 0)
                manager.Changed += s => connection.Notify(Protocol.Methods.McpDidChange, new McpDidChangeParams(ToDto(s)), json.McpDidChangeParams);
            return manager;
        }

        connection.AddRequestHandler(Protocol.Methods.McpConfigure, () => json.McpConfigureParams, () => json.McpListResult, (p, _, _) =>
        {
            var servers = (p.Servers ?? []).Select(s => s is null ? throw Invalid("a server entry is null.") : new McpServerConfig
            {
                Name = s.Name ?? "",
                Command = s.Command,
                Args = s.Args?.Select(a => a ?? "").ToList() ?? [],
                Env = s.Env,
                Cwd = s.Cwd,
                Url = s.Url,
                Headers = s.Headers,
                Trusted = s.Trusted == true,
            }).ToList();
            try
            {
                return ValueTask.FromResult(new McpListResult(Manager().Configure(servers).Select(ToDto).ToList()));
            }
            catch (ArgumentException ex)
            {
                throw Invalid(ex.Message);
            }
        });

        connection.AddRequestHandler(Protocol.Methods.McpList, () => json.McpListParams, () => json.McpListResult, async (p, _, ct) =>
        {
            var manager = Manager();
            if (p?.Wait == true) await manager.WhenSettledAsync().WaitAsync(ct).ConfigureAwait(false);
            return new McpListResult(manager.List().Select(ToDto).ToList());
        });
    }

    public static McpServerDto ToDto(McpServerSnapshot s) => new(
        s.Name, s.Transport, s.Privacy == PrivacyClass.Cloud ? "cloud" : "local", s.Trusted, s.State, s.Error, s.ErrorCode,
        s.Tools.Select(t => new McpToolDto(t.QualifiedName, t.ToolName, t.Description)).ToList());

    private static RpcException Invalid(string message) => new(ErrorCodes.InvalidParams, $"Invalid params for '{Protocol.Methods.McpConfigure}': {message}");
}

/// <summary>Asks the extension before an MCP tool runs: the server → client request <c>chat/toolApproval</c>.</summary>
internal sealed class ClientMcpApprover(JsonRpcConnection connection, string streamId) : IMcpApprover
{
    public async Task<McpApproval> ApproveAsync(ToolCallRequest call, string server, string tool, System.Text.Json.JsonElement arguments, CancellationToken cancellationToken)
    {
        var json = McpProtocolJson.Default;
        try
        {
            var answer = await connection.SendRequestAsync(Protocol.Methods.ChatToolApproval,
                new ToolApprovalParams(streamId, call.Id, server, call.Name, tool, arguments), json.ToolApprovalParams, json.ToolApprovalResult, cancellationToken).ConfigureAwait(false);
            return new McpApproval(answer?.Approved == true, answer?.Always == true);
        }
        catch (RemoteRpcException)
        {
            // A client that cannot ask (an older one, -32601) gets no say: nothing runs without a yes.
            return new McpApproval(false);
        }
    }
}
