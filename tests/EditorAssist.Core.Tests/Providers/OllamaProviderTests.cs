using EditorAssist.Core.Errors;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;
using EditorAssist.Storage;
using EditorAssist.Providers.Ollama;
using EditorAssist.Testing.Fakes;

namespace EditorAssist.Core.Tests.Providers;

public class OllamaProviderTests : IAsyncLifetime
{
    private OllamaFakeServer _server = null!;
    private TestBed _bed = null!;

    public async Task InitializeAsync()
    {
        _server = await OllamaFakeServer.StartAsync();
        _bed = new TestBed();
        _bed.Registry.Configure("ollama", _server.BaseUrl, null);
    }

    public async Task DisposeAsync()
    {
        _bed.Dispose();
        await _server.DisposeAsync();
    }

    private OllamaProvider Ollama => (OllamaProvider)_bed.Provider("ollama");

    [Fact]
    public async Task Health_comes_from_api_version_and_models_from_api_tags()
    {
        var status = await Ollama.CheckAsync(_bed.Context("ollama"), default);
        Assert.Equal(Availability.Readily, status.Availability);
        Assert.Contains("0.6.2", status.Reason);
        var models = await Ollama.ListModelsAsync(_bed.Context("ollama"), default);
        Assert.Equal(["llama3.2:3b", "qwen2.5-coder:1.5b"], models.Select(m => m.Id));
        Assert.Contains("fim", models[1].Roles);
        Assert.Equal(PrivacyClass.Loopback, _bed.Context("ollama").Privacy);
    }

    [Fact]
    public async Task Not_running_is_reported_as_no_with_an_actionable_reason()
    {
        _bed.Registry.Configure("ollama", "http://127.0.0.1:9", null);
        var status = await Ollama.CheckAsync(_bed.Context("ollama"), default);
        Assert.Equal(Availability.No, status.Availability);
        Assert.Contains("Is Ollama running?", status.Reason);
    }

    [Fact]
    public async Task Pull_reports_ndjson_progress_until_success_and_delete_removes()
    {
        var progress = new List<OllamaPullProgress>();
        await Ollama.PullAsync(_bed.Context("ollama"), "phi4:14b", progress.Add, default);
        Assert.Equal("pulling manifest", progress[0].Status);
        Assert.Contains(progress, p => p.Total == 2019393189 && p.Completed == 2019393189);
        Assert.Equal("success", progress[^1].Status);
        Assert.Contains("phi4:14b", _server.Models);

        await Ollama.DeleteAsync(_bed.Context("ollama"), "phi4:14b", default);
        Assert.DoesNotContain("phi4:14b", _server.Models);
        var ex = await TestBed.Fails(() => Ollama.DeleteAsync(_bed.Context("ollama"), "phi4:14b", default));
        Assert.Equal(ErrorCode.ModelNotFound, ex.Code);
    }

    [Fact]
    public async Task A_failed_pull_is_an_error()
    {
        _bed.Registry.Configure("ollama", null, new ProviderOptions { MaxRetries = 0 });
        var ex = await TestBed.Fails(() => Ollama.PullAsync(_bed.Context("ollama"), "missing-model", _ => { }, default));
        Assert.Equal(ErrorCode.ProviderUnavailable, ex.Code);
        Assert.Contains("file does not exist", ex.Message);
    }

    [Fact]
    public async Task Chat_goes_through_the_openai_compatible_v1_endpoint_without_a_key()
    {
        _server.Enqueue(new StreamReply(["ol", "la"], PromptTokens: 9, CompletionTokens: 2));
        var (text, final, _) = await _bed.ChatAsync("ollama", "llama3.2:3b");
        Assert.Equal("olla", text);
        Assert.Equal(new ChatUsage(9, 2), final.Usage);
        Assert.Equal("/v1/chat/completions", _server.Requests.Single(r => r.Method == "POST").Path);
    }
}
