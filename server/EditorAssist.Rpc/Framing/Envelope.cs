using System.Text.Json;
using StreamJsonRpc;

namespace EditorAssist.Rpc.Framing;

/// <summary>
/// Says what is wrong with a message StreamJsonRpc's formatter refused (or accepted but our contract does
/// not: another <c>jsonrpc</c> version, a null id). Only called on that slow path; a valid message is parsed
/// once, by the formatter.
/// </summary>
internal static class Envelope
{
    /// <summary>Code 0: nothing wrong by the contract's rules.</summary>
    public readonly record struct Verdict(RequestId Id, int Code, string Message, bool IsRequest = false);

    public static Verdict Classify(ReadOnlySpan<byte> body)
    {
        JsonDocument doc;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 128 });
            doc = JsonDocument.ParseValue(ref reader);
            if (reader.Read()) throw new JsonException("Trailing data.");
        }
        catch (JsonException)
        {
            return new(RequestId.Null, ErrorCodes.ParseError, "Parse error: the message is not valid JSON.");
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
                return new(RequestId.Null, ErrorCodes.InvalidRequest, "Batch messages are not supported: send one JSON-RPC message per frame.");
            if (root.ValueKind != JsonValueKind.Object)
                return new(RequestId.Null, ErrorCodes.InvalidRequest, "Invalid request: a message must be a JSON object.");

            var hasId = root.TryGetProperty("id"u8, out var idElement);
            RpcId id = default;
            var idValid = hasId && RpcId.TryRead(idElement, out id);
            var replyId = idValid ? ToRequestId(id) : RequestId.Null;

            if (!root.TryGetProperty("jsonrpc"u8, out var version) || version.ValueKind != JsonValueKind.String || !version.ValueEquals("2.0"u8))
                return new(replyId, ErrorCodes.InvalidRequest, "Invalid request: \"jsonrpc\" must be \"2.0\".");

            if (root.TryGetProperty("method"u8, out var method))
            {
                if (method.ValueKind != JsonValueKind.String)
                    return new(replyId, ErrorCodes.InvalidRequest, "Invalid request: \"method\" must be a string.");
                if (root.TryGetProperty("params"u8, out var @params) && @params.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
                    return new(replyId, ErrorCodes.InvalidRequest, "Invalid request: \"params\" must be an object or an array.");
                if (hasId && !idValid)
                    return new(RequestId.Null, ErrorCodes.InvalidRequest, "Invalid request: \"id\" must be a string or an integer.");
                return new(replyId, 0, "", IsRequest: hasId);
            }

            if (hasId && (root.TryGetProperty("result"u8, out _) || root.TryGetProperty("error"u8, out _)))
                return new(replyId, 0, ""); // a response we cannot use; nothing to answer

            return new(replyId, ErrorCodes.InvalidRequest, "Invalid request: neither a request, a notification nor a response.");
        }
    }

    public static RequestId ToRequestId(RpcId id) => id.IsString ? new RequestId(id.Text) : new RequestId(id.Number);
}
