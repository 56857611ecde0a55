using System.Text.Json;
using EditorAssist.Core.Errors;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;
using EditorAssist.Storage;
using EditorAssist.Testing.Fakes;

namespace EditorAssist.Core.Tests.Providers;

/// <summary>Anthropic Messages streaming through the official Anthropic SDK against a loopback fake.</summary>
public class AnthropicProviderTests : IAsyncLifetime
{
    private AnthropicFakeServer _server = null!;
    private TestBed _bed = null!;

    public async Task InitializeAsync()
    {
        _server = await AnthropicFakeServer.StartAsync();
        _bed = new TestBed();
        _bed.Registry.Configure("anthropic", _server.BaseUrl, null);
        _bed.Keys.Set("anthropic", "sk-ant-test-0123456789abcdef");
    }

    public async Task DisposeAsync()
    {
        _bed.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Streams_text_deltas_with_usage_from_message_start_and_message_delta()
    {
        _server.Enqueue(new StreamReply(["Bonjour", " le", " monde"], PromptTokens: 30, CompletionTokens: 3, CachedTokens: 10));
        var (text, final, deltas) = await _bed.ChatAsync("anthropic", "claude-sonnet-4-20250514", p: new ChatParams { Temperature = 0.5, TopK = 20, MaxTokens = 100 });
        Assert.Equal("Bonjour le monde", text);
        Assert.Equal(3, deltas);
        Assert.Equal(new ChatUsage(30, 3, 10), final.Usage);
        Assert.Equal(FinishReasons.Stop, final.FinishReason);
        Assert.Equal("claude-sonnet-4-20250514", final.Model);

        var request = Assert.Single(_server.Requests);
        Assert.Equal("/v1/messages", request.Path);
        // The SDK owns the auth header: x-api-key in older versions, a Bearer token in 13.x.
        Assert.True(request.Headers.GetValueOrDefault("x-api-key") == "sk-ant-test-0123456789abcdef"
                    || request.Headers.GetValueOrDefault("authorization") == "Bearer sk-ant-test-0123456789abcdef");
        Assert.True(request.Headers.ContainsKey("anthropic-version"));
        using var body = JsonDocument.Parse(request.Body);
        var root = body.RootElement;
        Assert.Equal("Be brief.", root.GetProperty("system").GetString());
        Assert.Equal(1, root.GetProperty("messages").GetArrayLength());
        Assert.Equal("user", root.GetProperty("messages")[0].GetProperty("role").GetString());
        Assert.Equal(100, root.GetProperty("max_tokens").GetInt32());
        Assert.Equal(20, root.GetProperty("top_k").GetInt32());
        Assert.True(root.GetProperty("stream").GetBoolean());
    }

    [Fact]
    public async Task Thinking_asks_for_a_budget_on_top_of_max_tokens_and_leaves_out_the_settings_the_api_refuses_with_it()
    {
        _server.Enqueue(new StreamReply(["ok"]));
        await _bed.ChatAsync("anthropic", "claude-sonnet-4-5", p: new ChatParams { Thinking = true, ReasoningBudget = 2000, MaxTokens = 500, Temperature = 0.2, TopK = 5, TopP = 0.9 });
        using (var body = JsonDocument.Parse(_server.Requests[^1].Body))
        {
            var root = body.RootElement;
            Assert.Equal("enabled", root.GetProperty("thinking").GetProperty("type").GetString());
            Assert.Equal(2000, root.GetProperty("thinking").GetProperty("budget_tokens").GetInt32());
            Assert.Equal(2500, root.GetProperty("max_tokens").GetInt32());
            Assert.False(root.TryGetProperty("temperature", out _));
            Assert.False(root.TryGetProperty("top_k", out _));
            Assert.False(root.TryGetProperty("top_p", out _)); // below 0.95
        }

        // Off (or not set): no thinking field, the sampling settings as given.
        _server.Enqueue(new StreamReply(["ok"]));
        await _bed.ChatAsync("anthropic", "claude-sonnet-4-5", p: new ChatParams { Thinking = false, ReasoningBudget = 2000, MaxTokens = 500, Temperature = 0.2 });
        using (var body = JsonDocument.Parse(_server.Requests[^1].Body))
        {
            Assert.False(body.RootElement.TryGetProperty("thinking", out _));
            Assert.Equal(500, body.RootElement.GetProperty("max_tokens").GetInt32());
            Assert.Equal(0.2, body.RootElement.GetProperty("temperature").GetDouble());
        }
    }

    [Fact]
    public async Task Max_tokens_stop_reason_is_length()
    {
        _server.Enqueue(new StreamReply(["cut"], Finish: "length"));
        Assert.Equal(FinishReasons.Length, (await _bed.ChatAsync("anthropic")).Final.FinishReason);
    }

    [Fact]
    public async Task Authentication_error_is_1005()
    {
        _server.Enqueue(new StatusReply(401, AnthropicFakeServer.ErrorBody("authentication_error", "invalid x-api-key")));
        Assert.Equal(ErrorCode.ApiKeyRejected, (await TestBed.Fails(() => _bed.ChatAsync("anthropic"))).Code);
        var status = await _bed.Provider("anthropic").CheckAsync(_bed.Context("anthropic"), default);
        Assert.Equal(Availability.Readily, status.Availability); // the models endpoint of the fake accepts the key
    }

    [Fact]
    public async Task Prompt_too_long_is_1007()
    {
        _server.Enqueue(new StatusReply(400, AnthropicFakeServer.ErrorBody("invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum")));
        Assert.Equal(ErrorCode.ContextLengthExceeded, (await TestBed.Fails(() => _bed.ChatAsync("anthropic"))).Code);
    }

    [Fact]
    public async Task Overloaded_529_is_retried_then_succeeds()
    {
        _server.Enqueue(new StatusReply(529, AnthropicFakeServer.ErrorBody("overloaded_error", "Overloaded")));
        Assert.Equal("Hello, world", (await _bed.ChatAsync("anthropic")).Text);
        Assert.Equal(2, _server.ChatRequests);
    }

    [Fact]
    public async Task An_error_event_mid_stream_fails_without_a_retry()
    {
        _server.Enqueue(new ErrorEventReply(["Partial"], "overloaded_error", "Overloaded"));
        var ex = await TestBed.Fails(() => _bed.ChatAsync("anthropic"));
        Assert.Equal(ErrorCode.ProviderUnavailable, ex.Code);
        Assert.Equal(1, _server.ChatRequests);
    }

    [Fact]
    public async Task Lists_models_from_the_models_endpoint()
    {
        var models = await _bed.Provider("anthropic").ListModelsAsync(_bed.Context("anthropic"), default);
        Assert.Equal(["claude-sonnet-4-20250514", "claude-3-5-haiku-20241022"], models.Select(m => m.Id));
        Assert.Equal("Claude Sonnet 4", models[0].DisplayName);
        Assert.Equal(3.00, models[0].Pricing!.Input);
    }
}
