using EditorAssist.Core.Errors;
using System.Diagnostics;
using System.Text.Json;
using EditorAssist.Core.Local;

namespace EditorAssist.Llama.Tests;

/// <summary>
/// The generation contract of a loaded model's context worker, run once per backend:
/// <see cref="ContextWorkerTests"/> (CPU) and <see cref="VulkanTests"/> (Vulkan on lavapipe).
/// </summary>
public abstract class ContextWorkerContract
{
    protected abstract LocalModel Model { get; }

    private static GenerationOptions Greedy(int maxTokens) =>
        new() { Temperature = 0, MaxTokens = maxTokens, IgnoreEndOfGeneration = true };

    private static readonly IReadOnlyList<ChatMessage> Chat = [new("system", "You are terse."), new("user", "Say something.")];

    [Fact]
    public async Task Generates_and_streams_deltas_that_add_up_to_the_text()
    {
        var deltas = new List<string>();
        var r = await Model.GenerateAsync(new GenerationRequest { Messages = Chat, Options = Greedy(24) }, deltas.Add);
        Assert.Equal(FinishReason.Length, r.FinishReason);
        Assert.Equal(24, r.Usage.CompletionTokens);
        Assert.True(r.Usage.PromptTokens > 10);
        Assert.NotEmpty(deltas);
        Assert.Equal(r.Text, string.Concat(deltas));
        Assert.True(r.Timings.TtftMs > 0 && r.Timings.TotalMs >= r.Timings.TtftMs);
        Assert.True(r.Timings.TokensPerSecond > 0);
    }

    [Fact]
    public async Task Greedy_is_deterministic_and_a_seed_reproduces_sampling()
    {
        async Task<string> Run(GenerationOptions o)
        {
            await Model.ResetCacheAsync(); // same evaluation path each time (no prefix reuse)
            return (await Model.GenerateAsync(new GenerationRequest { Messages = Chat, Options = o })).Text;
        }
        var greedy = Greedy(32);
        Assert.Equal(await Run(greedy), await Run(greedy));

        var sampled = new GenerationOptions { Temperature = 1.0f, TopK = 0, TopP = 1, MinP = 0, Seed = 42, MaxTokens = 32, IgnoreEndOfGeneration = true };
        string a = await Run(sampled);
        Assert.Equal(a, await Run(sampled));
        Assert.NotEqual(a, await Run(sampled with { Seed = 43 }));
    }

    [Fact]
    public async Task Max_tokens_finishes_with_length()
    {
        var r = await Model.GenerateAsync(new GenerationRequest { Prompt = "hello", Options = Greedy(5) });
        Assert.Equal(FinishReason.Length, r.FinishReason);
        Assert.Equal(5, r.Usage.CompletionTokens);
    }

    [Fact]
    public async Task Stop_sequence_ends_generation_and_is_never_emitted()
    {
        await Model.ResetCacheAsync();
        string full = (await Model.GenerateAsync(new GenerationRequest { Messages = Chat, Options = Greedy(40) })).Text;
        Assert.True(full.Length >= 12, $"need some text to pick a stop sequence from: '{full}'");
        string stop = full.Substring(full.Length / 2, 3);
        int at = full.IndexOf(stop, StringComparison.Ordinal);

        await Model.ResetCacheAsync();
        var deltas = new List<string>();
        var r = await Model.GenerateAsync(new GenerationRequest { Messages = Chat, Options = Greedy(40) with { Stop = [stop] } }, deltas.Add);
        Assert.Equal(FinishReason.Stop, r.FinishReason);
        Assert.Equal(full[..at], r.Text);
        Assert.Equal(r.Text, string.Concat(deltas));
        Assert.DoesNotContain(stop, string.Concat(deltas));
    }

    [Fact]
    public async Task Cancellation_mid_generation_stops_within_a_step_and_the_context_stays_usable()
    {
        using var cts = new CancellationTokenSource();
        int deltasAfterCancel = 0;
        long cancelledAt = 0;
        var r = await Model.GenerateAsync(new GenerationRequest { Messages = Chat, Options = Greedy(100_000) }, d =>
        {
            if (cancelledAt == 0)
            {
                cancelledAt = Stopwatch.GetTimestamp();
                cts.Cancel();
            }
            else
            {
                deltasAfterCancel++;
            }
        }, cts.Token);
        Assert.Equal(FinishReason.Cancelled, r.FinishReason);
        Assert.True(r.Usage.CompletionTokens <= 8, $"stopped after {r.Usage.CompletionTokens} tokens");
        Assert.True(deltasAfterCancel <= 1, $"{deltasAfterCancel} deltas after cancel");
        Assert.True(Stopwatch.GetElapsedTime(cancelledAt).TotalSeconds < 5);

        var next = await Model.GenerateAsync(new GenerationRequest { Messages = Chat, Options = Greedy(8) });
        Assert.Equal(FinishReason.Length, next.FinishReason);
        Assert.Equal(8, next.Usage.CompletionTokens);
    }

    [Fact]
    public async Task Cancelled_while_queued_throws_and_never_runs()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Model.GenerateAsync(new GenerationRequest { Prompt = "x", Options = Greedy(4) }, null, cts.Token));
    }

    [Fact]
    public async Task Concurrent_requests_queue_and_all_complete_in_order()
    {
        var started = new List<int>();
        var tasks = Enumerable.Range(0, 4).Select(i => Model.GenerateAsync(
            new GenerationRequest { Prompt = $"request {i}", Options = Greedy(6) },
            _ => { lock (started) { if (!started.Contains(i)) { started.Add(i); } } })).ToArray();
        var results = await Task.WhenAll(tasks);
        Assert.All(results, r => Assert.Equal(6, r.Usage.CompletionTokens));
        Assert.Equal([0, 1, 2, 3], started); // first come, first served
        Assert.True(results[3].Timings.QueueMs >= results[0].Timings.QueueMs);
        Assert.Equal(0, Model.QueuedRequests);
    }

    [Fact]
    public async Task Second_turn_reuses_the_cached_prefix_and_evaluates_only_new_tokens()
    {
        await Model.ResetCacheAsync();
        var turn1 = new List<ChatMessage> { new("system", "You are terse."), new("user", "first question") };
        var r1 = await Model.GenerateAsync(new GenerationRequest { Messages = turn1, Options = Greedy(6) });
        Assert.Equal(0, r1.Usage.CachedTokens);

        var turn2 = new List<ChatMessage>(turn1) { new("assistant", r1.Text), new("user", "second question") };
        var r2 = await Model.GenerateAsync(new GenerationRequest { Messages = turn2, Options = Greedy(6) });
        Assert.True(r2.Usage.CachedTokens >= r1.Usage.PromptTokens, $"cached {r2.Usage.CachedTokens}, first prompt {r1.Usage.PromptTokens}");
        Assert.True(r2.Usage.EvaluatedPromptTokens < r2.Usage.PromptTokens / 2 + 10,
            $"evaluated {r2.Usage.EvaluatedPromptTokens} of {r2.Usage.PromptTokens}");

        // A different conversation shares only the system prefix.
        var other = await Model.GenerateAsync(new GenerationRequest { Messages = [new("system", "Other."), new("user", "x")], Options = Greedy(2) });
        Assert.True(other.Usage.CachedTokens < r1.Usage.PromptTokens);
    }

    [Fact]
    public async Task Json_mode_output_parses()
    {
        var r = await Model.GenerateAsync(new GenerationRequest
        {
            Messages = [new("user", "Reply in JSON.")],
            Options = new GenerationOptions { Temperature = 0, MaxTokens = 400, ResponseFormat = ResponseFormatKind.Json },
        });
        Assert.Equal(FinishReason.Stop, r.FinishReason);
        using var doc = JsonDocument.Parse(r.Text);
        Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
    }

    [Fact]
    public async Task Json_schema_output_parses_and_matches_the_schema()
    {
        const string schema = """
            {"type":"object","properties":{"ok":{"type":"boolean"},"mood":{"enum":["calm","busy"]},"n":{"type":"integer"}}}
            """;
        for (uint seed = 1; seed <= 3; seed++)
        {
            var r = await Model.GenerateAsync(new GenerationRequest
            {
                Messages = [new("user", "Reply in JSON.")],
                Options = new GenerationOptions { Temperature = 0.8f, Seed = seed, MaxTokens = 200, ResponseFormat = ResponseFormatKind.JsonSchema, JsonSchema = schema },
            });
            using var doc = JsonDocument.Parse(r.Text);
            Assert.Equal(JsonValueKind.True is var _ ? doc.RootElement.GetProperty("ok").ValueKind : default,
                doc.RootElement.GetProperty("ok").ValueKind);
            Assert.Contains(doc.RootElement.GetProperty("mood").GetString(), new[] { "calm", "busy" });
            Assert.Equal(JsonValueKind.Number, doc.RootElement.GetProperty("n").ValueKind);
        }
    }

    [Fact]
    public async Task Streamed_multibyte_text_never_contains_replacement_characters()
    {
        // The random model writes arbitrary bytes; a grammar restricted to a few multi-byte
        // characters forces it through byte-fallback tokens that split each character in four.
        // Only 4-byte characters: llama.cpp's grammar matcher accepts overlong encodings
        // (F0 86 97 A5 for U+65E5), which are invalid UTF-8 and rightly decode to U+FFFD;
        // a 4-byte character has no shorter-than-5-byte overlong form it could pick instead.
        const string grammar = "root ::= (\"😀\" | \"🚀\" | \"🎉\" | \"𝄞\")+";
        var deltas = new List<string>();
        var r = await Model.GenerateAsync(new GenerationRequest
        {
            Prompt = "x",
            Options = new GenerationOptions { Temperature = 1, Seed = 7, MaxTokens = 40, Grammar = grammar },
        }, deltas.Add);
        Assert.NotEmpty(r.Text);
        Assert.DoesNotContain('\uFFFD', r.Text);
        Assert.All(deltas, d => Assert.DoesNotContain('\uFFFD', d));
        Assert.Equal(r.Text, string.Concat(deltas));
        Assert.True(r.Usage.CompletionTokens > r.Text.Length / 2, "characters must span several tokens for this test to mean something");
    }

    [Fact]
    public async Task Prompt_longer_than_the_context_is_ContextLengthExceeded()
    {
        string huge = string.Concat(Enumerable.Repeat("日本語 ", 2000));
        var e = await Assert.ThrowsAnyAsync<LocalModelException>(() =>
            Model.GenerateAsync(new GenerationRequest { Prompt = huge, Options = Greedy(4) }));
        Assert.Equal(ErrorCode.ContextLengthExceeded, e.Code);
    }

    [Fact]
    public void Invalid_requests_are_rejected_up_front()
    {
        // Synchronously, before anything is queued.
        Assert.Throws<ArgumentException>(() => { _ = Model.GenerateAsync(new GenerationRequest()); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = Model.GenerateAsync(new GenerationRequest { Prompt = "x", Options = new() { MaxTokens = 0 } }); });
    }

    [Fact]
    public async Task A_request_cancelled_while_queued_is_answered_at_once_not_when_its_turn_comes()
    {
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var release = new ManualResetEventSlim();
        var first = Model.GenerateAsync(new GenerationRequest { Prompt = "busy", Options = Greedy(3) },
            _ => { running.TrySetResult(); release.Wait(TimeSpan.FromSeconds(10)); });
        await running.Task;

        using var cts = new CancellationTokenSource();
        var queued = Model.GenerateAsync(new GenerationRequest { Prompt = "waiting", Options = Greedy(3) }, null, cts.Token);
        cts.Cancel();
        // The worker is still blocked in the first request, yet the queued one is already answered.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.False(first.IsCompleted);

        release.Set();
        Assert.Equal(3, (await first).Usage.CompletionTokens);
        Assert.Equal(3, (await Model.GenerateAsync(new GenerationRequest { Prompt = "after", Options = Greedy(3) })).Usage.CompletionTokens);
    }

    [Fact]
    public async Task A_grammar_overrides_IgnoreEndOfGeneration_so_a_finished_grammar_can_end()
    {
        var r = await Model.GenerateAsync(new GenerationRequest
        {
            Prompt = "x",
            Options = new GenerationOptions { Temperature = 0, MaxTokens = 50, IgnoreEndOfGeneration = true, Grammar = "root ::= \"yes\" | \"no\"" },
        });
        Assert.Contains(r.Text, new[] { "yes", "no" });
        Assert.Equal(FinishReason.Stop, r.FinishReason);
    }
}
