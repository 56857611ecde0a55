using System.Net;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;

namespace EditorAssist.Providers.Http;

/// <summary>
/// What the HTTP layer saw during one provider call: the final failed response (status, start of the
/// body, Retry-After) or the transport failure, and the retries made. The SDKs wrap failures in their
/// own exception types; mapping from this record keeps error codes identical across SDKs.
/// </summary>
public sealed class HttpCallState
{
    private readonly List<TimeSpan> _delays = [];

    public int Attempts { get; internal set; }
    public HttpStatusCode? Status { get; internal set; }
    /// <summary>The first 8 KB of the failed response's body.</summary>
    public string? Body { get; internal set; }
    public TimeSpan? RetryAfter { get; internal set; }
    public bool TimedOut { get; internal set; }
    public Exception? TransportError { get; internal set; }
    /// <summary>True once a 2xx response was handed to the SDK: from then on nothing is retried.</summary>
    public bool Succeeded { get; internal set; }

    public IReadOnlyList<TimeSpan> RetryDelays { get { lock (_delays) return _delays.ToArray(); } }

    internal void AddDelay(TimeSpan d) { lock (_delays) _delays.Add(d); }
}
