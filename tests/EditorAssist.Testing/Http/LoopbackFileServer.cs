using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EditorAssist.Testing.Http;

/// <summary>What the next request(s) get instead of a well-behaved answer. Each request takes one fault from the queue.</summary>
public abstract record Fault
{
    /// <summary>Sends the headers and <paramref name="Bytes"/> of the body, then drops the connection.</summary>
    public sealed record DropAfter(long Bytes) : Fault;
    /// <summary>Answers 200 with the whole file even when a Range was asked for.</summary>
    public sealed record IgnoreRange : Fault;
    /// <summary>Answers a bare status (optionally with Retry-After seconds).</summary>
    public sealed record Status(int Code, int? RetryAfterSeconds = null) : Fault;
    /// <summary>Sends <paramref name="Bytes"/> of the body, then waits (sending nothing) until <paramref name="Release"/> completes or the client goes.</summary>
    public sealed record StallAfter(long Bytes, TaskCompletionSource? Release = null) : Fault;
    /// <summary>Answers 200 with an HTML page (what a login wall or an error page looks like).</summary>
    public sealed record Html : Fault;
    /// <summary>Serves this body instead of the file's (same headers otherwise).</summary>
    public sealed record Body(byte[] Content) : Fault;
}

public sealed record RecordedRequest(string Host, string Path, string? Range, string? IfRange, string? Authorization)
{
    private long _served;
    /// <summary>Body bytes this response handed to the socket.</summary>
    public long Served => Interlocked.Read(ref _served);
    internal void AddServed(long n) => Interlocked.Add(ref _served, n);
}

/// <summary>
/// A file server on a loopback address (Kestrel, port chosen by the OS) that supports Range,
/// If-Range and ETag like a CDN, can redirect like Hugging Face's resolve endpoint, and misbehaves
/// on purpose through <see cref="Faults"/>. Counts the body bytes it sends.
/// </summary>
public sealed class LoopbackFileServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ServedFile> _files = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (Func<Uri> Target, Dictionary<string, string> Headers)> _redirects = new(StringComparer.Ordinal);
    private long _bytesServed;

    private sealed record ServedFile(byte[] Content, string ETag, Dictionary<string, string> Headers);

    private LoopbackFileServer(WebApplication app) => _app = app;

    public Uri BaseUri { get; private set; } = null!;
    public ConcurrentQueue<Fault> Faults { get; } = new();
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();
    public long BytesServed => Interlocked.Read(ref _bytesServed);
    public int BodyChunkSize { get; set; } = 16 * 1024;
    /// <summary>A pause after each chunk: makes "how much was sent before the client gave up" measurable.</summary>
    public TimeSpan PaceDelay { get; set; }

    /// <summary>Completes each time a response body starts (the test can then pause or cancel mid-transfer).</summary>
    public event Action<string>? BodyStarted;

    /// <param name="address">A loopback address, e.g. 127.0.0.1 or 127.0.0.2 (a second "host" for cross-origin redirects).</param>
    public static async Task<LoopbackFileServer> StartAsync(string address = "127.0.0.1")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o =>
        {
            o.Listen(IPAddress.Parse(address), 0);
            o.Limits.MinResponseDataRate = null;
        });
        var app = builder.Build();
        var server = new LoopbackFileServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUri = new Uri(bound.Replace("[::]", address, StringComparison.Ordinal) + "/");
        return server;
    }

    public Uri Url(string path) => new(BaseUri, path.TrimStart('/'));

    public void AddFile(string path, byte[] content, string? etag = null, Dictionary<string, string>? headers = null) =>
        _files["/" + path.TrimStart('/')] = new ServedFile(content, etag ?? $"\"{FakeModelBytes.Sha256(content)[..16]}\"", headers ?? []);

    /// <summary>A 302 to <paramref name="target"/> (evaluated per request), carrying <paramref name="headers"/> (X-Linked-Size, X-Linked-Etag…).</summary>
    public void AddRedirect(string path, Func<Uri> target, Dictionary<string, string>? headers = null) =>
        _redirects["/" + path.TrimStart('/')] = (target, headers ?? []);

    /// <summary>A Hugging Face-like resolve URL on this server that redirects to <paramref name="cdn"/>, with size and sha256 headers.</summary>
    public Uri AddHuggingFaceFile(string repo, string file, byte[] content, LoopbackFileServer cdn, string revision = "main", string? advertisedSha = null)
    {
        var blob = $"blobs/{FakeModelBytes.Sha256(content)}";
        cdn.AddFile(blob, content);
        var path = $"{repo}/resolve/{revision}/{file}";
        AddRedirect(path, () => cdn.Url(blob), new Dictionary<string, string>
        {
            ["X-Linked-Size"] = content.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["X-Linked-Etag"] = $"\"{advertisedSha ?? FakeModelBytes.Sha256(content)}\"",
            ["X-Repo-Commit"] = "0123456789abcdef0123456789abcdef01234567",
        });
        return Url(path);
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        var req = ctx.Request;
        var record = new RecordedRequest(req.Host.Host, req.Path, req.Headers.Range.FirstOrDefault(), req.Headers.IfRange.FirstOrDefault(), req.Headers.Authorization.FirstOrDefault());
        Requests.Enqueue(record);
        Faults.TryDequeue(out var fault);
        var res = ctx.Response;

        switch (fault)
        {
            case Fault.Status s:
                res.StatusCode = s.Code;
                if (s.RetryAfterSeconds is { } ra) res.Headers.RetryAfter = ra.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return;
            case Fault.Html:
                res.StatusCode = 200;
                res.ContentType = "text/html; charset=utf-8";
                await res.WriteAsync("<!DOCTYPE html><html><body>Please log in</body></html>").ConfigureAwait(false);
                return;
        }

        if (_redirects.TryGetValue(req.Path, out var redirect))
        {
            foreach (var (k, v) in redirect.Headers) res.Headers[k] = v;
            res.StatusCode = 302;
            res.Headers.Location = redirect.Target().ToString();
            return;
        }
        if (!_files.TryGetValue(req.Path, out var file))
        {
            res.StatusCode = 404;
            return;
        }

        var content = fault is Fault.Body b ? b.Content : file.Content;
        foreach (var (k, v) in file.Headers) res.Headers[k] = v;
        res.Headers.ETag = file.ETag;
        res.Headers.AcceptRanges = "bytes";

        long start = 0;
        var ranged = false;
        var range = req.Headers.Range.FirstOrDefault();
        var ifRange = req.Headers.IfRange.FirstOrDefault();
        if (range is not null && fault is not Fault.IgnoreRange && (ifRange is null || ifRange == file.ETag)
            && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-')
            && long.TryParse(range.AsSpan(6, range.Length - 7), out start))
        {
            ranged = true;
            if (start >= content.Length)
            {
                res.StatusCode = 416;
                res.Headers.ContentRange = $"bytes */{content.Length}";
                return;
            }
        }
        else start = 0;

        res.StatusCode = ranged ? 206 : 200;
        if (ranged) res.Headers.ContentRange = $"bytes {start}-{content.Length - 1}/{content.Length}";
        res.ContentLength = content.Length - start;
        res.ContentType = "application/octet-stream";
        await res.StartAsync().ConfigureAwait(false);
        BodyStarted?.Invoke(req.Path);

        var limit = fault switch
        {
            Fault.DropAfter d => d.Bytes,
            Fault.StallAfter s => s.Bytes,
            _ => long.MaxValue,
        };
        var pos = start;
        long sent = 0;
        try
        {
            while (pos < content.Length && sent < limit)
            {
                var n = (int)Math.Min(Math.Min(BodyChunkSize, content.Length - pos), limit - sent);
                // Counted when handed to Kestrel: a client that closes right after the last byte makes the
                // write report cancellation although the bytes went out.
                Interlocked.Add(ref _bytesServed, n);
                record.AddServed(n);
                pos += n;
                sent += n;
                await res.Body.WriteAsync(content.AsMemory((int)pos - n, n), ctx.RequestAborted).ConfigureAwait(false);
                await res.Body.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
                if (PaceDelay > TimeSpan.Zero) await Task.Delay(PaceDelay, ctx.RequestAborted).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            return;
        }
        switch (fault)
        {
            case Fault.DropAfter when pos < content.Length:
                ctx.Abort();
                return;
            case Fault.StallAfter s when pos < content.Length:
                try
                {
                    var wait = s.Release?.Task ?? Task.Delay(Timeout.Infinite);
                    await wait.WaitAsync(ctx.RequestAborted).ConfigureAwait(false);
                }
                catch (OperationCanceledException) { return; }
                ctx.Abort();
                return;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
