using System.Security.Cryptography;
using EditorAssist.Downloads;
using EditorAssist.Storage;

namespace EditorAssist.Core.Tests.Downloads;

public sealed class ChunkHasherTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Hashes_the_posted_chunks_in_order_and_covers_all_of_them_once_complete()
    {
        var data = RandomNumberGenerator.GetBytes(300_001);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var hasher = new ChunkHasher(hash, bufferSize: 4096, depth: 3);

        var offset = 0;
        for (var size = 1; offset < data.Length; size = size * 7 % 4096 + 1)
        {
            var n = Math.Min(size, data.Length - offset);
            var buffer = await hasher.RentAsync(CancellationToken.None).AsTask().WaitAsync(Patience);
            data.AsSpan(offset, n).CopyTo(buffer);
            hasher.Post(buffer, n);
            offset += n;
        }
        await hasher.CompleteAsync().WaitAsync(Patience);

        Assert.Equal(data.Length, hasher.HashedBytes);
        Assert.Equal(SHA256.HashData(data), hash.GetCurrentHash());
    }

    [Fact]
    public async Task Never_hands_out_more_buffers_than_its_depth()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var hasher = new ChunkHasher(hash, bufferSize: 1024, depth: 2);
        var seen = new HashSet<byte[]>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < 200; i++)
        {
            var buffer = await hasher.RentAsync(CancellationToken.None).AsTask().WaitAsync(Patience);
            seen.Add(buffer);
            hasher.Post(buffer, buffer.Length);
        }
        await hasher.CompleteAsync().WaitAsync(Patience);
        Assert.Equal(2, seen.Count);
    }

    [Fact]
    public async Task Rent_waits_while_every_buffer_is_queued_and_honours_cancellation()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var hasher = new ChunkHasher(hash, bufferSize: 1024, depth: 1);
        var only = await hasher.RentAsync(CancellationToken.None).AsTask().WaitAsync(Patience);

        // Not posted yet: the one buffer is still the loop's, so another rent must wait.
        using var cts = new CancellationTokenSource();
        var waiting = hasher.RentAsync(cts.Token).AsTask();
        Assert.False(waiting.IsCompleted);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Patience));

        hasher.Post(only, 10);
        Assert.Same(only, await hasher.RentAsync(CancellationToken.None).AsTask().WaitAsync(Patience));
    }

    [Fact]
    public async Task A_failed_hash_fails_complete_and_a_waiting_rent_instead_of_hanging()
    {
        var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.Dispose(); // AppendData now throws
        await using var hasher = new ChunkHasher(hash, bufferSize: 1024, depth: 1);
        var buffer = await hasher.RentAsync(CancellationToken.None).AsTask().WaitAsync(Patience);
        hasher.Post(buffer, 100);

        await Assert.ThrowsAnyAsync<Exception>(() => hasher.RentAsync(CancellationToken.None).AsTask().WaitAsync(Patience));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => hasher.CompleteAsync().WaitAsync(Patience));
    }

    [Fact]
    public async Task Posting_after_complete_is_refused()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var hasher = new ChunkHasher(hash, bufferSize: 1024, depth: 2);
        var buffer = await hasher.RentAsync(CancellationToken.None).AsTask().WaitAsync(Patience);
        await hasher.CompleteAsync().WaitAsync(Patience);
        Assert.Throws<InvalidOperationException>(() => hasher.Post(buffer, 1));
    }
}
