using EditorAssist.Rpc;
using EditorAssist.Server.Hosting;
using EditorAssist.Server.Local;
using EditorAssist.Server.Protocol;

namespace EditorAssist.Server.Handlers;

/// <summary><c>completion/inline</c>.</summary>
internal sealed class CompletionModule(InlineCompletion inline) : IRpcModule
{
    public IEnumerable<string> Methods => [Protocol.Methods.CompletionInline];

    public void Register(JsonRpcConnection connection, SidecarSession session) =>
        connection.AddRequestHandler(Protocol.Methods.CompletionInline, ProtocolJson.Default.InlineCompletionParams, ProtocolJson.Default.InlineCompletionResult,
            async (p, r, ct) => await inline.CompleteAsync(p, r.Sequence, ct).ConfigureAwait(false));
}
