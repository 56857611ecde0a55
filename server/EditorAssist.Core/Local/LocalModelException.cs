using EditorAssist.Core.Errors;

namespace EditorAssist.Core.Local;

/// <summary>
/// A domain error from the local runtime, with a protocol code (ModelNotFound, ProviderUnavailable,
/// ContextLengthExceeded, InsufficientMemory, InvalidModelFile, ModelBusy). An
/// <see cref="EditorAssistException"/> like every other domain error, so the RPC edge maps it the
/// same way. Messages are for humans and logs; they never contain stack traces or native pointers.
/// </summary>
public class LocalModelException(ErrorCode code, string message, Exception? inner = null)
    : EditorAssistException(code, message, inner);

/// <summary>The file is missing or not a loadable GGUF model (bad magic, truncated, absurd header, or libllama refused it).</summary>
public sealed class InvalidModelFileException(string message, Exception? inner = null)
    : LocalModelException(ErrorCode.InvalidModelFile, message, inner);

/// <summary>
/// The model cannot fit the memory available; thrown before any native allocation.
/// (Not named InsufficientMemoryException: System already has a type of that name.)
/// </summary>
public sealed class InsufficientModelMemoryException : LocalModelException
{
    public InsufficientModelMemoryException(string message, long requiredBytes, long availableBytes)
        : base(ErrorCode.InsufficientMemory, message)
    {
        RequiredBytes = requiredBytes;
        AvailableBytes = availableBytes;
        Details = new Dictionary<string, object?> { ["requiredBytes"] = requiredBytes, ["availableBytes"] = availableBytes };
    }

    public long RequiredBytes { get; }
    public long AvailableBytes { get; }
}
