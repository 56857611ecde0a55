using EditorAssist.Core.SystemInfo;
using EditorAssist.Rpc;
using EditorAssist.Server.Hosting;
using EditorAssist.Server.Protocol;

namespace EditorAssist.Server.Handlers;

/// <summary><c>system/info</c>: OS, CPU, RAM, GPUs and the native runtime's build and backends.</summary>
internal sealed class SystemModule(SystemInfoProvider systemInfo) : IRpcModule
{
    public IEnumerable<string> Methods => [Protocol.Methods.SystemInfo];

    public void Register(JsonRpcConnection connection, SidecarSession session) =>
        connection.AddRequestHandler(Protocol.Methods.SystemInfo, () => ProtocolJson.Default.MachineInfo, (_, _) => ValueTask.FromResult(systemInfo.Read()));
}
