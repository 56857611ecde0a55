using EditorAssist.Core.Chat;
using EditorAssist.Storage;
using EditorAssist.Testing.Gguf;

namespace EditorAssist.Core.Tests.Chat;

public class ThinkSplitterTests
{
    /// <summary>Feeds the pieces one by one, then flushes; returns everything released.</summary>
    private static (string Reasoning, string Answer) Run(IEnumerable<string> pieces, bool startInside = false)
    {
        var s = new ThinkSplitter(startInside);
        string r = "", a = "";
        foreach (var p in pieces)
        {
            var (pr, pa) = s.Push(p);
            r += pr;
            a += pa;
        }
        var (fr, fa) = s.Flush();
        return (r + fr, a + fa);
    }

    /// <summary>Every way of cutting <paramref name="text"/> into pieces of one character, and into two pieces at every point.</summary>
    private static IEnumerable<string[]> Cuts(string text)
    {
        yield return [text];
        yield return text.Select(c => c.ToString()).ToArray();
        for (var i = 1; i < text.Length; i++) yield return [text[..i], text[i..]];
        for (var i = 1; i < text.Length - 1; i++) yield return [text[..i], text[i..(i + 1)], text[(i + 1)..]];
    }

    [Theory]
    [InlineData("<think>Let me see.</think>\n\nThe answer.", "Let me see.", "The answer.")]
    [InlineData("\n<think>\nstep one\nstep two\n</think>Done", "\nstep one\nstep two\n", "Done")]
    [InlineData("No thinking here.", "", "No thinking here.")]
    [InlineData("<b>bold</b> text", "", "<b>bold</b> text")]
    [InlineData("An answer about <think> tags stays text.", "", "An answer about <think> tags stays text.")]
    [InlineData("<think>still thinking when the tokens ran out", "still thinking when the tokens ran out", "")]
    [InlineData("<think>a < b and </thin are not the end</think>ok", "a < b and </thin are not the end", "ok")]
    [InlineData("<thin", "", "<thin")]
    [InlineData("<think></think>", "", "")]
    public void A_think_span_at_the_start_is_split_out_however_the_text_is_cut(string text, string reasoning, string answer)
    {
        foreach (var pieces in Cuts(text))
            Assert.Equal((reasoning, answer), Run(pieces));
        Assert.Equal((reasoning, answer), ThinkSplitter.SplitWhole(text));
    }

    [Theory]
    [InlineData("Plan: greet.</think>\n\nHello!", "Plan: greet.", "Hello!")]
    [InlineData("never closed", "never closed", "")]
    [InlineData("ends with a partial tag </thi", "ends with a partial tag </thi", "")]
    [InlineData("</think>Straight to it.", "", "Straight to it.")]
    public void A_prefilled_span_starts_inside(string text, string reasoning, string answer)
    {
        foreach (var pieces in Cuts(text))
            Assert.Equal((reasoning, answer), Run(pieces, startInside: true));
    }

    [Fact]
    public void Text_is_released_as_soon_as_it_cannot_be_a_tag()
    {
        var s = new ThinkSplitter();
        Assert.Equal(("", ""), s.Push("<th"));             // may still become <think>
        Assert.Equal(("abc", ""), s.Push("ink>abc"));      // thinking streams at once
        Assert.Equal(("de", ""), s.Push("de</"));          // "</" held back
        Assert.Equal(("", ""), s.Push("think>\n\n"));      // the blank lines after the span are dropped
        Assert.Equal(("", "Hi"), s.Push("Hi"));
        Assert.Equal(("", " there"), s.Push(" there"));
        Assert.Equal(("", ""), s.Flush());
        Assert.True(s.SawThinking);

        var plain = new ThinkSplitter();
        Assert.Equal(("", "Hello"), plain.Push("Hello"));
        Assert.Equal(("", " <think>"), plain.Push(" <think>"));
        Assert.False(plain.SawThinking);
    }

    [Fact]
    public void Templates_that_open_the_span_are_told_apart_from_those_that_only_know_the_tags()
    {
        Assert.True(ThinkTemplate.PrefillsThinking(TestModel.ThinkingChatMlTemplate));
        Assert.False(ThinkTemplate.PrefillsThinking(TestModel.ChatMlTemplate));
        Assert.False(ThinkTemplate.UsesThinkTags(TestModel.ChatMlTemplate));
        Assert.False(ThinkTemplate.PrefillsThinking(null));
        // DeepSeek-R1 (newer template): the generation prompt opens the span.
        Assert.True(ThinkTemplate.PrefillsThinking("{% if add_generation_prompt %}{{'<｜Assistant｜><think>\\n'}}{% endif %}"));
        // Qwen3's hybrid template writes an empty span only when thinking is switched off: the model opens it itself.
        const string qwen3 = "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- if enable_thinking is defined and enable_thinking is false %}" +
                             "{{- '<think>\\n\\n</think>\\n\\n' }}{%- endif %}{%- endif %}";
        Assert.False(ThinkTemplate.PrefillsThinking(qwen3));
        Assert.True(ThinkTemplate.UsesThinkTags(qwen3));
    }
}
