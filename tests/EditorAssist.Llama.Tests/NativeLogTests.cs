using System.Runtime.InteropServices;

namespace EditorAssist.Llama.Tests;

/// <summary>
/// The sidecar's stdout carries JSON-RPC frames only, so llama.cpp/ggml must never write to
/// file descriptor 1. The test points fd 1 at a file while a model loads and generates, at the
/// level native code sees (dup2), then checks the file is empty.
/// </summary>
[Collection("cpu-model")]
public sealed partial class NativeLogTests
{
    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int open(string path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int dup(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int dup2(int oldFd, int newFd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc")]
    private static partial int fflush(IntPtr stream);

    [Fact]
    public async Task Native_code_writes_nothing_to_stdout_during_load_and_generation()
    {
        _ = LlamaTestEnvironment.Runtime;
        string capture = LlamaTestEnvironment.NewPath("stdout.txt");
        const int O_WRONLY = 1, O_CREAT = 0x40, O_TRUNC = 0x200;
        int file = open(capture, O_WRONLY | O_CREAT | O_TRUNC, 0x1A4);
        Assert.True(file >= 0);
        fflush(IntPtr.Zero);
        int saved = dup(1);
        Assert.Equal(1, dup2(file, 1));
        try
        {
            await using var m = await LlamaTestEnvironment.Runtime.LoadModelAsync(LlamaTestEnvironment.TinyModelPath,
                new LocalModelOptions { GpuLayers = 0, ContextLength = 128 });
            await m.GenerateAsync(new GenerationRequest { Messages = [new("user", "hi")], Options = new() { Temperature = 0, MaxTokens = 4 } });
            fflush(IntPtr.Zero); // C stdio buffers: anything printf'd must reach the file now
        }
        finally
        {
            dup2(saved, 1);
            close(saved);
            close(file);
        }
        Assert.Equal("", File.ReadAllText(capture));
    }
}
