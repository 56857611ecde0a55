using EditorAssist.Core.Chat;
using EditorAssist.Storage;
using EditorAssist.Downloads;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;
using EditorAssist.Providers.Http;
using EditorAssist.Core.Routing;
using EditorAssist.Providers.Routing;
using EditorAssist.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace EditorAssist.Server.Handlers;

public static class ProvidersServices
{
    /// <summary>
    /// The provider registry, routing and chat. The local runtime plugs in by registering its
    /// <see cref="IChatProvider"/> (descriptor id "local", kind Local) with
    /// <c>services.AddSingleton&lt;IChatProvider, LlamaChatProvider&gt;()</c>; nothing else changes.
    /// A test may register its own <see cref="ProviderHttp"/> (primary handler, retry timings) first.
    /// </summary>
    public static IServiceCollection AddProviders(this IServiceCollection services)
    {
        SessionScope.AddTo(services);
        services.TryAddSingleton(_ => new ProviderHttp());
        services.TryAddSingleton<ApiKeyStore>();
        // The editor's models (issue 15): a provider like any other, fed and asked by the extension.
        services.TryAddSingleton<EditorAssist.Providers.Host.HostChatProvider>();
        services.AddSingleton<IChatProvider>(sp => sp.GetRequiredService<EditorAssist.Providers.Host.HostChatProvider>());
        services.AddSingleton<IRpcModule>(sp => new HostModule(sp.GetRequiredService<EditorAssist.Providers.Host.HostChatProvider>(), sp.GetRequiredService<ILogger<HostModule>>()));
        // The session's services (SessionScope): everything that reads or writes the store.
        services.TryAddScoped(sp => new ProviderState(() => sp.GetRequiredService<SqliteStore>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddScoped(sp => new ProviderRegistry(
            sp.GetServices<IChatProvider>(), sp.GetRequiredService<ProviderHttp>(), sp.GetRequiredService<ApiKeyStore>(), sp.GetRequiredService<ProviderState>()));
        services.TryAddScoped(sp => new ModelDiscovery(sp.GetRequiredService<ProviderRegistry>(), sp.GetRequiredService<ILogger<ModelDiscovery>>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddScoped(sp => new ChatHistory(() => sp.GetRequiredService<SqliteStore>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddScoped(sp => new ModelSettingsStore(() => sp.GetRequiredService<SqliteStore>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddScoped(sp => new ChatRouter(sp.GetRequiredService<ProviderRegistry>(), sp.GetRequiredService<ModelDiscovery>(),
            sp.GetRequiredService<ChatHistory>(), sp.GetRequiredService<ILogger<ChatRouter>>(), sp.GetRequiredService<ModelSettingsStore>(), sp.GetService<Core.Metrics.MetricsRecorder>()));
        services.AddSingleton<IRpcModule>(sp => new ProvidersModule(sp.GetRequiredService<SessionScope>(), sp.GetRequiredService<ILogger<ProvidersModule>>()));
        // MCP servers (issue 14): a session service, connected on mcp/configure; local-only mode (the router
        // policy, in the session's provider state) refuses cloud ones. The scope disposes it (servers closed).
        services.TryAddScoped(sp =>
        {
            var state = sp.GetRequiredService<ProviderState>();
            var manager = new EditorAssist.Providers.Mcp.McpManager(() => state.GetRouterPolicy().Strategy == RoutingStrategy.LocalOnly,
                sp.GetRequiredService<ILoggerFactory>(), new EditorAssist.Providers.Mcp.McpManagerOptions { ClientVersion = SidecarSession.ServerVersion, Time = sp.GetRequiredService<TimeProvider>() });
            state.RouterPolicyChanged += manager.PolicyChanged;
            return manager;
        });
        services.AddSingleton<IRpcModule>(sp => new McpModule(sp.GetRequiredService<SessionScope>()));
        services.AddSingleton<IRpcModule>(sp => new ChatModule(sp.GetRequiredService<SessionScope>()));
        return services;
    }
}
