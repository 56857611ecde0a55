using System.Runtime.InteropServices;
using EditorAssist.Core.Models;
using EditorAssist.Core.SystemInfo;
using EditorAssist.Server.Handlers;
using EditorAssist.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace EditorAssist.Server;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        SidecarOptions options;
        try
        {
            options = SidecarOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}\n\n{SidecarOptions.Usage}");
            return 2;
        }

        switch (options.Verb)
        {
            case "help":
                Console.Error.WriteLine(SidecarOptions.Usage);
                return 0;
            case "version":
                Console.WriteLine(SidecarSession.ServerVersion);
                return 0;
            case "pull" or "models" or "rm" or "catalog":
                return await Cli.ModelCommands.RunAsync(options).ConfigureAwait(false);
        }

        // Before anything can log or print: stdout now belongs to the protocol alone.
        var (input, output) = StdioStreams.Acquire();

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ApplicationName = "EditorAssist.Server",
            ContentRootPath = AppContext.BaseDirectory,
            DisableDefaults = true,
        });
        ConfigureLogging(builder.Logging, options.LogLevel);
        ConfigureServices(builder.Services, options);

        using var host = builder.Build();
        await host.StartAsync().ConfigureAwait(false);
        var session = host.Services.GetRequiredService<SidecarSession>();

        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; session.End("SIGTERM"); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => { ctx.Cancel = true; session.End("SIGINT"); });

        int code;
        try
        {
            code = await session.RunAsync(input, output).ConfigureAwait(false);
        }
        finally
        {
            await session.DisposeAsync().ConfigureAwait(false);
            await host.StopAsync().ConfigureAwait(false);
        }
        return code;
    }

    public static void ConfigureLogging(ILoggingBuilder logging, LogLevel level)
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
    }

    public static void ConfigureServices(IServiceCollection services, SidecarOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IAcceleratorInfoSource, NoAccelerators>();
        services.AddSingleton<SystemInfoProvider>();
        services.AddSingleton<SidecarSession>();
        services.AddSingleton<IRpcModule, LifecycleModule>();
        services.AddSingleton<IRpcModule, SettingsModule>();
        services.AddSingleton<IRpcModule, SystemModule>();
        services.TryAddSingleton<ILoadedModels>(NoLoadedModels.Instance); // the llama runtime registers the real one
        services.AddSingleton<LocalModelServicesAccessor>();
        services.AddSingleton<IRpcModule, ModelsModule>();
        services.AddSingleton<IRpcModule, StorageModule>();
        if (options.Diagnostics) services.AddSingleton<IRpcModule, DiagnosticsModule>();
    }
}
