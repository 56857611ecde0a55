namespace EditorAssist.Downloads;

/// <summary>
/// Tuning and policy of a <see cref="DownloadManager"/>. Values are read when a job starts or at each
/// check, so a settings change reaches the next download without a restart.
/// </summary>
public sealed record DownloadOptions
{
    /// <summary>The folder finished models are renamed into (<c>&lt;storageDir&gt;/models</c>). Partials live next to them.</summary>
    public required string ModelsDirectory { get; init; }

    /// <summary>How many files download at the same time; further jobs wait in <c>queued</c>.</summary>
    public int MaxParallelDownloads { get; init; } = 2;

    /// <summary>No byte for this long while a body is open → the attempt is abandoned and retried.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts without progress before giving up. An attempt that received bytes resets the count.</summary>
    public int MaxAttempts { get; init; } = 6;

    public TimeSpan BaseRetryDelay { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Disk kept free beyond the download itself, so a model never fills the disk to the last byte.</summary>
    public long DiskReserveBytes { get; init; } = 512L * 1024 * 1024;

    /// <summary>How often (in bytes written) free disk space is checked again during a download.</summary>
    public long DiskCheckIntervalBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>How often (in bytes written) the OS is asked to start writing the partial file to disk during a
    /// download (Linux), so the final flush before the rename only waits for the tail.</summary>
    public long WritebackIntervalBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Largest total size of the models folder (files and partials), or null for none. Read at each check.</summary>
    public Func<long?> QuotaBytes { get; init; } = () => null;

    /// <summary>The shortest gap between two progress reports a job sends to its listeners.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(60);

    /// <summary>Read buffer; also the unit of "one chunk" in the resume guarantee.</summary>
    public int BufferSize { get; init; } = 1024 * 1024;

    /// <summary>Hash while downloading and compare with the published SHA-256. Off only for benchmarks (the GGUF header is still checked).</summary>
    public bool VerifySha256 { get; init; } = true;

    /// <summary>Redirect hops followed before giving up.</summary>
    public int MaxRedirects { get; init; } = 10;
}
