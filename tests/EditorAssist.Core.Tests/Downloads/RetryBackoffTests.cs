using System.Net.Http.Headers;
using EditorAssist.Core.Downloads;

namespace EditorAssist.Core.Tests.Downloads;

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

    [Fact]
    public void Retry_after_seconds_and_dates_are_read_and_capped()
    {
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(TimeSpan.FromSeconds(7), RetryBackoff.FromRetryAfter(new RetryConditionHeaderValue(TimeSpan.FromSeconds(7)), now, TimeSpan.FromMinutes(1)));
        Assert.Equal(TimeSpan.FromMinutes(1), RetryBackoff.FromRetryAfter(new RetryConditionHeaderValue(TimeSpan.FromHours(1)), now, TimeSpan.FromMinutes(1)));
        Assert.Equal(TimeSpan.Zero, RetryBackoff.FromRetryAfter(new RetryConditionHeaderValue(now.AddMinutes(-5)), now, TimeSpan.FromMinutes(1)));
        Assert.Null(RetryBackoff.FromRetryAfter(null, now, TimeSpan.FromMinutes(1)));
    }
}

internal static class TimeSpanRounding
{
    public static TimeSpan RoundTo(this TimeSpan t) => TimeSpan.FromMilliseconds(Math.Round(t.TotalMilliseconds));
}
