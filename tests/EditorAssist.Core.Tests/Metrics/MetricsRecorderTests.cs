using EditorAssist.Core.Metrics;
using EditorAssist.Core.Providers;

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
}
