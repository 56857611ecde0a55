using System.Text.Json;
using EditorAssist.Core.Errors;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;
using EditorAssist.Storage;
using EditorAssist.Providers.OpenAi;
using EditorAssist.Testing.Fakes;

namespace EditorAssist.Core.Tests.Providers;

/// <summary>Azure OpenAI through the OpenAI SDK against a loopback fake speaking Azure's URL scheme.</summary>
public class AzureOpenAiProviderTests : IAsyncLifetime
{
    private const string Key = "azure-key-0123456789abcdef";
    private OpenAiFakeServer _server = null!;
    private TestBed _bed = null!;

    public async Task InitializeAsync()
    {
        _server = await OpenAiFakeServer.StartAsync();
        _bed = new TestBed();
        _bed.Keys.Set("azure", Key);
    }

    public async Task DisposeAsync()
    {
        _bed.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Chat_goes_to_the_deployment_with_api_version_and_the_api_key_header()
    {
        _bed.Registry.Configure("azure", _server.Root, null);
        _server.Enqueue(new StreamReply(["Hi ", "from ", "Azure."], PromptTokens: 9, CompletionTokens: 3));
        var (text, final, _) = await _bed.ChatAsync("azure", "my-gpt-4o", p: new ChatParams { MaxTokens = 50 });

        Assert.Equal("Hi from Azure.", text);
        Assert.Equal(new ChatUsage(9, 3, 0), final.Usage);
        var request = Assert.Single(_server.Requests);
        Assert.Equal($"/openai/deployments/my-gpt-4o/chat/completions?api-version={AzureOpenAiProvider.DefaultApiVersion}", request.Path);
        Assert.Equal(Key, request.Headers["api-key"]);
        Assert.False(request.Headers.ContainsKey("authorization"), "the key goes in api-key only");
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal(50, body.RootElement.GetProperty("max_completion_tokens").GetInt32());
    }

    [Fact]
    public async Task An_api_version_on_the_endpoint_wins_and_deployment_names_are_escaped()
    {
        _bed.Registry.Configure("azure", _server.Root + "/?api-version=2025-01-01-preview", null);
        await _bed.ChatAsync("azure", "dep one");
        Assert.Equal("/openai/deployments/dep%20one/chat/completions?api-version=2025-01-01-preview", Assert.Single(_server.Requests).Path);
    }

    [Fact]
    public async Task The_placeholder_endpoint_says_to_set_one_and_sends_nothing()
    {
        var ex = await Assert.ThrowsAsync<EditorAssistException>(() => _bed.ChatAsync("azure", "dep"));
        Assert.Equal(ErrorCode.ProviderUnavailable, ex.Code);
        Assert.Contains("editorAssist.providers.baseUrls", ex.Message);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public void Is_a_preset_with_its_own_implementation_and_counts_as_cloud()
    {
        Assert.IsType<AzureOpenAiProvider>(_bed.Registry.Get("azure"));
        _bed.Registry.Configure("azure", "https://contoso.openai.azure.com", null);
        Assert.Equal(PrivacyClass.Cloud, _bed.Registry.ContextFor("azure").Privacy);
        Assert.True(_bed.Registry.Get("azure").Descriptor.Capabilities.Tools);
    }
}
