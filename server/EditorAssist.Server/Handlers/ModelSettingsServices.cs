using EditorAssist.Core.Metrics;
using EditorAssist.Downloads;
using EditorAssist.Storage;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;
using EditorAssist.Server.Hosting;
using EditorAssist.Server.Local;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace EditorAssist.Server.Handlers;

public static class ModelSettingsServices
{
    /// <summary>
    /// Per-model settings (<c>models/configure</c>) and per-model figures (<c>metrics/get</c>). The
    /// settings store and the recorder are shared with chat routing (<see cref="ProvidersServices"/>).
    /// </summary>
    public static IServiceCollection AddModelSettings(this IServiceCollection services)
    {
        services.TryAddScoped(sp => new ModelSettingsStore(() => sp.GetRequiredService<SqliteStore>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IRpcModule>(sp => new ModelSettingsModule(sp.GetRequiredService<SessionScope>(), sp.GetRequiredService<LocalRuntimeHost>()));
        services.TryAddSingleton(sp => new MetricsRecorder(sp.GetRequiredService<TimeProvider>(), sp.GetService<SidecarOptions>()?.Metrics ?? true));
        services.AddSingleton<IRpcModule>(sp => new MetricsModule(sp.GetRequiredService<MetricsRecorder>(), sp.GetRequiredService<LocalRuntimeHost>()));
        return services;
    }
}
