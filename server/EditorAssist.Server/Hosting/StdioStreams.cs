using System.Runtime.InteropServices;

namespace EditorAssist.Server.Hosting;

/// <summary>
/// Takes ownership of the process's stdin/stdout for the protocol. On Unix the real stdout is
/// duplicated to a private descriptor and descriptor 1 is pointed at stderr, so nothing else in the
/// process — a stray Console.WriteLine, or native code (llama.cpp, ggml) calling printf — can ever
/// write into the protocol stream.
/// </summary>
internal static partial class StdioStreams
{
    public static (Stream Input, Stream Output) Acquire()
    {
        var input = Console.OpenStandardInput();
        Stream output;
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            var protocolFd = Dup(1);
            if (protocolFd < 0 || Dup2(2, 1) < 0)
                throw new IOException($"Could not take over stdout (errno {Marshal.GetLastPInvokeError()}).");
            // Not a FileStream: for a regular file (stdout redirected to a file) FileStream writes at
            // its own tracked offset with pwrite, which would ignore the shared file offset.
            output = new FdOutputStream(protocolFd);
        }
        else
        {
            output = Console.OpenStandardOutput();
        }
        // Managed writes to Console.Out go to stderr too.
        Console.SetOut(Console.Error);
        return (input, output);
    }

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
