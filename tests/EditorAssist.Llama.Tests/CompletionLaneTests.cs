namespace EditorAssist.Llama.Tests;

/// <summary>
/// The completion lane: its own context (chat does not evict it) with two sequences, so an edit
/// in the middle of a FIM prompt evaluates only the changed tokens and reuses the suffix.
/// </summary>
[Collection("cpu-model")]
public sealed class CompletionLaneTests(CpuModelFixture fixture)
{
    private LocalModel Model => fixture.Model;

    private static readonly string Suffix = string.Concat(Enumerable.Range(0, 12).Select(i => $"    x{i} = f({i})\n"));
    private static readonly string Prefix = string.Concat(Enumerable.Range(0, 10).Select(i => $"def g{i}(a):\n    return a\n")) + "def main():\n    va";

    private Task<GenerationResult> Complete(string prefix, string suffix = "", bool reuseTail = true, int maxTokens = 4) =>
        Model.GenerateAsync(new GenerationRequest
        {
            PromptTokens = Model.Fim!.Build(prefix, suffix.Length > 0 ? suffix : Suffix),
            Lane = GenerationLane.Completion,
            ReuseShiftedTail = reuseTail,
            Options = new GenerationOptions { Temperature = 0, MaxTokens = maxTokens },
        });

    private static int Tokens(LocalModel m, string s) => m.TokenizeExact(s).Length;

    [Fact]
    public async Task Typing_one_character_evaluates_only_the_new_tokens_and_reuses_the_suffix()
    {
        await Model.ResetCacheAsync(GenerationLane.Completion);
        var first = await Complete(Prefix);
        Assert.Equal(0, first.Usage.CachedTokens);
        int suffixTokens = Tokens(Model, Suffix);
        Assert.True(suffixTokens > 100, $"suffix {suffixTokens} tokens");

        var second = await Complete(Prefix + "l");
        // The prefix's last token may be re-tokenized with the new character, plus the final
        // (middle) token that is evaluated again for its logits.
        Assert.InRange(second.Usage.EvaluatedPromptTokens, 1, 4);
        Assert.Equal(second.Usage.PromptTokens - second.Usage.EvaluatedPromptTokens, second.Usage.CachedTokens);

        // Deleting it again shifts the suffix back: still only a few tokens.
        var third = await Complete(Prefix);
        Assert.InRange(third.Usage.EvaluatedPromptTokens, 1, 4);
        Assert.Equal(first.Usage.PromptTokens, third.Usage.PromptTokens);
    }

    [Fact]
    public async Task Without_tail_reuse_the_suffix_is_evaluated_again()
    {
        await Model.ResetCacheAsync(GenerationLane.Completion);
        await Complete(Prefix, reuseTail: false);
        var second = await Complete(Prefix + "l", reuseTail: false);
        Assert.True(second.Usage.EvaluatedPromptTokens > Tokens(Model, Suffix),
            $"evaluated {second.Usage.EvaluatedPromptTokens}, suffix {Tokens(Model, Suffix)}");
    }

    [Fact]
    public async Task The_reused_tail_is_evaluated_afresh_once_edits_add_up()
    {
        await Model.ResetCacheAsync(GenerationLane.Completion);
        await Complete(Prefix);
        string typed = "";
        bool refreshed = false;
        int evaluatedInFront = 0;
        // Each step inserts a line; once ContextWorker.MaxTailDrift tokens went in front of the
        // reused suffix, one request evaluates the suffix again.
        for (int i = 0; i < 60 && !refreshed; i++)
        {
            typed += $"    y{i} = g{i}(1)\n";
            var r = await Complete(Prefix + typed);
            if (r.Usage.EvaluatedPromptTokens > Tokens(Model, Suffix))
            {
                refreshed = true;
                Assert.True(evaluatedInFront >= ContextWorker.MaxTailDrift, $"refreshed after {evaluatedInFront} tokens");
            }
            else
            {
                evaluatedInFront += r.Usage.EvaluatedPromptTokens - 1;
            }
        }
        Assert.True(refreshed, "the suffix was never evaluated again");
    }

    [Fact]
    public async Task Chat_on_the_same_model_does_not_evict_the_completion_cache()
    {
        await Model.ResetCacheAsync(GenerationLane.Completion);
        await Complete(Prefix);
        await Model.GenerateAsync(new GenerationRequest
        {
            Messages = [new ChatMessage("user", "something else entirely, long enough to fill the chat cache")],
            Options = new GenerationOptions { Temperature = 0, MaxTokens = 4 },
        });
        var again = await Complete(Prefix + "l");
        Assert.InRange(again.Usage.EvaluatedPromptTokens, 1, 4);
    }

    [Fact]
    public async Task After_tail_reuse_the_cache_matches_the_prompt_exactly()
    {
        await Model.ResetCacheAsync(GenerationLane.Completion);
        await Complete(Prefix);
        await Complete(Prefix + "lue = 1\n    other");
        // Same prompt again: everything but the last token comes from the cache, which is only
        // possible if the cache holds exactly this prompt's tokens at their positions (a gap or
        // a wrong position would make llama_decode refuse the final token).
        var same = await Complete(Prefix + "lue = 1\n    other");
        Assert.Equal(1, same.Usage.EvaluatedPromptTokens);
        // And the lane keeps working from there with plain prefix reuse (a different suffix).
        var other = await Complete(Prefix + "lue = 1\n    other", suffix: "\n# end\n");
        Assert.Equal(FinishReason.Length, other.FinishReason is FinishReason.Stop ? FinishReason.Length : other.FinishReason);
        Assert.True(other.Usage.CachedTokens >= Tokens(Model, Prefix), $"cached {other.Usage.CachedTokens}");
    }
}
