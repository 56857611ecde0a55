using System.IO.Pipelines;
using System.Text;
using EditorAssist.Rpc.Framing;

namespace EditorAssist.Rpc.Tests.Framing;

public class FrameReaderTests
{
    private static byte[] Frame(string json, string? extraHeaders = null, string lengthHeader = "Content-Length")
    {
        var body = Encoding.UTF8.GetBytes(json);
        return Encoding.ASCII.GetBytes($"{lengthHeader}: {body.Length}\r\n{extraHeaders}\r\n").Concat(body).ToArray();
    }

    private static async Task<List<string>> ReadAll(IEnumerable<byte[]> chunks, int max = 1 << 20)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        foreach (var c in chunks)
        {
            await pipe.Writer.WriteAsync(c);
        }
        await pipe.Writer.CompleteAsync();
        var reader = new FrameReader(pipe.Reader, max);
        var bodies = new List<string>();
        while (true)
        {
            using var frame = await reader.ReadAsync(CancellationToken.None);
            if (frame.Kind == FrameKind.EndOfStream) return bodies;
            bodies.Add(frame.Kind == FrameKind.Oversize ? $"<oversize {frame.DeclaredLength}>" : Encoding.UTF8.GetString(frame.Body.Span));
        }
    }

    [Fact]
    public async Task Reads_a_frame_split_at_every_possible_byte()
    {
        var bytes = Frame("{\"a\":\"héllo\"}");
        for (var cut = 1; cut < bytes.Length; cut++)
        {
            var bodies = await ReadAll([bytes[..cut], bytes[cut..]]);
            Assert.Equal(["{\"a\":\"héllo\"}"], bodies);
        }
    }

    [Fact]
    public async Task Reads_a_frame_delivered_one_byte_at_a_time()
    {
        var bytes = Frame("{\"x\":1}");
        var bodies = await ReadAll(bytes.Select(b => new[] { b }));
        Assert.Equal(["{\"x\":1}"], bodies);
    }

    [Fact]
    public async Task Reads_several_frames_from_one_chunk()
    {
        var all = Frame("{\"n\":1}").Concat(Frame("{\"n\":2}")).Concat(Frame("{\"n\":3}")).ToArray();
        Assert.Equal(["{\"n\":1}", "{\"n\":2}", "{\"n\":3}"], await ReadAll([all]));
    }

    [Theory]
    [InlineData("content-length")]
    [InlineData("CONTENT-LENGTH")]
    [InlineData("Content-length")]
    public async Task Header_names_are_case_insensitive(string name)
    {
        Assert.Equal(["{}"], await ReadAll([Frame("{}", lengthHeader: name)]));
    }

    [Fact]
    public async Task Accepts_a_content_type_header_before_or_after_the_length()
    {
        var typeFirst = Encoding.ASCII.GetBytes("Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: 2\r\n\r\n{}");
        var typeAfter = Frame("{}", "Content-Type: application/vscode-jsonrpc; charset=utf8\r\n");
        Assert.Equal(["{}", "{}"], await ReadAll([typeFirst, typeAfter]));
    }

    [Fact]
    public async Task Flags_a_charset_other_than_utf8()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Frame("{}", "Content-Type: application/json; charset=latin1\r\n"));
        using var frame = await new FrameReader(pipe.Reader, 1000).ReadAsync(CancellationToken.None);
        Assert.Equal("latin1", frame.UnsupportedCharset);
    }

    [Fact]
    public async Task Skips_an_oversize_body_without_buffering_it_and_reads_on()
    {
        var big = new string('x', 5000);
        var bodies = await ReadAll([Frame($"\"{big}\""), Frame("{\"after\":true}")], max: 1000);
        Assert.Equal(["<oversize 5002>", "{\"after\":true}"], bodies);
    }

    [Fact]
    public async Task A_body_exactly_at_the_limit_is_accepted()
    {
        Assert.Equal(["\"abc\""], await ReadAll([Frame("\"abc\"")], max: 5));
    }

    [Theory]
    [InlineData("Content-Length: abc\r\n\r\n{}", "Invalid Content-Length")]
    [InlineData("Content-Length: -2\r\n\r\n{}", "Invalid Content-Length")]
    [InlineData("Content-Length: 2 2\r\n\r\n{}", "Invalid Content-Length")]
    [InlineData("Content-Type: x\r\n\r\n{}", "Missing Content-Length")]
    [InlineData("garbage\r\n\r\n{}", "Malformed header")]
    [InlineData("Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}", "Conflicting")]
    public async Task Undelimitable_headers_throw_a_framing_error(string raw, string expected)
    {
        var ex = await Assert.ThrowsAsync<FramingException>(() => ReadAll([Encoding.ASCII.GetBytes(raw)]));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public async Task A_runaway_header_is_a_framing_error()
    {
        var junk = Encoding.ASCII.GetBytes("X-Junk: " + new string('a', FrameReader.MaxHeaderBytes + 10));
        var ex = await Assert.ThrowsAsync<FramingException>(() => ReadAll([junk]));
        Assert.Contains("exceeds", ex.Message);
    }

    [Fact]
    public async Task A_body_truncated_by_end_of_stream_is_a_framing_error()
    {
        var bytes = Frame("{\"truncated\":true}");
        var ex = await Assert.ThrowsAsync<FramingException>(() => ReadAll([bytes[..^4]]));
        Assert.Contains("inside a message body", ex.Message);
    }

    [Fact]
    public async Task End_of_stream_between_frames_is_clean()
    {
        Assert.Equal(["{}"], await ReadAll([Frame("{}"), "\r\n"u8.ToArray()]));
        Assert.Empty(await ReadAll([]));
    }

    [Fact]
    public async Task Frames_written_by_the_connection_carry_only_content_length_and_read_back_identically()
    {
        // The writer is StreamJsonRpc's HeaderDelimitedMessageHandler: the interop tests' frame parser (and
        // vscode-jsonrpc) expect exactly "Content-Length: N\r\n\r\n" with no Content-Type.
        var toServer = new Pipe();
        var fromServer = new Pipe();
        var connection = new JsonRpcConnection(toServer.Reader, fromServer.Writer, new JsonRpcOptions { RequireInitialize = false });
        connection.Start();
        connection.Notify("a", w => { w.WriteStartObject(); w.WriteString("text", "héllo"); w.WriteEndObject(); });
        connection.Notify("b", null);
        await connection.DisposeAsync();

        var raw = new List<byte>();
        while (true)
        {
            var read = await fromServer.Reader.ReadAsync();
            foreach (var segment in read.Buffer) raw.AddRange(segment.ToArray());
            fromServer.Reader.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted) break;
        }
        var first = "{\"jsonrpc\":\"2.0\",\"method\":\"a\",\"params\":{\"text\":\"héllo\"}}";
        var second = "{\"jsonrpc\":\"2.0\",\"method\":\"b\"}";
        var expected = $"Content-Length: {Encoding.UTF8.GetByteCount(first)}\r\n\r\n{first}Content-Length: {second.Length}\r\n\r\n{second}";
        Assert.Equal(expected, Encoding.UTF8.GetString(raw.ToArray()));
        Assert.Equal([first, second], await ReadAll([raw.ToArray()]));
    }
}
