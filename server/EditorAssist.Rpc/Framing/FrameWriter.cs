using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;

namespace EditorAssist.Rpc.Framing;

/// <summary>
/// Writes LSP base-protocol frames (Content-Length header only, as vscode-jsonrpc does).
/// Not thread-safe: the connection's single writer loop owns it, which is also what keeps
/// outgoing messages in the order they were queued.
/// </summary>
public sealed class FrameWriter
{
    private readonly PipeWriter _writer;

    public FrameWriter(PipeWriter writer) => _writer = writer;

    public void Write(ReadOnlySpan<byte> body)
    {
        // "Content-Length: " + up to 10 digits + "\r\n\r\n" fits in 32 bytes.
        var span = _writer.GetSpan(32 + body.Length);
        "Content-Length: "u8.CopyTo(span);
        var pos = 16;
        Utf8Formatter.TryFormat(body.Length, span[pos..], out var digits);
        pos += digits;
        "\r\n\r\n"u8.CopyTo(span[pos..]);
        pos += 4;
        body.CopyTo(span[pos..]);
        _writer.Advance(pos + body.Length);
    }

    public ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken) => _writer.FlushAsync(cancellationToken);

    public ValueTask CompleteAsync(Exception? error = null) => _writer.CompleteAsync(error);
}
