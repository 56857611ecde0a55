using EditorAssist.Core.Completion;
using EditorAssist.Core.Errors;
using EditorAssist.Core.Settings;
using EditorAssist.Llama;
using EditorAssist.Server.Local;
using EditorAssist.Server.Protocol;
using Microsoft.Extensions.Options;

namespace EditorAssist.Server.Completion;

/// <summary>
/// The local runtime as an inline-completion source. The prompt is the model's own
/// fill-in-the-middle form (<see cref="FimTemplate"/>) built from the windows plus extra context
/// chunks, shrunk until it fits the token budget. The model's completion lane (its own context, so
/// chat never evicts it) keeps the KV cache between requests, reusing both the unchanged start and
/// the unchanged end (suffix) of the prompt, so a keystroke evaluates only what changed. A time
/// budget ends generation early and keeps what was written so far. Settings:
/// <c>completion.reuseCache</c> (default true; false is the benchmark's no-reuse baseline),
/// <c>completion.reuseSuffix</c> (default true; false keeps only the common start).
/// </summary>
public sealed class LocalInlineCompletion(LocalRuntimeHost local, IOptionsMonitor<SidecarSettings> settings) : IInlineSource
{
    public static bool Serves(string modelRef) => modelRef.StartsWith(LocalRuntimeHost.ProviderId + "/", StringComparison.Ordinal);

    public async Task<InlineCompletionResult> CompleteAsync(InlineWindow w, CancellationToken ct)
    {
        var current = settings.CurrentValue;
        var path = local.Resolve(w.ModelRef);
        var model = await local.Models.GetOrLoadAsync(w.ModelRef, path, local.OptionsFor(w.ModelRef), null, ct).ConfigureAwait(false);
        if (model.Fim is not { } fim)
            throw new EditorAssistException(ErrorCode.FimNotSupported, $"'{w.ModelRef}' has no fill-in-the-middle tokens, so it cannot complete code inline. Choose a code model (e.g. Qwen2.5-Coder).");

        var prompt = BuildWithinBudget(model, fim, w);
        // completion.reuseCache=false evaluates every prompt from scratch: the benchmark's baseline.
        if (!current.CompletionReuseCache)
            await model.ResetCacheAsync(GenerationLane.Completion).ConfigureAwait(false);

        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (w.TimeBudgetMs is int ms and > 0) budget.CancelAfter(ms);
        GenerationResult result;
        try
        {
            result = await local.Models.GenerateAsync(w.ModelRef, new GenerationRequest
            {
                PromptTokens = prompt,
                Lane = GenerationLane.Completion,
                ReuseShiftedTail = current.CompletionReuseSuffix,
                Options = new GenerationOptions { Temperature = 0, MaxTokens = w.MaxTokens, Stop = CompletionText.StopsFor(w.Scope) },
            }, null, budget.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested && budget.IsCancellationRequested)
        {
            // The budget ran out while the request was still queued: nothing was written.
            return new InlineCompletionResult([], new InlineTimingsDto(0, 0, 0, w.TimeBudgetMs ?? 0, false, true), w.ModelRef);
        }
        // Cancelled while generating and not by the budget: a newer keystroke (or the client) took the model.
        if (result.FinishReason == FinishReason.Cancelled && !budget.IsCancellationRequested) throw new OperationCanceledException(ct);
        ct.ThrowIfCancellationRequested();

        var text = CompletionText.Clean(result.Text, w.Prefix, w.Suffix, w.Scope);
        return new InlineCompletionResult(
            text is null ? [] : [new InlineItemDto(text)],
            new InlineTimingsDto(result.Usage.CachedTokens, result.Usage.EvaluatedPromptTokens,
                Math.Round(result.Timings.TtftMs, 2), Math.Round(result.Timings.TotalMs, 2), false, result.FinishReason == FinishReason.Cancelled),
            w.ModelRef);
    }

    /// <summary>Builds the FIM prompt, dropping extra context, then halving the windows, until it fits the completion context.</summary>
    private static int[] BuildWithinBudget(LocalModel model, FimTemplate fim, InlineWindow w)
    {
        var (prefix, suffix, maxTokens) = (w.Prefix, w.Suffix, w.MaxTokens);
        var budget = model.CompletionContextLength - maxTokens - 8;
        var extra = fim.SupportsRepoContext
            ? (w.ExtraContext ?? []).Where(c => c.Uri != w.Uri && c.Text.Length > 0)
                .DistinctBy(c => c.Text).Select(c => new FimContextFile(c.Uri, c.Text)).ToList()
            : [];
        while (true)
        {
            var prompt = fim.Build(prefix, suffix, extra.Count > 0 ? "workspace" : null, extra, extra.Count > 0 ? w.Uri : null);
            var tokens = prompt.Length;
            if (tokens <= budget) return prompt;
            if (extra.Count > 0) { extra.RemoveAt(extra.Count - 1); continue; }
            if (suffix.Length > 0) { suffix = CompletionText.SuffixWindow(suffix, Math.Max(0, suffix.Count(c => c == '\n') / 2)); continue; }
            var lines = prefix.Count(c => c == '\n');
            if (lines == 0)
            {
                // One enormous line: keep its end.
                var keep = Math.Max(1, prefix.Length * budget / Math.Max(tokens, 1) - 1);
                return fim.Build(prefix[^Math.Min(keep, prefix.Length)..], "");
            }
            prefix = CompletionText.PrefixWindow(prefix, lines / 2 + 1);
        }
    }
}
