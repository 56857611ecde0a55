using EditorAssist.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace EditorAssist.Server.Hosting;

/// <summary>
/// The per-session services, built at <c>initialize</c> once the client has named the storage
/// directory and the store is open. Everything that persists — provider state, chat history,
/// per-model settings, the registry and router built on them, inline completion, downloads — is a
/// scoped service of this scope, so none of it ever sees a store that is not there yet.
/// </summary>
/// <remarks>
/// What lives for the whole process stays a singleton: the connection's modules (they register their
/// handlers before <c>initialize</c> and ask <see cref="Get{T}"/> per request — the transport refuses
/// requests before <c>initialize</c>), the local runtime (loaded models outlive nothing but the
/// process), keys in memory, the settings monitor (defaults until the store opens). The scope owns
/// the store: it is its first service, so it is disposed last, after the downloads have recorded
/// where they stopped.
/// </remarks>
public sealed class SessionScope(IServiceProvider root, ILoggerFactory loggerFactory, TimeProvider time) : IAsyncDisposable, IDisposable
{
    private readonly Lock _gate = new();
    private IServiceScope? _scope;
    private SqliteStore? _store;

    /// <summary>Whether <c>initialize</c> has begun the session (the store is open).</summary>
    public bool HasBegun => Volatile.Read(ref _scope) is not null;

    /// <summary>The session's store.</summary>
    /// <exception cref="InvalidOperationException">Before <c>initialize</c>: a programming error, since no request runs then.</exception>
    public SqliteStore Store => Volatile.Read(ref _store) ?? throw NotBegun();

    /// <summary>The session's services (scoped registrations).</summary>
    public IServiceProvider Services => Volatile.Read(ref _scope)?.ServiceProvider ?? throw NotBegun();

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>Raised once, when the session has begun, with its store.</summary>
    public event Action<SqliteStore>? Began;

    /// <summary>Opens the store in <paramref name="directory"/> and builds the scope; later calls return the open store.</summary>
    public SqliteStore Begin(string directory)
    {
        SqliteStore store;
        lock (_gate)
        {
            if (_store is not null) return _store;
            store = SqliteStore.Open(directory, loggerFactory.CreateLogger("EditorAssist.Storage"), time: time);
            var scope = root.CreateScope();
            Volatile.Write(ref _store, store);
            // The store is the scope's first service: the scope disposes it, and last.
            scope.ServiceProvider.GetRequiredService<SqliteStore>();
            Volatile.Write(ref _scope, scope);
        }
        Began?.Invoke(store);
        return store;
    }

    /// <summary>Registers the store as the scope's service (the factory reads what <see cref="Begin"/> opened).</summary>
    public static void AddTo(IServiceCollection services)
    {
        services.TryAddSingleton<SessionScope>();
        services.TryAddScoped(sp => sp.GetRequiredService<SessionScope>().Store);
        services.TryAddScoped(sp => sp.GetRequiredService<SqliteStore>().Settings);
    }

    public async ValueTask DisposeAsync()
    {
        IServiceScope? scope;
        lock (_gate) { scope = _scope; _scope = null; }
        if (scope is IAsyncDisposable async) await async.DisposeAsync().ConfigureAwait(false);
        else scope?.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static InvalidOperationException NotBegun() => new("The session begins at initialize; nothing that needs its store may run before.");
}
