using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace EditorAssist.Rpc.Dispatch;

/// <summary>
/// An incoming request or notification as its handler sees it. <see cref="Params"/> points into the
/// message buffer, which the connection frees when the handler's task completes: clone anything
/// (<see cref="JsonElement.Clone"/>) that must outlive the handler.
/// </summary>
public sealed class RpcRequest
{
    internal RpcRequest(JsonRpcConnection connection, string method, RpcId? id, JsonElement @params, long sequence = 0)
    {
        Connection = connection;
        Method = method;
        Id = id;
        Params = @params;
        Sequence = sequence;
    }

    /// <summary>
    /// Arrival order of this message on the connection (increasing). Handlers that run
    /// concurrently use it to tell which of two requests the client sent last.
    /// </summary>
    public long Sequence { get; }

    public JsonRpcConnection Connection { get; }
    public string Method { get; }
    /// <summary>Null for a notification.</summary>
    public RpcId? Id { get; }
    /// <summary><see cref="JsonValueKind.Undefined"/> when the message had no <c>params</c>.</summary>
    public JsonElement Params { get; }

    /// <summary>Deserializes the params, turning any shape mismatch into -32602 with a plain message.</summary>
    public T ReadParams<T>(JsonTypeInfo<T> typeInfo)
    {
        try
        {
            T? value = Params.ValueKind switch
            {
                JsonValueKind.Undefined => JsonSerializer.Deserialize("{}"u8, typeInfo),
                JsonValueKind.Object => Params.Deserialize(typeInfo),
                _ => throw new RpcException(ErrorCodes.InvalidParams, $"Invalid params for '{Method}': expected an object."),
            };
            return value ?? throw new RpcException(ErrorCodes.InvalidParams, $"Invalid params for '{Method}': expected an object.");
        }
        catch (JsonException ex)
        {
            // System.Text.Json's messages name the type and the JSON path, never the value itself.
            throw new RpcException(ErrorCodes.InvalidParams, $"Invalid params for '{Method}': {FirstSentence(ex.Message)}");
        }
    }

    /// <summary>
    /// Work-done progress for this request, bound to <c>params.workDoneToken</c>. When the client
    /// sent no token the returned reporter is inert, so handlers never need to check.
    /// </summary>
    public WorkDoneProgress CreateProgress()
    {
        RpcId? token = null;
        if (Params.ValueKind == JsonValueKind.Object && Params.TryGetProperty("workDoneToken", out var t) && RpcId.TryRead(t, out var parsed))
            token = parsed;
        return new WorkDoneProgress(Connection, token);
    }

    private static string FirstSentence(string message)
    {
        // Keep "... Path: $.x" but drop line/byte positions, which mean nothing to a user.
        var cut = message.IndexOf(" | LineNumber", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
