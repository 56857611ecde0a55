using System.Net;
using EditorAssist.Providers.Http;

namespace EditorAssist.Core.Tests.Providers.Http;

/// <summary>The retry rules in isolation (the provider tests cover them end to end through both SDKs).</summary>
public class ResilienceHandlerTests
{
    [Theory]
    [InlineData(408, true)]
    [InlineData(409, true)]
    [InlineData(429, true)]
    [InlineData(500, true)]
    [InlineData(503, true)]
    [InlineData(529, true)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(403, false)]
    [InlineData(404, false)]
    [InlineData(413, false)]
    public void Retryable_statuses(int status, bool retryable) =>
        Assert.Equal(retryable, ResilienceHandler.IsRetryable((HttpStatusCode)status));

    private sealed class Scripted(params Func<HttpResponseMessage>[] replies) : HttpMessageHandler
    {
        public int Calls;
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var i = Interlocked.Increment(ref Calls) - 1;
            return Task.FromResult(replies[Math.Min(i, replies.Length - 1)]());
        }
    }

    [Fact]
    public async Task Backoff_is_jittered_exponential_and_capped()
    {
        var delays = new List<TimeSpan>();
        var options = new RetryOptions
        {
            MaxRetries = 6, BaseDelay = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromMilliseconds(800),
            Delay = (d, _) => { delays.Add(d); return Task.CompletedTask; },
        };
        var state = new HttpCallState();
        var inner = new Scripted(() => new HttpResponseMessage(HttpStatusCode.BadGateway));
        using var client = new HttpClient(new ResilienceHandler(options, state, inner));
        using var response = await client.GetAsync("http://127.0.0.1/x");
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(7, inner.Calls);
        Assert.Equal(7, state.Attempts);
        var ceilings = new[] { 100, 200, 400, 800, 800, 800 };
        for (var i = 0; i < ceilings.Length; i++)
            Assert.InRange(delays[i].TotalMilliseconds, ceilings[i] / 2.0, ceilings[i]);
    }

    [Fact]
    public async Task A_success_is_returned_at_once_and_marks_the_call_as_streaming()
    {
        var options = new RetryOptions { Delay = (_, _) => Task.CompletedTask };
        var state = new HttpCallState();
        var inner = new Scripted(() => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable), () => new HttpResponseMessage(HttpStatusCode.OK));
        using var client = new HttpClient(new ResilienceHandler(options, state, inner));
        using var response = await client.PostAsync("http://127.0.0.1/x", new StringContent("{}"));
        Assert.True(state.Succeeded);
        Assert.Equal(2, inner.Calls);
    }
}
