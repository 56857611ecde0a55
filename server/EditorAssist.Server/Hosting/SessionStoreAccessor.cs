using EditorAssist.Core.Storage;

namespace EditorAssist.Server.Hosting;

/// <summary>
/// Lets singletons built before the session (the provider registry's state, chat history) reach the
/// store that opens at <c>initialize</c>, without a dependency cycle through <see cref="SidecarSession"/>.
/// </summary>
public sealed class SessionStoreAccessor
{
    private SidecarSession? _session;

    public SqliteStore? Store => _session?.Store;

    public void Attach(SidecarSession session) => _session ??= session;
}
