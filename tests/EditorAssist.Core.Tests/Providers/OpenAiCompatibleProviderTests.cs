using System.Text.Json;
using EditorAssist.Core.Errors;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;
using EditorAssist.Storage;
using EditorAssist.Providers.Http;
using EditorAssist.Testing.Fakes;

namespace EditorAssist.Core.Tests.Providers;

/// <summary>OpenAI-compatible chat through the official OpenAI SDK against a loopback fake.</summary>
public class OpenAiCompatibleProviderTests : IAsyncLifetime
{
    private OpenAiFakeServer _server = null!;
    private TestBed _bed = null!;

    public async Task InitializeAsync()
    {
        _server = await OpenAiFakeServer.StartAsync();
        _bed = new TestBed();
        _bed.Registry.Configure("openai", _server.BaseUrl, null);
        _bed.Keys.Set("openai", "sk-test-openai-0123456789");
    }

    public async Task DisposeAsync()
    {
        _bed.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Streams_deltas_that_assemble_to_the_content_with_usage_and_finish_reason()
    {
        _server.Enqueue(new StreamReply(["The ", "answer ", "is ", "42."], PromptTokens: 21, CompletionTokens: 4, CachedTokens: 8, Model: "gpt-4.1-mini-2025-04-14"));
        var (text, final, deltas) = await _bed.ChatAsync("openai", "gpt-4.1-mini", p: new ChatParams { Temperature = 0.2, MaxTokens = 64, Stop = ["\n\n"], Seed = 7 });
        Assert.Equal("The answer is 42.", text);
        Assert.Equal(4, deltas);
        Assert.Equal(FinishReasons.Stop, final.FinishReason);
        Assert.Equal(new ChatUsage(21, 4, 8), final.Usage);
        Assert.Equal("gpt-4.1-mini-2025-04-14", final.Model);

        var request = Assert.Single(_server.Requests);
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Equal("Bearer sk-test-openai-0123456789", request.Headers["authorization"]);
        using var body = JsonDocument.Parse(request.Body);
        var root = body.RootElement;
        Assert.Equal("gpt-4.1-mini", root.GetProperty("model").GetString());
        Assert.True(root.GetProperty("stream").GetBoolean());
        Assert.True(root.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        Assert.Equal("system", root.GetProperty("messages")[0].GetProperty("role").GetString());
        Assert.Equal(0.2, root.GetProperty("temperature").GetDouble(), 3);
        Assert.Equal(7, root.GetProperty("seed").GetInt64());
        Assert.Equal("\n\n", root.GetProperty("stop")[0].GetString());
        Assert.Equal(64, root.GetProperty("max_completion_tokens").GetInt32());
        Assert.False(root.TryGetProperty("max_tokens", out _));
    }

    [Fact]
    public async Task Compatible_servers_get_max_tokens_and_openai_gets_max_completion_tokens()
    {
        _bed.Registry.Configure("vllm", _server.BaseUrl, null);
        await _bed.ChatAsync("vllm", p: new ChatParams { MaxTokens = 32 });
        using var body = JsonDocument.Parse(Assert.Single(_server.Requests).Body);
        Assert.Equal(32, body.RootElement.GetProperty("max_tokens").GetInt32());
        Assert.False(body.RootElement.TryGetProperty("max_completion_tokens", out _));
    }

    [Fact]
    public async Task Length_finish_is_reported()
    {
        _server.Enqueue(new StreamReply(["a", "b"], Finish: "length"));
        var (_, final, _) = await _bed.ChatAsync("openai");
        Assert.Equal(FinishReasons.Length, final.FinishReason);
    }

    [Fact]
    public async Task A_500_then_success_is_retried_with_backoff()
    {
        _server.Enqueue(new StatusReply(500, """{"error":{"message":"boom","type":"server_error"}}"""));
        var (text, _, _) = await _bed.ChatAsync("openai");
        Assert.Equal("Hello, world", text);
        Assert.Equal(2, _server.ChatRequests);
        var delay = Assert.Single(_bed.Delays);
        Assert.InRange(delay, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500));
    }

    [Theory]
    [InlineData(408)]
    [InlineData(409)]
    [InlineData(502)]
    [InlineData(503)]
    public async Task Retryable_statuses_are_retried(int status)
    {
        _server.Enqueue(new StatusReply(status, """{"error":{"message":"try again"}}"""));
        var (text, _, _) = await _bed.ChatAsync("openai");
        Assert.Equal("Hello, world", text);
        Assert.Equal(2, _server.ChatRequests);
    }

    [Fact]
    public async Task Retry_after_ms_wins_over_retry_after_and_is_honoured()
    {
        _server.Enqueue(new StatusReply(429, """{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}""",
            new Dictionary<string, string> { ["retry-after-ms"] = "1234", ["retry-after"] = "9" }));
        await _bed.ChatAsync("openai");
        Assert.Equal(TimeSpan.FromMilliseconds(1234), Assert.Single(_bed.Delays));
    }

    [Fact]
    public async Task Retry_after_seconds_and_http_date_forms_are_honoured()
    {
        _server.Enqueue(
            new StatusReply(429, "{}", new Dictionary<string, string> { ["retry-after"] = "3" }),
            new StatusReply(503, "{}", new Dictionary<string, string> { ["retry-after"] = DateTimeOffset.UtcNow.AddSeconds(5).ToString("R") }));
        await _bed.ChatAsync("openai");
        var delays = _bed.Delays.OrderBy(d => d).ToList();
        Assert.Equal(2, delays.Count);
        Assert.Equal(TimeSpan.FromSeconds(3), delays[0]);
        Assert.InRange(delays[1], TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)); // the date has 1 s resolution; slack for a slow CI
    }

    [Fact]
    public async Task A_retry_after_beyond_the_cap_is_not_waited_for_and_maps_to_1006()
    {
        _server.Enqueue(new StatusReply(429, """{"error":{"message":"Rate limit reached"}}""", new Dictionary<string, string> { ["retry-after"] = "3600" }));
        var ex = await TestBed.Fails(() => _bed.ChatAsync("openai"));
        Assert.Equal(ErrorCode.RateLimited, ex.Code);
        Assert.Equal(3_600_000L, ex.Details!["retryAfterMs"]);
        Assert.Equal(1, _server.ChatRequests);
        Assert.Empty(_bed.Delays);
    }

    [Fact]
    public async Task Persistent_429_stops_after_max_retries_with_1006()
    {
        var limited = new StatusReply(429, """{"error":{"message":"slow down"}}""", new Dictionary<string, string> { ["retry-after-ms"] = "10" });
        _server.Enqueue(limited, limited, limited, limited);
        var ex = await TestBed.Fails(() => _bed.ChatAsync("openai"));
        Assert.Equal(ErrorCode.RateLimited, ex.Code);
        Assert.Equal(3, _server.ChatRequests);
    }

    [Fact]
    public async Task Insufficient_quota_is_1014_not_a_rate_limit()
    {
        _server.Enqueue(new StatusReply(429, """{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}""",
            new Dictionary<string, string> { ["retry-after"] = "3600" }));
        Assert.Equal(ErrorCode.QuotaExceeded, (await TestBed.Fails(() => _bed.ChatAsync("openai"))).Code);
    }

    [Fact]
    public async Task Rejected_key_is_1005_and_is_not_retried_and_not_echoed()
    {
        _server.Enqueue(new StatusReply(401, """{"error":{"message":"Incorrect API key provided: sk-test-openai-0123456789. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","code":"invalid_api_key"}}"""));
        var ex = await TestBed.Fails(() => _bed.ChatAsync("openai"));
        Assert.Equal(ErrorCode.ApiKeyRejected, ex.Code);
        Assert.DoesNotContain("sk-test-openai-0123456789", ex.Message);
        Assert.Equal(1, _server.ChatRequests);
    }

    [Fact]
    public async Task A_keyless_preset_whose_server_wants_a_key_gets_1004_then_works_with_one()
    {
        _bed.Registry.Configure("vllm", _server.BaseUrl, new ProviderOptions { MaxRetries = 0 });
        _server.Enqueue(new StatusReply(401, """{"error":"Unauthorized"}"""));
        Assert.Equal(ErrorCode.ApiKeyMissing, (await TestBed.Fails(() => _bed.ChatAsync("vllm"))).Code);
        _bed.Keys.Set("vllm", "vllm-server-token-123456");
        Assert.Equal("Hello, world", (await _bed.ChatAsync("vllm")).Text);
        Assert.Equal("Bearer vllm-server-token-123456", _server.Requests[^1].Headers["authorization"]);
    }

    [Fact]
    public void Configure_merges_options_and_validates_the_url()
    {
        _bed.Registry.Configure("vllm", null, new ProviderOptions { DefaultModel = "a", MaxRetries = 1 });
        _bed.Registry.Configure("vllm", null, new ProviderOptions { MaxRetries = 3 });
        Assert.Equal(new ProviderOptions { DefaultModel = "a", MaxRetries = 3 }, _bed.Context("vllm").Options);
        Assert.Throws<ArgumentException>(() => _bed.Registry.Configure("vllm", "ftp://x", null));
        Assert.Throws<ArgumentException>(() => _bed.Registry.Configure("vllm", "https://user:sk-secret@host/v1", null));
        _bed.Registry.Configure("vllm", "", null);
        Assert.Equal("http://127.0.0.1:8000/v1", _bed.Context("vllm").BaseUrl);
    }

    [Fact]
    public async Task Missing_key_is_1004_before_any_request()
    {
        _bed.Keys.Set("openai", null);
        var ex = await TestBed.Fails(() => _bed.ChatAsync("openai"));
        Assert.Equal(ErrorCode.ApiKeyMissing, ex.Code);
        Assert.Contains("platform.openai.com", ex.Message);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task Context_length_errors_map_to_1007()
    {
        _server.Enqueue(new StatusReply(400, """{"error":{"message":"This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"""));
        Assert.Equal(ErrorCode.ContextLengthExceeded, (await TestBed.Fails(() => _bed.ChatAsync("openai"))).Code);
    }

    [Fact]
    public async Task Unknown_model_maps_to_1001()
    {
        _server.Enqueue(new StatusReply(404, """{"error":{"message":"The model `gpt-9` does not exist or you do not have access to it.","type":"invalid_request_error","code":"model_not_found"}}"""));
        Assert.Equal(ErrorCode.ModelNotFound, (await TestBed.Fails(() => _bed.ChatAsync("openai", "gpt-9"))).Code);
    }

    [Fact]
    public async Task A_stream_that_breaks_after_tokens_is_not_retried()
    {
        _server.Enqueue(new StreamReply(["partial ", "answer ", "then"], DropAfter: 2));
        var received = new List<string>();
        var ex = await TestBed.Fails(async () =>
        {
            await foreach (var c in _bed.Provider("openai").StreamChatAsync(_bed.Context("openai"), new ChatRequest { Model = "m", Messages = [new("user", "x")] }, default))
            {
                if (c.Delta is not { } d) continue;
                received.Add(d);
                if (received.Count == 2) _server.DropNow(); // both tokens reached us: now the server breaks
            }
        });
        Assert.Equal(ErrorCode.ProviderUnavailable, ex.Code);
        Assert.Equal("streamBroken", ex.Details!["cause"]);
        Assert.Equal(["partial ", "answer "], received);
        Assert.Equal(1, _server.ChatRequests);
        Assert.Empty(_bed.Delays);
    }

    [Fact]
    public async Task Response_headers_that_never_come_time_out_as_1003()
    {
        _bed.Registry.Configure("openai", null, new ProviderOptions { RequestTimeoutMs = 300, MaxRetries = 1 });
        _server.Enqueue(new HangReply(), new HangReply());
        var ex = await TestBed.Fails(() => _bed.ChatAsync("openai"));
        Assert.Equal(ErrorCode.ProviderUnavailable, ex.Code);
        Assert.Equal("timeout", ex.Details!["cause"]);
        Assert.Equal(2, _server.ChatRequests);
    }

    [Fact]
    public async Task A_stream_that_goes_silent_hits_the_idle_timeout()
    {
        _bed.Registry.Configure("openai", null, new ProviderOptions { StreamIdleTimeoutMs = 300 });
        _server.Enqueue(new StreamReply(["one ", "two"], HangAfter: 1));
        var ex = await TestBed.Fails(() => _bed.ChatAsync("openai"));
        Assert.Equal(ErrorCode.ProviderUnavailable, ex.Code);
        Assert.Equal(1, _server.ChatRequests);
        await _server.ClientDisconnected.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Cancelling_stops_the_upstream_stream()
    {
        _server.Enqueue(new StreamReply(["first ", "second"], HangAfter: 1));
        using var cts = new CancellationTokenSource();
        var task = Task.Run(async () =>
        {
            await foreach (var c in _bed.Provider("openai").StreamChatAsync(_bed.Context("openai"), new ChatRequest { Model = "m", Messages = [new("user", "x")] }, cts.Token))
                if (c.Delta is not null) cts.Cancel();
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
        await _server.ClientDisconnected.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Nothing_listening_maps_to_1003_with_a_reason()
    {
        _bed.Registry.Configure("openai", "http://127.0.0.1:9/v1", new ProviderOptions { MaxRetries = 0 });
        var ex = await TestBed.Fails(() => _bed.ChatAsync("openai"));
        Assert.Equal(ErrorCode.ProviderUnavailable, ex.Code);
        Assert.Equal("notRunning", ex.Details!["cause"]);
    }

    [Fact]
    public async Task Lists_models_and_checks_availability()
    {
        var models = await _bed.Provider("openai").ListModelsAsync(_bed.Context("openai"), default);
        Assert.Equal(["fake-model", "gpt-4.1-mini"], models.Select(m => m.Id));
        Assert.NotNull(models[1].Pricing);
        var ok = await _bed.Provider("openai").CheckAsync(_bed.Context("openai"), default);
        Assert.Equal(Availability.Readily, ok.Availability);
        Assert.NotNull(ok.LatencyMs);

        _bed.Keys.Set("openai", null);
        var noKey = await _bed.Provider("openai").CheckAsync(_bed.Context("openai"), default);
        Assert.Equal(Availability.No, noKey.Availability);
        Assert.Contains("API key", noKey.Reason);

        _bed.Registry.Configure("openai", "http://127.0.0.1:9/v1", null);
        _bed.Keys.Set("openai", "sk-test-openai-0123456789");
        var down = await _bed.Provider("openai").CheckAsync(_bed.Context("openai"), default);
        Assert.Equal(Availability.No, down.Availability);
        Assert.Contains("Nothing is listening", down.Reason);
    }
}

/// <summary>Fill-in-the-middle over each preset's FIM endpoint, against the loopback fake.</summary>
public class FimTests : IAsyncLifetime
{
    private OpenAiFakeServer _server = null!;
    private TestBed _bed = null!;

    public async Task InitializeAsync()
    {
        _server = await OpenAiFakeServer.StartAsync();
        _bed = new TestBed();
    }

    public async Task DisposeAsync()
    {
        _bed.Dispose();
        await _server.DisposeAsync();
    }

    [Theory]
    [InlineData("llamacpp", "/infill", "input_prefix")]
    [InlineData("mistral", "/v1/fim/completions", "prompt")]
    [InlineData("deepseek", "/beta/completions", "prompt")]
    [InlineData("vllm", "/v1/completions", "prompt")]
    public async Task Each_fim_style_reaches_its_endpoint_and_reads_its_answer(string providerId, string path, string prefixField)
    {
        _bed.Registry.Configure(providerId, _server.BaseUrl, null);
        _bed.Keys.Set(providerId, "fim-test-key-0123456789");
        _server.Enqueue(new StreamReply(["return ", "a + b;"]));
        var fim = Assert.IsAssignableFrom<IFimProvider>(_bed.Provider(providerId));
        var result = await fim.CompleteFimAsync(_bed.Context(providerId),
            new FimRequest { Model = "code-model", Prefix = "int add(int a, int b) {\n  ", Suffix = "\n}", MaxTokens = 16 }, default);
        Assert.Equal("return a + b;", result.Text);
        Assert.NotNull(result.Usage);
        var request = Assert.Single(_server.Requests);
        Assert.Equal(path, request.Path);
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal("int add(int a, int b) {\n  ", body.RootElement.GetProperty(prefixField).GetString());
    }

    [Fact]
    public async Task Fim_errors_map_like_chat_errors_and_providers_without_fim_say_so()
    {
        _bed.Registry.Configure("llamacpp", _server.BaseUrl, new ProviderOptions { MaxRetries = 0 });
        _server.Enqueue(new StatusReply(400, """{"error":{"code":400,"message":"the request exceeds the available context size","type":"exceed_context_size_error"}}"""));
        var fim = (IFimProvider)_bed.Provider("llamacpp");
        var ex = await TestBed.Fails(() => fim.CompleteFimAsync(_bed.Context("llamacpp"), new FimRequest { Model = "m", Prefix = "x" }, default));
        Assert.Equal(ErrorCode.ContextLengthExceeded, ex.Code);
        var none = (IFimProvider)_bed.Provider("groq");
        Assert.False(none.SupportsFim);
        Assert.Equal(ErrorCode.FimNotSupported, (await TestBed.Fails(() => none.CompleteFimAsync(_bed.Context("groq"), new FimRequest { Model = "m", Prefix = "x" }, default))).Code);
        Assert.DoesNotContain(_server.Requests, r => r.Path != "/infill");
    }
}
