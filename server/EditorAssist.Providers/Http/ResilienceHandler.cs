using System.Net;
using EditorAssist.Core.Net;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;

namespace EditorAssist.Providers.Http;

/// <summary>
/// Retries and per-attempt timeouts for one provider call, below the SDKs (whose own retries are
/// switched off so every provider follows the same rules):
/// <list type="bullet">
/// <item>retried: 408, 409, 429, 5xx and connection failures/timeouts, up to <see cref="RetryOptions.MaxRetries"/>;</item>
/// <item>the wait honours <c>retry-after-ms</c>, then <c>Retry-After</c> (seconds or HTTP date), else jittered
/// exponential backoff; a server asking for more than <see cref="RetryOptions.MaxRetryAfter"/> is not retried;</item>
/// <item>never after a token: this handler returns as soon as a 2xx response's headers arrive, and a
/// streamed body is read by the SDK above it, so a stream that breaks later is never replayed.</item>
/// </list>
/// One instance per call (it records <see cref="HttpCallState"/>); the primary handler below is shared.
/// </summary>
public sealed class ResilienceHandler(RetryOptions options, HttpCallState state, HttpMessageHandler inner)
    : DelegatingHandler(inner)
{
    private const int BodyCaptureBytes = 8 * 1024;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Replaying needs the body again: buffer it once (requests are small JSON documents).
        if (request.Content is not null) await request.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);

        for (var attempt = 0; ; attempt++)
        {
            state.Attempts = attempt + 1;
            HttpResponseMessage response;
            using (var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                attemptCts.CancelAfter(options.AttemptTimeout);
                try
                {
                    response = await base.SendAsync(request, attemptCts.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is HttpRequestException or OperationCanceledException or IOException)
                {
                    var timedOut = ex is OperationCanceledException;
                    state.TimedOut = timedOut;
                    state.TransportError = ex;
                    state.Status = null;
                    if (attempt < options.MaxRetries)
                    {
                        await WaitAsync(Backoff(attempt), cancellationToken).ConfigureAwait(false);
                        continue;
                    }
                    if (timedOut) throw new HttpRequestException(HttpRequestError.Unknown, $"No response within {options.AttemptTimeout.TotalSeconds:0.#} s.", new TimeoutException());
                    throw;
                }
            }

            if (response.IsSuccessStatusCode)
            {
                state.Succeeded = true;
                state.Status = response.StatusCode;
                state.TransportError = null;
                return response;
            }

            var retryAfter = RetryBackoff.ReadRetryAfter(response.Headers, DateTimeOffset.UtcNow);
            state.Status = response.StatusCode;
            state.RetryAfter = retryAfter;
            state.TransportError = null;
            if (attempt < options.MaxRetries && IsRetryable(response.StatusCode) && (retryAfter is null || retryAfter <= options.MaxRetryAfter))
            {
                response.Dispose();
                await WaitAsync(retryAfter ?? Backoff(attempt), cancellationToken).ConfigureAwait(false);
                continue;
            }

            // Final failure: keep the body for the error mapping and still hand it to the SDK.
            if (response.Content is not null)
            {
                await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                state.Body = body.Length > BodyCaptureBytes ? body[..BodyCaptureBytes] : body;
            }
            return response;
        }
    }

    public static bool IsRetryable(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.Conflict or HttpStatusCode.TooManyRequests || (int)status >= 500;

    private TimeSpan Backoff(int attempt) =>
        RetryBackoff.Delay(attempt + 1, options.BaseDelay, options.MaxBackoff, Random.Shared.NextDouble());

    private Task WaitAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        state.AddDelay(delay);
        return options.Delay(delay, cancellationToken);
    }
}
