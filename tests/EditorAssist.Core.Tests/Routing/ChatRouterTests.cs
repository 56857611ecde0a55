using EditorAssist.Core.Errors;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;
using EditorAssist.Storage;
using EditorAssist.Core.Routing;
using EditorAssist.Providers.Routing;
using EditorAssist.Core.Tests.Providers;
using EditorAssist.Testing.Fakes;

namespace EditorAssist.Core.Tests.Routing;

public class ChatRouterTests : IAsyncLifetime
{
    private OpenAiFakeServer _server = null!;
    private OpenAiFakeServer _second = null!;

    public async Task InitializeAsync()
    {
        _server = await OpenAiFakeServer.StartAsync();
        _second = await OpenAiFakeServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _second.DisposeAsync();
    }

    private static ChatSendRequest Request(string? model) => new() { Model = model, Messages = [new("user", "Hello?")] };

    private static async Task<(ChatSendResult Result, List<string> Deltas)> Send(TestBed bed, string? model, CancellationToken ct = default)
    {
        var deltas = new List<string>();
        var result = await bed.Router.SendAsync(Request(model), deltas.Add, ct);
        return (result, deltas);
    }

    [Fact]
    public async Task Streams_deltas_and_returns_usage_timings_privacy_cost_and_history()
    {
        using var bed = new TestBed(sqlite: true);
        bed.Registry.Configure("lmstudio", _server.BaseUrl, null);
        _server.Enqueue(new StreamReply(["a", "b", "c"], PromptTokens: 1000, CompletionTokens: 3));
        var (result, deltas) = await Send(bed, "lmstudio/fake-model");
        Assert.Equal(["a", "b", "c"], deltas);
        Assert.Equal("abc", result.Content);
        Assert.Equal("lmstudio/fake-model", result.Model);
        Assert.Equal(PrivacyClass.Loopback, result.Privacy);
        Assert.Equal(new ChatUsage(1000, 3), result.Usage);
        Assert.True(result.Timings.TotalMs >= result.Timings.TtftMs && result.Timings.TtftMs > 0);
        Assert.Equal(0, result.Cost!.Usd);

        var saved = bed.History.Get(result.SessionId)!.Value;
        Assert.Equal(["user", "assistant"], saved.Messages.Select(m => m.Role));
        Assert.Equal("abc", saved.Messages[1].Content);

        var (next, _) = (await bed.Router.SendAsync(Request("lmstudio/fake-model") with { SessionId = result.SessionId }, _ => { }, default), 0);
        Assert.Equal(result.SessionId, next.SessionId);
        Assert.Equal(4, bed.History.Get(result.SessionId)!.Value.Messages.Count);
        Assert.True(bed.History.Delete(result.SessionId));
        Assert.Empty(bed.History.List());
    }

    [Fact]
    public void Cost_is_estimated_from_the_registry_pricing()
    {
        using var bed = new TestBed();
        var cost = ChatRouter.EstimateCost(bed.Context("openai"), "gpt-4.1-mini", new ChatUsage(1_000_000, 500_000, 200_000))!;
        // 800k uncached × 0.40 + 200k cached × 0.10 + 500k × 1.60 per 1M
        Assert.Equal(0.32 + 0.02 + 0.80, cost.Usd, 6);
        Assert.True(cost.Approximate);
        Assert.NotNull(cost.PricingAsOf);
        Assert.Null(ChatRouter.EstimateCost(bed.Context("openai"), "unknown", new ChatUsage(1, 1)));
    }

    /// <summary>A loopback port nothing listens on (so no test depends on what runs on this machine).</summary>
    private static int ClosedPort()
    {
        var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        return port;
    }

    private static bool IsLoopbackPreset(ProviderDescriptor d) =>
        d.DefaultBaseUrl?.Contains("127.0.0.1") == true || d.DefaultBaseUrl?.Contains("localhost") == true;

    /// <summary>The shipped presets, with every loopback server's default address moved to a closed port: still defaults, not configured.</summary>
    private static IReadOnlyList<ProviderDescriptor> PresetsAtClosedPort(int port) =>
        ProviderPresets.All.Select(d => IsLoopbackPreset(d) ? d with { DefaultBaseUrl = $"http://127.0.0.1:{port}/v1" } : d).ToList();

    [Fact]
    public async Task With_no_model_chosen_and_nothing_set_up_the_error_says_what_to_do_and_names_no_provider()
    {
        using var bed = new TestBed(sqlite: true, presets: PresetsAtClosedPort(ClosedPort()));
        var ex = await Assert.ThrowsAsync<EditorAssistException>(() => Send(bed, null));
        Assert.Equal(ErrorCode.ModelNotFound, ex.Code);
        Assert.Equal(ChatRouter.NoModelChosen, ex.Message);
        Assert.Contains("EditorAssist: Select Model", ex.Message);
        Assert.Contains("EditorAssist: Load Model File", ex.Message);
        Assert.Contains("EditorAssist: Download Model", ex.Message);
        Assert.DoesNotContain("Ollama", ex.Message);
        Assert.DoesNotContain("Tried", ex.Message);
        Assert.DoesNotContain("127.0.0.1", ex.Message);
    }

    [Fact]
    public async Task With_no_model_chosen_a_provider_the_user_configured_is_named_with_its_reason()
    {
        var port = ClosedPort();
        using var bed = new TestBed(sqlite: true, presets: PresetsAtClosedPort(port));
        bed.Registry.Configure("ollama", $"http://127.0.0.1:{port}", null);
        var ex = await Assert.ThrowsAsync<EditorAssistException>(() => Send(bed, null));
        Assert.Equal(ErrorCode.ModelNotFound, ex.Code);
        Assert.StartsWith(ChatRouter.NoModelChosen, ex.Message);
        Assert.Contains("Your configured provider did not answer: ollama:", ex.Message);
        Assert.DoesNotContain("lmstudio", ex.Message);
    }

    [Fact]
    public void Configured_means_a_key_an_address_or_a_place_in_the_routing_order()
    {
        using var bed = new TestBed(sqlite: true);
        var policy = new RouterPolicy();
        Assert.False(bed.Router.IsConfigured("ollama", policy), "a preset at its default address");
        Assert.False(bed.Router.IsConfigured("openai", policy), "a cloud preset without a key");
        bed.Keys.Set("openai", "sk-test-0123456789");
        Assert.True(bed.Router.IsConfigured("openai", policy));
        bed.Registry.Configure("lmstudio", "http://127.0.0.1:1235/v1", null);
        Assert.True(bed.Router.IsConfigured("lmstudio", policy));
        Assert.True(bed.Router.IsConfigured("ollama", policy with { Order = ["ollama"] }));
    }

    [Fact]
    public async Task Falls_back_to_the_next_provider_when_the_first_fails_before_any_token()
    {
        using var bed = new TestBed();
        bed.Registry.Configure("lmstudio", _server.BaseUrl, new ProviderOptions { MaxRetries = 0 });
        bed.Registry.Configure("vllm", _second.BaseUrl, new ProviderOptions { DefaultModel = "backup-model" });
        bed.State.SetRouterPolicy(new RouterPolicy { Strategy = RoutingStrategy.PreferLocal, Fallback = true, Order = ["lmstudio", "vllm"] });
        _server.Enqueue(new StatusReply(503, """{"error":{"message":"loading model"}}"""));
        _second.Enqueue(new StreamReply(["from ", "backup"]));

        var (result, deltas) = await Send(bed, "lmstudio/fake-model");
        Assert.Equal("from backup", result.Content);
        Assert.Equal("vllm/backup-model", result.Model);
        Assert.Equal("lmstudio", Assert.Single(result.FellBackFrom).ProviderId);
        Assert.Equal(["from ", "backup"], deltas);
    }

    [Fact]
    public async Task Never_falls_back_after_tokens_reached_the_user()
    {
        using var bed = new TestBed();
        bed.Registry.Configure("lmstudio", _server.BaseUrl, null);
        bed.Registry.Configure("vllm", _second.BaseUrl, new ProviderOptions { DefaultModel = "backup-model" });
        bed.State.SetRouterPolicy(new RouterPolicy { Fallback = true, Order = ["lmstudio", "vllm"] });
        _server.Enqueue(new StreamReply(["half ", "an ", "answer"], DropAfter: 2));

        var deltas = new List<string>();
        var ex = await Assert.ThrowsAsync<EditorAssistException>(() => bed.Router.SendAsync(Request("lmstudio/fake-model"), d =>
        {
            deltas.Add(d);
            if (deltas.Count == 2) _server.DropNow();
        }, default));
        Assert.Equal(ErrorCode.ProviderUnavailable, ex.Code);
        Assert.Equal(["half ", "an "], deltas);
        Assert.Equal(0, _second.ChatRequests);
        Assert.Equal(1, _server.ChatRequests);
    }

    [Fact]
    public async Task Without_fallback_the_first_error_is_returned()
    {
        using var bed = new TestBed();
        bed.Registry.Configure("lmstudio", _server.BaseUrl, new ProviderOptions { MaxRetries = 0 });
        bed.Registry.Configure("vllm", _second.BaseUrl, new ProviderOptions { DefaultModel = "backup-model" });
        bed.State.SetRouterPolicy(new RouterPolicy { Fallback = false });
        _server.Enqueue(new StatusReply(503, "{}"));
        var ex = await Assert.ThrowsAsync<EditorAssistException>(() => Send(bed, "lmstudio/fake-model"));
        Assert.Equal(ErrorCode.ProviderUnavailable, ex.Code);
        Assert.Equal(0, _second.ChatRequests);
    }

    [Fact]
    public async Task Local_only_refuses_a_cloud_provider_with_1013_before_sending_anything()
    {
        using var bed = new TestBed();
        bed.Keys.Set("openai", "sk-test-localonly-0123456789");
        bed.Registry.Configure("openai", "https://api.openai.com/v1", null);
        bed.State.SetRouterPolicy(new RouterPolicy { Strategy = RoutingStrategy.LocalOnly, Fallback = true });
        var ex = await Assert.ThrowsAsync<EditorAssistException>(() => Send(bed, "openai/gpt-4.1-mini"));
        Assert.Equal(ErrorCode.PolicyViolation, ex.Code);
        Assert.Equal("cloud", ex.Details!["privacy"]);
    }

    [Fact]
    public async Task Local_only_allows_a_loopback_server_even_for_a_cloud_preset()
    {
        using var bed = new TestBed();
        bed.Keys.Set("openai", "sk-test-localonly-0123456789");
        bed.Registry.Configure("openai", _server.BaseUrl, null); // e.g. a local proxy on 127.0.0.1
        bed.State.SetRouterPolicy(new RouterPolicy { Strategy = RoutingStrategy.LocalOnly });
        var (result, _) = await Send(bed, "openai/gpt-4.1-mini");
        Assert.Equal(PrivacyClass.Loopback, result.Privacy);
    }

    [Fact]
    public async Task Local_only_never_falls_back_to_the_cloud()
    {
        using var bed = new TestBed(extra: [new FakeLocalProvider(available: false)]);
        bed.Keys.Set("openai", "sk-test-localonly-0123456789");
        bed.Registry.Configure("openai", "http://cloud.invalid/v1", new ProviderOptions { DefaultModel = "gpt-4.1-mini" });
        bed.Registry.Configure("ollama", "http://127.0.0.1:9", null); // a loopback server that is not running
        bed.State.SetRouterPolicy(new RouterPolicy { Strategy = RoutingStrategy.LocalOnly, Fallback = true, Order = ["local", "openai", "ollama"] });
        var ex = await Assert.ThrowsAsync<EditorAssistException>(() => Send(bed, "local/tiny-q8_0"));
        // The local model and the loopback server were tried; the cloud provider never was. The code is the first failure's.
        Assert.Equal("local,ollama", ex.Details!["providers"]);
        Assert.Equal(ErrorCode.ModelNotDownloaded, ex.Code);
        Assert.DoesNotContain("OpenAI", ex.Message);
    }

    [Fact]
    public async Task Local_refs_resolve_through_the_registry_and_are_on_device_and_free()
    {
        var local = new FakeLocalProvider();
        using var bed = new TestBed(extra: [local]);
        var (result, deltas) = await Send(bed, "local/tiny-q8_0");
        Assert.Equal("local answer", result.Content);
        Assert.Equal(PrivacyClass.OnDevice, result.Privacy);
        Assert.Equal(0, result.Cost!.Usd);
        Assert.Equal(1, local.Calls);
    }

    [Fact]
    public async Task Without_a_model_prefer_local_picks_the_device_and_cloud_first_picks_the_cloud()
    {
        using var bed = new TestBed(extra: [new FakeLocalProvider()]);
        bed.Keys.Set("openai", "sk-test-order-0123456789");
        var (preferLocal, _) = await Send(bed, null);
        Assert.Equal("local/tiny-q8_0", preferLocal.Model);

        // preferLocal: on-device, then loopback servers, then cloud; an explicit order goes first.
        var local = bed.Router.Ordered(new RouterPolicy()).Select(p => bed.Context(p.Descriptor.Id).Privacy).ToList();
        Assert.Equal(PrivacyClass.OnDevice, local[0]);
        Assert.Equal(local.OrderBy(p => p).ToList(), local);
        var pinned = bed.Router.Ordered(new RouterPolicy { Order = ["groq", "ollama"] });
        Assert.Equal(["groq", "ollama", "local"], pinned.Take(3).Select(p => p.Descriptor.Id));

        var ordered = bed.Router.Ordered(new RouterPolicy { Strategy = RoutingStrategy.CloudFirst });
        Assert.Equal(PrivacyClass.Cloud, bed.Context(ordered[0].Descriptor.Id).Privacy);
        Assert.Equal("local", ordered[^1].Descriptor.Id);
    }

    [Fact]
    public async Task Cancelling_stops_upstream_and_keeps_the_partial_answer_as_cancelled()
    {
        using var bed = new TestBed(sqlite: true);
        bed.Registry.Configure("lmstudio", _server.BaseUrl, null);
        _server.Enqueue(new StreamReply(["partial", " never"], HangAfter: 1));
        using var cts = new CancellationTokenSource();
        var task = bed.Router.SendAsync(Request("lmstudio/fake-model"), _ => cts.Cancel(), cts.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
        await _server.ClientDisconnected.WaitAsync(TimeSpan.FromSeconds(10));
        var session = Assert.Single(bed.History.List());
        var saved = bed.History.Get(session.Id)!.Value.Messages;
        Assert.Equal("partial", saved[^1].Content);
        Assert.Equal(FinishReasons.Cancelled, saved[^1].FinishReason);
    }

    [Fact]
    public async Task An_unknown_provider_or_a_bad_ref_is_1001()
    {
        using var bed = new TestBed();
        Assert.Equal(ErrorCode.ModelNotFound, (await Assert.ThrowsAsync<EditorAssistException>(() => Send(bed, "nope/model"))).Code);
        Assert.Equal(ErrorCode.ModelNotFound, (await Assert.ThrowsAsync<EditorAssistException>(() => Send(bed, "no-slash"))).Code);
    }
}
