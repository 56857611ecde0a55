using EditorAssist.Core.Errors;
using EditorAssist.Core.Providers;

namespace EditorAssist.Core.Chat;

/// <summary>How a provider counts a conversation for one model: its context and a token counter.</summary>
/// <param name="ContextLength">Tokens the model can attend to (prompt and answer together).</param>
/// <param name="CountTokens">Tokens of one message's text.</param>
/// <param name="PerMessageTokens">What the chat template adds around each message (role markers, separators).</param>
/// <param name="Exact">Whether <paramref name="CountTokens"/> is the model's own tokenizer (else an estimate, counted with a margin).</param>
public sealed record ContextBudget(int ContextLength, Func<string, int> CountTokens, int PerMessageTokens = 8, bool Exact = true);

/// <summary>
/// Optional for a provider: the budget a request to <see cref="ChatRequest.Model"/> must fit (the local
/// runtime loads the model and counts with its tokenizer). Null when it cannot tell.
/// </summary>
public interface IContextBudgetSource
{
    Task<ContextBudget?> GetBudgetAsync(ProviderContext context, ChatRequest request, CancellationToken cancellationToken);
}

public sealed record FitResult(IReadOnlyList<ChatMessage> Messages, int TrimmedMessages, int PromptTokens);

/// <summary>
/// Fits a conversation into a model's context before it is sent: when it does not fit, the oldest
/// turns go first; system messages and the newest message are always kept, and the kept history
/// starts with a user turn (chat templates expect user/assistant alternation). Room is kept for the
/// answer. A conversation whose kept part alone is too large is refused with 1007
/// ContextLengthExceeded instead of failing in the runtime or the remote API.
/// </summary>
public static class ContextFitter
{
    /// <summary>Characters per token for the estimate of remote models (English and code average about 4; 3 errs on the safe side).</summary>
    public const double EstimatedCharsPerToken = 3.0;

    public static ContextBudget Estimate(int contextLength) =>
        new(contextLength, text => (int)Math.Ceiling(text.Length / EstimatedCharsPerToken), PerMessageTokens: 8, Exact: false);

    /// <summary>Tokens kept free for the answer: the request's max tokens, at most half the context.</summary>
    public static int AnswerReserve(int contextLength, int? maxTokens, int defaultMaxTokens = 512) =>
        Math.Min(maxTokens ?? defaultMaxTokens, contextLength / 2);

    /// <exception cref="EditorAssistException">1007 when the system messages and the newest message alone do not fit.</exception>
    public static FitResult Fit(IReadOnlyList<ChatMessage> messages, ContextBudget budget, int answerReserve)
    {
        if (messages.Count == 0) return new FitResult(messages, 0, 0);
        var cost = messages.Select(m => budget.CountTokens(m.Content) + budget.PerMessageTokens).ToArray();
        // The template's own start (BOS, an assistant header for the answer) and, for an estimate, a 10 % margin.
        var limit = budget.ContextLength - answerReserve - budget.PerMessageTokens;
        if (!budget.Exact) limit = (int)(limit * 0.9);

        var last = messages.Count - 1;
        var keptAlways = cost[last] + Enumerable.Range(0, last).Where(i => messages[i].Role == "system").Sum(i => cost[i]);
        if (keptAlways > limit)
        {
            throw new EditorAssistException(ErrorCode.ContextLengthExceeded,
                $"The message is too long for the model's {budget.ContextLength:N0}-token context: it needs about {keptAlways:N0} tokens, " +
                $"and {answerReserve:N0} are kept for the answer. Shorten it, or choose a model (or a context length in the model's settings) with more room.")
            {
                Details = new Dictionary<string, object?>
                {
                    ["contextLength"] = budget.ContextLength,
                    ["requiredTokens"] = keptAlways + answerReserve,
                },
            };
        }

        var total = cost.Sum();
        if (total <= limit) return new FitResult(messages, 0, total);

        // Drop the oldest turns (never a system message, never the newest) until it fits, then any
        // assistant turns left at the front, so the history starts with the user.
        var dropped = new bool[messages.Count];
        var trimmed = 0;
        for (var i = 0; i < last && total > limit; i++)
        {
            if (messages[i].Role == "system") continue;
            dropped[i] = true;
            total -= cost[i];
            trimmed++;
        }
        for (var i = 0; i < last; i++)
        {
            if (dropped[i] || messages[i].Role == "system") continue;
            if (messages[i].Role != "assistant") break;
            dropped[i] = true;
            total -= cost[i];
            trimmed++;
        }
        var kept = messages.Where((_, i) => !dropped[i]).ToList();
        return new FitResult(kept, trimmed, total);
    }
}
