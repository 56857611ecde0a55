using System.Net;
using EditorAssist.Core.Net;

namespace EditorAssist.Core.Tests.Net;

public sealed class RetryBackoffTests
{
    [Fact]
    public void Delays_grow_exponentially_with_jitter_and_stop_at_the_cap()
    {
        var b = TimeSpan.FromSeconds(1);
        var cap = TimeSpan.FromSeconds(30);
        Assert.Equal(TimeSpan.FromMilliseconds(500), RetryBackoff.Delay(1, b, cap, 0));
        Assert.Equal(TimeSpan.FromSeconds(1), RetryBackoff.Delay(1, b, cap, 0.999999).RoundTo());
        Assert.Equal(TimeSpan.FromSeconds(4), RetryBackoff.Delay(4, b, cap, 0));
        Assert.Equal(TimeSpan.FromSeconds(15), RetryBackoff.Delay(20, b, cap, 0));
        Assert.True(RetryBackoff.Delay(20, b, cap, 0.99) <= cap);
    }

    private static HttpResponseMessage With(params (string Name, string Value)[] headers)
    {
        var r = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        foreach (var (n, v) in headers) r.Headers.TryAddWithoutValidation(n, v);
        return r;
    }

    [Fact]
    public void Reads_every_retry_after_form()
    {
        var now = new DateTimeOffset(2026, 11, 21, 6, 0, 0, TimeSpan.Zero);
        Assert.Equal(TimeSpan.FromMilliseconds(250), RetryBackoff.ReadRetryAfter(With(("retry-after-ms", "250"), ("retry-after", "7")).Headers, now));
        Assert.Equal(TimeSpan.FromSeconds(7), RetryBackoff.ReadRetryAfter(With(("retry-after", "7")).Headers, now));
        Assert.Equal(TimeSpan.FromSeconds(30), RetryBackoff.ReadRetryAfter(With(("retry-after", now.AddSeconds(30).ToString("R"))).Headers, now));
        Assert.Equal(TimeSpan.Zero, RetryBackoff.ReadRetryAfter(With(("retry-after", now.AddSeconds(-30).ToString("R"))).Headers, now));
        Assert.Null(RetryBackoff.ReadRetryAfter(With(("retry-after", "soon")).Headers, now));
        Assert.Null(RetryBackoff.ReadRetryAfter(With(("retry-after-ms", "-5")).Headers, now));
        Assert.Null(RetryBackoff.ReadRetryAfter(With().Headers, now));
    }
}

internal static class TimeSpanRounding
{
    public static TimeSpan RoundTo(this TimeSpan t) => TimeSpan.FromMilliseconds(Math.Round(t.TotalMilliseconds));
}
