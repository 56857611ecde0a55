using System.Text.Json;
using System.Text.RegularExpressions;
using EditorAssist.Core.Providers;
using EditorAssist.Core.Tools;
using EditorAssist.Rpc;
using EditorAssist.Server.Protocol;

namespace EditorAssist.Server.Handlers;

/// <summary>The tool fields of <c>chat/send</c>: validation of what the client offers, and the wire form of calls.</summary>
internal static partial class ChatToolsWire
{
    public const int MaxStepsLimit = 100;
    private const string EmptyObjectSchema = "{\"type\":\"object\",\"properties\":{}}";

    // OpenAI's rule for function names, the strictest of the providers' (Anthropic allows the same set).
    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex ToolName();

    /// <summary>The turn's tools, or null for a plain chat. Invalid tools, choice or limit → -32602.</summary>
    public static ToolTurn? ToTurn(ChatSendParams p, JsonRpcConnection connection)
    {
        if (p.Tools is not { Count: > 0 } tools)
        {
            if (p.ToolChoice is { ValueKind: JsonValueKind.Object }) throw Invalid("toolChoice names a tool but no tools were given.");
            return null;
        }
        var definitions = new List<ToolDefinition>();
        foreach (var t in tools)
        {
            if (t is null || !ToolName().IsMatch(t.Name ?? "")) throw Invalid("a tool name must be 1–64 letters, digits, '_' or '-'.");
            if (definitions.Any(d => d.Name == t.Name)) throw Invalid($"tool '{t.Name}' is listed twice.");
            string schema;
            if (t.Parameters is not { } ps || ps.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined) schema = EmptyObjectSchema;
            else if (ps.ValueKind != JsonValueKind.Object) throw Invalid($"the parameters of tool '{t.Name}' must be a JSON Schema object.");
            else schema = ps.GetRawText();
            definitions.Add(new ToolDefinition(t.Name!, t.Description ?? "", schema));
        }

        var choice = ToolChoice.Auto;
        if (p.ToolChoice is { } c && c.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
        {
            if (c.ValueKind == JsonValueKind.String && c.GetString() is "auto") choice = ToolChoice.Auto;
            else if (c.ValueKind == JsonValueKind.String && c.GetString() is "none") choice = ToolChoice.None;
            else if (c.ValueKind == JsonValueKind.Object && c.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String)
            {
                var name = n.GetString()!;
                if (!definitions.Any(d => d.Name == name)) throw Invalid($"toolChoice names '{name}', which is not among the tools.");
                choice = ToolChoice.Tool(name);
            }
            else throw Invalid("toolChoice must be \"auto\", \"none\" or {name}.");
        }
        if (p.MaxSteps is { } m && (m < 1 || m > MaxStepsLimit)) throw Invalid($"maxSteps must be between 1 and {MaxStepsLimit}.");

        var json = ProvidersProtocolJson.Default;
        var streamId = p.StreamId;
        return new ToolTurn
        {
            Tools = definitions,
            Choice = choice,
            MaxSteps = p.MaxSteps ?? ToolTurn.DefaultMaxSteps,
            Executor = new ClientToolExecutor(connection, streamId),
            OnStatus = s => connection.Notify(Protocol.Methods.ChatToolStatus,
                new ToolStatusDto(streamId, s.CallId, s.Name, s.State, s.Arguments is null ? null : Arguments(s.Arguments), s.Result), json.ToolStatusDto),
        };
    }

    public static ToolCallDto ToDto(ToolCallRecord r) => new(r.Id, r.Name, Arguments(r.Arguments), r.Result, r.IsError);

    /// <summary>The arguments as a JSON value: the object when the model's text parses, else that text as a string.</summary>
    public static JsonElement Arguments(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(text, ProvidersProtocolJson.Default.String);
        }
    }

    private static RpcException Invalid(string message) => new(ErrorCodes.InvalidParams, $"Invalid params for '{Protocol.Methods.ChatSend}': {message}");
}
