namespace EditorAssist.Core.Downloads;

/// <summary>Full-jitter exponential backoff (AWS architecture blog): uniform in [0, min(cap, base·2^n)].</summary>
public static class RetryBackoff
{
    /// <param name="attempt">1 for the first retry.</param>
    /// <param name="random">Uniform in [0,1); injected so tests are deterministic.</param>
    public static TimeSpan Delay(int attempt, TimeSpan baseDelay, TimeSpan maxDelay, double random)
    {
        var exp = Math.Min(30, Math.Max(0, attempt - 1));
        var ceiling = Math.Min(maxDelay.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, exp));
        // Keep a floor of half the ceiling: pure full jitter can retry immediately, which hammers a
        // server that has just said it is overloaded.
        return TimeSpan.FromMilliseconds(ceiling / 2 + random * ceiling / 2);
    }

    /// <summary>The server's Retry-After (seconds or HTTP date), capped at <paramref name="max"/>; null when absent.</summary>
    public static TimeSpan? FromRetryAfter(System.Net.Http.Headers.RetryConditionHeaderValue? header, DateTimeOffset now, TimeSpan max)
    {
        if (header is null) return null;
        TimeSpan? wait = header.Delta ?? (header.Date is { } date ? date - now : null);
        if (wait is null) return null;
        if (wait < TimeSpan.Zero) wait = TimeSpan.Zero;
        return wait > max ? max : wait;
    }
}
