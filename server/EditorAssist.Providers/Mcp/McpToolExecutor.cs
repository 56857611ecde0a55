using System.Text.Json;
using EditorAssist.Core.Providers;
using EditorAssist.Core.Tools;

namespace EditorAssist.Providers.Mcp;

/// <summary>What the user answered to "run this MCP tool?": yes or no, and whether to stop asking for this chat.</summary>
public sealed record McpApproval(bool Approved, bool Always = false);

/// <summary>Asks the user before an MCP tool of an untrusted server runs (<c>chat/toolApproval</c>).</summary>
public interface IMcpApprover
{
    Task<McpApproval> ApproveAsync(ToolCallRequest call, string server, string tool, JsonElement arguments, CancellationToken cancellationToken);
}

/// <summary>
/// The executor of a turn that offers MCP tools next to the client's: a call to an MCP tool is asked
/// for (unless its server is trusted, or the user said "allow for this chat" earlier in the turn) and
/// then run on its server; every other call goes to <paramref name="fallback"/> (the extension).
/// </summary>
public sealed class McpToolExecutor(IToolExecutor fallback, IReadOnlyList<McpToolBinding> tools, IMcpApprover approver) : IToolExecutor
{
    /// <summary>What the model reads for a refused call (the same words the extension uses for its tools).</summary>
    public const string DeniedText = "denied by the user";

    private readonly Dictionary<string, McpToolBinding> _byName = tools.ToDictionary(t => t.Tool.QualifiedName, StringComparer.Ordinal);
    private readonly HashSet<string> _allowed = new(StringComparer.Ordinal);

    /// <summary>The definitions to offer the model.</summary>
    public IEnumerable<ToolDefinition> Definitions => _byName.Values.Select(b => b.Definition);

    public async Task<ToolResult> InvokeAsync(ToolCallRequest call, JsonElement arguments, CancellationToken cancellationToken)
    {
        if (!_byName.TryGetValue(call.Name, out var binding))
            return await fallback.InvokeAsync(call, arguments, cancellationToken).ConfigureAwait(false);

        var server = binding.Server;
        bool allowed;
        lock (_allowed) allowed = server.Trusted || _allowed.Contains(server.Name);
        if (!allowed)
        {
            var answer = await approver.ApproveAsync(call, server.Name, binding.Tool.ToolName, arguments, cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (!answer.Approved) return new ToolResult(DeniedText, IsError: true, Denied: true);
            if (answer.Always) lock (_allowed) _allowed.Add(server.Name);
        }
        return await binding.CallAsync(arguments, cancellationToken).ConfigureAwait(false);
    }
}
