using System.Buffers.Binary;

namespace EditorAssist.Downloads;

/// <summary>
/// The fixed GGUF header: magic "GGUF", uint32 version (1–3), uint64 tensor count, uint64 metadata
/// count (little-endian). Enough to reject an HTML error page, an empty body or a truncated file
/// saved under a model's name before it is ever accepted.
/// </summary>
public static class GgufHeader
{
    public const int Length = 24;
    public static ReadOnlySpan<byte> Magic => "GGUF"u8;

    /// <summary>True when <paramref name="prefix"/> (the first bytes of a body) could start a GGUF file.</summary>
    public static bool StartsLikeGguf(ReadOnlySpan<byte> prefix)
    {
        var n = Math.Min(prefix.Length, Magic.Length);
        return prefix[..n].SequenceEqual(Magic[..n]);
    }

    /// <summary>Null when valid, else the reason.</summary>
    public static string? Check(ReadOnlySpan<byte> header)
    {
        if (header.Length == 0) return "the file is empty";
        if (header.Length < Length || !header.StartsWith(Magic))
        {
            var text = header.TrimStart(" \t\r\n"u8);
            if (text.StartsWith("<"u8)) return "the server sent a web page (HTML), not a model";
            if (text.StartsWith("{"u8)) return "the server sent JSON, not a model";
            return header.Length < Length ? "the file is too short to be a GGUF model" : "the file does not start with the GGUF signature";
        }
        var version = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        if (version is < 1 or > 3) return $"unsupported GGUF version {version}";
        var tensors = BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
        var kv = BinaryPrimitives.ReadUInt64LittleEndian(header[16..]);
        if (tensors > 1_000_000 || kv > 1_000_000) return "the GGUF header is implausible (corrupt file)";
        return null;
    }

    public static string? CheckFile(string path)
    {
        Span<byte> buffer = stackalloc byte[Length];
        using var f = File.OpenRead(path);
        var read = f.ReadAtLeast(buffer, Length, throwOnEndOfStream: false);
        return Check(buffer[..read]);
    }
}
