using EditorAssist.Core.Completion;

namespace EditorAssist.Core.Tests.Completion;

public class CompletionTextTests
{
    [Fact]
    public void Prefix_window_keeps_the_last_lines_including_the_partial_one()
    {
        Assert.Equal("c\nd", CompletionText.PrefixWindow("a\nb\nc\nd", 2));
        Assert.Equal("c\n", CompletionText.PrefixWindow("a\nb\nc\n", 2));
        Assert.Equal("a\nb", CompletionText.PrefixWindow("a\nb", 10));
        Assert.Equal("", CompletionText.PrefixWindow("a\nb", 0));
    }

    [Fact]
    public void Suffix_window_keeps_the_first_lines()
    {
        Assert.Equal("x\ny\n", CompletionText.SuffixWindow("x\ny\nz\n", 2));
        Assert.Equal("x\ny", CompletionText.SuffixWindow("x\ny", 5));
    }

    [Theory]
    [InlineData("    return ", "\n", CompletionScope.Block)]
    [InlineData("foo(", ")\n", CompletionScope.Block)]
    [InlineData("x = ", " + y\n", CompletionScope.Line)]
    [InlineData("def f():\n", "", CompletionScope.Block)]
    public void Scope_depends_on_what_follows_the_cursor_on_its_line(string prefix, string suffix, CompletionScope expected)
    {
        Assert.Equal(expected, CompletionText.ScopeAt(prefix, suffix));
        Assert.Equal(expected == CompletionScope.Line ? ["\n"] : ["\n\n\n"], CompletionText.StopsFor(expected));
    }

    [Fact]
    public void A_line_completion_stops_at_the_first_newline()
    {
        Assert.Equal("a + b", CompletionText.Clean("a + b\nprint(1)", "x = ", " # sum\n", CompletionScope.Line));
    }

    [Fact]
    public void A_block_completion_stops_where_indentation_falls_below_the_cursor_line()
    {
        var prefix = "def f(x):\n    if x:\n        ";
        var raw = "return 1\n        # more\n    return 2\ndef g():\n    pass";
        Assert.Equal("return 1\n        # more", CompletionText.Clean(raw, prefix, "", CompletionScope.Block));
    }

    [Fact]
    public void Output_that_repeats_the_suffix_is_trimmed()
    {
        Assert.Equal("a, b", CompletionText.TrimSuffixOverlap("a, b)", ")\n"));
        Assert.Equal("x = 1\n", CompletionText.TrimSuffixOverlap("x = 1\nreturn x", "    return x\n"));
        Assert.Equal("abc", CompletionText.TrimSuffixOverlap("abc", ""));
    }

    [Fact]
    public void Empty_and_whitespace_results_are_dropped_and_indentation_kept()
    {
        Assert.Null(CompletionText.Clean("   \n\n", "x", "", CompletionScope.Block));
        Assert.Null(CompletionText.Clean(")", "f(", ")", CompletionScope.Block));
        Assert.Equal("if y:\n        z()", CompletionText.Clean("if y:\n        z()\n", "    ", "", CompletionScope.Block));
    }
}
