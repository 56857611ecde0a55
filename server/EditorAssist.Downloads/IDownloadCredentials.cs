namespace EditorAssist.Downloads;

/// <summary>
/// Supplies a bearer token for a download's first URL. The manager sends it only to that URL's
/// origin: a redirect to another host (Hugging Face's CDN, say) never carries it. Tokens are held in
/// memory only, never persisted or logged. Thread-safe.
/// </summary>
public interface IDownloadCredentials
{
    string? GetBearerToken(Uri url);
}

public sealed class NoCredentials : IDownloadCredentials
{
    public static NoCredentials Instance { get; } = new();
    public string? GetBearerToken(Uri url) => null;
}

/// <summary>A Hugging Face token (for gated repos), sent only to the configured endpoint's host.</summary>
public sealed class HuggingFaceCredentials : IDownloadCredentials
{
    private volatile string? _token;
    private volatile Uri _endpoint;

    public HuggingFaceCredentials(Uri endpoint) => _endpoint = endpoint;

    public Uri Endpoint { get => _endpoint; set => _endpoint = value; }

    /// <summary>Sets or (with null) forgets the token. Memory only.</summary>
    public void SetToken(string? token) => _token = string.IsNullOrWhiteSpace(token) ? null : token.Trim();

    public bool HasToken => _token is not null;

    public string? GetBearerToken(Uri url) =>
        _token is { } t && DownloadUrlPolicy.SameOrigin(url, _endpoint) ? t : null;
}
