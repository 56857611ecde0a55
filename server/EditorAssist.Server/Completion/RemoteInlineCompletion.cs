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
/// <c>completion/inline</c> on a remote provider's fill-in-the-middle endpoint (<see cref="IFimProvider"/>:
/// OpenAI-compatible servers' legacy completions with <c>suffix</c>, llama-server's <c>/infill</c>, Ollama's
/// <c>/api/generate</c>, Mistral's <c>/fim/completions</c>). What the local path guarantees holds here too:
/// <list type="bullet">
/// <item>the same windows, scope stops and quality guards (<see cref="CompletionText"/>), and the caller's
/// result cache;</item>
/// <item>newest wins (<see cref="NewestWins"/>, in <see cref="InlineCompletion"/>): a newer request
/// cancels the older one's HTTP call, and the older answers -32800;</item>
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

    private IEnumerable<string> ProvidersWithFim() =>
        registry.Providers.Where(p => p is IFimProvider { SupportsFim: true }).Select(p => p.Descriptor.DisplayName);
}

/// <summary>A remote model cleared for inline completion (see <see cref="RemoteInlineCompletion.Target"/>): a source like the local runtime.</summary>
public sealed record RemoteFimTarget(IFimProvider Fim, ProviderContext Context, string ModelId) : IInlineSource
{
    public async Task<InlineCompletionResult> CompleteAsync(InlineWindow w, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (w.TimeBudgetMs is int ms and > 0) budget.CancelAfter(ms);
        FimResult result;
        try
        {
            result = await Fim.CompleteFimAsync(Context, new FimRequest
            {
                Model = ModelId,
                Prefix = w.Prefix,
                Suffix = w.Suffix,
                MaxTokens = w.MaxTokens,
                Temperature = 0,
                Stop = CompletionText.StopsFor(w.Scope),
            }, budget.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested && budget.IsCancellationRequested)
        {
            var spent = Math.Round(clock.Elapsed.TotalMilliseconds, 2);
            return new InlineCompletionResult([], new InlineTimingsDto(0, 0, spent, spent, false, true), w.ModelRef)
            {
                Privacy = ProviderWire.Privacy(Context.Privacy),
            };
        }
        ct.ThrowIfCancellationRequested();

        var total = Math.Round(clock.Elapsed.TotalMilliseconds, 2);
        var text = CompletionText.Clean(result.Text, w.Prefix, w.Suffix, w.Scope);
        // A non-streamed answer arrives whole: its first token and its last reach us together.
        return new InlineCompletionResult(
            text is null ? [] : [new InlineItemDto(text)],
            new InlineTimingsDto(0, result.Usage?.PromptTokens ?? 0, total, total, false, false),
            w.ModelRef)
        {
            Privacy = ProviderWire.Privacy(Context.Privacy),
        };
    }
}
