using System.Diagnostics;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using EditorAssist.Core.Errors;
using EditorAssist.Providers.Http;
using EditorAssist.Core.Providers;

namespace EditorAssist.Providers;

/// <summary>
/// What every HTTP provider shares: one <see cref="HttpCall"/> per call, error mapping through
/// <see cref="ProviderErrors"/>, the key check before any network traffic, and the idle timeout of a
/// stream. Subclasses add the wire format.
/// </summary>
public abstract class RemoteProvider(ProviderDescriptor descriptor, ProviderHttp http) : IChatProvider
{
    public static readonly TimeSpan DefaultStreamIdleTimeout = TimeSpan.FromSeconds(120);
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    public ProviderDescriptor Descriptor { get; } = descriptor;

    protected ProviderHttp Http { get; } = http;

    public virtual async Task<ProviderStatus> CheckAsync(ProviderContext context, CancellationToken cancellationToken)
    {
        if (Descriptor.RequiresApiKey && context.ApiKey is null)
            return new ProviderStatus(Availability.No, ProviderErrors.Missing(Descriptor).Message);
        var sw = Stopwatch.StartNew();
        try
        {
            await ProbeAsync(context, cancellationToken).ConfigureAwait(false);
            return new ProviderStatus(Availability.Readily, null, sw.ElapsedMilliseconds);
        }
        catch (EditorAssistException ex)
        {
            return new ProviderStatus(Availability.No, ex.Message, null);
        }
    }

    /// <summary>A cheap authenticated request that proves the server is up and the key works (throws mapped errors).</summary>
    protected virtual async Task ProbeAsync(ProviderContext context, CancellationToken cancellationToken) =>
        await ListModelsAsync(context with { Options = context.Options with { MaxRetries = 0, RequestTimeoutMs = (int)CheckTimeout.TotalMilliseconds } }, cancellationToken).ConfigureAwait(false);

    public abstract Task<IReadOnlyList<ModelInfo>> ListModelsAsync(ProviderContext context, CancellationToken cancellationToken);

    /// <summary>Checks the key up front (so a missing key is 1004 at the call, not at the first read), then streams.</summary>
    public virtual IAsyncEnumerable<ChatChunk> StreamChatAsync(ProviderContext context, ChatRequest request, CancellationToken cancellationToken)
    {
        RequireKey(context);
        return StreamCoreAsync(context, request, cancellationToken);
    }

    protected abstract IAsyncEnumerable<ChatChunk> StreamCoreAsync(ProviderContext context, ChatRequest request, CancellationToken cancellationToken);

    protected void RequireKey(ProviderContext context)
    {
        if (Descriptor.RequiresApiKey && context.ApiKey is null) throw ProviderErrors.Missing(Descriptor);
    }

    protected static Uri BaseUri(ProviderContext context)
    {
        var url = context.BaseUrl ?? context.Descriptor.DefaultBaseUrl
                  ?? throw new EditorAssistException(ErrorCode.ProviderUnavailable, $"{context.Descriptor.DisplayName} has no base URL.");
        return new Uri(url.EndsWith('/') ? url : url + "/", UriKind.Absolute);
    }

    /// <summary>GET a JSON document relative to the base URL, with retries and error mapping.</summary>
    protected async Task<JsonDocument> GetJsonAsync(ProviderContext context, string relative, Action<HttpRequestHeaders>? headers, CancellationToken cancellationToken)
    {
        using var call = Http.Create(context);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(BaseUri(context), relative));
            headers?.Invoke(request.Headers);
            using var response = await call.Client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) throw new HttpRequestException($"HTTP {(int)response.StatusCode}", null, response.StatusCode);
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return await JsonDocument.ParseAsync(stream, default, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw ProviderErrors.Map(context, ex, call.State);
        }
    }

    /// <summary>
    /// Runs a provider's raw stream with error mapping and an idle timeout (the longest silence between
    /// two items). <paramref name="open"/> gets a token that the idle timer and the caller both cancel.
    /// </summary>
    protected async IAsyncEnumerable<T> Pump<T>(
        ProviderContext context, HttpCallState state, Func<CancellationToken, IAsyncEnumerable<T>> open,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var idle = context.Options.StreamIdleTimeoutMs is { } ms && ms > 0 ? TimeSpan.FromMilliseconds(ms) : DefaultStreamIdleTimeout;
        // The first item also waits for the request itself, retries included: give it their whole budget.
        var retry = Http.Retry;
        var retries = context.Options.MaxRetries ?? retry.MaxRetries;
        var attempt = context.Options.RequestTimeoutMs is { } rt && rt > 0 ? TimeSpan.FromMilliseconds(rt) : retry.AttemptTimeout;
        var firstWait = idle + attempt * (retries + 1) + (retry.MaxRetryAfter + retry.MaxBackoff) * retries;
        var first = true;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var enumerator = open(cts.Token).GetAsyncEnumerator(cts.Token);
        try
        {
            while (true)
            {
                T item;
                try
                {
                    cts.CancelAfter(first ? firstWait : idle);
                    first = false;
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false)) yield break;
                    item = enumerator.Current;
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    if (ex is OperationCanceledException && cts.IsCancellationRequested)
                        throw ProviderErrors.Map(context, new TimeoutException($"no data for {idle.TotalSeconds:0.#} s"), state);
                    throw ProviderErrors.Map(context, ex, state);
                }
                yield return item;
            }
        }
        finally
        {
            // Disposing the SDK's enumerator closes the HTTP response: the upstream generation stops.
            try { await enumerator.DisposeAsync().ConfigureAwait(false); }
            catch (Exception) when (cancellationToken.IsCancellationRequested) { }
        }
    }

    protected static int? ReadInt(JsonElement e, params string[] names)
    {
        foreach (var n in names)
        {
            if (e.TryGetProperty(n, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var l) && l > 0 && l <= int.MaxValue) return (int)l;
        }
        return null;
    }
}
