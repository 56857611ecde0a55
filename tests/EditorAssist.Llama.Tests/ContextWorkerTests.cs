namespace EditorAssist.Llama.Tests;

/// <summary>Generation through the context's owner thread, on the shared CPU model.</summary>
[Collection("cpu-model")]
public sealed class ContextWorkerTests(CpuModelFixture fixture) : ContextWorkerContract
{
    protected override LocalModel Model => fixture.Model;

    [Fact]
    public async Task Cancelling_a_long_prompt_evaluation_interrupts_the_running_decode()
    {
        // One 4000-token batch: without the abort callback a cancel could only act after the
        // whole llama_decode. The CPU backend checks the callback between graph nodes.
        await using var m = await LlamaTestEnvironment.Runtime.LoadModelAsync(LlamaTestEnvironment.TinyModelPath,
            new LocalModelOptions { GpuLayers = 0, ContextLength = 4096, BatchSize = 4096, Threads = 1 });
        string prompt = string.Concat(Enumerable.Repeat("hello world ", 2000));
        var opt = new GenerationOptions { Temperature = 0, MaxTokens = 1, IgnoreEndOfGeneration = true };

        var full = await m.GenerateAsync(new GenerationRequest { Prompt = prompt, Options = opt });
        Assert.True(full.Usage.PromptTokens > 3000, $"{full.Usage.PromptTokens} prompt tokens");
        await m.ResetCacheAsync();

        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(full.Timings.PromptMs / 10));
        var cancelled = await m.GenerateAsync(new GenerationRequest { Prompt = prompt, Options = opt }, null, cts.Token);
        Assert.Equal(FinishReason.Cancelled, cancelled.FinishReason);
        Assert.Equal(0, cancelled.Usage.CompletionTokens);
        Assert.True(cancelled.Timings.PromptMs < full.Timings.PromptMs * 0.6,
            $"cancelled after {cancelled.Timings.PromptMs:F0} ms; a full evaluation takes {full.Timings.PromptMs:F0} ms");

        // The KV cache was trimmed back: the next request re-evaluates from scratch and succeeds.
        var again = await m.GenerateAsync(new GenerationRequest { Prompt = prompt, Options = opt });
        Assert.Equal(full.Text, again.Text);
        Assert.Equal(0, again.Usage.CachedTokens);
    }
}
