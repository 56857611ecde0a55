using EditorAssist.Rpc;
using EditorAssist.Server.Hosting;
using EditorAssist.Server.Protocol;
using Microsoft.Extensions.Logging;

namespace EditorAssist.Server.Handlers;

/// <summary><c>initialize</c>, <c>initialized</c>, <c>shutdown</c>, <c>exit</c>.</summary>
internal sealed class LifecycleModule(ILogger<LifecycleModule> logger) : IRpcModule
{
    public IEnumerable<string> Methods => [Protocol.Methods.Initialize, Protocol.Methods.Initialized, Protocol.Methods.Shutdown, Protocol.Methods.Exit];

    public void Register(JsonRpcConnection connection, SidecarSession session)
    {
        var initializing = 0;
        connection.AddRequestHandler(Protocol.Methods.Initialize, () => ProtocolJson.Default.InitializeParams, () => ProtocolJson.Default.InitializeResult, (p, _, _) =>
        {
            if (Interlocked.Exchange(ref initializing, 1) == 1)
                throw new RpcException(ErrorCodes.InvalidRequest, "The server is already initialized.");
            try
            {
                var storageDir = string.IsNullOrWhiteSpace(p.StorageDir) ? DefaultStorageDir() : p.StorageDir;
                session.OpenStore(storageDir);
                if (p.Settings is { ValueKind: System.Text.Json.JsonValueKind.Object } settings) session.Settings.Update(settings);
                if (p.ProcessId is int pid) session.WatchParent(pid);
                logger.LogInformation("Initialized by {Client} {Version}.", p.ClientInfo?.Name ?? "an unnamed client", p.ClientInfo?.Version ?? "");
                var store = session.Store;
                return ValueTask.FromResult(new InitializeResult(
                    new ServerInfo("EditorAssist", SidecarSession.ServerVersion),
                    ProtocolInfo.Version,
                    new ServerCapabilities(session.SupportedMethods, connection.Options.MaxMessageBytes, (int)connection.Options.ProgressInterval.TotalMilliseconds),
                    new StorageStatus(store.Directory, store.SchemaVersion, store.RecoveredCorruptFile)));
            }
            catch
            {
                // A failed initialize may be retried (say, with another storage directory).
                Volatile.Write(ref initializing, 0);
                throw;
            }
        });

        connection.AddNotificationHandler(Protocol.Methods.Initialized, (_, _) =>
        {
            logger.LogDebug("Client reported initialized.");
            return ValueTask.CompletedTask;
        });

        connection.AddRequestHandler(Protocol.Methods.Shutdown, (r, _) =>
        {
            r.Connection.MarkShutdownRequested();
            logger.LogInformation("Shutdown requested.");
            return ValueTask.FromResult(Rpc.Dispatch.RpcResult.Null);
        });

        connection.AddNotificationHandler(Protocol.Methods.Exit, (_, _) =>
        {
            session.End("exit notification");
            return ValueTask.CompletedTask;
        });
    }

    internal static string DefaultStorageDir() =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "EditorAssist");
}
