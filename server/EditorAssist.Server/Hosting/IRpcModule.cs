using EditorAssist.Rpc;

namespace EditorAssist.Server.Hosting;

/// <summary>A feature's set of JSON-RPC methods. Each module registers its handlers on the connection.</summary>
public interface IRpcModule
{
    /// <summary>The method names this module answers (reported in <c>initialize.capabilities.methods</c>).</summary>
    IEnumerable<string> Methods { get; }

    void Register(JsonRpcConnection connection, SidecarSession session);
}
