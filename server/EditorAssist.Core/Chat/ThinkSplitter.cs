using System.Text;

namespace EditorAssist.Core.Chat;

/// <summary>
/// Splits a streamed answer of a reasoning model (Qwen3, DeepSeek-R1, QwQ…) into its thinking — the
/// <c>&lt;think&gt;…&lt;/think&gt;</c> span the model writes first — and the answer after it, one
/// text piece at a time, as the pieces arrive.
/// </summary>
/// <remarks>
/// <para>Streaming-safe: a tag may be cut anywhere between pieces (<c>"&lt;th"</c> + <c>"ink&gt;"</c>);
/// text that could still be the start of a tag is held back until the next piece decides, and
/// <see cref="Flush"/> releases it at the end.</para>
/// <para>Only a span at the very start of the output counts (whitespace before it allowed): a model
/// that writes <c>&lt;think&gt;</c> in the middle of its answer (explaining HTML, say) keeps it as
/// text. <paramref name="startInside"/> is for templates that pre-fill <c>&lt;think&gt;</c> in the
/// prompt, so the model starts inside the span. An unterminated span is all thinking. The blank
/// lines models put after <c>&lt;/think&gt;</c> are dropped from the answer.</para>
/// </remarks>
public sealed class ThinkSplitter(bool startInside = false)
{
    public const string OpenTag = "<think>";
    public const string CloseTag = "</think>";

    private enum State { Start, Thinking, AfterThinking, Answer }

    private State _state = startInside ? State.Thinking : State.Start;
    // Text not yet given out: at the start, what may still be leading whitespace + "<think>";
    // inside, what may be the start of "</think>".
    private readonly StringBuilder _pending = new();

    /// <summary>Whether the output has entered a thinking span (pre-filled or written).</summary>
    public bool SawThinking { get; private set; } = startInside;

    /// <summary>Feeds the next piece; returns the thinking and answer text it releases (either may be empty).</summary>
    public (string Reasoning, string Answer) Push(string piece)
    {
        if (piece.Length == 0) return ("", "");
        if (_state == State.Answer) return ("", piece);
        _pending.Append(piece);
        var reasoning = new StringBuilder();
        var answer = new StringBuilder();
        while (true)
        {
            switch (_state)
            {
                case State.Start:
                {
                    var text = _pending.ToString();
                    var lead = text.Length - text.TrimStart().Length;
                    var rest = text.AsSpan(lead);
                    if (rest.StartsWith(OpenTag, StringComparison.Ordinal))
                    {
                        _pending.Remove(0, lead + OpenTag.Length);
                        _state = State.Thinking;
                        SawThinking = true;
                        continue;
                    }
                    if (rest.Length < OpenTag.Length && OpenTag.AsSpan().StartsWith(rest, StringComparison.Ordinal))
                        return (reasoning.ToString(), answer.ToString()); // may still become "<think>": wait
                    answer.Append(text);
                    _pending.Clear();
                    _state = State.Answer;
                    return (reasoning.ToString(), answer.ToString());
                }
                case State.Thinking:
                {
                    var text = _pending.ToString();
                    var close = text.IndexOf(CloseTag, StringComparison.Ordinal);
                    if (close >= 0)
                    {
                        reasoning.Append(text, 0, close);
                        _pending.Remove(0, close + CloseTag.Length);
                        _state = State.AfterThinking;
                        continue;
                    }
                    var keep = PartialSuffix(text, CloseTag);
                    reasoning.Append(text, 0, text.Length - keep);
                    _pending.Remove(0, text.Length - keep);
                    return (reasoning.ToString(), answer.ToString());
                }
                case State.AfterThinking:
                {
                    var text = _pending.ToString().TrimStart();
                    _pending.Clear();
                    if (text.Length == 0) return (reasoning.ToString(), answer.ToString()); // only whitespace so far
                    answer.Append(text);
                    _state = State.Answer;
                    return (reasoning.ToString(), answer.ToString());
                }
                default:
                    answer.Append(_pending);
                    _pending.Clear();
                    return (reasoning.ToString(), answer.ToString());
            }
        }
    }

    /// <summary>The end of the output: releases what was held back (a partial tag is text after all).</summary>
    public (string Reasoning, string Answer) Flush()
    {
        var text = _pending.ToString();
        _pending.Clear();
        return _state switch
        {
            State.Thinking => (text, ""),            // an unterminated span is all thinking
            State.AfterThinking => ("", ""),         // only whitespace after </think>
            _ => ("", text),
        };
    }

    /// <summary>Splits a whole text at once (for answers read whole, not streamed).</summary>
    public static (string Reasoning, string Answer) SplitWhole(string text, bool startInside = false)
    {
        var s = new ThinkSplitter(startInside);
        var (r1, a1) = s.Push(text);
        var (r2, a2) = s.Flush();
        return (r1 + r2, a1 + a2);
    }

    /// <summary>How many characters at the end of <paramref name="text"/> are a proper prefix of <paramref name="tag"/>.</summary>
    private static int PartialSuffix(string text, string tag)
    {
        for (var n = Math.Min(tag.Length - 1, text.Length); n > 0; n--)
            if (text.AsSpan(text.Length - n).SequenceEqual(tag.AsSpan(0, n))) return n;
        return 0;
    }
}

/// <summary>What a model's chat template (GGUF <c>tokenizer.chat_template</c>, Jinja text) says about thinking.</summary>
public static class ThinkTemplate
{
    /// <summary>The template knows the think tags (a reasoning model: its answers may open with a think span).</summary>
    public static bool UsesThinkTags(string? template) =>
        template is not null && template.Contains(ThinkSplitter.OpenTag, StringComparison.Ordinal);

    /// <summary>
    /// The template's generation prompt opens the think span itself (DeepSeek-R1's newer templates,
    /// QwQ, Qwen3-Thinking: <c>…assistant\n&lt;think&gt;\n</c>), so the model's output starts inside it.
    /// Read from the text after the last <c>add_generation_prompt</c> up to its <c>endif</c>: it must
    /// hold <c>&lt;think&gt;</c> and no <c>&lt;/think&gt;</c> (Qwen3's hybrid template writes an empty
    /// span there only when thinking is switched off).
    /// </summary>
    public static bool PrefillsThinking(string? template)
    {
        if (template is null) return false;
        var at = template.LastIndexOf("add_generation_prompt", StringComparison.Ordinal);
        if (at < 0) return false;
        var end = template.IndexOf("endif", at, StringComparison.Ordinal);
        var block = end < 0 ? template[at..] : template[at..end];
        return block.Contains(ThinkSplitter.OpenTag, StringComparison.Ordinal) && !block.Contains(ThinkSplitter.CloseTag, StringComparison.Ordinal);
    }
}
