using System.Diagnostics;
using EditorAssist.Core.Completion;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;
using EditorAssist.Storage;
using EditorAssist.Core.Routing;
using EditorAssist.Providers.Routing;
using EditorAssist.Server.Protocol;

namespace EditorAssist.Server.Completion;

/// <summary>
/// One <c>completion/inline</c> request for a remote model, after <see cref="InlineCompletion"/> has
/// windowed the text, decided the scope and missed its cache: the prefix and suffix as the provider's
/// fill-in-the-middle request wants them.
/// </summary>
/// <summary>A remote model cleared for inline completion (see <see cref="RemoteInlineCompletion.Target"/>).</summary>
public sealed record RemoteFimTarget(IFimProvider Fim, ProviderContext Context, string ModelId);

public sealed record RemoteInlineRequest(string ModelRef, string Prefix, string Suffix, CompletionScope Scope, int MaxTokens, int? TimeBudgetMs);

/// <summary>
/// <c>completion/inline</c> on a remote provider's fill-in-the-middle endpoint (<see cref="IFimProvider"/>:
/// OpenAI-compatible servers' legacy completions with <c>suffix</c>, llama-server's <c>/infill</c>, Ollama's
/// <c>/api/generate</c>, Mistral's <c>/fim/completions</c>). What the local path guarantees holds here too:
/// <list type="bullet">
/// <item>the same windows, scope stops and quality guards (<see cref="CompletionText"/>), and the caller's
/// result cache;</item>
/// <item>newest wins: a request cancels the HTTP call of every older one (by arrival
/// <c>sequence</c>, not by the order handlers happen to run), and the older answers -32800;</item>
/// <item><c>timeBudgetMs</c> aborts the call and answers <c>timedOut</c> with no items (a non-streamed
/// answer has nothing partial to keep);</item>
/// <item>privacy: the code leaves the process, so local-only mode refuses a cloud provider with the same
/// 1013 as <c>chat/send</c> (<see cref="RouterPolicy.Blocks"/>), before any byte is sent.</item>
/// </list>
/// A provider without FIM (Anthropic, OpenAI's own API, most clouds) answers 1017 naming the providers that
/// have it. Retries are off for this path: a retry's backoff outlasts the keystroke it would answer, and the
/// next keystroke is the retry.
/// </summary>
public sealed class RemoteInlineCompletion(ProviderRegistry registry)
{
    private readonly Lock _gate = new();
    private long _newest = long.MinValue;
    private CancellationTokenSource? _running;

    /// <summary>
    /// The provider that will answer <paramref name="modelRef"/>, or the reason none may: 1017 without
    /// FIM, 1013 when local-only mode forbids it. The caller asks before its result cache, so local-only
    /// also refuses what a cloud provider answered earlier.
    /// </summary>
    public RemoteFimTarget Target(string modelRef)
    {
        var (providerId, modelId) = ProviderRegistry.ParseRef(modelRef);
        var provider = registry.Get(providerId);
        if (provider is not IFimProvider { SupportsFim: true } fim)
            throw ProviderErrors.FimNotSupported(provider.Descriptor, null, ProvidersWithFim());
        var context = registry.ContextFor(providerId);
        // The privacy class comes from the URL configured now, so re-pointing a provider cannot slip past this.
        if (registry.State.GetRouterPolicy().Blocks(context.Privacy)) throw ChatRouter.PolicyViolation(context);
        return new RemoteFimTarget(fim, context with { Options = context.Options with { MaxRetries = 0 } }, modelId);
    }

    /// <param name="target">From <see cref="Target"/>.</param>
    /// <param name="sequence">Arrival order of the request: the highest one is the newest keystroke.</param>
    public async Task<InlineCompletionResult> CompleteAsync(RemoteFimTarget target, RemoteInlineRequest request, long sequence, CancellationToken ct)
    {
        var (fim, context, modelId) = target;

        using var mine = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (!TryClaim(sequence, mine)) throw InlineCompletion.Superseded();
        try
        {
            var clock = Stopwatch.StartNew();
            using var budget = CancellationTokenSource.CreateLinkedTokenSource(mine.Token);
            if (request.TimeBudgetMs is int ms and > 0) budget.CancelAfter(ms);
            FimResult result;
            try
            {
                result = await fim.CompleteFimAsync(context, new FimRequest
                {
                    Model = modelId,
                    Prefix = request.Prefix,
                    Suffix = request.Suffix,
                    MaxTokens = request.MaxTokens,
                    Temperature = 0,
                    Stop = CompletionText.StopsFor(request.Scope),
                }, budget.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested && mine.IsCancellationRequested)
            {
                throw InlineCompletion.Superseded();
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested && budget.IsCancellationRequested)
            {
                var spent = Math.Round(clock.Elapsed.TotalMilliseconds, 2);
                return new InlineCompletionResult([], new InlineTimingsDto(0, 0, spent, spent, false, true), request.ModelRef)
                {
                    Privacy = ProviderWire.Privacy(context.Privacy),
                };
            }
            ct.ThrowIfCancellationRequested();
            // The answer arrived as a newer keystroke came in: that one is what the editor shows.
            if (mine.IsCancellationRequested) throw InlineCompletion.Superseded();

            var total = Math.Round(clock.Elapsed.TotalMilliseconds, 2);
            var text = CompletionText.Clean(result.Text, request.Prefix, request.Suffix, request.Scope);
            // A non-streamed answer arrives whole: its first token and its last reach us together.
            return new InlineCompletionResult(
                text is null ? [] : [new InlineItemDto(text)],
                new InlineTimingsDto(0, result.Usage?.PromptTokens ?? 0, total, total, false, false),
                request.ModelRef)
            {
                Privacy = ProviderWire.Privacy(context.Privacy),
            };
        }
        finally
        {
            lock (_gate) if (_running == mine) _running = null;
        }
    }

    /// <summary>
    /// Makes <paramref name="mine"/> the running request and cancels the older one's HTTP call; refuses a
    /// request that is older than one already claimed (handlers run concurrently, so a stale keystroke can
    /// reach this point after a newer one).
    /// </summary>
    private bool TryClaim(long sequence, CancellationTokenSource mine)
    {
        CancellationTokenSource? older;
        lock (_gate)
        {
            if (sequence < _newest) return false;
            _newest = sequence;
            older = _running;
            _running = mine;
        }
        try
        {
            // Outside the lock: cancelling runs the older call's callbacks (aborting its HTTP request).
            older?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // It finished in the meantime: nothing left to cancel.
        }
        return true;
    }

    private IEnumerable<string> ProvidersWithFim() =>
        registry.Providers.Where(p => p is IFimProvider { SupportsFim: true }).Select(p => p.Descriptor.DisplayName);

}
