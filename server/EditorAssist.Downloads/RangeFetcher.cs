using System.Globalization;
using System.Net.Http.Headers;
using EditorAssist.Core.Errors;

namespace EditorAssist.Downloads;

/// <summary>
/// One GET of a download, from an offset: the Range and If-Range headers, the stall timeout on the
/// headers, and redirects followed by hand so that the user's token goes to the origin they asked for
/// and never to a host a redirect names (nor from https down to http). What the server said about
/// the file on any hop comes back beside the response.
/// </summary>
internal sealed class RangeFetcher(HttpClient http, IDownloadCredentials credentials, DownloadOptions options)
{
    public async Task<(HttpResponseMessage Response, ServerMetadata Meta)> SendAsync(DownloadJob job, long offset, CancellationToken ct)
    {
        var origin = job.Url;
        var url = job.Url;
        var token = credentials.GetBearerToken(origin);
        var meta = new ServerMetadata();
        for (var hop = 0; ; hop++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.UserAgent.ParseAdd("EditorAssist/0.1");
            request.Headers.AcceptEncoding.ParseAdd("identity");
            if (offset > 0)
            {
                request.Headers.Range = new RangeHeaderValue(offset, null);
                if (job.ETag is not null) request.Headers.IfRange = new RangeConditionHeaderValue(new EntityTagHeaderValue(job.ETag));
            }
            // Credentials go to the origin the user asked for, never to a host a redirect names.
            if (token is not null && DownloadUrlPolicy.SameOrigin(url, origin))
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

            HttpResponseMessage response;
            using (var headersTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                headersTimeout.CancelAfter(options.StallTimeout);
                try
                {
                    response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, headersTimeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    throw new TransientDownloadException("the server did not answer in time", madeProgress: false);
                }
                catch (HttpRequestException ex)
                {
                    throw new TransientDownloadException($"could not reach {url.Host} ({ex.Message})", madeProgress: false, inner: ex);
                }
            }
            meta.Read(response);
            var status = (int)response.StatusCode;
            if (status is 301 or 302 or 303 or 307 or 308 && response.Headers.Location is { } location)
            {
                response.Dispose();
                if (hop >= options.MaxRedirects)
                    throw new EditorAssistException(ErrorCode.DownloadFailed, $"Too many redirects downloading '{job.FileName}'.");
                var next = location.IsAbsoluteUri ? location : new Uri(url, location);
                DownloadUrlPolicy.EnsureAllowed(next);
                if (url.Scheme == Uri.UriSchemeHttps && next.Scheme == Uri.UriSchemeHttp)
                    throw new EditorAssistException(ErrorCode.DownloadFailed, "Refused a redirect from https to plain http.");
                url = next;
                continue;
            }
            return (response, meta);
        }
    }
}

/// <summary>What the server said about the file on any hop (Hugging Face puts it on the redirect).</summary>
internal sealed class ServerMetadata
{
    public long? LinkedSize { get; private set; }
    public string? LinkedSha256 { get; private set; }

    public void Read(HttpResponseMessage r)
    {
        if (LinkedSize is null && r.Headers.TryGetValues("X-Linked-Size", out var sizes)
            && long.TryParse(sizes.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            LinkedSize = size;
        if (LinkedSha256 is null && r.Headers.TryGetValues("X-Linked-Etag", out var etags))
            LinkedSha256 = DownloadManager.NormalizeSha(etags.FirstOrDefault()?.Replace("W/", "", StringComparison.Ordinal));
    }
}
