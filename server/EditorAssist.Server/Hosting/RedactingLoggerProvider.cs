using EditorAssist.Core.Providers;
using EditorAssist.Providers;
using EditorAssist.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EditorAssist.Server.Hosting;

/// <summary>
/// Wraps every logger provider so that each message and exception text passes through
/// <see cref="Redactor"/> before it is written: a key that reached an exception message or a log
/// argument anywhere (ours, an SDK's) never reaches stderr.
/// </summary>
public sealed class RedactingLoggerProvider(ILoggerProvider inner) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new RedactingLogger(inner.CreateLogger(categoryName));

    public void Dispose() => inner.Dispose();

    /// <summary>Replaces each registered <see cref="ILoggerProvider"/> with a redacting wrapper of it.</summary>
    public static void WrapAll(IServiceCollection services)
    {
        for (var i = 0; i < services.Count; i++)
        {
            var d = services[i];
            if (d.ServiceType != typeof(ILoggerProvider) || d.ImplementationType is not { } type || type == typeof(RedactingLoggerProvider)) continue;
            services.AddSingleton(type);
            services[i] = ServiceDescriptor.Singleton<ILoggerProvider>(sp => new RedactingLoggerProvider((ILoggerProvider)sp.GetRequiredService(type)));
        }
    }

    private sealed class RedactingLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel)) return;
            var message = Redactor.Redact(formatter(state, exception));
            if (exception is not null) message += Environment.NewLine + Redactor.Redact(exception.ToString());
            inner.Log(logLevel, eventId, message, null, static (s, _) => s);
        }
    }
}
