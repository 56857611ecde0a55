using System.Text.Json;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;
using EditorAssist.Storage;
using EditorAssist.Core.Tools;
using EditorAssist.Rpc;
using EditorAssist.Server.Protocol;

namespace EditorAssist.Server.Handlers;

/// <summary>
/// Runs a tool in the extension: the server → client request <c>chat/toolCall</c>. Cancelling the token
/// (Stop) sends <c>$/cancelRequest</c> for it, which the client turns into cancelling the tool (closing
/// an approval prompt, killing a command).
/// </summary>
internal sealed class ClientToolExecutor(JsonRpcConnection connection, string streamId) : IToolExecutor
{
    /// <summary>What a client answers for a refused call when it does not set <c>denied</c>.</summary>
    public const string DeniedText = "denied by the user";

    public async Task<ToolResult> InvokeAsync(ToolCallRequest call, JsonElement arguments, CancellationToken cancellationToken)
    {
        var json = ProvidersProtocolJson.Default;
        ToolCallResultDto answer;
        try
        {
            answer = await connection.SendRequestAsync(Protocol.Methods.ChatToolCall,
                new ToolCallParams(streamId, call.Id, call.Name, arguments), json.ToolCallParams, json.ToolCallResultDto, cancellationToken).ConfigureAwait(false);
        }
        catch (RemoteRpcException ex)
        {
            // The client could not run it (no such tool on its side, a bug): the model is told, the turn goes on.
            return new ToolResult($"The editor could not run the tool: {ex.Message}", IsError: true);
        }
        var content = answer?.Content ?? "";
        var denied = answer?.Denied == true || (answer?.IsError == true && string.Equals(content.Trim(), DeniedText, StringComparison.OrdinalIgnoreCase));
        return new ToolResult(content, answer?.IsError == true || denied, denied);
    }
}
