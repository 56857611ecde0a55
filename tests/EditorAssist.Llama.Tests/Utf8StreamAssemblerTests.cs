using System.Text;

namespace EditorAssist.Llama.Tests;

public sealed class Utf8StreamAssemblerTests
{
    [Theory]
    [InlineData("plain ascii")]
    [InlineData("é and ß")]
    [InlineData("日本語")]
    [InlineData("😀🚀 emoji (surrogate pairs)")]
    public void Byte_by_byte_feeding_yields_the_text_without_replacement_characters(string text)
    {
        var asm = new Utf8StreamAssembler();
        var sb = new StringBuilder();
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            string piece = asm.Append([b]);
            Assert.DoesNotContain('\uFFFD', piece);
            sb.Append(piece);
        }
        Assert.Equal(text, sb.ToString());
    }

    [Fact]
    public void A_character_is_emitted_only_when_its_last_byte_arrives()
    {
        var asm = new Utf8StreamAssembler();
        byte[] emoji = Encoding.UTF8.GetBytes("😀");
        Assert.Equal("", asm.Append(emoji.AsSpan(0, 1)));
        Assert.Equal("", asm.Append(emoji.AsSpan(1, 2)));
        Assert.Equal("😀", asm.Append(emoji.AsSpan(3, 1)));
    }

    [Fact]
    public void Pieces_spanning_character_boundaries_are_split_correctly()
    {
        var asm = new Utf8StreamAssembler();
        byte[] b = Encoding.UTF8.GetBytes("a日b");  // 61 E6 97 A5 62
        Assert.Equal("a", asm.Append(b.AsSpan(0, 2)));
        Assert.Equal("日b", asm.Append(b.AsSpan(2)));
    }

    [Fact]
    public void Invalid_bytes_are_shown_as_replacement_and_an_unfinished_tail_is_dropped_on_reset()
    {
        var asm = new Utf8StreamAssembler();
        Assert.Equal("\uFFFD", asm.Append([0xFF]));
        Assert.Equal("", asm.Append([0xE6, 0x97]));
        asm.Reset();
        Assert.Equal("x", asm.Append("x"u8));
    }

    [Fact]
    public void No_delta_ever_ends_inside_a_character_whatever_the_piece_boundaries()
    {
        // Token pieces split text anywhere (byte-fallback tokens are single bytes): random cuts
        // over mixed 1-, 2-, 3- and 4-byte characters must give deltas that are each whole text.
        const string text = "a é 日本 😀🚀 x ß 𝄞 z";
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        var random = new Random(18);
        for (int round = 0; round < 200; round++)
        {
            var asm = new Utf8StreamAssembler();
            var sb = new StringBuilder();
            for (int i = 0; i < bytes.Length;)
            {
                int n = Math.Min(random.Next(1, 5), bytes.Length - i);
                string delta = asm.Append(bytes.AsSpan(i, n));
                i += n;
                Assert.DoesNotContain('\uFFFD', delta);
                if (delta.Length > 0) Assert.False(char.IsHighSurrogate(delta[^1]), $"a delta ends in half a surrogate pair (round {round})");
                if (delta.Length > 0) Assert.False(char.IsLowSurrogate(delta[0]), $"a delta starts with half a surrogate pair (round {round})");
                sb.Append(delta);
            }
            Assert.Equal(text, sb.ToString());
        }
    }

    [Fact]
    public void Each_invalid_byte_becomes_one_replacement_character_which_the_chat_shows_as_one_marked_run()
    {
        var asm = new Utf8StreamAssembler();
        Assert.Equal("a\uFFFD\uFFFD\uFFFDb", asm.Append([(byte)'a', 0xFF, 0xFE, 0xC0, (byte)'b']));
    }
}
