using EditorAssist.Core.Providers;
using EditorAssist.Providers;
namespace EditorAssist.Providers.Http;

/// <summary>
/// Makes the HttpClient of one provider call: a fresh <see cref="ResilienceHandler"/> (it records that
/// call's <see cref="HttpCallState"/>) over one shared primary handler (connection pool). Tests inject
/// the primary handler; production uses a SocketsHttpHandler with a connect timeout.
/// </summary>
public sealed class ProviderHttp : IDisposable
{
    private readonly HttpMessageHandler _direct;
    private readonly HttpMessageHandler _proxied;
    private readonly bool _ownsHandlers;

    public ProviderHttp(RetryOptions? retry = null, HttpMessageHandler? primary = null)
    {
        Retry = retry ?? RetryOptions.Default;
        _ownsHandlers = primary is null;
        // Loopback servers are reached directly: a system proxy must not see them (or the prompts).
        // Remote ones honour the system/environment proxy (enterprise networks).
        _direct = primary ?? CreateHandler(useProxy: false);
        _proxied = primary ?? CreateHandler(useProxy: true);
    }

    private static SocketsHttpHandler CreateHandler(bool useProxy) => new()
    {
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        UseProxy = useProxy,
        AutomaticDecompression = System.Net.DecompressionMethods.All,
    };

    public RetryOptions Retry { get; }

    public HttpCall Create(ProviderContext context)
    {
        var options = context.Options;
        var retry = Retry;
        if (options?.MaxRetries is { } max) retry = retry with { MaxRetries = Math.Clamp(max, 0, 10) };
        if (options?.RequestTimeoutMs is { } t && t > 0) retry = retry with { AttemptTimeout = TimeSpan.FromMilliseconds(t) };
        var state = new HttpCallState();
        var primary = context.Privacy == PrivacyClass.Cloud ? _proxied : _direct;
        var client = new HttpClient(new ResilienceHandler(retry, state, primary), disposeHandler: false)
        {
            // Streams last as long as generation does; per-attempt and idle timeouts bound the waits instead.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        return new HttpCall(client, state);
    }

    public void Dispose()
    {
        if (!_ownsHandlers) return;
        _direct.Dispose();
        _proxied.Dispose();
    }
}

/// <summary>One call's client and what its HTTP layer saw. Dispose after the call (and its stream) ends.</summary>
public sealed class HttpCall(HttpClient client, HttpCallState state) : IDisposable
{
    public HttpClient Client { get; } = client;
    public HttpCallState State { get; } = state;
    public void Dispose() => Client.Dispose();
}
