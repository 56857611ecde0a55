using System.Text.Json;
using EditorAssist.Storage;
using EditorAssist.Testing;

namespace EditorAssist.Core.Tests.Storage;

public class SettingsRepositoryTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static JsonElement Json(string s) => JsonDocument.Parse(s).RootElement.Clone();

    [Fact]
    public void Updates_merge_replace_and_delete_and_survive_a_reopen()
    {
        using (var store = SqliteStore.Open(_dir.Path, new ListLogger()))
        {
            var settings = store.Settings;
            settings.Update(Json("""{"a":1,"b":{"c":[1,2]},"d":"x"}"""));
            settings.Update(Json("""{"a":2,"d":null}"""));
            var all = settings.GetAll();
            Assert.Equal(2, all.GetProperty("a").GetInt32());
            Assert.Equal(2, all.GetProperty("b").GetProperty("c")[1].GetInt32());
            Assert.False(all.TryGetProperty("d", out _));
        }
        using (var store = SqliteStore.Open(_dir.Path, new ListLogger()))
        {
            var settings = store.Settings;
            Assert.Equal(2, settings.Get("a")!.Value.GetInt32());
            Assert.Null(settings.Get("d"));
            Assert.Equal("""{"a":2,"b":{"c":[1,2]}}""", settings.GetAll().GetRawText());
        }
    }

    [Fact]
    public void Non_object_settings_are_refused()
    {
        using var store = SqliteStore.Open(_dir.Path, new ListLogger());
        Assert.Throws<ArgumentException>(() => store.Settings.Update(Json("[1]")));
    }
}
