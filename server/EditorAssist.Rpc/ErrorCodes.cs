namespace EditorAssist.Rpc;

/// <summary>
/// JSON-RPC error codes shared by both halves (PROTOCOL.md). Standard codes are negative;
/// EditorAssist's application codes are positive. Clients branch on these numbers, never on
/// message text, so a value here must never change once shipped.
/// </summary>
public static class ErrorCodes
{
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int MethodNotFound = -32601;
    public const int InvalidParams = -32602;
    public const int InternalError = -32603;
    public const int ServerNotInitialized = -32002;
    public const int RequestCancelled = -32800;
}
