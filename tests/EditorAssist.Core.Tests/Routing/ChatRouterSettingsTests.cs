using System.Text.Json;
using EditorAssist.Core.Metrics;
using EditorAssist.Downloads;
using EditorAssist.Storage;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;
using EditorAssist.Core.Routing;
using EditorAssist.Providers.Routing;
using EditorAssist.Core.Tests.Providers;
using EditorAssist.Testing.Fakes;

namespace EditorAssist.Core.Tests.Routing;

/// <summary>The router's hooks of issue 16 against a loopback OpenAI-compatible server: stored settings, metrics, context fitting.</summary>
public class ChatRouterSettingsTests : IAsyncLifetime
{
    private OpenAiFakeServer _server = null!;

    public async Task InitializeAsync() => _server = await OpenAiFakeServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static ChatRouter Router(TestBed bed, ModelSettingsStore settings, MetricsRecorder metrics) =>
        new(bed.Registry, bed.Discovery, bed.History, null, settings, metrics);

    private JsonElement LastBody() => JsonDocument.Parse(_server.Requests.Last(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal)).Body).RootElement.Clone();

    [Fact]
    public async Task Stored_settings_fill_in_what_the_request_leaves_out_and_the_request_wins()
    {
        using var bed = new TestBed();
        bed.Registry.Configure("lmstudio", _server.BaseUrl, null);
        var settings = new ModelSettingsStore(() => null);
        settings.Set("lmstudio/fake-model", new ModelParams { Temperature = 0, TopP = 0.5, MaxTokens = 77, Stop = ["###"], SystemPrompt = "Be brief." });
        var metrics = new MetricsRecorder();
        var router = Router(bed, settings, metrics);

        await router.SendAsync(new ChatSendRequest { Model = "lmstudio/fake-model", Messages = [new("user", "hi")] }, _ => { }, default);
        var body = LastBody();
        Assert.Equal(0, body.GetProperty("temperature").GetDouble());
        Assert.Equal(0.5, body.GetProperty("top_p").GetDouble());
        Assert.Equal("###", body.GetProperty("stop")[0].GetString());
        Assert.Contains("77", body.ToString());
        var first = body.GetProperty("messages")[0];
        Assert.Equal("system", first.GetProperty("role").GetString());
        Assert.Equal("Be brief.", first.GetProperty("content").GetString());

        await router.SendAsync(new ChatSendRequest
        {
            Model = "lmstudio/fake-model", Messages = [new("system", "mine"), new("user", "hi")], Params = new ChatParams { Temperature = 0.9 },
        }, _ => { }, default);
        body = LastBody();
        Assert.Equal(0.9, body.GetProperty("temperature").GetDouble(), 3);
        Assert.Equal(["mine"], body.GetProperty("messages").EnumerateArray().Where(m => m.GetProperty("role").GetString() == "system").Select(m => m.GetProperty("content").GetString()));

        var figures = metrics.Get("lmstudio/fake-model")!;
        Assert.Equal(2, figures.Requests);
        Assert.NotNull(figures.TtftMsP50);
    }

    [Fact]
    public async Task A_remote_conversation_longer_than_the_known_context_loses_its_oldest_turns()
    {
        using var bed = new TestBed();
        bed.Registry.Configure("lmstudio", _server.BaseUrl, null);
        var settings = new ModelSettingsStore(() => null);
        settings.Set("lmstudio/fake-model", new ModelParams { ContextLength = 1000, MaxTokens = 100 });
        var router = Router(bed, settings, new MetricsRecorder());
        var messages = Enumerable.Range(0, 20).Select(i => new ChatMessage(i % 2 == 0 ? "user" : "assistant", $"{i:00} " + new string('x', 300))).Append(new ChatMessage("user", "newest")).ToList();

        var result = await router.SendAsync(new ChatSendRequest { Model = "lmstudio/fake-model", Messages = messages }, _ => { }, default);
        Assert.True(result.TrimmedMessages > 10, $"{result.TrimmedMessages}");
        Assert.Equal(1000, result.ContextLength);
        var sent = LastBody().GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("content").GetString()!).ToList();
        Assert.Equal("newest", sent[^1]);
        Assert.Equal(messages.Count - result.TrimmedMessages, sent.Count);
        Assert.StartsWith(messages[result.TrimmedMessages].Content, sent[0]);
        Assert.Equal("user", LastBody().GetProperty("messages")[0].GetProperty("role").GetString());
    }

    [Fact]
    public async Task A_failed_request_counts_as_an_error()
    {
        using var bed = new TestBed();
        bed.Registry.Configure("lmstudio", _server.BaseUrl, null);
        _server.DefaultReply = new StatusReply(400, """{"error":{"message":"bad request"}}""");
        var metrics = new MetricsRecorder();
        var router = Router(bed, new ModelSettingsStore(() => null), metrics);
        bed.State.SetRouterPolicy(RouterPolicy.Default with { Fallback = false });
        await Assert.ThrowsAnyAsync<Exception>(() => router.SendAsync(new ChatSendRequest { Model = "lmstudio/fake-model", Messages = [new("user", "hi")] }, _ => { }, default));
        var f = metrics.Get("lmstudio/fake-model")!;
        Assert.Equal((1, 1), (f.Requests, f.Errors));
    }
}
