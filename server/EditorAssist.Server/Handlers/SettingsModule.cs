using EditorAssist.Rpc;
using EditorAssist.Server.Hosting;
using EditorAssist.Server.Protocol;

namespace EditorAssist.Server.Handlers;

/// <summary><c>settings/update</c> (merge and persist) and <c>settings/get</c>.</summary>
internal sealed class SettingsModule : IRpcModule
{
    public IEnumerable<string> Methods => [Protocol.Methods.SettingsUpdate, Protocol.Methods.SettingsGet];

    public void Register(JsonRpcConnection connection, SidecarSession session)
    {
        connection.AddRequestHandler(Protocol.Methods.SettingsUpdate, () => ProtocolJson.Default.SettingsUpdateParams, () => ProtocolJson.Default.EmptyResult, (p, _, _) =>
        {
            if (p.Settings.ValueKind != System.Text.Json.JsonValueKind.Object)
                throw new RpcException(ErrorCodes.InvalidParams, "Invalid params for 'settings/update': settings must be an object.");
            session.Settings.Update(p.Settings);
            return ValueTask.FromResult(new EmptyResult());
        });

        connection.AddRequestHandler(Protocol.Methods.SettingsGet, () => ProtocolJson.Default.SettingsResult, (_, _) =>
            ValueTask.FromResult(new SettingsResult(session.Settings.GetAll())));
    }
}
