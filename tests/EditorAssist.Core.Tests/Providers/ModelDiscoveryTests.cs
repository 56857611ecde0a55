using EditorAssist.Core.Providers;
using EditorAssist.Providers;
using EditorAssist.Storage;
using EditorAssist.Testing.Fakes;

namespace EditorAssist.Core.Tests.Providers;

public class ModelDiscoveryTests : IAsyncLifetime
{
    private OpenAiFakeServer _server = null!;
    private TestBed _bed = null!;

    public async Task InitializeAsync()
    {
        _server = await OpenAiFakeServer.StartAsync();
        _bed = new TestBed(sqlite: true);
        _bed.Registry.Configure("groq", _server.BaseUrl, new ProviderOptions { MaxRetries = 0 });
    }

    public async Task DisposeAsync()
    {
        _bed.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Without_a_key_the_preset_fallback_list_is_used_and_says_why()
    {
        var result = await _bed.Discovery.ListAsync("groq", refresh: false, default);
        Assert.Equal(ModelSource.Fallback, result.Source);
        Assert.Contains(result.Models, m => m.Id == "llama-3.3-70b-versatile" && m.Pricing is not null);
        Assert.Contains("API key", result.Error);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task Api_then_cache_then_cache_when_the_server_is_down()
    {
        _bed.Keys.Set("groq", "gsk_testkey0123456789");
        _server.ModelIds = ["llama-3.3-70b-versatile", "new-model"];
        var first = await _bed.Discovery.ListAsync("groq", refresh: false, default);
        Assert.Equal(ModelSource.Api, first.Source);
        Assert.Equal(["llama-3.3-70b-versatile", "new-model"], first.Models.Select(m => m.Id));
        Assert.NotNull(first.Models[0].Pricing);

        var second = await _bed.Discovery.ListAsync("groq", refresh: false, default);
        Assert.Equal(ModelSource.Cache, second.Source);
        Assert.Single(_server.Requests);

        var refreshed = await _bed.Discovery.ListAsync("groq", refresh: true, default);
        Assert.Equal(ModelSource.Api, refreshed.Source);

        await _server.DisposeAsync(); // the server goes away: a refresh falls back to the cache
        var offline = await _bed.Discovery.ListAsync("groq", refresh: true, default);
        Assert.Equal(ModelSource.Cache, offline.Source);
        Assert.Equal(["llama-3.3-70b-versatile", "new-model"], offline.Models.Select(m => m.Id));
        Assert.NotNull(offline.Error);
        Assert.Equal("llama-3.3-70b-versatile", _bed.Discovery.DefaultModelFor("groq"));
    }

    [Fact]
    public async Task Pointing_the_provider_at_another_server_invalidates_the_cache()
    {
        _bed.Keys.Set("groq", "gsk_testkey0123456789");
        Assert.Equal(ModelSource.Api, (await _bed.Discovery.ListAsync("groq", false, default)).Source);
        _bed.Registry.Configure("groq", "http://127.0.0.1:9/v1", null);
        Assert.Equal(ModelSource.Fallback, (await _bed.Discovery.ListAsync("groq", false, default)).Source);
    }

    [Fact]
    public async Task Listing_all_providers_covers_every_preset()
    {
        var all = await _bed.Discovery.ListAllAsync(false, default);
        Assert.Equal(_bed.Registry.Providers.Count, all.Count);
    }
}
