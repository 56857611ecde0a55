using System.Net;
using EditorAssist.Core.Errors;

namespace EditorAssist.Downloads;

/// <summary>
/// Which URLs a download may touch and which file names it may write. Pure functions.
/// Only https, except plain http to a loopback host (local mirrors, tests); a redirect may never
/// go from https to http on a non-loopback host.
/// </summary>
public static class DownloadUrlPolicy
{
    public static bool IsLoopback(Uri url) =>
        url.IsLoopback || (IPAddress.TryParse(url.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>Throws DownloadFailed when the URL is not one we fetch.</summary>
    public static void EnsureAllowed(Uri url)
    {
        if (!url.IsAbsoluteUri)
            throw new EditorAssistException(ErrorCode.DownloadFailed, "The download URL must be absolute.");
        if (url.Scheme == Uri.UriSchemeHttps) return;
        if (url.Scheme == Uri.UriSchemeHttp && IsLoopback(url)) return;
        throw new EditorAssistException(ErrorCode.DownloadFailed,
            $"Only https URLs can be downloaded (plain http only from this machine); refused {url.Scheme}://{url.Host}.")
        { Details = new Dictionary<string, object?> { ["host"] = url.Host } };
    }

    /// <summary>Scheme, host and port equal: the only case in which credentials may follow a request.</summary>
    public static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;

    /// <summary>The last path segment of <paramref name="url"/>, sanitised.</summary>
    public static string FileNameFromUrl(Uri url)
    {
        var last = url.AbsolutePath.TrimEnd('/');
        last = last[(last.LastIndexOf('/') + 1)..];
        return SanitizeFileName(Uri.UnescapeDataString(last));
    }

    /// <summary>
    /// A name that stays inside the models folder: no directory parts, no "..", no control or
    /// reserved characters, not hidden, not our own partial suffix. Throws DownloadFailed when
    /// nothing usable is left. Deliberately rejects rather than rewrites traversal attempts.
    /// </summary>
    public static string SanitizeFileName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Contains('/') || name.Contains('\\') || name.Contains("..", StringComparison.Ordinal))
            throw Invalid(name);
        Span<char> buffer = stackalloc char[Math.Min(name.Length, 200)];
        var n = 0;
        foreach (var c in name)
        {
            if (n == buffer.Length) break;
            buffer[n++] = char.IsControl(c) || c is ':' or '*' or '?' or '"' or '<' or '>' or '|' ? '_' : c;
        }
        var clean = new string(buffer[..n]).Trim().TrimEnd('.');
        if (clean.Length == 0 || clean.StartsWith('.') || clean.EndsWith(DownloadManager.PartialSuffix, StringComparison.OrdinalIgnoreCase))
            throw Invalid(name);
        return clean;
    }

    private static EditorAssistException Invalid(string name) =>
        new(ErrorCode.DownloadFailed, $"'{(name.Length > 80 ? name[..80] : name)}' is not an acceptable model file name.")
        { Details = new Dictionary<string, object?> { ["problem"] = "invalidFileName" } };
}
