using EditorAssist.Core.Providers;
using EditorAssist.Providers;
using EditorAssist.Storage;
using EditorAssist.Providers.Anthropic;
using EditorAssist.Providers.Http;
using EditorAssist.Providers.Ollama;
using EditorAssist.Providers.OpenAi;

namespace EditorAssist.Core.Tests.Providers;

public class ProviderPresetsTests
{
    [Fact]
    public void Ships_every_required_preset_with_a_valid_descriptor()
    {
        var ids = ProviderPresets.All.Select(p => p.Id).ToList();
        foreach (var required in new[] { "openai", "anthropic", "ollama", "lmstudio", "llamacpp", "vllm", "openrouter", "groq", "together", "mistral", "deepseek", "gemini", "xai", "moonshot", "perplexity" })
            Assert.Contains(required, ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        foreach (var p in ProviderPresets.All)
        {
            Assert.Equal(ProviderKind.Remote, p.Kind);
            Assert.True(Uri.TryCreate(p.DefaultBaseUrl, UriKind.Absolute, out _), p.Id);
            Assert.NotEmpty(p.ContextLengthPatterns);
            if (p.RequiresApiKey) Assert.StartsWith("https://", p.ApiKeyUrl);
            foreach (var m in p.Models.Where(m => m.Pricing is not null))
            {
                Assert.True(m.Pricing!.Approximate);
                Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", m.Pricing.AsOf);
            }
        }
        Assert.NotNull(ProviderPresets.All.Single(p => p.Id == "openai").PricingFor("gpt-4.1-mini"));
    }

    [Fact]
    public void Each_preset_gets_the_implementation_of_its_wire_format()
    {
        using var http = new ProviderHttp();
        var registry = new ProviderRegistry([], http, new ApiKeyStore(), new ProviderState(() => null));
        Assert.IsType<AnthropicProvider>(registry.Get("anthropic"));
        Assert.IsType<OllamaProvider>(registry.Get("ollama"));
        Assert.IsType<OpenAiCompatibleProvider>(registry.Get("gemini"));
        Assert.IsType<OpenAiCompatibleProvider>(registry.Get("openai"));
    }

    [Fact]
    public void Adding_an_openai_compatible_provider_is_one_data_entry()
    {
        var presets = ProviderPresets.Parse("""
            { "pricingAsOf": "2025-06-01", "providers": [
              { "id": "acme", "displayName": "Acme AI", "kind": "remote", "api": "openai", "defaultBaseUrl": "https://api.acme.example/v1",
                "requiresApiKey": true, "apiKeyUrl": "https://acme.example/keys", "discovery": true,
                "contextLengthPatterns": ["too many tokens"],
                "models": [ { "id": "acme-1", "pricing": { "input": 1.0, "output": 2.0 } } ] } ] }
            """);
        using var http = new ProviderHttp();
        var registry = new ProviderRegistry([], http, new ApiKeyStore(), new ProviderState(() => null), presets);
        var p = Assert.IsType<OpenAiCompatibleProvider>(registry.Get("acme"));
        Assert.Equal("2025-06-01", p.Descriptor.PricingFor("acme-1")!.AsOf);
        Assert.Equal(PrivacyClass.Cloud, registry.ContextFor("acme").Privacy);
    }

    [Theory]
    [InlineData("""{ "providers": [ { "id": "a", "displayName": "A", "defaultBaseUrl": "https://a" }, { "id": "a", "displayName": "A2", "defaultBaseUrl": "https://a" } ] }""")]
    [InlineData("""{ "providers": [ { "id": "a/b", "displayName": "A", "defaultBaseUrl": "https://a" } ] }""")]
    [InlineData("""{ "providers": [ { "id": "a", "displayName": "A", "defaultBaseUrl": "not a url" } ] }""")]
    [InlineData("""{ "providers": [ { "id": "a", "displayName": "A", "defaultBaseUrl": "https://a", "fimStyle": "magic", "fimPath": "x", "capabilities": { "fim": true } } ] }""")]
    [InlineData("""{ "providers": [ { "id": "a", "displayName": "A", "defaultBaseUrl": "https://a", "fimStyle": "suffixCompletions", "capabilities": { "fim": true } } ] }""")]
    [InlineData("""{ "providers": [ { "id": "a", "displayName": "A", "defaultBaseUrl": "https://a", "fimStyle": "suffixCompletions", "fimPath": "completions" } ] }""")]
    [InlineData("""{ "providers": [ { "id": "a", "displayName": "A", "defaultBaseUrl": "https://a", "capabilities": { "fim": true } } ] }""")]
    public void Rejects_bad_preset_data(string json) =>
        Assert.Throws<InvalidDataException>(() => ProviderPresets.Parse(json));

    [Fact]
    public void Fill_in_the_middle_is_data_the_providers_list_and_inline_completion_both_read()
    {
        // docs/PROVIDERS.md "Fill-in-the-middle" lists these; providers/list reports capabilities.fim from the same data.
        using var http = new ProviderHttp();
        var registry = new ProviderRegistry([], http, new ApiKeyStore(), new ProviderState(() => null));
        var withFim = registry.Providers.Where(p => p is IFimProvider { SupportsFim: true })
            .ToDictionary(p => p.Descriptor.Id, p => p.Descriptor.FimStyle);
        Assert.Equal(new Dictionary<string, string?>
        {
            ["ollama"] = FimStyles.OllamaGenerate,
            ["lmstudio"] = FimStyles.SuffixCompletions,
            ["llamacpp"] = FimStyles.LlamaCppInfill,
            ["vllm"] = FimStyles.SuffixCompletions,
            ["mistral"] = FimStyles.FimCompletions,
            ["deepseek"] = FimStyles.SuffixCompletions,
        }, withFim);
        Assert.All(registry.Providers, p => Assert.Equal(withFim.ContainsKey(p.Descriptor.Id), p.Descriptor.Capabilities.Fim));
        // Anthropic's provider has no FIM at all; OpenAI's own API shares the class but has no FIM model.
        Assert.IsNotAssignableFrom<IFimProvider>(registry.Get("anthropic"));
        Assert.False(((IFimProvider)registry.Get("openai")).SupportsFim);
    }

    [Fact]
    public void Pricing_matches_dated_snapshots_by_the_longest_prefix()
    {
        var openai = ProviderPresets.All.Single(p => p.Id == "openai");
        Assert.Equal(0.40, openai.PricingFor("gpt-4.1-mini-2025-04-14")!.Input);
        Assert.Equal(2.00, openai.PricingFor("gpt-4.1-2025-04-14")!.Input);
        Assert.Null(openai.PricingFor("unknown-model"));
    }

    [Fact]
    public void A_di_registered_provider_joins_the_registry_first_and_may_replace_a_preset()
    {
        using var http = new ProviderHttp();
        var local = new FakeLocalProvider();
        var registry = new ProviderRegistry([local], http, new ApiKeyStore(), new ProviderState(() => null));
        Assert.Same(local, registry.Providers[0]);
        Assert.Equal(PrivacyClass.OnDevice, registry.ContextFor("local").Privacy);
        Assert.Throws<ArgumentException>(() => new ProviderRegistry([local, new FakeLocalProvider()], http, new ApiKeyStore(), new ProviderState(() => null)));
    }
}
