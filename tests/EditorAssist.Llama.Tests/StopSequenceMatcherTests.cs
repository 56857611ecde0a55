namespace EditorAssist.Llama.Tests;

public sealed class StopSequenceMatcherTests
{
    [Fact]
    public void Without_stops_text_passes_through()
    {
        var m = new StopSequenceMatcher([]);
        Assert.Equal("abc", m.Append("abc"));
        Assert.Equal("", m.Flush());
    }

    [Fact]
    public void A_stop_split_across_pieces_is_held_back_and_never_emitted()
    {
        var m = new StopSequenceMatcher(["<END>"]);
        Assert.Equal("hello ", m.Append("hello <E"));
        Assert.Equal("", m.Append("N"));
        Assert.Equal("", m.Append("D> tail"));
        Assert.True(m.Stopped);
        Assert.Equal("", m.Append("more"));
        Assert.Equal("", m.Flush());
    }

    [Fact]
    public void A_false_start_is_released_when_it_stops_matching()
    {
        var m = new StopSequenceMatcher(["<END>"]);
        Assert.Equal("a", m.Append("a<EN"));
        Assert.Equal("<ENX", m.Append("X"));
        Assert.False(m.Stopped);
        Assert.Equal("b", m.Append("b<"));
        Assert.Equal("<", m.Flush());
    }

    [Fact]
    public void The_earliest_of_several_stops_wins()
    {
        var m = new StopSequenceMatcher(["zz", "\n\n", "yy"]);
        Assert.Equal("one", m.Append("one\n\ntwo zz"));
        Assert.True(m.Stopped);
    }
}
