using System.Security.Cryptography;
using EditorAssist.Core.Errors;

namespace EditorAssist.Downloads;

internal enum StopReason { None, Pause, Cancel, Shutdown }

/// <summary>
/// One file's download, shared by every caller that asked for it. Mutable fields marked "lock" are
/// guarded by the manager's lock; the transfer fields are owned by the single running transfer
/// (runs of one job are chained, never concurrent).
/// </summary>
internal sealed class DownloadJob(string id, string fileName, Uri url)
{
    public string Id { get; } = id;
    public string FileName { get; } = fileName;
    public Uri Url { get; set; } = url;
    public string? CatalogId { get; set; }
    /// <summary>From the caller (catalog): authoritative when present.</summary>
    public string? RequestedSha256 { get; set; }

    // lock
    public DownloadState State { get; set; } = DownloadState.Queued;
    public EditorAssistException? Error { get; set; }
    public TaskCompletionSource<DownloadResult> Completion { get; set; } = NewCompletion();
    public CancellationTokenSource? RunCts { get; set; }
    public Task RunTask { get; set; } = Task.CompletedTask;
    public int Waiters { get; set; }
    public List<IProgress<DownloadProgress>> Sinks { get; } = [];
    public StopReason Stop { get; set; }

    // transfer-owned (read without the lock for snapshots: a torn read of a long is harmless here)
    public long Bytes;
    public long? TotalBytes { get; set; }
    public string? ETag { get; set; }
    /// <summary>From the server's metadata (X-Linked-Etag of an LFS file).</summary>
    public string? ServerSha256 { get; set; }
    public IncrementalHash? Hasher { get; set; }
    public long HashedBytes { get; set; }

    public string? ExpectedSha256 => RequestedSha256 ?? ServerSha256;

    public static TaskCompletionSource<DownloadResult> NewCompletion() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void ResetHash()
    {
        Hasher?.Dispose();
        Hasher = null;
        HashedBytes = 0;
    }
}

/// <summary>A failure worth another attempt: the network dropped, stalled, or the server asked us to wait.</summary>
internal sealed class TransientDownloadException(string message, bool madeProgress, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(message, inner)
{
    public bool MadeProgress { get; } = madeProgress;
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
