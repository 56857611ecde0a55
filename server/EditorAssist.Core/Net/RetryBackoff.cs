using System.Globalization;
using System.Net.Http.Headers;

namespace EditorAssist.Core.Net;

/// <summary>
/// The one retry wait of every HTTP client here (provider calls through <c>ResilienceHandler</c>,
/// model downloads through <c>DownloadManager</c>): what the server asked for when it said,
/// otherwise exponential backoff with equal jitter.
/// </summary>
public static class RetryBackoff
{
    /// <summary>
    /// Exponential backoff with "equal jitter": uniform in [ceiling/2, ceiling], ceiling =
    /// min(<paramref name="maxDelay"/>, base·2^(retry−1)). Half is fixed because pure full jitter
    /// can retry at once, which hammers a server that has just said it is overloaded; half is random
    /// so the retries of many clients spread out.
    /// </summary>
    /// <param name="retry">1 for the first retry.</param>
    /// <param name="random">Uniform in [0,1); injected so tests are deterministic.</param>
    public static TimeSpan Delay(int retry, TimeSpan baseDelay, TimeSpan maxDelay, double random)
    {
        var exp = Math.Min(30, Math.Max(0, retry - 1));
        var ceiling = Math.Min(maxDelay.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, exp));
        return TimeSpan.FromMilliseconds(ceiling / 2 + random * ceiling / 2);
    }

    /// <summary>
    /// The wait the server asked for: <c>retry-after-ms</c> (OpenAI), then <c>Retry-After</c> as
    /// seconds or an HTTP date (a date in the past is zero); null when it asked for nothing readable.
    /// </summary>
    public static TimeSpan? ReadRetryAfter(HttpResponseHeaders headers, DateTimeOffset now)
    {
        if (headers.TryGetValues("retry-after-ms", out var ms)
            && double.TryParse(ms.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var msValue) && msValue >= 0)
            return TimeSpan.FromMilliseconds(msValue);
        if (headers.RetryAfter is { } ra)
        {
            if (ra.Delta is { } delta) return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
            if (ra.Date is { } date) return date > now ? date - now : TimeSpan.Zero;
        }
        else if (headers.TryGetValues("retry-after", out var raw)
                 && double.TryParse(raw.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }
        return null;
    }
}
