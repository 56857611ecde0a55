using EditorAssist.Core.Completion;
using EditorAssist.Core.Errors;
using EditorAssist.Core.Settings;
using EditorAssist.Server.Protocol;
using Microsoft.Extensions.Options;

namespace EditorAssist.Server.Completion;

/// <summary>What every inline-completion source gets: the windowed text, its scope and limits.</summary>
public sealed record InlineWindow(string ModelRef, string Prefix, string Suffix, CompletionScope Scope, int MaxTokens, int? TimeBudgetMs,
    string Uri, IReadOnlyList<ContextChunkDto>? ExtraContext);

/// <summary>A model that completes code inline: the local runtime (<see cref="LocalInlineCompletion"/>) or a
/// remote fill-in-the-middle endpoint (<see cref="RemoteFimTarget"/>).</summary>
public interface IInlineSource
{
    /// <summary>Answers the window; a time budget ends early with <c>timedOut</c>; <paramref name="ct"/> ends with a cancellation.</summary>
    Task<InlineCompletionResult> CompleteAsync(InlineWindow window, CancellationToken ct);
}

/// <summary>
/// <c>completion/inline</c>, one service for every model: the rules live here once and the sources
/// only generate. The model is the request's own or the setting <c>completion.model</c>; the prefix
/// and suffix are cut to line windows (<c>completion.prefixLines</c> / <c>suffixLines</c>, defaults
/// <see cref="CompletionWindow"/>, which is also what the extension sends), the scope decides the stop
/// sequences, <c>completion.maxTokens</c> (default 64) bounds the answer; a small cache answers a repeated
/// position at once; the newest keystroke wins (<see cref="NewestWins"/>: by arrival order, a newer
/// request cancels the older one, whose answer is -32800 even if it arrived just after). A remote model
/// is checked (FIM support, local-only mode) before the cache answers anything.
/// </summary>
public sealed class InlineCompletion(LocalInlineCompletion local, IOptionsMonitor<SidecarSettings> settings, RemoteInlineCompletion remote)
{
    private const int CacheSize = 64;
    private readonly LinkedList<(string Key, InlineCompletionResult Result)> _cache = new();
    private readonly Lock _cacheGate = new();
    private readonly NewestWins _newest = new();

    /// <summary>The model a request asks: its own, else the setting <c>completion.model</c> (null: none chosen).</summary>
    public string? ModelRefFor(InlineCompletionParams p) => p.Model ?? settings.CurrentValue.CompletionModel;

    /// <param name="sequence">Arrival order of the request: the highest one is the newest keystroke.</param>
    /// <exception cref="SupersededException">A newer request took over.</exception>
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

        IInlineSource source = LocalInlineCompletion.Serves(modelRef) ? local : remote.Target(modelRef);
        using var claim = _newest.TryClaim(sequence, ct) ?? throw new SupersededException();
        var cacheKey = $"{modelRef}\u0000{maxTokens}\u0000{prefix}\u0000{suffix}";
        if (FromCache(cacheKey) is { } hit) return hit with { Timings = hit.Timings with { FromCache = true, TtftMs = 0, TotalMs = 0, CachedTokens = 0, EvaluatedTokens = 0 } };

        InlineCompletionResult answer;
        try
        {
            answer = await source.CompleteAsync(new InlineWindow(modelRef, prefix, suffix, scope, maxTokens, p.TimeBudgetMs, p.Uri, p.ExtraContext), claim.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (claim.IsSuperseded)
        {
            throw new SupersededException();
        }
        // The answer arrived as a newer keystroke came in: that one is what the editor shows.
        if (claim.IsSuperseded) throw new SupersededException();
        if (!answer.Timings.TimedOut) Remember(cacheKey, answer);
        return answer;
    }

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
