using System.Text;
using EditorAssist.Core.Local;

namespace EditorAssist.Llama;

/// <summary>
/// Reads and checks a GGUF file's header in managed code before any native call: magic,
/// version, key/value section, tensor table, and that every tensor's data lies inside the file.
/// libllama trusts its input more than we want to (a truncated or hostile file can make it
/// allocate absurd amounts or abort the process), so everything it would trip over is
/// rejected here as <see cref="InvalidModelFileException"/>. Also yields the few metadata
/// values the memory planner needs (layers, embedding size, heads, context length).
/// </summary>
public sealed class GgufFile
{
    private const uint Magic = 0x46554747; // "GGUF" little-endian
    // Sanity limits: far above any real model (the largest have a few thousand tensors and a
    // few dozen keys plus vocab arrays) and far below what would exhaust memory when read.
    private const ulong MaxTensors = 1 << 20;
    private const ulong MaxKeys = 1 << 16;
    private const ulong MaxStringBytes = 1 << 26;

    private readonly Dictionary<string, object> _scalars = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ulong> _arrayLengths = new(StringComparer.Ordinal);

    private GgufFile(string path) => Path = path;

    public string Path { get; }
    public uint Version { get; private set; }
    public long FileSizeBytes { get; private set; }
    public int TensorCount { get; private set; }
    /// <summary>Sum of all tensor data sizes: what the weights occupy once loaded.</summary>
    public long TensorBytes { get; private set; }
    /// <summary>Bytes of the per-layer tensors ("blk.N.*"): the part that GPU offload splits by layer.</summary>
    public long LayerTensorBytes { get; private set; }
    public long DataOffset { get; private set; }
    public IReadOnlyDictionary<string, object> Metadata => _scalars;

    public string Architecture => GetString("general.architecture") ?? "unknown";
    public string? Name => GetString("general.name");
    public int BlockCount => GetInt($"{Architecture}.block_count") ?? 0;
    public int EmbeddingLength => GetInt($"{Architecture}.embedding_length") ?? 0;
    public int HeadCount => GetInt($"{Architecture}.attention.head_count") ?? 0;
    public int HeadCountKv => GetInt($"{Architecture}.attention.head_count_kv") ?? HeadCount;
    public int ContextLength => GetInt($"{Architecture}.context_length") ?? 0;
    /// <summary>Per-head key size; defaults to embedding/heads as in llama.cpp.</summary>
    public int HeadDimension => GetInt($"{Architecture}.attention.key_length") ?? (HeadCount > 0 ? EmbeddingLength / HeadCount : 0);
    public int VocabSize => _arrayLengths.TryGetValue("tokenizer.ggml.tokens", out ulong n) ? (int)n : 0;

    public string? GetString(string key) => _scalars.TryGetValue(key, out var v) ? v as string : null;

    public int? GetInt(string key) => _scalars.TryGetValue(key, out var v) ? v switch
    {
        uint u => (int)u,
        int i => i,
        ulong ul => (int)ul,
        long l => (int)l,
        ushort us => us,
        short s => s,
        byte b => b,
        sbyte sb => sb,
        _ => null,
    } : null;

    /// <summary>Reads and validates the header. Throws InvalidModelFileException (also for a missing file).</summary>
    public static GgufFile Read(string path)
    {
        if (!File.Exists(path))
        {
            // InvalidModelFile, not ModelNotFound: the protocol reserves 1001 for unknown model
            // refs; a path that does not lead to a loadable file is a bad model file (issue #3).
            throw new InvalidModelFileException($"Model file not found: {path}");
        }
        var g = new GgufFile(path);
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            g.FileSizeBytes = fs.Length;
            using var r = new BinaryReader(fs, Encoding.UTF8, leaveOpen: true);
            g.Parse(fs, r);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidModelFileException($"The model file is truncated (header ends early): {path}", e);
        }
        catch (IOException e)
        {
            throw new InvalidModelFileException($"The model file cannot be read: {e.Message}", e);
        }
        return g;
    }

    private void Parse(FileStream fs, BinaryReader r)
    {
        if (FileSizeBytes < 24)
        {
            throw new InvalidModelFileException($"Not a GGUF model (file is only {FileSizeBytes} bytes): {Path}");
        }
        uint magic = r.ReadUInt32();
        if (magic != Magic)
        {
            throw new InvalidModelFileException($"Not a GGUF model (bad magic 0x{magic:x8}): {Path}");
        }
        Version = r.ReadUInt32();
        if (Version is < 2 or > 3)
        {
            throw new InvalidModelFileException($"Unsupported GGUF version {Version}: {Path}");
        }
        ulong nTensors = r.ReadUInt64();
        ulong nKv = r.ReadUInt64();
        if (nTensors > MaxTensors || nKv > MaxKeys)
        {
            throw new InvalidModelFileException($"Implausible GGUF header ({nTensors} tensors, {nKv} keys): {Path}");
        }
        for (ulong i = 0; i < nKv; i++)
        {
            string key = ReadString(fs, r);
            var type = (ValueType)r.ReadUInt32();
            if (type == ValueType.Array)
            {
                var elemType = (ValueType)r.ReadUInt32();
                ulong count = r.ReadUInt64();
                SkipArray(fs, r, elemType, count);
                _arrayLengths[key] = count;
            }
            else
            {
                _scalars[key] = ReadScalar(fs, r, type);
            }
        }

        ulong alignment = _scalars.TryGetValue("general.alignment", out var a) && a is uint au ? au : 32u;
        if (alignment == 0 || (alignment & (alignment - 1)) != 0)
        {
            throw new InvalidModelFileException($"Invalid GGUF alignment {alignment}: {Path}");
        }

        TensorCount = (int)nTensors;
        ulong maxEnd = 0;
        long total = 0, layerBytes = 0;
        for (ulong i = 0; i < nTensors; i++)
        {
            string name = ReadString(fs, r);
            uint nDims = r.ReadUInt32();
            if (nDims is 0 or > 4)
            {
                throw new InvalidModelFileException($"Tensor '{name}' has {nDims} dimensions: {Path}");
            }
            ulong elements = 1;
            for (uint d = 0; d < nDims; d++)
            {
                ulong dim = r.ReadUInt64();
                if (dim == 0 || dim > (1UL << 40))
                {
                    throw new InvalidModelFileException($"Tensor '{name}' has an invalid dimension {dim}: {Path}");
                }
                elements = checked(elements * dim);
            }
            int type = (int)r.ReadUInt32();
            ulong offset = r.ReadUInt64();
            ulong bytes = TensorSize(name, type, elements);
            if (offset % alignment != 0)
            {
                throw new InvalidModelFileException($"Tensor '{name}' is misaligned: {Path}");
            }
            maxEnd = Math.Max(maxEnd, checked(offset + bytes));
            total = checked(total + (long)bytes);
            if (name.StartsWith("blk.", StringComparison.Ordinal))
            {
                layerBytes += (long)bytes;
            }
        }
        long pos = fs.Position;
        DataOffset = (long)((((ulong)pos) + alignment - 1) / alignment * alignment);
        TensorBytes = total;
        LayerTensorBytes = layerBytes;
        if ((ulong)DataOffset + maxEnd > (ulong)FileSizeBytes)
        {
            throw new InvalidModelFileException(
                $"The model file is truncated: tensor data needs {(ulong)DataOffset + maxEnd} bytes, the file has {FileSizeBytes}: {Path}");
        }
    }

    private ulong TensorSize(string name, int type, ulong elements)
    {
        if (type < 0 || type >= TypeTraits.Length)
        {
            throw new InvalidModelFileException($"Tensor '{name}' has unknown type {type}: {Path}");
        }
        (long block, ulong size) = TypeTraits[type];
        if (block <= 0 || size == 0 || elements % (ulong)block != 0)
        {
            throw new InvalidModelFileException($"Tensor '{name}' has an unsupported type {type} or shape: {Path}");
        }
        return checked(elements / (ulong)block * size);
    }

    private string ReadString(FileStream fs, BinaryReader r)
    {
        ulong len = r.ReadUInt64();
        if (len > MaxStringBytes || (long)len > fs.Length - fs.Position)
        {
            throw new InvalidModelFileException($"Implausible string length {len} in GGUF header: {Path}");
        }
        return Encoding.UTF8.GetString(r.ReadBytes((int)len));
    }

    private object ReadScalar(FileStream fs, BinaryReader r, ValueType type) => type switch
    {
        ValueType.UInt8 => r.ReadByte(),
        ValueType.Int8 => r.ReadSByte(),
        ValueType.UInt16 => r.ReadUInt16(),
        ValueType.Int16 => r.ReadInt16(),
        ValueType.UInt32 => r.ReadUInt32(),
        ValueType.Int32 => r.ReadInt32(),
        ValueType.Float32 => r.ReadSingle(),
        ValueType.Bool => r.ReadByte() != 0,
        ValueType.String => ReadString(fs, r),
        ValueType.UInt64 => r.ReadUInt64(),
        ValueType.Int64 => r.ReadInt64(),
        ValueType.Float64 => r.ReadDouble(),
        _ => throw new InvalidModelFileException($"Unknown GGUF value type {(uint)type}: {Path}"),
    };

    private void SkipArray(FileStream fs, BinaryReader r, ValueType elemType, ulong count)
    {
        if (elemType == ValueType.String)
        {
            for (ulong i = 0; i < count; i++)
            {
                ulong len = r.ReadUInt64();
                if ((long)len > fs.Length - fs.Position)
                {
                    throw new EndOfStreamException();
                }
                fs.Seek((long)len, SeekOrigin.Current);
            }
            return;
        }
        int size = elemType switch
        {
            ValueType.UInt8 or ValueType.Int8 or ValueType.Bool => 1,
            ValueType.UInt16 or ValueType.Int16 => 2,
            ValueType.UInt32 or ValueType.Int32 or ValueType.Float32 => 4,
            ValueType.UInt64 or ValueType.Int64 or ValueType.Float64 => 8,
            _ => throw new InvalidModelFileException($"Unsupported GGUF array element type {(uint)elemType}: {Path}"),
        };
        ulong bytes = count > (ulong)long.MaxValue / (ulong)size ? ulong.MaxValue : count * (ulong)size;
        if (bytes > (ulong)(fs.Length - fs.Position))
        {
            throw new EndOfStreamException();
        }
        fs.Seek((long)bytes, SeekOrigin.Current);
    }

    // (elements per block, bytes per block) for every ggml_type id of the pinned build, printed by
    // a C program calling ggml_blck_size/ggml_type_size (see docs/LOCAL_RUNTIME.md). Kept
    // managed so a header can be checked before the native library is even loaded; removed
    // ids are (0, 0) and rejected.
    private static readonly (long Block, ulong Size)[] TypeTraits =
    [
        (1, 4), (1, 2), (32, 18), (32, 20), (0, 0), (0, 0), (32, 22), (32, 24), (32, 34), (32, 36),
        (256, 84), (256, 110), (256, 144), (256, 176), (256, 210), (256, 292), (256, 66), (256, 74), (256, 98), (256, 50),
        (32, 18), (256, 110), (256, 82), (256, 136), (1, 1), (1, 2), (1, 4), (1, 8), (1, 8), (256, 56),
        (1, 2), (0, 0), (0, 0), (0, 0), (256, 54), (256, 66), (0, 0), (0, 0), (0, 0), (32, 17),
        (64, 36), (128, 18), (64, 18),
    ];

    private enum ValueType : uint
    {
        UInt8 = 0, Int8 = 1, UInt16 = 2, Int16 = 3, UInt32 = 4, Int32 = 5, Float32 = 6, Bool = 7,
        String = 8, Array = 9, UInt64 = 10, Int64 = 11, Float64 = 12,
    }
}
