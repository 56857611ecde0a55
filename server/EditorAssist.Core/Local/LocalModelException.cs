namespace EditorAssist.Core.Local;

/// <summary>
/// Why a local-model operation failed. The values are chosen to equal the stable
/// application error codes of the sidecar protocol (PROTOCOL.md) so the RPC edge can map
/// them with a cast; the client matches on these numbers, never on message text.
/// </summary>
public enum LocalModelErrorCode
{
    /// <summary>A model reference that names no known model (a missing file path is InvalidModelFile).</summary>
    ModelNotFound = 1001,
    /// <summary>The runtime (native library or backend) is not usable on this machine.</summary>
    ProviderUnavailable = 1003,
    /// <summary>The prompt does not fit in the loaded context.</summary>
    ContextLengthExceeded = 1007,
    /// <summary>Model weights + KV cache + compute buffers do not fit the memory budget; raised before allocating.</summary>
    InsufficientMemory = 1008,
    /// <summary>Missing, not a GGUF file, truncated, or rejected by libllama.</summary>
    InvalidModelFile = 1012,
    /// <summary>The model is being unloaded or is otherwise unable to take requests.</summary>
    ModelBusy = 1015,
}

/// <summary>
/// A domain error from the local runtime. Core and Llama throw it; the RPC layer maps
/// <see cref="Code"/> to a JSON-RPC error once, at the edge. Messages are for humans and
/// logs; they never contain stack traces or native pointers.
/// </summary>
public class LocalModelException : Exception
{
    public LocalModelException(LocalModelErrorCode code, string message, Exception? inner = null)
        : base(message, inner) => Code = code;

    public LocalModelErrorCode Code { get; }

    /// <summary>Optional machine-readable details (e.g. required/available bytes) for the error's <c>data</c>.</summary>
    public IReadOnlyDictionary<string, object?> Details { get; init; } = new Dictionary<string, object?>();
}

/// <summary>The file is missing or not a loadable GGUF model (bad magic, truncated, absurd header, or libllama refused it).</summary>
public sealed class InvalidModelFileException(string message, Exception? inner = null)
    : LocalModelException(LocalModelErrorCode.InvalidModelFile, message, inner);

/// <summary>
/// The model cannot fit the memory available; thrown before any native allocation.
/// (Not named InsufficientMemoryException: System already has a type of that name.)
/// </summary>
public sealed class InsufficientModelMemoryException : LocalModelException
{
    public InsufficientModelMemoryException(string message, long requiredBytes, long availableBytes)
        : base(LocalModelErrorCode.InsufficientMemory, message)
    {
        RequiredBytes = requiredBytes;
        AvailableBytes = availableBytes;
        Details = new Dictionary<string, object?> { ["requiredBytes"] = requiredBytes, ["availableBytes"] = availableBytes };
    }

    public long RequiredBytes { get; }
    public long AvailableBytes { get; }
}
