using EditorAssist.Core.Providers;
using EditorAssist.Providers;
namespace EditorAssist.Providers.Http;

/// <summary>How provider HTTP calls are retried and timed out (docs/PROVIDERS.md "Resilience").</summary>
public sealed record RetryOptions
{
    /// <summary>Retries after the first attempt (so MaxRetries + 1 attempts at most).</summary>
    public int MaxRetries { get; init; } = 2;
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);
    /// <summary>Cap of the exponential backoff when the server gives no Retry-After.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(8);
    /// <summary>The longest Retry-After we wait for; a server asking for more gets its 429/503 surfaced at once.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(20);
    /// <summary>Time allowed for one attempt's response headers (not for the streamed body).</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>How a retry waits; tests replace it to record delays. Must honour cancellation.</summary>
    public Func<TimeSpan, CancellationToken, Task> Delay { get; init; } = static (d, ct) => Task.Delay(d, ct);

    public static RetryOptions Default { get; } = new();
}
