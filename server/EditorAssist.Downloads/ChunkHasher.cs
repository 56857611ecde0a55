using System.Buffers;
using System.Security.Cryptography;
using System.Threading.Channels;

namespace EditorAssist.Downloads;

/// <summary>
/// The hashing half of a download's body loop. The loop rents a buffer, reads a chunk into it, writes
/// it to the partial file and hands it over with <see cref="Post"/>; SHA-256 runs on the thread pool
/// while the loop already reads and writes the next chunk, so on a machine with a spare core the hash
/// costs no wall time. A fixed set of buffers bounds both the lag and the memory: when the hasher is
/// <c>depth</c> chunks behind, <see cref="RentAsync"/> waits.
/// Chunks are hashed in the order they were posted, and the loop posts only chunks already written,
/// so once <see cref="CompleteAsync"/> returns the hash covers exactly the bytes in the file — what a
/// resume relies on to skip re-reading the partial.
/// One producer (the body loop) and one consumer (an internal task). Single use: complete it, then
/// dispose it; the buffers go back to the pool on dispose, so no rented buffer may be used after.
/// </summary>
internal sealed class ChunkHasher : IAsyncDisposable
{
    private readonly IncrementalHash _hash;
    private readonly byte[][] _buffers;
    private readonly Channel<byte[]> _free = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Channel<(byte[] Buffer, int Count)> _filled =
        Channel.CreateUnbounded<(byte[], int)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Task _consumer;
    private long _hashedBytes;

    public ChunkHasher(IncrementalHash hash, int bufferSize, int depth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        _hash = hash;
        _buffers = new byte[depth][];
        for (var i = 0; i < depth; i++)
        {
            _buffers[i] = ArrayPool<byte>.Shared.Rent(bufferSize);
            _free.Writer.TryWrite(_buffers[i]);
        }
        _consumer = Task.Run(ConsumeAsync);
    }

    /// <summary>Bytes hashed so far (grows behind the posted bytes).</summary>
    public long HashedBytes => Interlocked.Read(ref _hashedBytes);

    /// <summary>A buffer for the next chunk; waits while every buffer is still queued for hashing.</summary>
    public ValueTask<byte[]> RentAsync(CancellationToken cancellationToken) => _free.Reader.ReadAsync(cancellationToken);

    /// <summary>Queues the first <paramref name="count"/> bytes of a rented buffer; the buffer is free again once they are hashed.</summary>
    public void Post(byte[] buffer, int count)
    {
        if (!_filled.Writer.TryWrite((buffer, count))) throw new InvalidOperationException("The hasher was already completed.");
    }

    /// <summary>Waits until every posted chunk is hashed; throws if hashing failed. Idempotent.</summary>
    public Task CompleteAsync()
    {
        _filled.Writer.TryComplete();
        return _consumer;
    }

    public async ValueTask DisposeAsync()
    {
        try { await CompleteAsync().ConfigureAwait(false); }
        catch { /* observed by whoever awaited CompleteAsync; the buffers must come back all the same */ }
        foreach (var b in _buffers) ArrayPool<byte>.Shared.Return(b);
    }

    private async Task ConsumeAsync()
    {
        try
        {
            await foreach (var (buffer, count) in _filled.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                _hash.AppendData(buffer, 0, count);
                Interlocked.Add(ref _hashedBytes, count);
                _free.Writer.TryWrite(buffer);
            }
        }
        catch (Exception ex)
        {
            // A loop waiting for a buffer must not wait forever.
            _free.Writer.TryComplete(ex);
            throw;
        }
    }
}
