using System.Collections.Concurrent;
using EditorAssist.Downloads;
using EditorAssist.Storage;
using EditorAssist.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace EditorAssist.Core.Tests.Downloads;

/// <summary>A storage folder with its database, and managers over it (several, to simulate restarts).</summary>
internal sealed class DownloadTestKit : IAsyncDisposable
{
    private readonly List<DownloadManager> _managers = [];
    private readonly SocketsHttpHandler _handler = (SocketsHttpHandler)DownloadManager.CreateDefaultHandler();

    public DownloadTestKit()
    {
        Store = SqliteStore.Open(Dir.Path, NullLogger.Instance);
        ModelsDir = Path.Combine(Dir.Path, "models");
        Models = new LocalModelStore(ModelsDir, Store);
    }

    public TempDirectory Dir { get; } = new("ea-dl");
    public SqliteStore Store { get; }
    public string ModelsDir { get; }
    public LocalModelStore Models { get; }
    public FakeDiskFileSystem Disk { get; } = new();

    public DownloadOptions Options(Func<DownloadOptions, DownloadOptions>? tweak = null)
    {
        var o = new DownloadOptions
        {
            ModelsDirectory = ModelsDir,
            StallTimeout = TimeSpan.FromSeconds(5),
            BaseRetryDelay = TimeSpan.FromMilliseconds(10),
            MaxRetryDelay = TimeSpan.FromSeconds(3),
            DiskReserveBytes = 0,
            ProgressInterval = TimeSpan.Zero,
            BufferSize = 64 * 1024,
            // Several writebacks per test download.
            WritebackIntervalBytes = 256 * 1024,
        };
        return tweak is null ? o : tweak(o);
    }

    public DownloadManager Manager(Func<DownloadOptions, DownloadOptions>? tweak = null, IDownloadCredentials? credentials = null)
    {
        var m = new DownloadManager(Options(tweak), _handler, new DownloadStateStore(Store), Models, NullLogger.Instance,
            fileSystem: Disk, credentials: credentials, random: () => 0.5);
        _managers.Add(m);
        return m;
    }

    public string PartialPath(string file) => Path.Combine(ModelsDir, file + DownloadManager.PartialSuffix);

    public string[] FilesInModels() => Directory.Exists(ModelsDir)
        ? Directory.GetFiles(ModelsDir).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray()
        : [];

    public async ValueTask DisposeAsync()
    {
        foreach (var m in _managers) await m.DisposeAsync();
        _handler.Dispose();
        Store.Dispose();
        Dir.Dispose();
    }
}

/// <summary>Collects progress and lets a test wait for "at least N bytes on disk" (an event, not a sleep).</summary>
internal sealed class ProgressProbe : IProgress<DownloadProgress>
{
    private readonly Lock _lock = new();
    private readonly List<(long Bytes, TaskCompletionSource Tcs)> _waits = [];

    public List<DownloadProgress> Reports { get; } = [];

    public void Report(DownloadProgress value)
    {
        lock (_lock)
        {
            Reports.Add(value);
            if (value.Phase != "downloading") return;
            foreach (var w in _waits.Where(w => value.Bytes >= w.Bytes).ToList())
            {
                w.Tcs.TrySetResult();
                _waits.Remove(w);
            }
        }
    }

    public Task WaitForBytesAsync(long bytes)
    {
        lock (_lock)
        {
            if (Reports.Any(r => r.Phase == "downloading" && r.Bytes >= bytes)) return Task.CompletedTask;
            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waits.Add((bytes, tcs));
            return tcs.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }
}

/// <summary>Reports a chosen free space and can make writes, or writebacks, fail the way a full disk does (IOException, HResult = ENOSPC).</summary>
internal sealed class FakeDiskFileSystem : IDownloadFileSystem
{
    public long FreeBytes { get; set; } = long.MaxValue / 2;
    public long? FailAfterBytes { get; set; }
    /// <summary>This many writebacks fail next (as they can on a full disk); later ones succeed.</summary>
    public int FailNextWritebacks;
    public int Opens;
    public int Flushes;
    public ConcurrentQueue<(long Offset, long Count)> Writebacks { get; } = new();

    public long GetAvailableFreeSpace(string directory) => FreeBytes;

    public Stream OpenPartial(string path, bool append)
    {
        Interlocked.Increment(ref Opens);
        return new FullDiskStream(PhysicalDownloadFileSystem.Instance.OpenPartial(path, append), this);
    }

    public void StartWriteback(Stream partial, long offset, long count)
    {
        if (Interlocked.Decrement(ref FailNextWritebacks) >= 0) throw new IOException("No space left on device", 28);
        PhysicalDownloadFileSystem.Instance.StartWriteback(((FullDiskStream)partial).Inner, offset, count);
        Writebacks.Enqueue((offset, count));
    }

    public void FlushToDisk(Stream partial)
    {
        PhysicalDownloadFileSystem.Instance.FlushToDisk(((FullDiskStream)partial).Inner);
        Interlocked.Increment(ref Flushes);
    }

    private sealed class FullDiskStream(Stream inner, FakeDiskFileSystem owner) : Stream
    {
        private long _written;
        public Stream Inner => inner;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (owner.FailAfterBytes is { } limit && _written + buffer.Length > limit)
            {
                var fit = (int)Math.Max(0, limit - _written);
                await inner.WriteAsync(buffer[..fit], cancellationToken);
                _written += fit;
                throw new IOException("No space left on device", 28);
            }
            await inner.WriteAsync(buffer, cancellationToken);
            _written += buffer.Length;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }

        public override ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}

/// <summary>Runs the callback on the reporting thread (unlike Progress&lt;T&gt;, which posts).</summary>
internal sealed class InlineProgress(Action<DownloadProgress> onReport) : IProgress<DownloadProgress>
{
    public void Report(DownloadProgress value) => onReport(value);
}
