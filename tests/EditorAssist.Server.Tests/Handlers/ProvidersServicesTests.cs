using System.Runtime.CompilerServices;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;
using EditorAssist.Storage;
using EditorAssist.Core.Routing;
using EditorAssist.Providers.Routing;
using EditorAssist.Server.Handlers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EditorAssist.Server.Tests.Handlers;

/// <summary>The seam the local runtime plugs into: an IChatProvider registered in DI joins the registry.</summary>
public class ProvidersServicesTests
{
    private sealed class StubLocal : IChatProvider
    {
        public ProviderDescriptor Descriptor { get; } = new() { Id = "local", DisplayName = "On this device", Kind = ProviderKind.Local, Api = ProviderApi.Local };
        public Task<ProviderStatus> CheckAsync(ProviderContext context, CancellationToken cancellationToken) => Task.FromResult(new ProviderStatus(Availability.Readily));
        public Task<IReadOnlyList<ModelInfo>> ListModelsAsync(ProviderContext context, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<ModelInfo>>([new ModelInfo { Id = "tiny" }]);
        public async IAsyncEnumerable<ChatChunk> StreamChatAsync(ProviderContext context, ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            yield return ChatChunk.Text("on device");
            yield return ChatChunk.Done(new ChatFinal { FinishReason = FinishReasons.Stop, Usage = new ChatUsage(3, 2) });
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_provider_registered_in_di_before_or_after_AddProviders_serves_local_refs(bool before)
    {
        var services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        if (before) services.AddSingleton<IChatProvider, StubLocal>();
        services.AddProviders();
        if (!before) services.AddSingleton<IChatProvider, StubLocal>();
        await using var sp = services.BuildServiceProvider();
        using var dir = new EditorAssist.Testing.TempDirectory();
        var session = sp.GetRequiredService<EditorAssist.Server.Hosting.SessionScope>();
        session.Begin(dir.Path);

        var registry = session.Get<ProviderRegistry>();
        Assert.Equal("local", registry.Providers[0].Descriptor.Id);
        Assert.Equal(PrivacyClass.OnDevice, registry.ContextFor("local").Privacy);
        var deltas = new List<string>();
        var result = await session.Get<ChatRouter>().SendAsync(
            new ChatSendRequest { Model = "local/tiny", Messages = [new("user", "hi")] }, deltas.Add, default);
        Assert.Equal(["on device"], deltas);
        Assert.Equal(PrivacyClass.OnDevice, result.Privacy);
        Assert.Equal(0, result.Cost!.Usd);
    }
}
