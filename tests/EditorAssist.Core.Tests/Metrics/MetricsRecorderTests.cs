using EditorAssist.Core.Metrics;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;
using EditorAssist.Storage;

namespace EditorAssist.Core.Tests.Metrics;

public class MetricsRecorderTests
{
    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public void Counts_requests_and_errors_and_computes_nearest_rank_percentiles()
    {
        var time = new FixedTime(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));
        var r = new MetricsRecorder(time);
        Assert.Equal(time.GetUtcNow(), r.Since);
        for (var i = 1; i <= 20; i++) r.RecordAnswer("local/a", ttftMs: i * 10, decodeTokensPerSecond: i, new ChatUsage(PromptTokens: 110, CompletionTokens: 5, CachedTokens: 10));
        r.RecordError("local/a");
        r.RecordLoad("local/a", 123.4);

        var f = r.Get("local/a")!;
        Assert.Equal(21, f.Requests);
        Assert.Equal(1, f.Errors);
        Assert.Equal(100, f.TtftMsP50);
        Assert.Equal(190, f.TtftMsP95);
        Assert.Equal(10, f.DecodeTokensPerSecondP50);
        // 100 evaluated (not cached) prompt tokens over i×10 ms: 10000/i tok/s, whose median (rank 10 of 20) is at i = 11.
        Assert.Equal(909.09, f.PromptTokensPerSecondP50);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (double)i), f.RecentTokensPerSecond);
        Assert.Equal(123.4, f.LastLoadMs);
        Assert.Null(r.Get("local/b"));
    }

    [Fact]
    public void Keeps_only_the_last_samples_oldest_first()
    {
        var r = new MetricsRecorder(capacity: 4);
        for (var i = 1; i <= 10; i++) r.RecordAnswer("m/x", 1, i, new ChatUsage(1, 3));
        var f = Assert.Single(r.Snapshot());
        Assert.Equal(10, f.Requests);
        Assert.Equal([7.0, 8, 9, 10], f.RecentTokensPerSecond);
        Assert.Equal(8, f.DecodeTokensPerSecondP50);
    }

    [Fact]
    public void A_one_token_answer_has_no_decode_speed_and_a_disabled_recorder_records_nothing()
    {
        var r = new MetricsRecorder();
        r.RecordAnswer("m/x", 5, 0, new ChatUsage(0, 1));
        var f = r.Get("m/x")!;
        Assert.Null(f.DecodeTokensPerSecondP50);
        Assert.Null(f.PromptTokensPerSecondP50);
        Assert.Empty(f.RecentTokensPerSecond);

        var off = new MetricsRecorder(enabled: false);
        off.RecordAnswer("m/x", 5, 10, new ChatUsage(3, 3));
        off.RecordError("m/x");
        Assert.Empty(off.Snapshot());
    }

    [Fact]
    public void Inline_completions_are_counted_per_model_apart_from_chat()
    {
        var r = new MetricsRecorder();
        r.RecordAnswer("local/coder", 10, 50, new ChatUsage(5, 5));
        foreach (var ms in new[] { 30.0, 10, 20, 40 }) r.RecordCompletion("local/coder", CompletionOutcome.Answered, ms);
        r.RecordCompletion("local/coder", CompletionOutcome.CacheHit);
        r.RecordCompletion("local/coder", CompletionOutcome.Cancelled);
        r.RecordCompletion("local/coder", CompletionOutcome.Failed);
        var f = r.Get("local/coder")!;
        Assert.Equal(1, f.Requests); // chat's own count is unchanged
        Assert.Equal(6, f.CompletionRequests); // 4 answered + 1 cache hit + 1 failed
        Assert.Equal(1, f.CompletionErrors);
        Assert.Equal(1, f.CompletionCancelled);
        Assert.Equal(1, f.CompletionCacheHits);
        Assert.Equal(20, f.CompletionMsP50); // the cache hit's 0 ms is not a latency sample
        Assert.Equal(40, f.CompletionMsP95);

        var off = new MetricsRecorder(enabled: false);
        off.RecordCompletion("local/coder", CompletionOutcome.Answered, 5);
        Assert.Empty(off.Snapshot());
    }

    [Fact]
    public void Unknown_refs_cannot_grow_the_table_beyond_its_bound_the_least_recently_used_model_goes()
    {
        var r = new MetricsRecorder(maxModels: 3);
        r.RecordAnswer("local/kept", 1, 1, new ChatUsage(1, 1));
        r.RecordError("vllm/typo-1");
        r.RecordError("vllm/typo-2");
        r.RecordAnswer("local/kept", 1, 1, new ChatUsage(1, 1)); // used again: now the newest
        for (var i = 3; i < 1000; i++) r.RecordError($"vllm/typo-{i}");
        var refs = r.Snapshot().Select(f => f.Ref).ToList();
        Assert.Equal(3, refs.Count);
        Assert.DoesNotContain("local/kept", refs); // 997 newer refs pushed it out: bounded, not pinned
        Assert.Contains("vllm/typo-999", refs);

        var busy = new MetricsRecorder(maxModels: 2);
        for (var i = 0; i < 50; i++)
        {
            busy.RecordAnswer("local/busy", 1, 1, new ChatUsage(1, 1));
            busy.RecordError($"vllm/typo-{i}");
        }
        // A model in use is never the least recently used one: it keeps all its figures.
        Assert.Equal(50, busy.Get("local/busy")!.Requests);
        Assert.Equal(2, busy.Snapshot().Count);
    }
}
