using EditorAssist.Core.Models;
using EditorAssist.Core.Providers;
using EditorAssist.Server.Hosting;
using EditorAssist.Server.Local;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace EditorAssist.Server.Handlers;

public static class ModelSettingsServices
{
    /// <summary>Per-model settings (<c>models/configure</c>). The store itself is shared with chat routing (<see cref="ProvidersServices"/>).</summary>
    public static IServiceCollection AddModelSettings(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new ModelSettingsStore(() => sp.GetRequiredService<StoreHolder>().Store, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IRpcModule>(sp => new ModelSettingsModule(sp.GetRequiredService<ModelSettingsStore>(), sp.GetRequiredService<LocalRuntimeHost>(),
            new Lazy<ProviderRegistry>(sp.GetRequiredService<ProviderRegistry>)));
        return services;
    }
}
