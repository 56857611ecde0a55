using EditorAssist.Rpc;
using EditorAssist.Server.Hosting;
using EditorAssist.Server.Protocol;

namespace EditorAssist.Server.Handlers;

/// <summary><c>storage/info</c> and <c>storage/evict</c> (least recently used first, never a loaded model).</summary>
internal sealed class StorageModule(SessionScope scope) : IRpcModule
{
    public IEnumerable<string> Methods => [Protocol.Methods.StorageInfo, Protocol.Methods.StorageEvict];

    public void Register(JsonRpcConnection connection, SidecarSession session)
    {
        connection.AddRequestHandler(Protocol.Methods.StorageInfo, () => ProtocolJson.Default.StorageInfoResult, (_, _) =>
        {
            var s = scope.Get<LocalModelServices>().Models.Summary();
            return ValueTask.FromResult(new StorageInfoResult(s.ModelsDir, s.UsedBytes, s.QuotaBytes, s.DiskFreeBytes,
                s.Models.Select(m => new StorageModelInfo(m.Ref, m.FileName, m.SizeBytes, m.LastUsed, m.Loaded)).ToList()));
        });

        connection.AddRequestHandler(Protocol.Methods.StorageEvict, () => ProtocolJson.Default.EvictParams, () => ProtocolJson.Default.EvictResult, (p, _, _) =>
        {
            if (p.TargetFreeBytes is < 0)
                throw new RpcException(ErrorCodes.InvalidParams, "Invalid params for 'storage/evict': targetFreeBytes must not be negative.");
            var evicted = scope.Get<LocalModelServices>().Models.Evict(p.TargetFreeBytes, p.DryRun);
            if (!p.DryRun)
                foreach (var e in evicted) ModelsModule.NotifyChanged(connection, "evicted", e.Ref);
            return ValueTask.FromResult(new EvictResult(evicted.Select(e => new EvictedModelInfo(e.Ref, e.SizeBytes)).ToList()));
        });
    }
}
