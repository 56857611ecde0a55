using EditorAssist.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EditorAssist.Server.Tests.Hosting;

/// <summary>A <see cref="SessionScope"/> from its own container, as the sidecar builds it (not begun yet).</summary>
internal static class TestSessions
{
    public static SessionScope Create(Action<IServiceCollection>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        SessionScope.AddTo(services);
        configure?.Invoke(services);
        return services.BuildServiceProvider().GetRequiredService<SessionScope>();
    }
}
