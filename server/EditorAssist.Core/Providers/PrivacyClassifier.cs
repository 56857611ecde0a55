using System.Net;

namespace EditorAssist.Core.Providers;

/// <summary>
/// Classifies where a request goes from the provider's kind and its actual base URL (not the preset's):
/// the local runtime is OnDevice; a URL whose host is a loopback address or the name localhost is
/// Loopback; anything else, including private LAN addresses and unparsable URLs, is Cloud (the
/// cautious answer: the client warns on Cloud).
/// </summary>
public static class PrivacyClassifier
{
    public static PrivacyClass Classify(ProviderKind kind, string? baseUrl)
    {
        if (kind == ProviderKind.Local) return PrivacyClass.OnDevice;
        return IsLoopback(baseUrl) ? PrivacyClass.Loopback : PrivacyClass.Cloud;
    }

    public static bool IsLoopback(string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url, UriKind.Absolute, out var uri)) return false;
        if (uri.Scheme is not ("http" or "https")) return false;
        // Uri canonicalises IPv4 short forms ("127.1" → 127.0.0.1, "0x7f.1"); DnsSafeHost drops the IPv6 brackets.
        var host = uri.DnsSafeHost.TrimEnd('.');
        if (host.Length == 0) return false;
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            // RFC 6761: localhost and *.localhost always resolve to loopback (resolvers must not send them out).
            return true;
        }
        if (!IPAddress.TryParse(host, out var ip)) return false;
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        return IPAddress.IsLoopback(ip);
    }
}
