using System.Text.Json;
using System.Text.RegularExpressions;
using EditorAssist.Providers.Mcp;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;
using EditorAssist.Storage;
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
    /// <remarks>
    /// With <paramref name="mcp"/>, the tools of the ready MCP servers join the client's (<c>mcpTools</c>, default:
    /// when the client offers tools and the sidecar runs them); their calls go to the servers, after the user's
    /// approval unless the server is trusted.
    /// </remarks>
    public static ToolTurn? ToTurn(ChatSendParams p, JsonRpcConnection connection, McpManager? mcp = null)
    {
        var tools = p.Tools ?? [];
        var wantMcp = mcp is not null && p.RunTools != false && (p.McpTools ?? tools.Count > 0);
        var mcpTools = wantMcp ? mcp!.Tools(tools.Where(t => t?.Name is not null).Select(t => t!.Name)) : [];
        if (tools.Count == 0 && mcpTools.Count == 0)
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
        definitions.AddRange(mcpTools.Select(b => b.Definition));

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
            Executor = mcpTools.Count == 0
                ? new ClientToolExecutor(connection, streamId)
                : new McpToolExecutor(new ClientToolExecutor(connection, streamId), mcpTools, new ClientMcpApprover(connection, streamId)),
            ReturnCalls = p.RunTools == false,
            OnStatus = s => connection.Notify(Protocol.Methods.ChatToolStatus,
                new ToolStatusDto(streamId, s.CallId, s.Name, s.State, s.Arguments is null ? null : Arguments(s.Arguments), s.Result), json.ToolStatusDto),
        };
    }

    /// <summary>
    /// The conversation, with the tool turns a caller that runs its own tools sends back (<c>runTools: false</c>):
    /// an assistant message's <c>toolCalls</c>, and <c>tool</c> messages answering them by <c>toolCallId</c>.
    /// A tool message that answers no earlier call → -32602 (a provider would refuse it with a 400).
    /// </summary>
    public static List<ChatMessage> ToMessages(IReadOnlyList<ChatMessageDto> messages)
    {
        var list = new List<ChatMessage>(messages.Count);
        var calls = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in messages)
        {
            IReadOnlyList<ToolCallRequest>? toolCalls = null;
            if (m.ToolCalls is { Count: > 0 } tc)
            {
                if (m.Role != "assistant") throw Invalid("only an assistant message may carry toolCalls.");
                if (tc.Any(c => c is null || string.IsNullOrEmpty(c.Id) || !ToolName().IsMatch(c.Name ?? ""))) throw Invalid("a tool call needs an id and a valid name.");
                toolCalls = tc.Select(c => new ToolCallRequest(c.Id, c.Name, ArgumentsText(c.Arguments))).ToList();
                foreach (var c in tc) calls.Add(c.Id);
            }
            if (m.Role == "tool" && (string.IsNullOrEmpty(m.ToolCallId) || !calls.Contains(m.ToolCallId)))
                throw Invalid("a tool message needs the toolCallId of a call an earlier assistant message made.");
            list.Add(new ChatMessage(m.Role, m.Content ?? "")
            {
                ToolCalls = toolCalls,
                ToolCallId = m.Role == "tool" ? m.ToolCallId : null,
                IsError = m.Role == "tool" && m.IsError == true,
            });
        }
        return list;
    }

    /// <summary>Arguments as the model's JSON text: an object as is, a string (unparsed text) as its value.</summary>
    private static string ArgumentsText(JsonElement arguments) => arguments.ValueKind switch
    {
        JsonValueKind.String => arguments.GetString() ?? "{}",
        JsonValueKind.Undefined or JsonValueKind.Null => "{}",
        _ => arguments.GetRawText(),
    };

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
