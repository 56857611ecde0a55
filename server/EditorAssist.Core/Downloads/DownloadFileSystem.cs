namespace EditorAssist.Core.Downloads;

/// <summary>
/// The file-system operations a download needs that tests must be able to fake: free space, the stream
/// a partial file is written through (a test wraps it to throw "disk full"), and flushing it to disk.
/// </summary>
public interface IDownloadFileSystem
{
    /// <summary>Bytes available to this user on the volume holding <paramref name="directory"/>.</summary>
    long GetAvailableFreeSpace(string directory);

    /// <summary>Opens <paramref name="path"/> for writing: positioned at its end when <paramref name="append"/>, else truncated.
    /// The download writes whole chunks to it with the synchronous <see cref="Stream.Write(byte[], int, int)"/>.</summary>
    Stream OpenPartial(string path, bool append);

    /// <summary>Writes what the OS holds of <paramref name="partial"/> (from <see cref="OpenPartial"/>) to the disk (fsync).
    /// May run on another thread while the download keeps writing to the stream.</summary>
    void FlushToDisk(Stream partial);
}

public sealed class PhysicalDownloadFileSystem : IDownloadFileSystem
{
    public static PhysicalDownloadFileSystem Instance { get; } = new();

    public long GetAvailableFreeSpace(string directory)
    {
        try
        {
            return new DriveInfo(Path.GetFullPath(directory)).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException)
        {
            // Unknown volume: do not block the download on a failed query; a real ENOSPC still stops it.
            return long.MaxValue;
        }
    }

    public Stream OpenPartial(string path, bool append) =>
        new FileStream(path, new FileStreamOptions
        {
            Mode = append ? FileMode.Append : FileMode.Create,
            Access = FileAccess.Write,
            Share = FileShare.Read,
            BufferSize = 0, // we write 1 MiB blocks; a second buffer only copies
            // Not FileOptions.Asynchronous: the chunks are written synchronously (see DownloadManager.CopyBodyAsync).
            Options = FileOptions.None,
        });

    // FileStream.Flush(true) of an unbuffered stream (BufferSize 0) only fsyncs the handle: no stream state is
    // touched, so it is safe beside a Write on another thread (the kernel orders the two).
    public void FlushToDisk(Stream partial)
    {
        if (partial is FileStream file) file.Flush(flushToDisk: true);
        else partial.Flush();
    }

    /// <summary>True when <paramref name="ex"/> means the volume is full (ENOSPC/EDQUOT on Unix, ERROR_DISK_FULL/ERROR_HANDLE_DISK_FULL on Windows).</summary>
    public static bool IsDiskFull(IOException ex)
    {
        var h = ex.HResult;
        // On Unix .NET puts the raw errno in HResult: ENOSPC = 28, EDQUOT = 122 (Linux) / 69 (macOS).
        if (h is 28 or 122 or 69) return true;
        return h is unchecked((int)0x80070070) or unchecked((int)0x80070027);
    }
}
