namespace EditorAssist.Core.Errors;

/// <summary>
/// The stable application error codes of PROTOCOL.md. Core throws <see cref="EditorAssistException"/>
/// with one of these; the RPC edge turns it into a JSON-RPC error with the same number. Never
/// renumber: clients match on these values.
/// </summary>
public enum ErrorCode
{
    ModelNotFound = 1001,
    ModelNotDownloaded = 1002,
    ProviderUnavailable = 1003,
    ApiKeyMissing = 1004,
    ApiKeyRejected = 1005,
    RateLimited = 1006,
    ContextLengthExceeded = 1007,
    InsufficientMemory = 1008,
    InsufficientDisk = 1009,
    DownloadFailed = 1010,
    ChecksumMismatch = 1011,
    InvalidModelFile = 1012,
    PolicyViolation = 1013,
    QuotaExceeded = 1014,
    ModelBusy = 1015,
    /// <summary>EditorAssist addition: the storage directory cannot be used (not writable, newer schema).</summary>
    StorageUnavailable = 1016,
    /// <summary>EditorAssist addition: the model has no fill-in-the-middle support, so it cannot complete code inline.</summary>
    FimNotSupported = 1017,
    /// <summary>EditorAssist addition: an MCP server (or a call to its tool) was refused: a cloud MCP server while local-only mode is on.</summary>
    McpServerRefused = 1018,
}

/// <summary>
/// A domain failure a user can act on. The message is shown to users as is: say what happened and
/// what to do, never include secrets or stack traces.
/// </summary>
public class EditorAssistException : Exception
{
    public EditorAssistException(ErrorCode code, string message, Exception? inner = null) : base(message, inner)
    {
        Code = code;
    }

    public ErrorCode Code { get; }

    /// <summary>Optional machine-readable details sent as the error's <c>data</c> (string keys, JSON-friendly values).</summary>
    public IReadOnlyDictionary<string, object?>? Details { get; init; }
}
