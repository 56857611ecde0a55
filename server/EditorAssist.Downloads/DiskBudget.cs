using EditorAssist.Core.Errors;

namespace EditorAssist.Downloads;

/// <summary>
/// Room for a download, checked before each attempt and again once the server has said how big the
/// file is: the free space of the models folder's volume less a reserve, and the user's quota for
/// the folder.
/// </summary>
internal sealed class DiskBudget(IDownloadFileSystem fs, DownloadOptions options)
{
    /// <summary>Throws InsufficientDisk or QuotaExceeded when the rest of the job does not fit.</summary>
    public void Check(DownloadJob job, long existing)
    {
        CheckDisk(job, existing);
        CheckQuota(job, existing);
    }

    private void CheckDisk(DownloadJob job, long existing)
    {
        var free = fs.GetAvailableFreeSpace(options.ModelsDirectory);
        var needed = (job.TotalBytes is { } t ? Math.Max(0, t - existing) : 0) + options.DiskReserveBytes;
        if (free < needed) throw Full(job, free, null, needed);
    }

    private void CheckQuota(DownloadJob job, long existing)
    {
        if (options.QuotaBytes() is not { } quota) return;
        var used = FolderBytes();
        var remaining = job.TotalBytes is { } t ? Math.Max(0, t - existing) : 0;
        if (used + remaining > quota)
            throw new EditorAssistException(ErrorCode.QuotaExceeded,
                $"'{job.FileName}' needs {DownloadManager.Format(remaining)} more, but the models folder would exceed its quota of {DownloadManager.Format(quota)} ({DownloadManager.Format(used)} used). Free space with storage/evict or raise the quota.")
            { Details = new Dictionary<string, object?> { ["quotaBytes"] = quota, ["usedBytes"] = used, ["requiredBytes"] = remaining } };
    }

    private long FolderBytes()
    {
        long sum = 0;
        foreach (var f in new DirectoryInfo(options.ModelsDirectory).EnumerateFiles()) sum += f.Length;
        return sum;
    }

    /// <summary>The error for a disk without room: before a transfer (<paramref name="needed"/> given) or during one.</summary>
    public EditorAssistException Full(DownloadJob job, long free, Exception? inner, long? needed = null) =>
        new(ErrorCode.InsufficientDisk,
            needed is { } n
                ? $"Not enough disk space for '{job.FileName}': {DownloadManager.Format(n)} needed (with a safety margin), {DownloadManager.Format(free)} free."
                : $"The disk filled up while downloading '{job.FileName}' ({DownloadManager.Format(free)} free). The partial file is kept; free space and resume.",
            inner)
        { Details = new Dictionary<string, object?> { ["freeBytes"] = free, ["requiredBytes"] = needed } };
}
