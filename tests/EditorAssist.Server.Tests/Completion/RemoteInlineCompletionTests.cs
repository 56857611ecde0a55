using EditorAssist.Core.Completion;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using EditorAssist.Core.Errors;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;
using EditorAssist.Storage;
using EditorAssist.Providers.Http;
using EditorAssist.Core.Routing;
using EditorAssist.Providers.Routing;
using EditorAssist.Rpc;
using EditorAssist.Server.Completion;
using EditorAssist.Server.Hosting;
using EditorAssist.Server.Local;
using EditorAssist.Server.Protocol;
using EditorAssist.Testing;
using EditorAssist.Testing.Fakes;
using Microsoft.Extensions.Logging.Abstractions;

namespace EditorAssist.Server.Tests.Completion;

/// <summary>
/// <c>completion/inline</c> with remote models, through <see cref="InlineCompletion"/> (the handler's entry
/// point) against loopback fakes that speak each provider's FIM wire format. A host name ending in
/// <see cref="CloudHost"/> is classified as cloud (it is not loopback by name) but connects to the OpenAI
/// fake, so the local-only gate is tested on a request that would otherwise really arrive.
/// </summary>
public sealed class RemoteInlineCompletionTests : IAsyncLifetime
{
    private const string CloudHost = "fim.cloud.test";
    // The cursor has ") + 1" after it on its line: a one-line completion, stopped at "\n".
    private const string Prefix = "def total(a, b):\n    return compute(";
    private const string Suffix = ") + 1\n\nprint(total(1, 2))\n";
    // The model writes the closing part again; the suffix-overlap guard drops it.
    private static readonly StreamReply Answer = new(["a, b", ") + 1"], PromptTokens: 37);

    private readonly TempDirectory _dir = new("ea-rfim");
    private OpenAiFakeServer _openai = null!;
    private OllamaFakeServer _ollama = null!;
    private AnthropicFakeServer _anthropic = null!;
    private SocketsHttpHandler _primary = null!;
    private ProviderHttp _http = null!;
    private SessionScope _storage = null!;
    private ProviderRegistry _registry = null!;
    private LocalRuntimeHost _local = null!;
    private InlineCompletion _inline = null!;
    private long _sequence;

    public async Task InitializeAsync()
    {
        _openai = await OpenAiFakeServer.StartAsync();
        _ollama = await OllamaFakeServer.StartAsync();
        _anthropic = await AnthropicFakeServer.StartAsync();
        var openAiPort = new Uri(_openai.Root).Port;
        _primary = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (ctx, ct) =>
            {
                EndPoint target = ctx.DnsEndPoint.Host == CloudHost ? new IPEndPoint(IPAddress.Loopback, openAiPort) : ctx.DnsEndPoint;
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(target, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        // Retries would be recorded, not slept; the inline path turns them off anyway.
        _http = new ProviderHttp(new RetryOptions { Delay = (_, _) => Task.CompletedTask }, _primary);
        _storage = Hosting.TestSessions.Create();
        _storage.Begin(_dir.Path);
        _registry = new ProviderRegistry([], _http, new ApiKeyStore(), new ProviderState(() => _storage.Store));
        _local = new LocalRuntimeHost(_storage, NullLoggerFactory.Instance, TimeProvider.System);
        var monitor = new SettingsMonitor(_storage);
        _inline = new InlineCompletion(new LocalInlineCompletion(_local, monitor), monitor, new RemoteInlineCompletion(_registry));
    }

    public async Task DisposeAsync()
    {
        await _local.DisposeAsync();
        _http.Dispose();
        _primary.Dispose();
        _storage.Dispose();
        await _openai.DisposeAsync();
        await _ollama.DisposeAsync();
        await _anthropic.DisposeAsync();
        _dir.Dispose();
    }

    private Task<InlineCompletionResult> Complete(string model, string prefix = Prefix, string suffix = Suffix, int? timeBudgetMs = null, long? sequence = null, CancellationToken ct = default) =>
        _inline.CompleteAsync(new InlineCompletionParams
        {
            Uri = "file:///w/total.py",
            LanguageId = "python",
            Prefix = prefix,
            Suffix = suffix,
            Model = model,
            MaxTokens = 16,
            TimeBudgetMs = timeBudgetMs,
        }, sequence ?? Interlocked.Increment(ref _sequence), ct);

    private static async Task<EditorAssistException> Fails(Task task) => await Assert.ThrowsAsync<EditorAssistException>(() => task);

    private static void AssertJson(string expected, string actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), $"expected {expected}\n  actual {actual}");

    private const string LegacyBody = """{"model":"coder","prompt":"def total(a, b):\n    return compute(","suffix":") + 1\n\nprint(total(1, 2))\n","max_tokens":16,"temperature":0,"stream":false,"stop":["\n"]}""";

    [Theory]
    [InlineData("vllm", null, "/v1/completions", LegacyBody)]
    [InlineData("lmstudio", null, "/v1/completions", LegacyBody)]
    [InlineData("deepseek", "sk-deepseek-fim-0123456789", "/beta/completions", LegacyBody)]
    [InlineData("mistral", "mistral-fim-key-0123456789", "/v1/fim/completions", LegacyBody)]
    [InlineData("llamacpp", null, "/infill",
        """{"input_prefix":"def total(a, b):\n    return compute(","input_suffix":") + 1\n\nprint(total(1, 2))\n","n_predict":16,"temperature":0,"stop":["\n"],"stream":false}""")]
    [InlineData("ollama", null, "/api/generate",
        """{"model":"coder","prompt":"def total(a, b):\n    return compute(","suffix":") + 1\n\nprint(total(1, 2))\n","stream":false,"raw":false,"options":{"temperature":0,"num_predict":16,"stop":["\n"]}}""")]
    public async Task Each_provider_gets_its_own_fim_request_and_the_answer_is_cleaned(string providerId, string? key, string path, string expectedBody)
    {
        FakeServer fake = providerId == "ollama" ? _ollama : _openai;
        _registry.Configure(providerId, providerId == "ollama" ? _ollama.BaseUrl : _openai.BaseUrl, null);
        if (key is not null) _registry.Keys.Set(providerId, key);
        fake.Enqueue(Answer);

        var result = await Complete($"{providerId}/coder");

        var request = Assert.Single(fake.Requests);
        Assert.Equal(("POST", path), (request.Method, request.Path));
        AssertJson(expectedBody, request.Body);
        Assert.Equal(key is null ? null : $"Bearer {key}", request.Headers.GetValueOrDefault("authorization"));
        Assert.Equal("a, b", Assert.Single(result.Items).Text);
        Assert.Equal($"{providerId}/coder", result.Model);
        Assert.Equal("loopback", result.Privacy);
        var t = result.Timings;
        Assert.Equal((0, 37, false, false), (t.CachedTokens, t.EvaluatedTokens, t.FromCache, t.TimedOut));
        Assert.Equal(t.TtftMs, t.TotalMs);
        Assert.True(t.TotalMs > 0);
    }

    [Fact]
    public async Task A_block_completion_is_cut_where_the_block_ends_and_stops_at_a_blank_line()
    {
        _registry.Configure("vllm", _openai.BaseUrl, null);
        _openai.Enqueue(new StreamReply(["total = a + b\n    return total\n\nprint(total(1, 2))"]));
        var result = await Complete("vllm/coder", "def total(a, b):\n    ", "\n\nprint(total(1, 2))\n");
        Assert.Equal("total = a + b\n    return total", Assert.Single(result.Items).Text);
        using var body = System.Text.Json.JsonDocument.Parse(Assert.Single(_openai.Requests).Body);
        Assert.Equal("\n\n\n", Assert.Single(body.RootElement.GetProperty("stop").EnumerateArray()).GetString());
    }

    [Fact]
    public async Task Mistral_without_a_key_is_1004_before_anything_is_sent()
    {
        _registry.Configure("mistral", _openai.BaseUrl, null);
        var ex = await Fails(Complete("mistral/codestral-latest"));
        Assert.Equal(ErrorCode.ApiKeyMissing, ex.Code);
        Assert.Empty(_openai.Requests);
    }

    [Theory]
    [InlineData("anthropic", "Anthropic")]
    [InlineData("openai", "OpenAI")]
    [InlineData("groq", "Groq")]
    public async Task Providers_without_fim_answer_1017_naming_those_with_it_and_send_nothing(string providerId, string displayName)
    {
        _registry.Configure(providerId, providerId == "anthropic" ? _anthropic.BaseUrl : _openai.BaseUrl, null);
        _registry.Keys.Set(providerId, "sk-fim-test-0123456789abcdef");
        var ex = await Fails(Complete($"{providerId}/some-model"));
        Assert.Equal(ErrorCode.FimNotSupported, ex.Code);
        Assert.StartsWith($"{displayName} has no fill-in-the-middle API", ex.Message);
        foreach (var name in new[] { "Ollama", "llama.cpp server", "vLLM", "LM Studio", "Mistral AI", "DeepSeek" }) Assert.Contains(name, ex.Message);
        Assert.Empty(_anthropic.Requests);
        Assert.Empty(_openai.Requests);
    }

    [Fact]
    public async Task Local_only_refuses_a_cloud_fim_provider_with_1013_before_sending_and_keeps_loopback_ones()
    {
        _registry.Configure("vllm", $"http://{CloudHost}:8000/v1", null);
        _registry.Configure("lmstudio", _openai.BaseUrl, null);
        _openai.DefaultReply = Answer;

        // The cloud-named URL does reach the fake: what follows would be sent if the gate did not hold.
        var allowed = await Complete("vllm/coder");
        Assert.Equal("cloud", allowed.Privacy);
        Assert.Single(_openai.Requests);

        _registry.State.SetRouterPolicy(new RouterPolicy { Strategy = RoutingStrategy.LocalOnly });
        var ex = await Fails(Complete("vllm/coder", "x = compute(", ") + 2\n"));
        Assert.Equal(ErrorCode.PolicyViolation, ex.Code);
        Assert.Contains("Local-only mode is on", ex.Message);
        Assert.Single(_openai.Requests);

        var loopback = await Complete("lmstudio/coder", "y = compute(", ") + 3\n");
        Assert.Equal("loopback", loopback.Privacy);
        Assert.Equal(2, _openai.Requests.Count);

        // The cloud answer from before local-only is cached: local-only refuses that position too.
        var cached = await Fails(Complete("vllm/coder"));
        Assert.Equal(ErrorCode.PolicyViolation, cached.Code);
    }

    [Fact]
    public async Task A_newer_request_cancels_the_older_http_call_which_answers_32800()
    {
        _registry.Configure("vllm", _openai.BaseUrl, null);
        _openai.Enqueue(new HangReply(), Answer);

        var older = Complete("vllm/coder", "def total(a, b):\n    return comp(");
        await _openai.RequestsReceived(1).WaitAsync(TimeSpan.FromSeconds(30));
        var newer = await Complete("vllm/coder");

        Assert.Equal("a, b", Assert.Single(newer.Items).Text);
        // The module answers it -32800 (the interop suite checks the wire).
        await Assert.ThrowsAsync<SupersededException>(() => older.WaitAsync(TimeSpan.FromSeconds(30)));
        // The older HTTP request was aborted, not left to finish in the background.
        await _openai.ClientDisconnected.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, _openai.Requests.Count);
    }

    [Fact]
    public async Task A_request_older_than_one_already_started_answers_32800_without_sending()
    {
        _registry.Configure("vllm", _openai.BaseUrl, null);
        _openai.DefaultReply = Answer;
        await Complete("vllm/coder", sequence: 10);
        // Handlers run concurrently: a stale keystroke can reach the provider after a newer one did.
        await Assert.ThrowsAsync<SupersededException>(() => Complete("vllm/coder", "z = compute(", sequence: 9));
        Assert.Single(_openai.Requests);
    }

    [Fact]
    public async Task The_time_budget_aborts_the_call_and_answers_timed_out_uncached()
    {
        _registry.Configure("vllm", _openai.BaseUrl, null);
        _openai.Enqueue(new HangReply(), Answer);

        var result = await Complete("vllm/coder", timeBudgetMs: 100).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(result.Timings.TimedOut);
        Assert.Empty(result.Items);
        // A timer may fire a little early; the point is that the call waited for the budget, then stopped.
        Assert.True(result.Timings.TotalMs >= 90, $"{result.Timings.TotalMs}");
        await _openai.ClientDisconnected.WaitAsync(TimeSpan.FromSeconds(30));

        var again = await Complete("vllm/coder");
        Assert.False(again.Timings.FromCache);
        Assert.Equal("a, b", Assert.Single(again.Items).Text);
    }

    [Fact]
    public async Task The_same_position_again_is_answered_from_the_cache_without_a_request()
    {
        _registry.Configure("vllm", _openai.BaseUrl, null);
        _openai.DefaultReply = Answer;
        var first = await Complete("vllm/coder");
        var second = await Complete("vllm/coder");
        Assert.True(second.Timings.FromCache);
        Assert.Equal(first.Items, second.Items);
        Assert.Single(_openai.Requests);
    }

    [Fact]
    public async Task Cancelling_the_request_aborts_the_http_call()
    {
        _registry.Configure("ollama", _ollama.BaseUrl, null);
        _ollama.Enqueue(new HangReply());
        using var cts = new CancellationTokenSource();
        var call = Complete("ollama/qwen2.5-coder:1.5b", ct: cts.Token);
        await _ollama.RequestsReceived(1).WaitAsync(TimeSpan.FromSeconds(30));
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(TimeSpan.FromSeconds(30)));
        await _ollama.ClientDisconnected.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Theory]
    [InlineData(500, """{"object":"error","message":"Internal Server Error","type":"InternalServerError","param":null,"code":500}""", true, ErrorCode.ProviderUnavailable)]
    [InlineData(503, """{"error":{"message":"overloaded","type":"server_error"}}""", false, ErrorCode.ProviderUnavailable)]
    [InlineData(401, """{"error":{"message":"Invalid API key","type":"invalid_request_error","code":"invalid_api_key"}}""", true, ErrorCode.ApiKeyRejected)]
    [InlineData(401, """{"error":{"message":"Unauthorized"}}""", false, ErrorCode.ApiKeyMissing)]
    [InlineData(429, """{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}""", true, ErrorCode.RateLimited)]
    [InlineData(404, """{"object":"error","message":"The model `coder` does not exist.","type":"NotFoundError","param":null,"code":404}""", false, ErrorCode.ModelNotFound)]
    [InlineData(400, """{"object":"error","message":"suffix is not currently supported","type":"BadRequestError","param":null,"code":400}""", false, ErrorCode.FimNotSupported)]
    [InlineData(404, """{"detail":"Not Found"}""", false, ErrorCode.FimNotSupported)]
    [InlineData(400, """{"object":"error","message":"This model's maximum context length is 4096 tokens.","type":"BadRequestError","code":400}""", false, ErrorCode.ContextLengthExceeded)]
    public async Task Server_errors_map_to_the_stable_provider_codes_without_retrying(int status, string body, bool withKey, ErrorCode expected)
    {
        _registry.Configure("vllm", _openai.BaseUrl, null);
        if (withKey) _registry.Keys.Set("vllm", "vllm-server-key-0123456789");
        _openai.Enqueue(new StatusReply(status, body));
        var ex = await Fails(Complete("vllm/coder"));
        Assert.Equal(expected, ex.Code);
        Assert.Equal("vllm", ex.Details!["providerId"]);
        // No retry: the next keystroke is the retry.
        Assert.Single(_openai.Requests);
        Assert.DoesNotContain("vllm-server-key-0123456789", ex.Message);
    }

    [Fact]
    public async Task Servers_that_refuse_the_suffix_answer_1017_with_their_reason()
    {
        _registry.Configure("ollama", _ollama.BaseUrl, null);
        _ollama.Enqueue(new StatusReply(400, """{"error":"registry.ollama.ai/library/llama3.2:3b does not support insert"}"""));
        var ollama = await Fails(Complete("ollama/llama3.2:3b"));
        Assert.Equal(ErrorCode.FimNotSupported, ollama.Code);
        Assert.Contains("does not support insert", ollama.Message);

        _registry.Configure("llamacpp", _openai.BaseUrl, null);
        _openai.Enqueue(new StatusReply(501, """{"error":{"code":501,"message":"Infill is not supported by this model: prompt tokens missing","type":"not_supported_error"}}"""));
        var llama = await Fails(Complete("llamacpp/any"));
        Assert.Equal(ErrorCode.FimNotSupported, llama.Code);
        Assert.Contains("Infill is not supported", llama.Message);
    }

    [Fact]
    public async Task An_unknown_provider_is_1001()
    {
        var ex = await Fails(Complete("nosuch/model"));
        Assert.Equal(ErrorCode.ModelNotFound, ex.Code);
    }
}
