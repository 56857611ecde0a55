using EditorAssist.Testing.Gguf;

namespace EditorAssist.Llama.Tests;

/// <summary>The GGUF writer in EditorAssist.Testing, checked against the real libllama.</summary>
public sealed class TestModelTests
{
    [Fact]
    public void Same_seed_writes_the_same_bytes_and_another_seed_different_weights()
    {
        string a = TestModel.Write(LlamaTestEnvironment.NewPath("a.gguf"));
        string b = TestModel.Write(LlamaTestEnvironment.NewPath("b.gguf"));
        string c = TestModel.Write(LlamaTestEnvironment.NewPath("c.gguf"), TestModelSpec.Tiny with { Seed = 99 });
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
        Assert.NotEqual(File.ReadAllBytes(a), File.ReadAllBytes(c));
        Assert.InRange(new FileInfo(a).Length, 100_000, 5_000_000); // "a few MB" at most
    }

    [Fact]
    public async Task F16_model_with_extra_vocab_loads_and_generates()
    {
        string path = TestModel.Write(LlamaTestEnvironment.NewPath("f16.gguf"),
            TestModelSpec.Tiny with { TensorType = GgufTensorType.F16, ExtraVocab = 1000, IncludeChatTemplate = false });
        await using var m = await LlamaTestEnvironment.Runtime.LoadModelAsync(path, new LocalModelOptions { GpuLayers = 0, ContextLength = 128 });
        Assert.Null(m.Info.ChatTemplate);
        Assert.True(m.Info.VocabSize > 1300);
        // No template in the file: ChatML is the fallback.
        Assert.StartsWith("<|im_start|>user\n", m.ApplyChatTemplate([new("user", "hi")]));
        var r = await m.GenerateAsync(new GenerationRequest { Messages = [new("user", "hi")], Options = new() { Temperature = 0, MaxTokens = 3, IgnoreEndOfGeneration = true } });
        Assert.Equal(3, r.Usage.CompletionTokens);
    }

    [Fact]
    public void Benchmark_shapes_have_the_documented_sizes()
    {
        static long Params(TestModelSpec s)
        {
            long vocab = 258 + 1 + 94 + 26 + s.ExtraVocab + 2 + 6;
            long e = s.EmbeddingLength, ff = s.FeedForwardLength, kv = e / s.HeadCount * s.HeadCountKv;
            return 2 * vocab * e + e + s.LayerCount * (2 * e + 2 * e * e + 2 * e * kv + 3 * e * ff);
        }
        Assert.InRange(Params(TestModelSpec.Benchmark250M), 230_000_000, 270_000_000);
        Assert.InRange(Params(TestModelSpec.BenchmarkTiny), 3_000_000, 8_000_000);
    }
}
