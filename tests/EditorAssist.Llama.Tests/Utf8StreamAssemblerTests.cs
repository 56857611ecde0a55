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
}
