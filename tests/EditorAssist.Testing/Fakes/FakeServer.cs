using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EditorAssist.Testing.Fakes;

/// <summary>What a fake model server does with the next chat request.</summary>
public abstract record FakeReply;

/// <summary>
/// Streams <paramref name="Tokens"/> in the provider's exact SSE/NDJSON format. <paramref name="DropAfter"/>
/// breaks the connection after that many tokens, once the test calls <see cref="FakeServer.DropNow"/> (a
/// chunked body that never ends); <paramref name="HangAfter"/>
/// stops sending after that many tokens and waits until the client goes away.
/// </summary>
public sealed record StreamReply(
    IReadOnlyList<string> Tokens,
    int PromptTokens = 12,
    int? CompletionTokens = null,
    int CachedTokens = 0,
    string Finish = "stop",
    int? DropAfter = null,
    int? HangAfter = null,
    string Model = "fake-model") : FakeReply
{
    public static StreamReply Hello { get; } = new(["Hel", "lo", ", ", "world"]);
}

/// <summary>An HTTP error (or any non-streamed answer) with a body and headers.</summary>
public sealed record StatusReply(int Status, string Body, IReadOnlyDictionary<string, string>? Headers = null) : FakeReply;

/// <summary>Accepts the request and never answers until the client gives up.</summary>
public sealed record HangReply : FakeReply;

/// <summary>Anthropic only: a 200 stream that sends some tokens and then an <c>error</c> event.</summary>
public sealed record ErrorEventReply(IReadOnlyList<string> TokensBefore, string ErrorType, string Message) : FakeReply;

public sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>
/// A loopback HTTP server (Kestrel on 127.0.0.1, a free port) for provider tests. Each chat request
/// takes the next queued <see cref="FakeReply"/> (or <see cref="DefaultReply"/>); every request is
/// recorded. <see cref="ClientDisconnected"/> completes when a client abandons a streamed response,
/// which is how tests see that cancellation reached the upstream request.
/// </summary>
public abstract class FakeServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<FakeReply> _replies = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly TaskCompletionSource _disconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _streamStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication? _app;

    public string Root { get; private set; } = "";

    public FakeReply DefaultReply { get; set; } = StreamReply.Hello;

    public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();

    public int ChatRequests => _requests.Count(r => IsChatPath(r.Path));

    public Task ClientDisconnected => _disconnected.Task;

    /// <summary>Completes once the server has received <paramref name="count"/> requests (bodies read), so a test
    /// knows a request is at the server without sleeping.</summary>
    public Task RequestsReceived(int count)
    {
        lock (_arrivals)
        {
            if (_requests.Count >= count) return Task.CompletedTask;
            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _arrivals.Add((count, waiter));
            return waiter.Task;
        }
    }

    private readonly List<(int Count, TaskCompletionSource Waiter)> _arrivals = [];

    private void SignalArrivals()
    {
        lock (_arrivals)
        {
            for (var i = _arrivals.Count - 1; i >= 0; i--)
            {
                if (_requests.Count < _arrivals[i].Count) continue;
                _arrivals[i].Waiter.TrySetResult();
                _arrivals.RemoveAt(i);
            }
        }
    }

    /// <summary>Completes when a streamed response has sent its first token.</summary>
    public Task StreamStarted => _streamStarted.Task;

    public void Enqueue(params FakeReply[] replies)
    {
        foreach (var r in replies) _replies.Enqueue(r);
    }

    protected FakeReply NextReply() => _replies.TryDequeue(out var r) ? r : DefaultReply;

    protected abstract bool IsChatPath(string path);

    protected abstract Task HandleAsync(HttpContext context, RecordedRequest request);

    protected void MarkStreamStarted() => _streamStarted.TrySetResult();

    internal void MarkStreamStartedPublic() => MarkStreamStarted();

    /// <summary>
    /// Breaks a streamed response the way a crashed server or a cut network does, without losing what
    /// was already sent: half-closes the socket (FIN, so the client still reads the bytes before it) and
    /// never sends the final chunk, so the client sees a body that ends prematurely. An abort (RST) alone
    /// could make the client's OS discard data it had not read yet.
    /// </summary>
    protected internal async Task DropAsync(HttpContext ctx)
    {
        // Wait until the test has seen the tokens sent so far (DropNow), so that none is lost in flight.
        TaskCompletionSource signal;
        lock (_replies) signal = _dropSignal;
        await signal.Task.WaitAsync(ctx.RequestAborted);
        lock (_replies) if (_dropSignal == signal) _dropSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
        var socket = ctx.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionSocketFeature>()?.Socket
                     ?? throw new InvalidOperationException("Kestrel's socket transport is needed to drop a stream.");
        socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        await HangAsync(ctx);
    }

    private TaskCompletionSource _dropSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Lets a stream waiting at its <see cref="StreamReply.DropAfter"/> point break now.</summary>
    public void DropNow()
    {
        lock (_replies) _dropSignal.TrySetResult();
    }

    internal Task HangPublicAsync(HttpContext ctx) => HangAsync(ctx);

    protected async Task StartCoreAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(async ctx =>
        {
            using var reader = new StreamReader(ctx.Request.Body);
            var body = await reader.ReadToEndAsync(ctx.RequestAborted);
            var headers = ctx.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
            var recorded = new RecordedRequest(ctx.Request.Method, ctx.Request.Path + ctx.Request.QueryString, headers, body);
            _requests.Enqueue(recorded);
            SignalArrivals();
            try
            {
                await HandleAsync(ctx, recorded);
            }
            catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
            {
                _disconnected.TrySetResult();
            }
            catch (IOException)
            {
                _disconnected.TrySetResult();
            }
        });
        await app.StartAsync();
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Root = address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
    }

    protected internal static async Task WriteStatusAsync(HttpContext ctx, StatusReply reply)
    {
        ctx.Response.StatusCode = reply.Status;
        ctx.Response.ContentType = "application/json";
        foreach (var (k, v) in reply.Headers ?? new Dictionary<string, string>()) ctx.Response.Headers[k] = v;
        await ctx.Response.WriteAsync(reply.Body);
    }

    protected async Task HangAsync(HttpContext ctx)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, ctx.RequestAborted);
        }
        finally
        {
            _disconnected.TrySetResult();
        }
    }

    /// <summary>Writes one piece of a streamed body and pushes it to the wire.</summary>
    protected internal static async Task SendAsync(HttpContext ctx, string text)
    {
        await ctx.Response.WriteAsync(text, ctx.RequestAborted);
        await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _app.StopAsync(cts.Token);
            await _app.DisposeAsync();
        }
        GC.SuppressFinalize(this);
    }
}
