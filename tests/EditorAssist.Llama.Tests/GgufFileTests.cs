using EditorAssist.Core.Errors;
using EditorAssist.Core.Local;
using EditorAssist.Testing.Gguf;

namespace EditorAssist.Llama.Tests;

public sealed class GgufFileTests
{
    [Fact]
    public void Reads_header_metadata_and_tensor_sizes_of_a_written_model()
    {
        var g = GgufFile.Read(LlamaTestEnvironment.TinyModelPath);
        Assert.Equal(3u, g.Version);
        Assert.Equal("llama", g.Architecture);
        Assert.Equal("editorassist-test-tiny", g.Name);
        Assert.Equal((2, 64, 4, 2, 2048, 16), (g.BlockCount, g.EmbeddingLength, g.HeadCount, g.HeadCountKv, g.ContextLength, g.HeadDimension));
        Assert.Equal(2 * 9 + 3, g.TensorCount);
        Assert.True(g.VocabSize > 300);
        Assert.True(g.TensorBytes < g.FileSizeBytes && g.TensorBytes > g.FileSizeBytes / 2);
        Assert.True(g.LayerTensorBytes > 0 && g.LayerTensorBytes < g.TensorBytes);
        Assert.Equal(0, g.DataOffset % 32);
    }

    [Fact]
    public void F16_models_are_sized_by_their_element_type()
    {
        string path = TestModel.Write(LlamaTestEnvironment.NewPath("f16.gguf"), TestModelSpec.Tiny with { TensorType = GgufTensorType.F16 });
        var f32 = GgufFile.Read(LlamaTestEnvironment.TinyModelPath);
        var f16 = GgufFile.Read(path);
        Assert.Equal(f32.LayerTensorBytes / 2 + 2 * 2 * 64 * 2, f16.LayerTensorBytes); // norms stay F32
    }

    [Theory]
    [InlineData("truncated", "truncated")]
    [InlineData("truncated-header", "truncated")]
    [InlineData("bad-magic", "bad magic")]
    [InlineData("html", "bad magic")]
    [InlineData("absurd", "Implausible")]
    public void Rejects_broken_files_with_a_reason(string kind, string reason)
    {
        string path = LlamaTestEnvironment.NewPath(kind);
        _ = kind switch
        {
            "truncated" => TestModel.WriteTruncated(path),
            "truncated-header" => TestModel.WriteTruncatedHeader(path),
            "bad-magic" => TestModel.WriteBadMagic(path),
            "html" => TestModel.WriteHtmlPage(path),
            _ => TestModel.WriteAbsurdTensorCount(path),
        };
        var e = Assert.Throws<InvalidModelFileException>(() => GgufFile.Read(path));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void Missing_file_is_InvalidModelFile()
    {
        var e = Assert.Throws<InvalidModelFileException>(() => GgufFile.Read("/nonexistent/model.gguf"));
        Assert.Equal(ErrorCode.InvalidModelFile, e.Code);
    }
}
