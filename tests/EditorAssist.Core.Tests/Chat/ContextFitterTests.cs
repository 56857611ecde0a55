using EditorAssist.Core.Chat;
using EditorAssist.Storage;
using EditorAssist.Core.Errors;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;

namespace EditorAssist.Core.Tests.Chat;

public class ContextFitterTests
{
    // One token per character and no template cost: the arithmetic stays readable.
    private static readonly ContextBudget Chars = new(100, t => t.Length, PerMessageTokens: 0);

    private static ChatMessage M(string role, int length, char c = 'x') => new(role, new string(c, length));

    [Fact]
    public void A_conversation_that_fits_is_sent_whole()
    {
        var messages = new[] { M("system", 10), M("user", 20), M("assistant", 20), M("user", 10) };
        var r = ContextFitter.Fit(messages, Chars, answerReserve: 30);
        Assert.Same(messages, r.Messages);
        Assert.Equal(0, r.TrimmedMessages);
        Assert.Equal(60, r.PromptTokens);
    }

    [Fact]
    public void The_oldest_turns_go_first_keeping_the_system_prompt_and_the_newest_message_and_starting_with_a_user_turn()
    {
        var messages = new[] { M("system", 10, 's'), M("user", 20, 'a'), M("assistant", 20, 'b'), M("user", 20, 'c'), M("assistant", 20, 'd'), M("user", 10, 'e') };
        var r = ContextFitter.Fit(messages, Chars, answerReserve: 30);
        // 100 in all; the limit is 70: dropping 'a' leaves 80, dropping 'b' 60 — which starts the history with 'c' (a user turn).
        Assert.Equal(2, r.TrimmedMessages);
        Assert.Equal("scde", string.Concat(r.Messages.Select(m => m.Content[0])));
        Assert.Equal(60, r.PromptTokens);
    }

    [Fact]
    public void An_assistant_turn_left_at_the_front_goes_too()
    {
        var messages = new[] { M("user", 30, 'a'), M("assistant", 10, 'b'), M("user", 10, 'c'), M("assistant", 10, 'd'), M("user", 10, 'e') };
        var r = ContextFitter.Fit(messages, Chars, answerReserve: 50);
        Assert.Equal("cde", string.Concat(r.Messages.Select(m => m.Content[0])));
        Assert.Equal(2, r.TrimmedMessages);
    }

    [Fact]
    public void A_newest_message_too_large_alone_is_1007_with_the_figures()
    {
        var ex = Assert.Throws<EditorAssistException>(() => ContextFitter.Fit([M("system", 10), M("user", 80)], Chars, answerReserve: 30));
        Assert.Equal(ErrorCode.ContextLengthExceeded, ex.Code);
        Assert.Equal(100, ex.Details!["contextLength"]);
        Assert.Equal(120, ex.Details["requiredTokens"]);
        Assert.Contains("100-token context", ex.Message);
    }

    [Fact]
    public void The_estimate_for_remote_models_counts_generously_and_keeps_a_margin()
    {
        var budget = ContextFitter.Estimate(1000);
        Assert.False(budget.Exact);
        Assert.Equal(34, budget.CountTokens(new string('x', 100)));
        Assert.Equal(256, ContextFitter.AnswerReserve(512, null));
        Assert.Equal(100, ContextFitter.AnswerReserve(4096, 100));
        // (1000 − 100 reserve − 8) × 0.9 = 802 tokens for the prompt.
        var messages = Enumerable.Range(0, 10).Select(i => M(i % 2 == 0 ? "user" : "assistant", 300)).Append(M("user", 30)).ToList();
        var r = ContextFitter.Fit(messages, budget, 100);
        Assert.True(r.PromptTokens <= 802, $"{r.PromptTokens}");
        Assert.True(r.TrimmedMessages > 0);
    }
}
