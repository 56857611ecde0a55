using EditorAssist.Core.Errors;

namespace EditorAssist.Downloads;

public enum DownloadState { Queued, Running, Paused, Failed, Done }

/// <summary>What to fetch. <see cref="FileName"/> is sanitised by the manager; size and hash, when
/// given (from the catalog), win over what the server says.</summary>
public sealed record DownloadRequest
{
    public required Uri Url { get; init; }
    public required string FileName { get; init; }
    public string? ExpectedSha256 { get; init; }
    public long? ExpectedSizeBytes { get; init; }
    public string? CatalogId { get; init; }
}

public sealed record DownloadResult(string FileName, string Path, string Sha256, long SizeBytes);

/// <param name="Phase"><c>downloading</c> or <c>verifying</c>.</param>
public sealed record DownloadProgress(string Phase, long Bytes, long? TotalBytes, double BytesPerSecond, double? EtaSeconds);

public sealed record DownloadSnapshot(
    string Id, string FileName, string? CatalogId, DownloadState State, long Bytes, long? TotalBytes,
    string? Error, ErrorCode? ErrorCode)
{
    /// <summary>The URL the download was asked for (never carries a token); asking for it again joins or continues this job.</summary>
    public string? Url { get; init; }
}

/// <summary>A row of the <c>downloads</c> table: what a restarted sidecar needs to resume.</summary>
public sealed record PersistedDownload(
    string Id, string FileName, string Url, string? CatalogId, string? ExpectedSha256, long? ExpectedSizeBytes,
    string? ETag, string State, string? Error);
