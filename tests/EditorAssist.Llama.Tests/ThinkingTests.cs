using System.Text.RegularExpressions;
using EditorAssist.Core.Chat;
using EditorAssist.Testing.Gguf;

namespace EditorAssist.Llama.Tests;

/// <summary>
/// Reasoning models on the real runtime: a template that opens the think span gets it back after
/// libllama's render, and the splitter separates a think span from real token streams (libllama's
/// pieces, a tag spread over several tokens of the test vocabulary).
/// </summary>
[Collection("cpu-model")]
public sealed partial class ThinkingTests(CpuModelFixture fixture)
{
    [Fact]
    public async Task A_template_that_opens_the_think_span_gets_it_after_the_assistant_prefix()
    {
        string path = TestModel.Write(LlamaTestEnvironment.NewPath("thinking.gguf"), TestModelSpec.Tiny with { ChatTemplate = TestModel.ThinkingChatMlTemplate });
        await using var m = await LlamaTestEnvironment.Runtime.LoadModelAsync(path, new LocalModelOptions { GpuLayers = 0, ContextLength = 256, Threads = 1 });
        Assert.True(m.PrefillsThinking);
        Assert.True(m.UsesThinkTags);
        Assert.EndsWith("<|im_start|>assistant\n<think>\n", m.ApplyChatTemplate([new ChatMessage("user", "Hi")]), StringComparison.Ordinal);
        // Without the assistant prefix (counting a message's cost) nothing is added.
        Assert.DoesNotContain("<think>", m.ApplyChatTemplate([new ChatMessage("user", "Hi")], addAssistantPrefix: false), StringComparison.Ordinal);

        // The plain ChatML model: unchanged.
        Assert.False(fixture.Model.PrefillsThinking);
        Assert.False(fixture.Model.UsesThinkTags);
        Assert.EndsWith("<|im_start|>assistant\n", fixture.Model.ApplyChatTemplate([new ChatMessage("user", "Hi")]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1u)]
    [InlineData(7u)]
    [InlineData(42u)]
    public async Task The_splitter_separates_the_span_in_real_token_streams(uint seed)
    {
        // A grammar makes the random model write a think span and an answer; the pieces are libllama's.
        const string grammar = """
            root ::= "<think>" [a-z ] [a-z ] [a-z ] [a-z ]? [a-z ]? "</think>" "\n\n" [a-z] [a-z] [a-z]?
            """;
        var pieces = new List<string>();
        var r = await fixture.Model.GenerateAsync(new GenerationRequest
        {
            Prompt = "x",
            Options = new GenerationOptions { Temperature = 1, Seed = seed, MaxTokens = 40, Grammar = grammar },
        }, pieces.Add);
        var whole = Span().Match(r.Text);
        Assert.True(whole.Success, $"grammar output: {r.Text}");
        Assert.True(pieces.Count > 3, "the span came in several pieces");
        Assert.DoesNotContain("<think>", pieces); // the tag itself is cut over several tokens

        var splitter = new ThinkSplitter();
        string reasoning = "", answer = "";
        foreach (var p in pieces)
        {
            var (pr, pa) = splitter.Push(p);
            reasoning += pr;
            answer += pa;
            Assert.DoesNotContain("<", pr + pa); // no piece of a tag ever leaks out
        }
        var (fr, fa) = splitter.Flush();
        Assert.Equal(whole.Groups["r"].Value, reasoning + fr);
        Assert.Equal(whole.Groups["a"].Value, answer + fa);
    }

    [GeneratedRegex(@"^<think>(?<r>[a-z ]*)</think>\n\n(?<a>[a-z]+)$")]
    private static partial Regex Span();
}
