using System.Text.Json;
using EditorAssist.Downloads;
using EditorAssist.Storage;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;
using EditorAssist.Testing;

namespace EditorAssist.Core.Tests.Models;

public class ModelSettingsTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ListLogger _log = new();

    public void Dispose() => _dir.Dispose();

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    [Fact]
    public void Merge_replaces_named_fields_clears_nulls_and_keeps_the_rest()
    {
        var first = ModelParamsRules.Merge(ModelParams.Empty, Json("""{"temperature":0.2,"stop":["###"],"systemPrompt":"Be brief."}"""));
        var second = ModelParamsRules.Merge(first, Json("""{"temperature":null,"maxTokens":64,"stop":[]}"""));
        Assert.Null(second.Temperature);
        Assert.Null(second.Stop);
        Assert.Equal(64, second.MaxTokens);
        Assert.Equal("Be brief.", second.SystemPrompt);
        Assert.True(ModelParamsRules.Merge(second, Json("""{"maxTokens":null,"systemPrompt":""}""")).IsEmpty);
    }

    [Theory]
    [InlineData("""{"temperature":2.5}""", "params.temperature")]
    [InlineData("""{"topP":0}""", "params.topP")]
    [InlineData("""{"topK":-1}""", "params.topK")]
    [InlineData("""{"minP":1.5}""", "params.minP")]
    [InlineData("""{"contextLength":64}""", "params.contextLength")]
    [InlineData("""{"contextLength":1.5}""", "params.contextLength")]
    [InlineData("""{"maxTokens":0}""", "params.maxTokens")]
    [InlineData("""{"contextLength":512,"maxTokens":512}""", "params.maxTokens")]
    [InlineData("""{"stop":["a",""]}""", "params.stop[1]")]
    [InlineData("""{"stop":"a"}""", "params.stop")]
    [InlineData("""{"systemPrompt":5}""", "params.systemPrompt")]
    [InlineData("""{"seed":5}""", "params.seed")]
    public void Merge_refuses_bad_values_naming_the_field(string patch, string field)
    {
        var ex = Assert.Throws<ArgumentException>(() => ModelParamsRules.Merge(ModelParams.Empty, Json(patch)));
        Assert.StartsWith(field, ex.Message);
    }

    [Fact]
    public void Settings_persist_in_sqlite_and_settings_made_before_the_store_opened_are_kept()
    {
        SqliteStore? store = null;
        var settings = new ModelSettingsStore(() => store);
        settings.Set("local/a", new ModelParams { Temperature = 0 }); // before initialize: memory only
        store = SqliteStore.Open(_dir.Path, _log);
        settings.Set("openai/gpt-4o", new ModelParams { Stop = ["END"], ContextLength = 8192 });
        Assert.Equal(0, settings.Get("local/a").Temperature);
        store.Dispose();

        using var reopened = SqliteStore.Open(_dir.Path, _log);
        var fresh = new ModelSettingsStore(() => reopened);
        Assert.Equal(new ModelParams { Stop = ["END"], ContextLength = 8192 }, fresh.Get("openai/gpt-4o"));
        Assert.Equal(0, fresh.Get("local/a").Temperature);
        fresh.Set("local/a", ModelParams.Empty);
        Assert.True(new ModelSettingsStore(() => reopened).Get("local/a").IsEmpty);
        Assert.Equal(["openai/gpt-4o"], fresh.All.Keys);
    }

    [Fact]
    public void Apply_lets_the_request_win_and_adds_the_system_prompt_only_when_there_is_none()
    {
        var settings = new ModelSettingsStore(() => null);
        settings.Set("local/a", new ModelParams { Temperature = 0, MaxTokens = 10, Stop = ["x"], SystemPrompt = "Be brief.", ContextLength = 2048 });
        var (messages, p) = settings.Apply("local/a", [new ChatMessage("user", "hi")], new ChatParams { MaxTokens = 99, Stop = [] });
        Assert.Equal(["system", "user"], messages.Select(m => m.Role));
        Assert.Equal("Be brief.", messages[0].Content);
        Assert.Equal(0, p.Temperature);
        Assert.Equal(99, p.MaxTokens);
        Assert.Empty(p.Stop!);
        Assert.Equal(2048, p.ContextLength);

        var own = settings.Apply("local/a", [new ChatMessage("system", "mine"), new ChatMessage("user", "hi")], new ChatParams()).Messages;
        Assert.Equal("mine", Assert.Single(own, m => m.Role == "system").Content);
        var other = settings.Apply("local/b", [new ChatMessage("user", "hi")], new ChatParams());
        Assert.Single(other.Messages);
        Assert.Null(other.Params.Temperature);
    }
}
