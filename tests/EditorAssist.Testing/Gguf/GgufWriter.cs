using System.Text;

namespace EditorAssist.Testing.Gguf;

/// <summary>GGUF value types (gguf.h, enum gguf_type).</summary>
public enum GgufValueType : uint
{
    UInt8 = 0, Int8 = 1, UInt16 = 2, Int16 = 3, UInt32 = 4, Int32 = 5, Float32 = 6, Bool = 7,
    String = 8, Array = 9, UInt64 = 10, Int64 = 11, Float64 = 12,
}

/// <summary>Tensor element types this writer can emit (ggml_type ids).</summary>
public enum GgufTensorType : uint
{
    F32 = 0,
    F16 = 1,
}

/// <summary>
/// A minimal GGUF v3 writer: header, key/value metadata, tensor table, aligned data. Written
/// from the format description (magic "GGUF", version, counts, KVs, tensor infos with offsets
/// relative to the 32-byte-aligned data section); enough to produce files libllama loads.
/// </summary>
public sealed class GgufWriter
{
    private const int Alignment = 32;
    private readonly List<(string Key, GgufValueType Type, object Value)> _kvs = [];
    private readonly List<Tensor> _tensors = [];

    private sealed record Tensor(string Name, long[] Dims, GgufTensorType Type, Action<Stream> WriteData, long ByteSize);

    public GgufWriter Add(string key, string value) => AddKv(key, GgufValueType.String, value);
    public GgufWriter Add(string key, uint value) => AddKv(key, GgufValueType.UInt32, value);
    public GgufWriter Add(string key, int value) => AddKv(key, GgufValueType.Int32, value);
    public GgufWriter Add(string key, float value) => AddKv(key, GgufValueType.Float32, value);
    public GgufWriter Add(string key, bool value) => AddKv(key, GgufValueType.Bool, value);
    public GgufWriter Add(string key, string[] values) => AddKv(key, GgufValueType.Array, (GgufValueType.String, (object)values));
    public GgufWriter Add(string key, float[] values) => AddKv(key, GgufValueType.Array, (GgufValueType.Float32, (object)values));
    public GgufWriter Add(string key, int[] values) => AddKv(key, GgufValueType.Array, (GgufValueType.Int32, (object)values));

    private GgufWriter AddKv(string key, GgufValueType type, object value)
    {
        _kvs.Add((key, type, value));
        return this;
    }

    /// <summary>Adds a tensor whose elements come from <paramref name="fill"/> (called at write time, in order).</summary>
    /// <param name="dims">ggml order: dims[0] is the fastest-varying (row length).</param>
    public GgufWriter AddTensor(string name, long[] dims, GgufTensorType type, Func<long, float> fill)
    {
        long n = dims.Aggregate(1L, (a, d) => a * d);
        long size = n * (type == GgufTensorType.F32 ? 4 : 2);
        _tensors.Add(new Tensor(name, dims, type, s => WriteElements(s, n, type, fill), size));
        return this;
    }

    private static void WriteElements(Stream s, long n, GgufTensorType type, Func<long, float> fill)
    {
        int width = type == GgufTensorType.F32 ? 4 : 2;
        var buf = new byte[64 * 1024];
        int at = 0;
        for (long i = 0; i < n; i++)
        {
            float v = fill(i);
            if (type == GgufTensorType.F32)
            {
                BitConverter.TryWriteBytes(buf.AsSpan(at), v);
            }
            else
            {
                BitConverter.TryWriteBytes(buf.AsSpan(at), (Half)v);
            }
            at += width;
            if (at == buf.Length)
            {
                s.Write(buf, 0, at);
                at = 0;
            }
        }
        s.Write(buf, 0, at);
    }

    public void WriteTo(string path)
    {
        using var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        WriteTo(fs);
    }

    public void WriteTo(Stream s)
    {
        using var w = new BinaryWriter(s, Encoding.UTF8, leaveOpen: true);
        w.Write(0x46554747u); // "GGUF"
        w.Write(3u);
        w.Write((ulong)_tensors.Count);
        w.Write((ulong)_kvs.Count);
        foreach (var (key, type, value) in _kvs)
        {
            WriteString(w, key);
            w.Write((uint)type);
            WriteValue(w, type, value);
        }
        long offset = 0;
        foreach (var t in _tensors)
        {
            WriteString(w, t.Name);
            w.Write((uint)t.Dims.Length);
            foreach (long d in t.Dims)
            {
                w.Write((ulong)d);
            }
            w.Write((uint)t.Type);
            w.Write((ulong)offset);
            offset = Align(offset + t.ByteSize);
        }
        w.Flush();
        Pad(s);
        foreach (var t in _tensors)
        {
            t.WriteData(s);
            Pad(s);
        }
    }

    private static long Align(long x) => (x + Alignment - 1) / Alignment * Alignment;

    private static void Pad(Stream s)
    {
        long pad = Align(s.Position) - s.Position;
        for (long i = 0; i < pad; i++)
        {
            s.WriteByte(0);
        }
    }

    private static void WriteString(BinaryWriter w, string s)
    {
        byte[] b = Encoding.UTF8.GetBytes(s);
        w.Write((ulong)b.Length);
        w.Write(b);
    }

    private static void WriteValue(BinaryWriter w, GgufValueType type, object value)
    {
        switch (type)
        {
            case GgufValueType.String: WriteString(w, (string)value); break;
            case GgufValueType.UInt32: w.Write((uint)value); break;
            case GgufValueType.Int32: w.Write((int)value); break;
            case GgufValueType.Float32: w.Write((float)value); break;
            case GgufValueType.Bool: w.Write((bool)value ? (byte)1 : (byte)0); break;
            case GgufValueType.Array:
                var (elem, arr) = ((GgufValueType, object))value;
                w.Write((uint)elem);
                switch (arr)
                {
                    case string[] ss:
                        w.Write((ulong)ss.Length);
                        foreach (string x in ss) { WriteString(w, x); }
                        break;
                    case float[] fs:
                        w.Write((ulong)fs.Length);
                        foreach (float x in fs) { w.Write(x); }
                        break;
                    case int[] ns:
                        w.Write((ulong)ns.Length);
                        foreach (int x in ns) { w.Write(x); }
                        break;
                }
                break;
            default: throw new NotSupportedException(type.ToString());
        }
    }
}
