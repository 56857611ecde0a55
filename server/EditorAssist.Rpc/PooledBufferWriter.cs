using System.Buffers;

namespace EditorAssist.Rpc;

/// <summary>An <see cref="IBufferWriter{T}"/> over pooled arrays; <see cref="Detach"/> hands the array to the caller.</summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>
{
    private byte[] _buffer;
    private int _written;

    public PooledBufferWriter(int initialCapacity = 512) => _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);

    public int WrittenCount => _written;
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0) { Ensure(sizeHint); return _buffer.AsMemory(_written); }

    public Span<byte> GetSpan(int sizeHint = 0) { Ensure(sizeHint); return _buffer.AsSpan(_written); }

    /// <summary>Returns the rented array (ownership passes to the caller) and starts a fresh one.</summary>
    public OutboundMessage Detach()
    {
        var m = new OutboundMessage(_buffer, _written);
        _buffer = ArrayPool<byte>.Shared.Rent(512);
        _written = 0;
        return m;
    }

    private void Ensure(int sizeHint)
    {
        var need = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= need) return;
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _written + need));
        _buffer.AsSpan(0, _written).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }
}

/// <summary>A serialized message body waiting in the outbound queue; its array is pooled.</summary>
internal readonly record struct OutboundMessage(byte[] Buffer, int Length)
{
    public ReadOnlySpan<byte> Span => Buffer.AsSpan(0, Length);
    public void Return() => ArrayPool<byte>.Shared.Return(Buffer);
}
