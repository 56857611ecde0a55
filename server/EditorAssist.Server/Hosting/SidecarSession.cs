using System.Reflection;
using EditorAssist.Storage;
using EditorAssist.Rpc;
using EditorAssist.Server.Protocol;
using Microsoft.Extensions.Logging;

namespace EditorAssist.Server.Hosting;

/// <summary>
/// One client's session: the connection, the lifecycle (initialize → shutdown → exit), the store
/// opened at initialize, and how the process ends. Exit code 0 after an orderly shutdown, 1 when the
/// session ended any other way (exit without shutdown, end of input, the parent process died).
/// </summary>
public sealed class SidecarSession(
    SidecarOptions options,
    IEnumerable<IRpcModule> modules,
    SessionScope scope,
    TimeProvider time,
    ILoggerFactory loggerFactory) : IAsyncDisposable
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("EditorAssist.Session");
    private readonly TaskCompletionSource<string> _end = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ParentProcessWatcher? _parentWatcher;
    private JsonRpcConnection? _connection;
    private readonly List<Func<ValueTask>> _beforeStoreCloses = [];

    public static string ServerVersion { get; } =
        typeof(SidecarSession).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>The session's services and store, from <c>initialize</c> on.</summary>
    public SessionScope Scope => scope;

    public SqliteStore Store => scope.Store;

    public SettingsRepository Settings => scope.Store.Settings;

    public JsonRpcConnection Connection => _connection ?? throw new InvalidOperationException("The session has not started.");

    public bool ShutdownRequested => _connection?.IsShutdownRequested ?? false;

    public IReadOnlyList<string> SupportedMethods => modules.SelectMany(m => m.Methods).Order(StringComparer.Ordinal).ToList();

    /// <summary>Called by the initialize handler.</summary>
    internal void OpenStore(string directory)
    {
        if (scope.HasBegun) return;
        var store = scope.Begin(directory);
        _logger.LogInformation("Storage at {Dir} (schema {Version}).", store.Directory, store.SchemaVersion);
    }

    internal void WatchParent(int processId)
    {
        if (_parentWatcher is not null || processId <= 0) return;
        if (!ParentProcessWatcher.IsAlive(processId))
        {
            End($"the client process {processId} is not running");
            return;
        }
        _parentWatcher = new ParentProcessWatcher(processId, options.ParentPollInterval, time);
        _parentWatcher.Start(() => End($"the client process {processId} exited"));
    }

    /// <summary>Work to finish while the store is still open when the session ends (say, persisting download state). Run last-registered first.</summary>
    internal void OnClosing(Func<ValueTask> cleanup)
    {
        lock (_beforeStoreCloses) _beforeStoreCloses.Add(cleanup);
    }

    /// <summary>Ends the session (exit notification, signal, parent gone). Idempotent.</summary>
    public void End(string reason) => _end.TrySetResult(reason);

    public async Task<int> RunAsync(Stream input, Stream output)
    {
        var rpcLogger = loggerFactory.CreateLogger("EditorAssist.Rpc");
        _connection = JsonRpcConnection.Create(input, output, new JsonRpcOptions
        {
            MaxMessageBytes = options.MaxMessageBytes,
            ExceptionMapper = ErrorMapping.Map,
            TimeProvider = time,
            TypeInfoResolver = System.Text.Json.Serialization.Metadata.JsonTypeInfoResolver.Combine(ProtocolJson.Default, ProvidersProtocolJson.Default),
        }, rpcLogger);
        foreach (var module in modules) module.Register(_connection, this);
        _connection.Start();
        _logger.LogInformation("EditorAssist sidecar {Version} listening on stdio (pid {Pid}, .NET {Runtime}).",
            ServerVersion, Environment.ProcessId, Environment.Version);

        var ended = await Task.WhenAny(_connection.Completion, _end.Task).ConfigureAwait(false);
        var reason = ended == _end.Task ? await _end.Task.ConfigureAwait(false)
            : _connection.CloseReason is { } why ? $"the connection failed: {why}" : "the client closed the connection";
        var code = ShutdownRequested ? 0 : 1;
        if (code == 0) _logger.LogInformation("Exiting: {Reason}.", reason);
        else _logger.LogWarning("Exiting without an orderly shutdown: {Reason}.", reason);
        await _connection.DisposeAsync().ConfigureAwait(false);
        return code;
    }

    public async ValueTask DisposeAsync()
    {
        _parentWatcher?.Dispose();
        if (_connection is not null) await _connection.DisposeAsync().ConfigureAwait(false);
        Func<ValueTask>[] cleanups;
        lock (_beforeStoreCloses) { cleanups = [.. _beforeStoreCloses]; _beforeStoreCloses.Clear(); }
        for (var i = cleanups.Length - 1; i >= 0; i--)
        {
            try { await cleanups[i]().ConfigureAwait(false); }
            catch (Exception ex) { _logger.LogWarning(ex, "Cleanup at session end failed."); }
        }
        // Last: the session's services, the store among them (disposed after everything that used it).
        await scope.DisposeAsync().ConfigureAwait(false);
    }
}
