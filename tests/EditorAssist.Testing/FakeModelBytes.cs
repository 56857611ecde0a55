using System.Buffers.Binary;

namespace EditorAssist.Testing;

/// <summary>Bytes that pass the GGUF header check (magic, version 3, zero tensors and metadata) followed by
/// deterministic pseudo-random filler: enough for download tests, not loadable by llama.cpp.</summary>
public static class FakeModelBytes
{
    public static byte[] Create(int size, int seed = 1)
    {
        if (size < 24) throw new ArgumentOutOfRangeException(nameof(size));
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        "GGUF"u8.CopyTo(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), 3);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), 0);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(16), 0);
        return bytes;
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
}
