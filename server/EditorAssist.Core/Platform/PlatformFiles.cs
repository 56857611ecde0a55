using System.Runtime.InteropServices;

namespace EditorAssist.Core.Platform;

/// <summary>
/// The file-system behaviour that differs between Linux, macOS and Windows, in one place so each
/// rule is unit-tested on any host (the OS is a parameter; the parameterless forms use this one).
/// </summary>
public static class PlatformFiles
{
    private static OSPlatform Current =>
        OperatingSystem.IsWindows() ? OSPlatform.Windows : OperatingSystem.IsMacOS() ? OSPlatform.OSX : OSPlatform.Linux;

    /// <summary>
    /// How file names compare: Windows (NTFS) and macOS (APFS by default) fold case, Linux does
    /// not. Used where a name the user or a server gave is matched against files on disk.
    /// </summary>
    public static StringComparison NameComparison(OSPlatform os) =>
        os == OSPlatform.Linux ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;

    public static StringComparison NameComparison() => NameComparison(Current);

    /// <summary>
    /// What to ask DriveInfo about for a folder: on Windows it accepts only a drive root ("C:\"),
    /// so a models folder's free space is its root's; on Unix any path finds its mount point.
    /// Null where no volume can be named (a UNC path on Windows): the caller treats it as unknown.
    /// </summary>
    public static string? VolumeQueryPath(string fullPath, OSPlatform os)
    {
        if (os != OSPlatform.Windows) return fullPath;
        // Plain string rules (not Path.GetPathRoot) so they hold on any host: "C:\…" → "C:\";
        // a long-path prefix "\\?\C:\…" names the same drive; "\\server\share\…" is no drive.
        var p = fullPath.StartsWith(@"\\?\", StringComparison.Ordinal) ? fullPath[4..] : fullPath;
        return p.Length >= 2 && char.IsAsciiLetter(p[0]) && p[1] == ':' ? p[..2] + "\\" : null;
    }

    /// <summary>Bytes available to this user on the volume holding <paramref name="directory"/>; long.MaxValue when unknown.</summary>
    public static long AvailableFreeSpace(string directory)
    {
        try
        {
            var query = VolumeQueryPath(Path.GetFullPath(directory), Current);
            return query is null ? long.MaxValue : new DriveInfo(query).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException)
        {
            // Unknown volume: do not block on a failed query; a real "disk full" still stops a write.
            return long.MaxValue;
        }
    }

    /// <summary>
    /// Creates a folder only this user can read (models, the store): mode 0700 on Unix when it is
    /// created here (an existing folder keeps the mode its owner gave it). On Windows the folder
    /// inherits the ACL of its parent, the user's profile (%LOCALAPPDATA%), which is private already.
    /// </summary>
    public static DirectoryInfo CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows() || Directory.Exists(path)) return Directory.CreateDirectory(path);
        return Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>Attempts and pause between them for <see cref="MoveReplacingAsync"/>: ~5 s in all.</summary>
    public static readonly TimeSpan[] MoveRetryDelays =
        [TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500),
         TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];

    /// <summary>
    /// Renames <paramref name="source"/> over <paramref name="destination"/> (same folder: atomic,
    /// a reader sees the old file or the new one). Unix allows it while a reader holds the old
    /// file. Windows refuses while any handle to the destination is open without FILE_SHARE_DELETE
    /// (an indexer, an antivirus scan, a model being mapped): retried after each of
    /// <see cref="MoveRetryDelays"/>; if it is still held, an IOException says so and the source
    /// stays where it was, whole, for the next attempt.
    /// </summary>
    public static async Task MoveReplacingAsync(string source, string destination, Func<TimeSpan, CancellationToken, Task> delay, CancellationToken ct,
        Action<string, string>? move = null)
    {
        move ??= static (s, d) => File.Move(s, d, overwrite: true);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                move(source, destination);
                return;
            }
            catch (Exception ex) when (IsHeldByAnother(ex) && attempt < MoveRetryDelays.Length)
            {
                await delay(MoveRetryDelays[attempt], ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsHeldByAnother(ex))
            {
                throw new IOException(
                    $"'{Path.GetFileName(destination)}' is in use by another program (a loaded model, a virus scan?), so the finished file could not replace it. It is kept as '{Path.GetFileName(source)}'; try again once it is closed.", ex);
            }
        }
    }

    /// <summary>A sharing violation or a lock (Windows), or access denied while another handle holds the file.</summary>
    internal static bool IsHeldByAnother(Exception ex) => ex switch
    {
        FileNotFoundException or DirectoryNotFoundException or PathTooLongException => false,
        UnauthorizedAccessException => true,
        // ERROR_SHARING_VIOLATION (0x20), ERROR_LOCK_VIOLATION (0x21), ERROR_ACCESS_DENIED (5) as HRESULTs.
        IOException io => io.HResult is unchecked((int)0x80070020) or unchecked((int)0x80070021) or unchecked((int)0x80070005),
        _ => false,
    };
}
