using System.Runtime.CompilerServices;
using EditorAssist.Core.Errors;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;
using EditorAssist.Storage;

namespace EditorAssist.Core.Tests.Providers;

/// <summary>A stand-in for the llama runtime in routing tests (kind Local, id "local"). Test-only.</summary>
internal sealed class FakeLocalProvider(bool available = true, string[]? tokens = null) : IChatProvider
{
    public int Calls;

    public ProviderDescriptor Descriptor { get; } = new()
    {
        Id = "local",
        DisplayName = "On this device",
        Kind = ProviderKind.Local,
        Api = ProviderApi.Local,
        Capabilities = new ProviderCapabilities { Chat = true, Fim = true },
    };

    public Task<ProviderStatus> CheckAsync(ProviderContext context, CancellationToken cancellationToken) =>
        Task.FromResult(available ? new ProviderStatus(Availability.Readily) : new ProviderStatus(Availability.AfterDownload, "No model downloaded."));

    public Task<IReadOnlyList<ModelInfo>> ListModelsAsync(ProviderContext context, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ModelInfo>>(available
            ? [new ModelInfo { Id = "tiny-q8_0", Roles = ["chat", "fim"], Local = new LocalModelDetails("/models/tiny.gguf", 1000, "Q8_0", null, true) }]
            : []);

    public async IAsyncEnumerable<ChatChunk> StreamChatAsync(ProviderContext context, ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Calls);
        if (!available) throw new EditorAssistException(ErrorCode.ModelNotDownloaded, "The local model is not downloaded.");
        await Task.Yield();
        foreach (var t in tokens ?? ["local ", "answer"]) yield return ChatChunk.Text(t);
        yield return ChatChunk.Done(new ChatFinal { FinishReason = FinishReasons.Stop, Usage = new ChatUsage(5, 2), Model = request.Model });
    }
}
