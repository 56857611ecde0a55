using EditorAssist.Core.Errors;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;
using EditorAssist.Storage;
using EditorAssist.Server.Hosting;
using EditorAssist.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EditorAssist.Server.Tests.Hosting;

public class RedactingLoggerProviderTests
{
    private sealed class ListProvider(ListLogger logger) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => logger;
        public void Dispose() { }
    }

    [Fact]
    public void Messages_and_exceptions_are_redacted_before_the_inner_logger_sees_them()
    {
        var keys = new ApiKeyStore();
        keys.Set("custom", "custom-secret-value-42");
        var lines = new ListLogger();
        var logger = new RedactingLoggerProvider(new ListProvider(lines)).CreateLogger("t");
        logger.LogWarning("Request failed with header Authorization: Bearer sk-live-abcdefghijklmnop and {Key}", "custom-secret-value-42");
        logger.LogError(new InvalidOperationException("server echoed x-api-key: sk-ant-zzzzzzzzzzzzzzzz"), "Call failed");
        var all = string.Join("\n", lines.Lines);
        Assert.DoesNotContain("sk-live-abcdefghijklmnop", all);
        Assert.DoesNotContain("custom-secret-value-42", all);
        Assert.DoesNotContain("sk-ant-zzzzzzzzzzzzzzzz", all);
        Assert.Contains("Call failed", all);
        Assert.Contains(Redactor.Mask, all);
    }

    [Fact]
    public void The_sidecar_logging_setup_wraps_the_console_provider()
    {
        var services = new ServiceCollection();
        services.AddLogging(b => SidecarLogging.Configure(b, LogLevel.Information));
        using var sp = services.BuildServiceProvider();
        var providers = sp.GetServices<ILoggerProvider>().ToList();
        Assert.NotEmpty(providers);
        Assert.All(providers, p => Assert.IsType<RedactingLoggerProvider>(p));
    }

    [Fact]
    public void Error_messages_crossing_the_wire_are_redacted()
    {
        var mapped = ErrorMapping.Map(new EditorAssistException(ErrorCode.ApiKeyRejected, "Key sk-proj-0123456789abcdef was rejected")
        {
            Details = new Dictionary<string, object?> { ["echo"] = "Bearer abcdefghijkl0123" },
        })!;
        Assert.DoesNotContain("sk-proj-0123456789abcdef", mapped.Message);
        using var buffer = new MemoryStream();
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer)) mapped.WriteData!(w);
        Assert.DoesNotContain("abcdefghijkl0123", System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
