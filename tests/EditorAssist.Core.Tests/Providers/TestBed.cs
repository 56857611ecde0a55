using System.Collections.Concurrent;
using EditorAssist.Core.Chat;
using EditorAssist.Storage;
using EditorAssist.Core.Errors;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;
using EditorAssist.Providers.Http;
using EditorAssist.Core.Routing;
using EditorAssist.Providers.Routing;
using EditorAssist.Testing;

namespace EditorAssist.Core.Tests.Providers;

/// <summary>
/// A registry over the real presets with a fast retry policy whose waits are recorded, not slept,
/// and optionally a real SQLite store in a temp folder.
/// </summary>
internal sealed class TestBed : IDisposable
{
    private readonly TempDirectory? _dir;

    public TestBed(bool sqlite = false, RetryOptions? retry = null, IEnumerable<IChatProvider>? extra = null, ListLogger? log = null, IReadOnlyList<ProviderDescriptor>? presets = null)
    {
        Log = log ?? new ListLogger();
        if (sqlite)
        {
            _dir = new TempDirectory("ea-prov");
            Store = SqliteStore.Open(_dir.Path, Log);
        }
        Retry = retry ?? new RetryOptions
        {
            MaxRetries = 2,
            AttemptTimeout = TimeSpan.FromSeconds(10),
            Delay = (d, ct) => { Delays.Add(d); return Task.CompletedTask; },
        };
        Http = new ProviderHttp(Retry);
        Keys = new ApiKeyStore();
        State = new ProviderState(() => Store);
        Registry = new ProviderRegistry(extra ?? [], Http, Keys, State, presets);
        Discovery = new ModelDiscovery(Registry);
        History = new ChatHistory(() => Store);
        Router = new ChatRouter(Registry, Discovery, History);
    }

    public ListLogger Log { get; }
    public ConcurrentBag<TimeSpan> Delays { get; } = [];
    public RetryOptions Retry { get; }
    public SqliteStore? Store { get; }
    public string? StoreDirectory => _dir?.Path;
    public ProviderHttp Http { get; }
    public ApiKeyStore Keys { get; }
    public ProviderState State { get; }
    public ProviderRegistry Registry { get; }
    public ModelDiscovery Discovery { get; }
    public ChatHistory History { get; }
    public ChatRouter Router { get; }

    public ProviderContext Context(string id) => Registry.ContextFor(id);

    public IChatProvider Provider(string id) => Registry.Get(id);

    public async Task<(string Text, ChatFinal Final, int Deltas)> ChatAsync(string providerId, string model = "fake-model", CancellationToken ct = default, ChatParams? p = null)
    {
        var text = new System.Text.StringBuilder();
        ChatFinal? final = null;
        var deltas = 0;
        await foreach (var chunk in Provider(providerId).StreamChatAsync(Context(providerId),
                           new ChatRequest { Model = model, Messages = [new("system", "Be brief."), new("user", "Hi")], Params = p ?? new ChatParams() }, ct))
        {
            if (chunk.Delta is { } d) { text.Append(d); deltas++; }
            if (chunk.Final is { } f) final = f;
        }
        return (text.ToString(), final ?? throw new InvalidOperationException("no final chunk"), deltas);
    }

    public static async Task<EditorAssistException> Fails(Func<Task> action)
    {
        var ex = await Assert.ThrowsAsync<EditorAssistException>(action);
        return ex;
    }

    public void Dispose()
    {
        Http.Dispose();
        Store?.Dispose();
        _dir?.Dispose();
    }
}
