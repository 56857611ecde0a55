using System.Runtime.InteropServices;
using EditorAssist.Core.Platform;

namespace EditorAssist.Core.Tests.Platform;

public sealed class PlatformFilesTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ea-platform-" + Guid.NewGuid().ToString("N")[..8]);

    public PlatformFilesTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void File_names_fold_case_on_windows_and_macos_only()
    {
        Assert.Equal(StringComparison.Ordinal, PlatformFiles.NameComparison(OSPlatform.Linux));
        Assert.Equal(StringComparison.OrdinalIgnoreCase, PlatformFiles.NameComparison(OSPlatform.Windows));
        Assert.Equal(StringComparison.OrdinalIgnoreCase, PlatformFiles.NameComparison(OSPlatform.OSX));
        Assert.True(string.Equals("Qwen.GGUF", "qwen.gguf", PlatformFiles.NameComparison(OSPlatform.Windows)));
        Assert.False(string.Equals("Qwen.GGUF", "qwen.gguf", PlatformFiles.NameComparison(OSPlatform.Linux)));
    }

    [Theory]
    [InlineData(@"C:\Users\me\AppData\Local\EditorAssist\models", @"C:\")]
    [InlineData(@"d:\models", @"d:\")]
    [InlineData(@"\\?\E:\a\very\long\path\models", @"E:\")]
    [InlineData(@"\\server\share\models", null)]
    public void Free_space_on_windows_is_asked_of_the_drive_root(string path, string? expected)
    {
        Assert.Equal(expected, PlatformFiles.VolumeQueryPath(path, OSPlatform.Windows));
    }

    [Fact]
    public void Free_space_on_unix_is_asked_of_the_folder_itself_and_is_real_here()
    {
        Assert.Equal("/home/me/.local/share/x", PlatformFiles.VolumeQueryPath("/home/me/.local/share/x", OSPlatform.Linux));
        Assert.Equal("/Users/me/x", PlatformFiles.VolumeQueryPath("/Users/me/x", OSPlatform.OSX));
        var free = PlatformFiles.AvailableFreeSpace(_root);
        Assert.InRange(free, 1, long.MaxValue - 1); // a real figure, not the "unknown" marker
    }

    [Fact]
    public void The_models_folder_is_private_to_the_user_when_created()
    {
        var dir = Path.Combine(_root, "models");
        PlatformFiles.CreatePrivateDirectory(dir);
        Assert.True(Directory.Exists(dir));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dir));
            // An existing folder keeps the mode its owner chose.
            File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
            PlatformFiles.CreatePrivateDirectory(dir);
            Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(dir));
        }
    }

    [Fact]
    public async Task A_rename_refused_while_the_old_file_is_held_is_retried_until_it_goes_through()
    {
        var waited = new List<TimeSpan>();
        var attempts = 0;
        await PlatformFiles.MoveReplacingAsync("a.partial", "a.gguf", (d, _) => { waited.Add(d); return Task.CompletedTask; }, CancellationToken.None,
            (_, _) =>
            {
                if (++attempts < 3) throw new IOException("The process cannot access the file because it is being used by another process.", unchecked((int)0x80070020));
            });
        Assert.Equal(3, attempts);
        Assert.Equal(PlatformFiles.MoveRetryDelays.Take(2), waited);
    }

    [Fact]
    public async Task A_file_held_for_good_ends_in_a_clear_error_and_other_failures_are_not_retried()
    {
        var attempts = 0;
        var e = await Assert.ThrowsAsync<IOException>(() => PlatformFiles.MoveReplacingAsync("a.partial", "a.gguf", (_, _) => Task.CompletedTask, CancellationToken.None,
            (_, _) => { attempts++; throw new UnauthorizedAccessException("Access to the path is denied."); }));
        Assert.Equal(PlatformFiles.MoveRetryDelays.Length + 1, attempts);
        Assert.Contains("in use by another program", e.Message);
        Assert.Contains("a.partial", e.Message);

        attempts = 0;
        await Assert.ThrowsAsync<FileNotFoundException>(() => PlatformFiles.MoveReplacingAsync("gone", "a.gguf", (_, _) => Task.CompletedTask, CancellationToken.None,
            (_, _) => { attempts++; throw new FileNotFoundException("gone"); }));
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task On_this_os_the_real_rename_replaces_a_file_a_reader_holds_open()
    {
        var dst = Path.Combine(_root, "m.gguf");
        var src = Path.Combine(_root, "m.gguf.partial");
        await File.WriteAllTextAsync(dst, "old");
        await File.WriteAllTextAsync(src, "new");
        // A reader as the loaded model would be (read, sharing read and delete, as .NET on Unix does anyway).
        await using var reader = new FileStream(dst, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        await PlatformFiles.MoveReplacingAsync(src, dst, (d, c) => Task.Delay(d, c), CancellationToken.None);
        Assert.Equal("new", await File.ReadAllTextAsync(dst));
        Assert.False(File.Exists(src));
        Assert.Equal((byte)'o', (byte)reader.ReadByte()); // the reader still sees the file it opened
    }
}
