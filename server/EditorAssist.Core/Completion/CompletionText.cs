namespace EditorAssist.Core.Completion;

/// <summary>How far a completion may run, decided from where the cursor is.</summary>
public enum CompletionScope
{
    /// <summary>The cursor has code after it on its line: finish this line only.</summary>
    Line,
    /// <summary>The cursor ends its line (or the line is blank): complete a block.</summary>
    Block,
}

/// <summary>
/// The text side of inline completion, independent of any model: context windows by lines, the
/// completion's scope, and the quality guards applied to what a model wrote (cut at the block
/// boundary, drop what repeats the suffix, drop empty results). Pure functions.
/// </summary>
public static class CompletionText
{
    /// <summary>The last <paramref name="maxLines"/> lines of the prefix (the cursor's partial line counts as one).</summary>
    public static string PrefixWindow(string prefix, int maxLines)
    {
        if (maxLines <= 0) return "";
        var pos = prefix.Length;
        for (var n = 0; n < maxLines; n++)
        {
            var nl = pos > 0 ? prefix.LastIndexOf('\n', pos - 1) : -1;
            if (nl < 0) return prefix;
            pos = nl;
        }
        return prefix[(pos + 1)..];
    }

    /// <summary>The first <paramref name="maxLines"/> lines of the suffix (the rest of the cursor's line counts as one).</summary>
    public static string SuffixWindow(string suffix, int maxLines)
    {
        if (maxLines <= 0) return "";
        var pos = -1;
        for (var n = 0; n < maxLines; n++)
        {
            pos = suffix.IndexOf('\n', pos + 1);
            if (pos < 0) return suffix;
        }
        return suffix[..(pos + 1)];
    }

    public static CompletionScope ScopeAt(string prefix, string suffix)
    {
        var restOfLine = suffix.IndexOf('\n') is var nl and >= 0 ? suffix[..nl] : suffix;
        // Closing brackets and quotes after the cursor are what editors auto-insert; they do not
        // make the line "finished" (typing `foo(|)` still wants a multi-token line completion).
        return restOfLine.Trim().Trim(')', ']', '}', '"', '\'', '`', ';', ',').Length > 0 ? CompletionScope.Line : CompletionScope.Block;
    }

    /// <summary>Stop sequences for the scope: a newline ends a line completion; a blank line ends a block.</summary>
    public static IReadOnlyList<string> StopsFor(CompletionScope scope) => scope == CompletionScope.Line ? ["\n"] : ["\n\n\n"];

    /// <summary>
    /// Applies the quality guards to a raw completion. Returns null when nothing useful is left.
    /// </summary>
    public static string? Clean(string completion, string prefix, string suffix, CompletionScope scope)
    {
        var text = completion.Replace("\r\n", "\n");
        if (scope == CompletionScope.Line)
        {
            var nl = text.IndexOf('\n');
            if (nl >= 0) text = text[..nl];
        }
        else
        {
            text = CutAtBlockEnd(text, prefix);
        }
        text = TrimSuffixOverlap(text, suffix);
        text = text.TrimEnd(' ', '\t', '\n');
        return string.IsNullOrWhiteSpace(text) ? null : text;
    }

    /// <summary>
    /// Keeps the completion inside the block the cursor is in: stops before the first later line
    /// that is indented less than the cursor's line (the block has ended there).
    /// </summary>
    public static string CutAtBlockEnd(string text, string prefix)
    {
        var lineStart = prefix.LastIndexOf('\n') + 1;
        var currentLine = prefix[lineStart..];
        var baseIndent = Indent(currentLine.Length > 0 && currentLine.Trim().Length == 0 ? currentLine : LeadingWhitespace(currentLine));
        var lines = text.Split('\n');
        var kept = new List<string> { lines[0] };
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Trim().Length > 0 && Indent(LeadingWhitespace(line)) < baseIndent) break;
            kept.Add(line);
        }
        return string.Join('\n', kept);
    }

    /// <summary>
    /// Drops the end of a completion that repeats what already follows the cursor (models often
    /// re-emit the closing bracket or the next line).
    /// </summary>
    public static string TrimSuffixOverlap(string text, string suffix)
    {
        var s = suffix.TrimStart(' ', '\t');
        if (s.Length == 0 || text.Length == 0) return text;
        // The longest tail of the completion that is a head of the suffix (ignoring leading blanks).
        for (var len = Math.Min(text.Length, s.Length); len > 0; len--)
        {
            var tail = text[^len..];
            if (tail.Trim().Length == 0) continue;
            if (s.StartsWith(tail.TrimStart(' ', '\t'), StringComparison.Ordinal) && tail.TrimStart(' ', '\t').Length > 0)
                return text[..^len];
        }
        // The completion writes the suffix's next non-empty line again: cut from there.
        var nextLine = s.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
        if (nextLine is { Length: >= 3 })
        {
            var at = text.IndexOf(nextLine, StringComparison.Ordinal);
            if (at > 0) return text[..at].TrimEnd(' ', '\t');
        }
        return text;
    }

    private static string LeadingWhitespace(string line) => line[..(line.Length - line.TrimStart(' ', '\t').Length)];

    private static int Indent(string whitespace)
    {
        var n = 0;
        foreach (var c in whitespace) n += c == '\t' ? 4 : 1;
        return n;
    }
}
