using System.Runtime.InteropServices;

namespace EditorAssist.Server.Hosting;

/// <summary>
/// Takes ownership of the process's stdin/stdout for the protocol, so nothing else in the
/// process — a stray Console.WriteLine, or native code (llama.cpp, ggml) calling printf — can
/// ever write into the protocol stream:
/// <list type="bullet">
/// <item>Unix: the real stdout is duplicated to a private descriptor and descriptor 1 is pointed at
/// stderr (dup, dup2).</item>
/// <item>Windows: the stdout handle is duplicated to a private handle, the process's standard output
/// handle is set to stderr's (SetStdHandle: what later GetStdHandle callers get) and the C runtime's
/// descriptor 1 is pointed at its descriptor 2 (_dup2 in ucrtbase: what printf writes to).</item>
/// </list>
/// </summary>
internal static partial class StdioStreams
{
    internal enum Protection
    {
        /// <summary>dup/dup2 on file descriptors.</summary>
        UnixDescriptors,
        /// <summary>DuplicateHandle + SetStdHandle + the UCRT's _dup2.</summary>
        WindowsHandles,
    }

    /// <summary>How stdout is protected on <paramref name="os"/> (every OS the sidecar ships for has one).</summary>
    internal static Protection For(OSPlatform os) => os == OSPlatform.Windows ? Protection.WindowsHandles : Protection.UnixDescriptors;

    public static (Stream Input, Stream Output) Acquire()
    {
        var input = Console.OpenStandardInput();
        var output = For(OperatingSystem.IsWindows() ? OSPlatform.Windows : OSPlatform.Linux) switch
        {
            Protection.WindowsHandles => AcquireWindows(),
            _ => AcquireUnix(),
        };
        // Managed writes to Console.Out go to stderr too.
        Console.SetOut(Console.Error);
        return (input, output);
    }

    private static Stream AcquireUnix()
    {
        var protocolFd = Dup(1);
        if (protocolFd < 0 || Dup2(2, 1) < 0)
            throw new IOException($"Could not take over stdout (errno {Marshal.GetLastPInvokeError()}).");
        // Not a FileStream: for a regular file (stdout redirected to a file) FileStream writes at
        // its own tracked offset with pwrite, which would ignore the shared file offset.
        return new FdOutputStream(protocolFd);
    }

    private static Stream AcquireWindows()
    {
        const int STD_OUTPUT_HANDLE = -11, STD_ERROR_HANDLE = -12;
        const uint DUPLICATE_SAME_ACCESS = 2;
        var stdout = GetStdHandle(STD_OUTPUT_HANDLE);
        var stderr = GetStdHandle(STD_ERROR_HANDLE);
        var self = GetCurrentProcess();
        if (!DuplicateHandle(self, stdout, self, out var protocol, 0, false, DUPLICATE_SAME_ACCESS))
            throw new IOException($"Could not take over stdout (Win32 error {Marshal.GetLastPInvokeError()}).");
        // From here on GetStdHandle(STD_OUTPUT_HANDLE) and the CRT's stdout both write to stderr.
        _ = SetStdHandle(STD_OUTPUT_HANDLE, stderr);
        try
        {
            _ = UcrtDup2(2, 1);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // No UCRT loaded by anyone: no C code can printf to descriptor 1 either.
        }
        // A pipe in practice (the extension's spawn); FileStream handles pipes and files alike on Windows.
        return new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(protocol, ownsHandle: true), FileAccess.Write, bufferSize: 0);
    }

    [LibraryImport("kernel32", SetLastError = true)]
    private static partial IntPtr GetStdHandle(int nStdHandle);

    [LibraryImport("kernel32", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool SetStdHandle(int nStdHandle, IntPtr handle);

    [LibraryImport("kernel32")]
    private static partial IntPtr GetCurrentProcess();

    [LibraryImport("kernel32", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool DuplicateHandle(IntPtr sourceProcess, IntPtr sourceHandle, IntPtr targetProcess, out IntPtr targetHandle,
        uint desiredAccess, [MarshalAs(UnmanagedType.Bool)] bool inheritHandle, uint options);

    [LibraryImport("ucrtbase", EntryPoint = "_dup2")]
    private static partial int UcrtDup2(int fd1, int fd2);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int CloseFd(int fd);

    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static partial int Dup(int fd);

    [LibraryImport("libc", EntryPoint = "dup2", SetLastError = true)]
    private static partial int Dup2(int oldFd, int newFd);

    /// <summary>Blocking write(2) on a descriptor; the connection's single writer loop is its only caller.</summary>
    private sealed class FdOutputStream(int fd) : Stream
    {
        private const int EINTR = 4;
        private int _fd = fd;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override unsafe void Write(ReadOnlySpan<byte> buffer)
        {
            fixed (byte* p = buffer)
            {
                var done = 0;
                while (done < buffer.Length)
                {
                    var n = StdioStreams.Write(_fd, p + done, (nuint)(buffer.Length - done));
                    if (n < 0)
                    {
                        var errno = Marshal.GetLastPInvokeError();
                        if (errno == EINTR) continue;
                        throw new IOException($"write to the protocol stream failed (errno {errno}).");
                    }
                    done += (int)n;
                }
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }

        public override void Flush() { }
        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            var fd = Interlocked.Exchange(ref _fd, -1);
            if (fd >= 0) CloseFd(fd);
            base.Dispose(disposing);
        }
    }
}
