using System.Text;
using System.Text.Json;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;
using EditorAssist.Storage;
using EditorAssist.Llama;

namespace EditorAssist.Server.Local;

/// <summary>
/// Tool calling for local models by constrained JSON (LOCAL_RUNTIME.md, "Tool calls"): the tools are
/// described in a system message, and a grammar makes the whole answer one JSON object, either
/// <c>{"tool": NAME, "arguments": {...}}</c> (a call; the arguments follow the tool's schema) or
/// <c>{"answer": "..."}</c> (the reply). Earlier tool steps are written back into the conversation in
/// the same JSON so that the model sees its own convention, and results as user messages (every chat
/// template libllama knows has user/assistant; few have a tool role).
/// </summary>
public static class LocalToolCalling
{
    /// <summary>Whether this request uses the tool protocol.</summary>
    public static bool Applies(ChatRequest request) => request.Tools.Count > 0 && !request.ToolChoice.IsNone;

    /// <summary>The messages the model sees: the tool instructions first, tool steps rendered as JSON text.</summary>
    public static List<Llama.ChatMessage> Messages(ChatRequest request)
    {
        var tools = Offered(request);
        var sb = new StringBuilder();
        sb.Append("You can call tools to help the user. Reply with exactly one JSON object and nothing else:\n")
          .Append("- to call a tool: {\"tool\": \"<tool name>\", \"arguments\": {<the tool's parameters>}}\n")
          .Append("- to answer the user: {\"answer\": \"<your reply>\"}\n")
          .Append("After a tool call you receive its result and may call another tool or answer.\n\nTools:\n");
        foreach (var t in tools)
            sb.Append("- ").Append(t.Name).Append(": ").Append(t.Description).Append("\n  parameters (JSON Schema): ").Append(Compact(t.ParametersJson)).Append('\n');

        var list = new List<Llama.ChatMessage>();
        var userSystem = string.Join("\n\n", request.Messages.Where(m => m.Role == "system").Select(m => m.Content));
        list.Add(new Llama.ChatMessage("system", userSystem.Length > 0 ? userSystem + "\n\n" + sb : sb.ToString()));
        foreach (var m in request.Messages.Where(m => m.Role != "system"))
        {
            if (m.Role == "assistant" && m.ToolCalls is { Count: > 0 } calls)
                list.Add(new Llama.ChatMessage("assistant", string.Join("\n", calls.Select(CallJson))));
            else if (m.Role == "tool")
                list.Add(new Llama.ChatMessage("user", $"Result of tool call {m.ToolCallId}{(m.IsError ? " (error)" : "")}:\n{m.Content}"));
            else if (m.Role == "assistant")
                list.Add(new Llama.ChatMessage("assistant", JsonSerializer.Serialize(new Dictionary<string, string> { ["answer"] = m.Content })));
            else
                list.Add(new Llama.ChatMessage(m.Role, m.Content));
        }
        return list;
    }

    /// <summary>
    /// The JSON Schema of an answer: one object per tool (name as a constant, its parameters), plus the
    /// answer object unless a tool is forced. A tool whose schema the grammar converter cannot express
    /// (<c>$ref</c>, patterns…) accepts any arguments object; the client validates them anyway.
    /// </summary>
    public static string Schema(ChatRequest request)
    {
        var alternatives = new List<string>();
        foreach (var t in Offered(request))
        {
            var args = Compact(t.ParametersJson);
            try { JsonGrammar.FromJsonSchema(args); }
            catch (Exception ex) when (ex is NotSupportedException or JsonException or InvalidOperationException or KeyNotFoundException) { args = "{\"type\":\"object\"}"; }
            alternatives.Add($"{{\"type\":\"object\",\"properties\":{{\"tool\":{{\"const\":{JsonSerializer.Serialize(t.Name)}}},\"arguments\":{args}}}}}");
        }
        if (request.ToolChoice.Name is null)
            alternatives.Add("{\"type\":\"object\",\"properties\":{\"answer\":{\"type\":\"string\"}}}");
        return alternatives.Count == 1 ? alternatives[0] : $"{{\"anyOf\":[{string.Join(",", alternatives)}]}}";
    }

    /// <summary>Reads the model's JSON answer: a call, or the reply text; text that does not parse is the reply as is.</summary>
    public static (ToolCallRequest? Call, string? Answer) Parse(string text, int step)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("tool", out var name) && name.ValueKind == JsonValueKind.String)
                {
                    var args = root.TryGetProperty("arguments", out var a) ? a.GetRawText() : "{}";
                    return (new ToolCallRequest($"call_local_{step}_{Guid.NewGuid():n}"[..24], name.GetString()!, args), null);
                }
                if (root.TryGetProperty("answer", out var answer) && answer.ValueKind == JsonValueKind.String)
                    return (null, answer.GetString());
            }
        }
        catch (JsonException)
        {
            // Cut by the token limit: show what there is.
        }
        return (null, text);
    }

    private static IEnumerable<ToolDefinition> Offered(ChatRequest request) =>
        request.ToolChoice.Name is { } forced ? request.Tools.Where(t => t.Name == forced) : request.Tools;

    private static string CallJson(ToolCallRequest c)
    {
        var args = string.IsNullOrWhiteSpace(c.ArgumentsJson) ? "{}" : c.ArgumentsJson;
        try { args = Compact(args); } catch (JsonException) { args = "{}"; }
        return $"{{\"tool\":{JsonSerializer.Serialize(c.Name)},\"arguments\":{args}}}";
    }

    private static string Compact(string json)
    {
        using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "{}" : json);
        return JsonSerializer.Serialize(doc.RootElement);
    }
}
