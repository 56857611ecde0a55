using System.Text.Json;
using EditorAssist.Core.Completion;
using EditorAssist.Core.Errors;
using EditorAssist.Llama;
using EditorAssist.Server.Local;
using EditorAssist.Server.Hosting;
using EditorAssist.Server.Protocol;
using EditorAssist.Core.Settings;
using Microsoft.Extensions.Options;

namespace EditorAssist.Server.Completion;

/// <summary>
/// <c>completion/inline</c> on the local runtime. The prompt is the model's own fill-in-the-middle
/// form (<see cref="FimTemplate"/>), built from line windows of the prefix and suffix plus extra
/// context chunks, shrunk until it fits the token budget. Every request carries the same
/// supersede key, so the newest keystroke cancels the one before it within one decode step; the
/// model's completion lane (its own context, so chat never evicts it) keeps the KV cache between
/// requests, reusing both the unchanged start and the unchanged end (suffix) of the prompt, so a
/// keystroke evaluates only what changed.
/// A time budget ends generation early and keeps what was written so far. A small cache answers a
/// repeated position at once. Settings: <c>completion.model</c>, <c>completion.prefixLines</c>
/// and <c>completion.suffixLines</c> (defaults: <see cref="CompletionWindow"/>, what the extension sends), <c>completion.maxTokens</c> (default 64),
/// <c>completion.reuseCache</c> (default true; false is the benchmark's no-reuse baseline),
/// <c>completion.reuseSuffix</c> (default true; false keeps only the common start).
/// A model of another provider goes to <see cref="RemoteInlineCompletion"/> with the same windows, scope
/// and cache.
/// </summary>
public sealed class InlineCompletion(LocalRuntimeHost local, IOptionsMonitor<SidecarSettings> settings, RemoteInlineCompletion remote)
{
    private const string SupersedeKey = "inline-completion";
    private const int CacheSize = 64;
    private readonly LinkedList<(string Key, InlineCompletionResult Result)> _cache = new();
    private readonly Lock _cacheGate = new();

    /// <summary>The model a request asks: its own, else the setting <c>completion.model</c> (null: none chosen).</summary>
    public string? ModelRefFor(InlineCompletionParams p) => p.Model ?? settings.CurrentValue.CompletionModel;

    /// <param name="sequence">Arrival order of the request: the highest one is the newest keystroke.</param>
    public async Task<InlineCompletionResult> CompleteAsync(InlineCompletionParams p, long sequence, CancellationToken ct)
    {
        var current = settings.CurrentValue;
        var modelRef = p.Model ?? current.CompletionModel
            ?? throw new EditorAssistException(ErrorCode.ModelNotFound, "No completion model selected: set editorAssist.completion.model or pass 'model'.");

        var prefixLines = current.CompletionPrefixLines ?? CompletionWindow.PrefixLines;
        var suffixLines = current.CompletionSuffixLines ?? CompletionWindow.SuffixLines;
        var maxTokens = Math.Clamp(p.MaxTokens ?? current.CompletionMaxTokens, 1, 512);
        var prefix = CompletionText.PrefixWindow(p.Prefix, prefixLines);
        var suffix = CompletionText.SuffixWindow(p.Suffix, suffixLines);
        var scope = CompletionText.ScopeAt(prefix, suffix);

        // A remote model is checked (FIM support, local-only mode) before the cache answers anything.
        var remoteTarget = modelRef.StartsWith(LocalRuntimeHost.ProviderId + "/", StringComparison.Ordinal) ? null : remote.Target(modelRef);
        var cacheKey = $"{modelRef}\u0000{maxTokens}\u0000{prefix}\u0000{suffix}";
        if (FromCache(cacheKey) is { } hit) return hit with { Timings = hit.Timings with { FromCache = true, TtftMs = 0, TotalMs = 0, CachedTokens = 0, EvaluatedTokens = 0 } };

        if (remoteTarget is not null)
        {
            var remoteAnswer = await remote.CompleteAsync(remoteTarget, new RemoteInlineRequest(modelRef, prefix, suffix, scope, maxTokens, p.TimeBudgetMs), sequence, ct).ConfigureAwait(false);
            if (!remoteAnswer.Timings.TimedOut) Remember(cacheKey, remoteAnswer);
            return remoteAnswer;
        }

        var path = local.Resolve(modelRef);
        var model = await local.Models.GetOrLoadAsync(modelRef, path, local.OptionsFor(modelRef), null, ct).ConfigureAwait(false);
        if (model.Fim is not { } fim)
            throw new EditorAssistException(ErrorCode.FimNotSupported, $"'{modelRef}' has no fill-in-the-middle tokens, so it cannot complete code inline. Choose a code model (e.g. Qwen2.5-Coder).");

        var prompt = BuildWithinBudget(model, fim, prefix, suffix, p, maxTokens);
        // completion.reuseCache=false evaluates every prompt from scratch: the benchmark's baseline.
        if (!current.CompletionReuseCache)
            await model.ResetCacheAsync(GenerationLane.Completion).ConfigureAwait(false);

        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (p.TimeBudgetMs is int ms and > 0) budget.CancelAfter(ms);
        GenerationResult result;
        try
        {
            // Handlers run concurrently, so "newest" is the arrival order, not the order in which
            // handlers reach the model: the worker compares SupersedeOrder.
            result = await local.Models.GenerateAsync(modelRef, new GenerationRequest
            {
                PromptTokens = prompt,
                Lane = GenerationLane.Completion,
                ReuseShiftedTail = current.CompletionReuseSuffix,
                SupersedeKey = SupersedeKey,
                SupersedeOrder = sequence,
                Options = new GenerationOptions { Temperature = 0, MaxTokens = maxTokens, Stop = CompletionText.StopsFor(scope) },
            }, null, budget.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested && budget.IsCancellationRequested)
        {
            // The budget ran out while the request was still queued: nothing was written.
            return new InlineCompletionResult([], new InlineTimingsDto(0, 0, 0, p.TimeBudgetMs ?? 0, false, true), modelRef);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw Superseded();
        }
        ct.ThrowIfCancellationRequested();
        // Cancelled while generating and not by the budget: a newer keystroke took the model.
        if (result.FinishReason == FinishReason.Cancelled && !budget.IsCancellationRequested) throw Superseded();

        var text = CompletionText.Clean(result.Text, prefix, suffix, scope);
        var answer = new InlineCompletionResult(
            text is null ? [] : [new InlineItemDto(text)],
            new InlineTimingsDto(result.Usage.CachedTokens, result.Usage.EvaluatedPromptTokens,
                Math.Round(result.Timings.TtftMs, 2), Math.Round(result.Timings.TotalMs, 2), false, result.FinishReason == FinishReason.Cancelled),
            modelRef);
        if (result.FinishReason != FinishReason.Cancelled) Remember(cacheKey, answer);
        return answer;
    }

    /// <summary>Builds the FIM prompt, dropping extra context, then halving the windows, until it fits the completion context.</summary>
    private static int[] BuildWithinBudget(LocalModel model, FimTemplate fim, string prefix, string suffix, InlineCompletionParams p, int maxTokens)
    {
        var budget = model.CompletionContextLength - maxTokens - 8;
        var extra = fim.SupportsRepoContext
            ? (p.ExtraContext ?? []).Where(c => c.Uri != p.Uri && c.Text.Length > 0)
                .DistinctBy(c => c.Text).Select(c => new FimContextFile(c.Uri, c.Text)).ToList()
            : [];
        while (true)
        {
            var prompt = fim.Build(prefix, suffix, extra.Count > 0 ? "workspace" : null, extra, extra.Count > 0 ? p.Uri : null);
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

    /// <summary>Answered as a cancellation (-32800): the client has moved on to a newer position. Local and remote paths alike.</summary>
    internal static Rpc.RpcException Superseded() =>
        new(Rpc.ErrorCodes.RequestCancelled, "Superseded by a newer completion request.");

    private InlineCompletionResult? FromCache(string key)
    {
        lock (_cacheGate)
        {
            for (var node = _cache.First; node is not null; node = node.Next)
            {
                if (node.Value.Key != key) continue;
                _cache.Remove(node);
                _cache.AddFirst(node);
                return node.Value.Result;
            }
            return null;
        }
    }

    private void Remember(string key, InlineCompletionResult result)
    {
        lock (_cacheGate)
        {
            _cache.AddFirst((key, result));
            while (_cache.Count > CacheSize) _cache.RemoveLast();
        }
    }
}
