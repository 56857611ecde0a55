using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Text;

namespace EditorAssist.Rpc.Framing;

/// <summary>What <see cref="FrameReader.ReadAsync"/> found next on the stream.</summary>
public enum FrameKind
{
    /// <summary>A complete message body; see <see cref="Frame.Body"/>.</summary>
    Message,
    /// <summary>A frame whose Content-Length exceeded the limit. Its body was discarded without being buffered.</summary>
    Oversize,
    /// <summary>The stream ended cleanly between frames.</summary>
    EndOfStream,
}

/// <summary>
/// One frame read off the wire. For <see cref="FrameKind.Message"/> the body lives in a pooled
/// array owned by the frame: dispose it once the body has been parsed and is no longer needed.
/// </summary>
public sealed class Frame : IDisposable
{
    private byte[]? _rented;

    internal Frame(FrameKind kind, byte[]? rented, int length, long declaredLength)
    {
        Kind = kind;
        _rented = rented;
        Length = length;
        DeclaredLength = declaredLength;
    }

    public FrameKind Kind { get; }
    public int Length { get; }
    /// <summary>The Content-Length the header declared (the only size known for an oversize frame).</summary>
    public long DeclaredLength { get; }
    /// <summary>Whether the header named a charset other than UTF-8 (the body is then not decodable as JSON).</summary>
    public string? UnsupportedCharset { get; internal init; }

    public ReadOnlyMemory<byte> Body => _rented is null ? ReadOnlyMemory<byte>.Empty : _rented.AsMemory(0, Length);

    public void Dispose()
    {
        var r = Interlocked.Exchange(ref _rented, null);
        if (r is not null) ArrayPool<byte>.Shared.Return(r);
    }
}

/// <summary>A frame that cannot be delimited (bad or missing Content-Length, a runaway header, a
/// stream that ends mid-frame). Nothing after it can be trusted, so the connection closes.</summary>
public sealed class FramingException : Exception
{
    public FramingException(string message) : base(message) { }
}

/// <summary>
/// Reads LSP base-protocol frames: ASCII headers (<c>Name: value\r\n</c>, names case-insensitive,
/// Content-Length required, Content-Type optional), an empty line, then exactly Content-Length
/// bytes of UTF-8 JSON. Handles frames split across reads and many frames per read. The size
/// limit is checked on the header, before any of the body is buffered.
/// Not thread-safe: one reader loop owns it.
/// </summary>
public sealed class FrameReader
{
    /// <summary>Headers are a few dozen bytes in practice; anything this long is garbage on the wire.</summary>
    public const int MaxHeaderBytes = 8 * 1024;

    private static ReadOnlySpan<byte> HeaderTerminator => "\r\n\r\n"u8;

    private readonly PipeReader _reader;
    private readonly int _maxMessageBytes;

    public FrameReader(PipeReader reader, int maxMessageBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessageBytes, 1);
        _reader = reader;
        _maxMessageBytes = maxMessageBytes;
    }

    public async ValueTask<Frame> ReadAsync(CancellationToken cancellationToken)
    {
        // Phase 1: the header block.
        long contentLength;
        string? badCharset;
        while (true)
        {
            var result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var headerEnd = IndexOf(buffer, HeaderTerminator);
            if (headerEnd >= 0)
            {
                var header = buffer.Slice(0, headerEnd);
                (contentLength, badCharset) = ParseHeaders(header);
                _reader.AdvanceTo(buffer.GetPosition(headerEnd + HeaderTerminator.Length));
                break;
            }

            if (buffer.Length > MaxHeaderBytes)
            {
                _reader.AdvanceTo(buffer.End);
                throw new FramingException($"Header section exceeds {MaxHeaderBytes} bytes without a terminating empty line.");
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                var leftover = buffer.Length;
                var blank = IsWhitespace(buffer);
                _reader.AdvanceTo(buffer.End);
                if (leftover == 0 || blank) return new Frame(FrameKind.EndOfStream, null, 0, 0);
                throw new FramingException($"Stream ended inside a frame header ({leftover} bytes pending).");
            }

            // Nothing consumed yet; ask for more data.
            _reader.AdvanceTo(buffer.Start, buffer.End);
        }

        // Phase 2a: an oversize body is skipped as it streams past, never buffered whole.
        if (contentLength > _maxMessageBytes)
        {
            long remaining = contentLength;
            while (remaining > 0)
            {
                var result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                var take = Math.Min(remaining, result.Buffer.Length);
                _reader.AdvanceTo(result.Buffer.GetPosition(take));
                remaining -= take;
                if (remaining > 0 && (result.IsCompleted || result.IsCanceled))
                    throw new FramingException($"Stream ended inside an oversize body ({remaining} of {contentLength} bytes missing).");
            }
            return new Frame(FrameKind.Oversize, null, 0, contentLength);
        }

        // Phase 2b: the body.
        var length = (int)contentLength;
        while (true)
        {
            var result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length >= length)
            {
                var rented = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
                buffer.Slice(0, length).CopyTo(rented);
                _reader.AdvanceTo(buffer.GetPosition(length));
                return new Frame(FrameKind.Message, rented, length, contentLength) { UnsupportedCharset = badCharset };
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                _reader.AdvanceTo(buffer.End);
                throw new FramingException($"Stream ended inside a message body ({buffer.Length} of {length} bytes received).");
            }

            _reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Parses the header block (without the final CRLFCRLF). Returns Content-Length and an unsupported charset, if any.</summary>
    internal static (long ContentLength, string? BadCharset) ParseHeaders(ReadOnlySequence<byte> header)
    {
        if (header.Length > MaxHeaderBytes)
            throw new FramingException($"Header section exceeds {MaxHeaderBytes} bytes.");
        Span<byte> bytes = stackalloc byte[(int)header.Length];
        header.CopyTo(bytes);

        long contentLength = -1;
        string? badCharset = null;
        while (true)
        {
            var eol = bytes.IndexOf("\r\n"u8);
            var line = eol >= 0 ? bytes[..eol] : bytes;
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
                throw new FramingException($"Malformed header line '{Printable(line)}'.");
            var name = line[..colon].Trim((byte)' ');
            var value = line[(colon + 1)..].Trim((byte)' ');

            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (!Utf8Parser.TryParse(value, out long parsed, out var consumed) || consumed != value.Length || parsed < 0 || !IsDigits(value))
                    throw new FramingException($"Invalid Content-Length '{Printable(value)}'.");
                if (contentLength >= 0 && contentLength != parsed)
                    throw new FramingException("Conflicting Content-Length headers.");
                contentLength = parsed;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Content-Type"u8))
            {
                badCharset = UnsupportedCharset(value);
            }
            // Other headers are allowed and ignored, as in the LSP base protocol.

            if (eol < 0) break;
            bytes = bytes[(eol + 2)..];
        }

        if (contentLength < 0) throw new FramingException("Missing Content-Length header.");
        return (contentLength, badCharset);
    }

    private static string? UnsupportedCharset(ReadOnlySpan<byte> contentType)
    {
        var text = Encoding.ASCII.GetString(contentType);
        foreach (var part in text.Split(';', StringSplitOptions.TrimEntries))
        {
            if (!part.StartsWith("charset=", StringComparison.OrdinalIgnoreCase)) continue;
            var cs = part["charset=".Length..].Trim('"');
            // "utf8" is not a registered name but vscode-jsonrpc accepts it, so we do too.
            if (cs.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || cs.Equals("utf8", StringComparison.OrdinalIgnoreCase)) return null;
            return cs;
        }
        return null;
    }

    private static bool IsDigits(ReadOnlySpan<byte> s)
    {
        foreach (var b in s) if (b < (byte)'0' || b > (byte)'9') return false;
        return s.Length > 0;
    }

    private static bool IsWhitespace(ReadOnlySequence<byte> seq)
    {
        foreach (var mem in seq)
            foreach (var b in mem.Span)
                if (b is not ((byte)' ' or (byte)'\r' or (byte)'\n' or (byte)'\t')) return false;
        return true;
    }

    private static string Printable(ReadOnlySpan<byte> s)
    {
        var take = s[..Math.Min(s.Length, 64)];
        var sb = new StringBuilder(take.Length);
        foreach (var b in take) sb.Append(b is >= 0x20 and < 0x7F ? (char)b : '?');
        return sb.ToString();
    }

    private static long IndexOf(ReadOnlySequence<byte> buffer, ReadOnlySpan<byte> needle)
    {
        if (buffer.IsSingleSegment)
            return buffer.FirstSpan.IndexOf(needle);
        var reader = new SequenceReader<byte>(buffer);
        return reader.TryReadTo(out ReadOnlySequence<byte> before, needle, advancePastDelimiter: false) ? before.Length : -1;
    }
}
