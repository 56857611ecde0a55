using System.Text.Json;
using EditorAssist.Core.Settings;
using EditorAssist.Server.Hosting;
using EditorAssist.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace EditorAssist.Server.Tests.Hosting;

public sealed class SettingsMonitorTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly SessionScope _storage = TestSessions.Create();

    public void Dispose()
    {
        _storage.Dispose();
        _dir.Dispose();
    }

    private static JsonElement Json(string text)
    {
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    [Fact]
    public void Defaults_before_the_store_opens_then_the_stored_values_and_every_update()
    {
        // A first session leaves a setting in the store.
        using (var first = TestSessions.Create())
            first.Begin(_dir.Path).Settings.Update(Json("""{"local.threads":3}"""));

        var monitor = new SettingsMonitor(_storage);
        var heard = new List<SidecarSettings>();
        using var subscription = monitor.OnChange((s, _) => heard.Add(s));
        Assert.Same(SidecarSettings.Defaults, monitor.CurrentValue);

        _storage.Begin(_dir.Path);
        Assert.Equal(3, monitor.CurrentValue.LocalThreads);
        Assert.Equal(3, Assert.Single(heard).LocalThreads);

        _storage.Store.Settings.Update(Json("""{"local.threads":5,"chat.model":"local/x"}"""));
        Assert.Equal(5, monitor.CurrentValue.LocalThreads);
        Assert.Equal("local/x", monitor.Get("any").ChatModel);
        Assert.Equal(5, heard[^1].LocalThreads);
        // Read once per change: the same instance until the next update.
        Assert.Same(monitor.CurrentValue, monitor.CurrentValue);

        subscription.Dispose();
        _storage.Store.Settings.Update(Json("""{"local.threads":null}"""));
        Assert.Null(monitor.CurrentValue.LocalThreads);
        Assert.Equal(2, heard.Count);
    }
}
