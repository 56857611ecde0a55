using EditorAssist.Storage;
using Microsoft.Extensions.Logging;

namespace EditorAssist.Server.Hosting;

/// <summary>
/// The session's SQLite store, opened at <c>initialize</c> (the client names the directory).
/// A service of its own so features can reach storage without depending on the session.
/// </summary>
public sealed class StoreHolder(ILoggerFactory loggerFactory, TimeProvider time) : IDisposable
{
    private readonly Lock _gate = new();

    public SqliteStore? Store { get; private set; }

    public SettingsRepository Settings => Store?.Settings
        ?? throw new InvalidOperationException("The store opens at initialize.");

    /// <summary>Raised once, when the store has opened.</summary>
    public event Action<SqliteStore>? Opened;

    /// <summary>Opens the store once; later calls are no-ops.</summary>
    public SqliteStore Open(string directory)
    {
        SqliteStore opened;
        lock (_gate)
        {
            if (Store is not null) return Store;
            Store = opened = SqliteStore.Open(directory, loggerFactory.CreateLogger("EditorAssist.Storage"), time: time);
        }
        Opened?.Invoke(opened);
        return opened;
    }

    public void Dispose() => Store?.Dispose();
}
