using System.Text.Json;

namespace EditorAssist.Rpc;

/// <summary>
/// An error that crosses the wire as a JSON-RPC error object. Handlers throw it (or the
/// connection's exception mapper produces it from a domain exception); its message must be
/// fit for a user to read: no stack traces, no secrets.
/// </summary>
public class RpcException : Exception
{
    public RpcException(int code, string message, Action<Utf8JsonWriter>? writeData = null)
        : base(message)
    {
        Code = code;
        WriteData = writeData;
    }

    public int Code { get; }

    /// <summary>Writes the optional <c>data</c> member (one JSON value), or null when there is none.</summary>
    public Action<Utf8JsonWriter>? WriteData { get; }
}

/// <summary>An error response received from the peer for a request this side sent.</summary>
public sealed class RemoteRpcException : RpcException
{
    public RemoteRpcException(int code, string message, JsonElement? data)
        : base(code, message)
    {
        ErrorData = data;
    }

    /// <summary>The peer's <c>data</c> member, cloned so it outlives the message buffer.</summary>
    public JsonElement? ErrorData { get; }
}

/// <summary>The connection closed (end of stream, framing error or disposal) before an answer arrived.</summary>
public sealed class ConnectionClosedException : Exception
{
    public ConnectionClosedException(string message) : base(message) { }
}
