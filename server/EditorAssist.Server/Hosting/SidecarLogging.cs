using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace EditorAssist.Server.Hosting;

/// <summary>The sidecar's logging: everything to stderr (stdout carries protocol frames only), keys redacted.</summary>
internal static class SidecarLogging
{
    public static void Configure(ILoggingBuilder logging, LogLevel level)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(level);
        // The host's own lifecycle chatter ("Press Ctrl+C…") means nothing to a sidecar.
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.ColorBehavior = LoggerColorBehavior.Disabled;
            o.TimestampFormat = "HH:mm:ss.fff ";
            o.UseUtcTimestamp = false;
        });
        // Every level to stderr: stdout is the protocol's.
        logging.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        // Keys never reach stderr, whoever logs them (docs/PROVIDERS.md "Keys").
        RedactingLoggerProvider.WrapAll(logging.Services);
    }
}
