using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace EditorAssist.Downloads;

/// <summary>
/// The file-system operations a download needs that tests must be able to fake: free space, the stream
/// a partial file is written through (a test wraps it to throw "disk full"), and getting it to disk.
/// </summary>
public interface IDownloadFileSystem
{
    /// <summary>Bytes available to this user on the volume holding <paramref name="directory"/>.</summary>
    long GetAvailableFreeSpace(string directory);

    /// <summary>Opens <paramref name="path"/> for writing: positioned at its end when <paramref name="append"/>, else truncated.
    /// The download writes whole chunks to it with the synchronous <see cref="Stream.Write(byte[], int, int)"/>.</summary>
    Stream OpenPartial(string path, bool append);

    /// <summary>Asks the OS to start writing <paramref name="count"/> bytes of <paramref name="partial"/> at
    /// <paramref name="offset"/> to the disk, without waiting for them (where the OS offers that; else nothing).</summary>
    void StartWriteback(Stream partial, long offset, long count);

    /// <summary>Writes what the OS holds of <paramref name="partial"/> (from <see cref="OpenPartial"/>) to the disk (fsync).</summary>
    void FlushToDisk(Stream partial);
}

public sealed class PhysicalDownloadFileSystem : IDownloadFileSystem
{
    public static PhysicalDownloadFileSystem Instance { get; } = new();

    private volatile bool _writebackAvailable = true;

    // Unknown volume: long.MaxValue, so a failed query never blocks a download; a real ENOSPC still stops it.
    public long GetAvailableFreeSpace(string directory) => EditorAssist.Core.Platform.PlatformFiles.AvailableFreeSpace(directory);

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

    // Linux: sync_file_range(SYNC_FILE_RANGE_WRITE) queues the range for writeback and returns. Unlike an
    // fsync it commits no journal (on ext4 the next appends would wait for that commit) and waits for
    // nothing, except a full device queue: then the download slows to the disk's pace, which the final
    // fsync would have waited for anyway. Other systems: nothing, the final fsync writes it all.
    public void StartWriteback(Stream partial, long offset, long count)
    {
        if (!OperatingSystem.IsLinux() || partial is not FileStream file || count <= 0 || !_writebackAvailable) return;
        int result;
        try
        {
            result = LinuxWriteback.sync_file_range(file.SafeFileHandle, offset, count, LinuxWriteback.SYNC_FILE_RANGE_WRITE);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // A C library without it: an optimisation, never a reason to fail a download.
            _writebackAvailable = false;
            return;
        }
        if (result == 0) return;
        var errno = Marshal.GetLastPInvokeError();
        // Not available here (a sandbox without the call, a file system that cannot): nothing to start.
        if (errno is LinuxWriteback.ENOSYS or LinuxWriteback.EINVAL or LinuxWriteback.ESPIPE) return;
        // HResult = errno, as .NET's own IOExceptions on Unix, so IsDiskFull recognises ENOSPC.
        throw new IOException($"Starting the writeback of '{file.Name}' failed (errno {errno}).", errno);
    }

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

internal static partial class LinuxWriteback
{
    public const uint SYNC_FILE_RANGE_WRITE = 2;
    public const int EINVAL = 22, ESPIPE = 29, ENOSYS = 38;

    // int sync_file_range(int fd, off64_t offset, off64_t nbytes, unsigned int flags); the SafeHandle keeps
    // the descriptor open for the call (passed as a native int; the C int is its low half on x64 and arm64).
    [LibraryImport("libc", SetLastError = true)]
    internal static partial int sync_file_range(SafeFileHandle fd, long offset, long nbytes, uint flags);
}
