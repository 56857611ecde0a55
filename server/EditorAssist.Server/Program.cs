using EditorAssist.Downloads;
using EditorAssist.Storage;
using EditorAssist.Core.SystemInfo;
using EditorAssist.Server.Handlers;
using EditorAssist.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

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
            case "generate":
                using (var loggers = LoggerFactory.Create(l => SidecarLogging.Configure(l, options.LogLevel)))
                {
                    try
                    {
                        return await Cli.GenerateCommand.RunAsync(options.VerbArgs, loggers).ConfigureAwait(false);
                    }
                    catch (ArgumentException ex)
                    {
                        Console.Error.WriteLine($"error: {ex.Message}\n\n{Cli.GenerateCommand.Usage}");
                        return 2;
                    }
                }
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
        SidecarLogging.Configure(builder.Logging, options.LogLevel);
        ConfigureServices(builder.Services, options);

        using var host = builder.Build();
        await host.StartAsync().ConfigureAwait(false);
        var session = host.Services.GetRequiredService<SidecarSession>();
        var startup = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("EditorAssist.Startup");
        // Reading the process start time costs a /proc read and a Process object: only when asked for.
        if (startup.IsEnabled(LogLevel.Debug))
        {
            using var self = System.Diagnostics.Process.GetCurrentProcess();
            startup.LogDebug("Start-up: {SinceProcessStart:F0} ms since the process started.", (DateTime.Now - self.StartTime).TotalMilliseconds);
        }

        using var signals = ShutdownSignals.Register(session.End);

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

    public static void ConfigureServices(IServiceCollection services, SidecarOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        SessionScope.AddTo(services);
        // The client's settings, typed: features read IOptionsMonitor<SidecarSettings>.CurrentValue.
        services.AddSingleton<Microsoft.Extensions.Options.IOptionsMonitor<Core.Settings.SidecarSettings>, SettingsMonitor>();
        services.AddSingleton<Local.LocalRuntimeHost>();
        services.AddSingleton<IAcceleratorInfoSource>(sp => sp.GetRequiredService<Local.LocalRuntimeHost>());
        services.AddSingleton<SystemInfoProvider>();
        services.AddSingleton<SidecarSession>();
        services.AddSingleton<IRpcModule, LifecycleModule>();
        services.AddSingleton<IRpcModule, SettingsModule>();
        services.AddSingleton<IRpcModule, SystemModule>();
        services.AddSingleton<IRpcModule, LocalModelsModule>();
        services.AddSingleton<IRpcModule, TokenCountModule>();
        services.AddSingleton<Core.Providers.IChatProvider, Local.LlamaChatProvider>();
        services.AddProviders();
        services.AddModelSettings();
        services.AddSingleton<Completion.LocalInlineCompletion>();
        services.AddScoped<Completion.RemoteInlineCompletion>();
        services.AddScoped<Completion.InlineCompletion>();
        services.AddSingleton<IRpcModule, CompletionModule>();
        services.AddSingleton<ILoadedModels>(sp => sp.GetRequiredService<Local.LocalRuntimeHost>());
        // Downloads and the models folder: session services (they keep their state in the store).
        services.AddScoped(sp => LocalModelServices.Create(sp.GetRequiredService<EditorAssist.Storage.SqliteStore>(), sp.GetRequiredService<ILoadedModels>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<IRpcModule, ModelsModule>();
        services.AddSingleton<IRpcModule, StorageModule>();
        if (options.Diagnostics) services.AddSingleton<IRpcModule, DiagnosticsModule>();
    }
}
