using EditorAssist.Testing.Gguf;

namespace EditorAssist.Llama.Tests;

/// <summary>Generation through the context's owner thread, on the shared CPU model.</summary>
[Collection("cpu-model")]
public sealed class ContextWorkerTests(CpuModelFixture fixture) : ContextWorkerContract
{
    protected override LocalModel Model => fixture.Model;

    [Fact]
    public async Task Cancelling_a_long_prompt_evaluation_interrupts_the_running_decode()
    {
        // One 4000-token llama_decode (8 micro-batches inside): without the abort callback a
        // cancel could only act after the whole call. The CPU backend checks it between graph nodes.
        // A wider model than the shared one, so a full evaluation takes long (~1 s) compared to
        // timer and scheduling jitter on a busy machine.
        string path = TestModel.Write(LlamaTestEnvironment.NewPath("wide.gguf"), TestModelSpec.Tiny with
        {
            EmbeddingLength = 256, FeedForwardLength = 768, LayerCount = 4, HeadCount = 4, HeadCountKv = 4, ContextLength = 4096,
        });
        await using var m = await LlamaTestEnvironment.Runtime.LoadModelAsync(path,
            new LocalModelOptions { GpuLayers = 0, ContextLength = 4096, BatchSize = 4096, Threads = 1 });
        string prompt = string.Concat(Enumerable.Repeat("hello world ", 2000));
        var opt = new GenerationOptions { Temperature = 0, MaxTokens = 1, IgnoreEndOfGeneration = true };

        // The reference is a warm evaluation: the first one also pays one-time costs (faulting the
        // weights in, reserving the graph, starting the CPU thread pool), and measured against it
        // alone, a second evaluation on a quiet machine finished before a tenth of it had passed.
        GenerationResult full = null!;
        for (int i = 0; i < 2; i++)
        {
            full = await m.GenerateAsync(new GenerationRequest { Prompt = prompt, Options = opt });
            await m.ResetCacheAsync();
        }
        Assert.True(full.Usage.PromptTokens > 3000, $"{full.Usage.PromptTokens} prompt tokens");

        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(full.Timings.PromptMs / 10));
        var cancelled = await m.GenerateAsync(new GenerationRequest { Prompt = prompt, Options = opt }, null, cts.Token);
        Assert.Equal(FinishReason.Cancelled, cancelled.FinishReason);
        Assert.Equal(0, cancelled.Usage.CompletionTokens);
        Assert.True(cancelled.Timings.PromptMs < full.Timings.PromptMs * 0.5,
            $"cancelled after {cancelled.Timings.PromptMs:F0} ms; a full evaluation takes {full.Timings.PromptMs:F0} ms");

        // The KV cache was trimmed back to empty (llama_decode would reject positions that are
        // still occupied): the next request starts from position 0 and succeeds.
        var again = await m.GenerateAsync(new GenerationRequest { Prompt = "hello world", Options = opt });
        Assert.Equal(1, again.Usage.CompletionTokens);
        Assert.Equal(0, again.Usage.CachedTokens);
    }
}
