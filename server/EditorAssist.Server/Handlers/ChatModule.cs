using EditorAssist.Rpc;
using EditorAssist.Server.Hosting;
using EditorAssist.Server.Local;
using EditorAssist.Server.Protocol;

namespace EditorAssist.Server.Handlers;

/// <summary><c>chat/send</c>: streams <c>chat/delta {streamId, delta}</c> notifications, then answers.</summary>
internal sealed class ChatModule(LocalChat localChat) : IRpcModule
{
    public IEnumerable<string> Methods => [Protocol.Methods.ChatSend];

    public void Register(JsonRpcConnection connection, SidecarSession session)
    {
        connection.AddRequestHandler(Protocol.Methods.ChatSend, ProtocolJson.Default.ChatSendParams, ProtocolJson.Default.ChatSendResult, async (p, _, ct) =>
        {
            // Deltas and the answer share the connection's one outbound queue, so every delta
            // reaches the client before the response.
            void OnDelta(string delta) =>
                connection.Notify(Protocol.Methods.ChatDelta, new ChatDeltaParams(p.StreamId, delta), ProtocolJson.Default.ChatDeltaParams);
            return await localChat.SendAsync(p, OnDelta, ct).ConfigureAwait(false);
        });
    }
}
