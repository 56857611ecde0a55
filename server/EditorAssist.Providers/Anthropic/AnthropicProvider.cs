using System.Runtime.CompilerServices;
using System.Text.Json;
using Anthropic;
using Anthropic.Models.Messages;
using EditorAssist.Providers.Http;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;

namespace EditorAssist.Providers.Anthropic;

/// <summary>
/// Anthropic's Messages API through the official <c>Anthropic</c> SDK (<c>Messages.CreateStreaming</c>).
/// System messages become the top-level <c>system</c> field; usage comes from message_start (input)
/// and message_delta (output). Model discovery reads <c>GET /v1/models</c>.
/// </summary>
public sealed class AnthropicProvider(ProviderDescriptor descriptor, ProviderHttp http) : RemoteProvider(descriptor, http)
{
    public const string ApiVersion = "2023-06-01";
    private const int DefaultMaxTokens = 4096;
    /// <summary>The API's smallest thinking budget; also the default when thinking is on without one.</summary>
    public const int MinThinkingBudget = 1024;
    private const int DefaultThinkingBudget = 4096;

    public override async Task<IReadOnlyList<ModelInfo>> ListModelsAsync(ProviderContext context, CancellationToken cancellationToken)
    {
        RequireKey(context);
        using var doc = await GetJsonAsync(context, "v1/models?limit=100", h =>
        {
            if (context.ApiKey is { } key) h.Add("x-api-key", key);
            h.Add("anthropic-version", ApiVersion);
        }, cancellationToken).ConfigureAwait(false);
        var list = new List<ModelInfo>();
        if (doc.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
        {
            foreach (var m in data.EnumerateArray())
            {
                if (!m.TryGetProperty("id", out var id) || id.GetString() is not { Length: > 0 } modelId) continue;
                var preset = Descriptor.Models.FirstOrDefault(p => p.Id == modelId);
                list.Add(new ModelInfo
                {
                    Id = modelId,
                    DisplayName = m.TryGetProperty("display_name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : preset?.DisplayName,
                    ContextLength = preset?.ContextLength ?? ReadInt(m, "max_input_tokens", "context_window"),
                    Pricing = Descriptor.PricingFor(modelId),
                });
            }
        }
        return list;
    }

    protected override async IAsyncEnumerable<ChatChunk> StreamCoreAsync(ProviderContext context, ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var call = Http.Create(context);
        var client = new AnthropicClient
        {
            ApiKey = context.ApiKey,
            // Never pick up ANTHROPIC_AUTH_TOKEN / ANTHROPIC_BASE_URL from the environment: the user's
            // configured key and URL are the only ones. (SDK 13.x sends the key as a Bearer token.)
            AuthToken = null,
            BaseUrl = BaseUri(context).ToString().TrimEnd('/'),
            HttpClient = call.Client,
            MaxRetries = 0,
            Timeout = TimeSpan.FromHours(1),
        };
        var parameters = ToSdk(request);

        long input = 0, output = 0, cached = 0;
        string? finish = null, model = null;
        // tool_use blocks by content index: id and name from content_block_start, the input as
        // input_json_delta fragments (read from the raw events: the typed union of this SDK version
        // names these fields differently across releases, the wire does not).
        var tools = new SortedDictionary<long, (string Id, string Name, System.Text.StringBuilder Input)>();
        // thinking / redacted_thinking blocks by content index: streamed to the user as reasoning, and
        // kept whole (with the signature) in case the tool loop must send them back with tool results.
        var thinking = new SortedDictionary<long, (string Type, System.Text.StringBuilder Text, System.Text.StringBuilder Signature, string? Data)>();
        await foreach (var ev in Pump(context, call.State, ct => client.Messages.CreateStreaming(parameters, ct), cancellationToken).ConfigureAwait(false))
        {
            if (ev.TryPickContentBlockDelta(out var block))
            {
                if (block.Delta.TryPickText(out var text) && !string.IsNullOrEmpty(text.Text)) yield return ChatChunk.Text(text.Text);
                else if (block.RawData.TryGetValue("delta", out var td) && Str(td, "type") is "thinking_delta" or "signature_delta"
                         && block.RawData.TryGetValue("index", out var ti) && ti.TryGetInt64(out var tIndex))
                {
                    if (!thinking.TryGetValue(tIndex, out var tb)) thinking[tIndex] = tb = ("thinking", new(), new(), null);
                    if (Str(td, "type") == "signature_delta") tb.Signature.Append(Str(td, "signature"));
                    else if (Str(td, "thinking") is { Length: > 0 } thought)
                    {
                        tb.Text.Append(thought);
                        yield return ChatChunk.Thought(thought);
                    }
                }
                else if (block.RawData.TryGetValue("delta", out var d) && Str(d, "type") == "input_json_delta"
                         && block.RawData.TryGetValue("index", out var di) && di.TryGetInt64(out var dIndex)
                         && tools.TryGetValue(dIndex, out var open))
                    open.Input.Append(Str(d, "partial_json"));
            }
            else if (ev.TryPickContentBlockStart(out var blockStart))
            {
                if (blockStart.RawData.TryGetValue("content_block", out var cb) && Str(cb, "type") == "tool_use"
                    && blockStart.RawData.TryGetValue("index", out var si) && si.TryGetInt64(out var sIndex))
                {
                    var toolInput = new System.Text.StringBuilder();
                    // Some servers put the whole input in the start block (Anthropic sends {} and then deltas).
                    if (cb.TryGetProperty("input", out var inp) && inp.ValueKind == JsonValueKind.Object && inp.EnumerateObject().Any())
                        toolInput.Append(inp.GetRawText());
                    tools[sIndex] = (Str(cb, "id"), Str(cb, "name"), toolInput);
                }
                else if (blockStart.RawData.TryGetValue("content_block", out var tcb) && Str(tcb, "type") is "thinking" or "redacted_thinking"
                         && blockStart.RawData.TryGetValue("index", out var ti) && ti.TryGetInt64(out var tIndex))
                {
                    var type = Str(tcb, "type");
                    var entry = (type, new System.Text.StringBuilder(Str(tcb, "thinking")), new System.Text.StringBuilder(Str(tcb, "signature")),
                        type == "redacted_thinking" ? Str(tcb, "data") : null);
                    thinking[tIndex] = entry;
                    if (entry.Item2.Length > 0) yield return ChatChunk.Thought(entry.Item2.ToString());
                }
            }
            else if (ev.TryPickStart(out var start))
            {
                model = start.Message.RawData.TryGetValue("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                input = start.Message.Usage.InputTokens;
                cached = start.Message.Usage.CacheReadInputTokens ?? 0;
            }
            else if (ev.TryPickDelta(out var delta))
            {
                output = delta.Usage.OutputTokens;
                if (delta.Usage.InputTokens is { } i && i > 0) input = i;
                if (delta.Delta.RawData.TryGetValue("stop_reason", out var sr) && sr.ValueKind == JsonValueKind.String) finish = MapStop(sr.GetString());
            }
        }
        foreach (var (_, t) in tools)
            yield return ChatChunk.Call(new ToolCallRequest(t.Id, t.Name, t.Input.Length == 0 ? "{}" : t.Input.ToString()));
        yield return ChatChunk.Done(new ChatFinal
        {
            FinishReason = finish ?? FinishReasons.Stop,
            Usage = new ChatUsage((int)(input + cached), (int)output, (int)cached),
            Model = model,
            ReasoningBlocks = thinking.Count == 0 ? null
                : thinking.Values.Select(t => new ReasoningBlock(t.Type, t.Text.ToString(), t.Signature.Length == 0 ? null : t.Signature.ToString(), t.Data)).ToList(),
        });
    }

    internal static string MapStop(string? raw)
    {
        var s = (raw ?? "").Replace("_", "", StringComparison.Ordinal);
        if (s.Equals("tooluse", StringComparison.OrdinalIgnoreCase)) return FinishReasons.ToolCalls;
        return s.Contains("maxtokens", StringComparison.OrdinalIgnoreCase) ? FinishReasons.Length : FinishReasons.Stop;
    }

    private static string Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";

    /// <summary>Writes a JSON object given as text; anything else (empty, invalid, not an object) as <c>{}</c>.</summary>
    private static void WriteObjectOrEmpty(Utf8JsonWriter w, string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "{}" : json);
            if (doc.RootElement.ValueKind == JsonValueKind.Object) { doc.RootElement.WriteTo(w); return; }
        }
        catch (JsonException) { }
        w.WriteStartObject();
        w.WriteEndObject();
    }

    /// <summary>
    /// The request body as the Messages API documents it. Built as raw JSON fields because this SDK
    /// version types only part of the body (no temperature/top_p/top_k properties); the SDK still owns
    /// the transport, headers and the SSE parsing.
    /// </summary>
    internal static MessageCreateParams ToSdk(ChatRequest request)
    {
        var system = string.Join("\n\n", request.Messages.Where(m => m.Role == "system").Select(m => m.Content));
        var p = request.Params;
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("model", request.Model);
            // Extended thinking: the budget counts within max_tokens, so the answer's room is added to it.
            var budget = p.Thinking == true ? Math.Max(p.ReasoningBudget ?? DefaultThinkingBudget, MinThinkingBudget) : 0;
            w.WriteNumber("max_tokens", (p.MaxTokens ?? DefaultMaxTokens) + budget);
            if (budget > 0)
            {
                w.WriteStartObject("thinking");
                w.WriteString("type", "enabled");
                w.WriteNumber("budget_tokens", budget);
                w.WriteEndObject();
            }
            w.WriteStartArray("messages");
            var rest = request.Messages.Where(m => m.Role != "system").ToList();
            for (var i = 0; i < rest.Count; i++)
            {
                var m = rest[i];
                w.WriteStartObject();
                if (m.Role == "tool")
                {
                    // Consecutive tool results go back in one user message (the API wants roles to alternate).
                    w.WriteString("role", "user");
                    w.WriteStartArray("content");
                    for (; i < rest.Count && rest[i].Role == "tool"; i++)
                    {
                        w.WriteStartObject();
                        w.WriteString("type", "tool_result");
                        w.WriteString("tool_use_id", rest[i].ToolCallId);
                        w.WriteString("content", rest[i].Content);
                        if (rest[i].IsError) w.WriteBoolean("is_error", true);
                        w.WriteEndObject();
                    }
                    i--;
                    w.WriteEndArray();
                }
                else if (m.Role == "assistant" && m.ToolCalls is { Count: > 0 } calls)
                {
                    w.WriteString("role", "assistant");
                    w.WriteStartArray("content");
                    // With thinking on, the API wants the step's signed thinking blocks first, unchanged.
                    foreach (var b in m.ReasoningBlocks ?? [])
                    {
                        w.WriteStartObject();
                        w.WriteString("type", b.Type);
                        if (b.Type == "redacted_thinking") w.WriteString("data", b.Data);
                        else
                        {
                            w.WriteString("thinking", b.Text);
                            if (b.Signature is { } sig) w.WriteString("signature", sig);
                        }
                        w.WriteEndObject();
                    }
                    if (m.Content.Length > 0)
                    {
                        w.WriteStartObject();
                        w.WriteString("type", "text");
                        w.WriteString("text", m.Content);
                        w.WriteEndObject();
                    }
                    foreach (var c in calls)
                    {
                        w.WriteStartObject();
                        w.WriteString("type", "tool_use");
                        w.WriteString("id", c.Id);
                        w.WriteString("name", c.Name);
                        w.WritePropertyName("input");
                        WriteObjectOrEmpty(w, c.ArgumentsJson);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }
                else
                {
                    w.WriteString("role", m.Role == "assistant" ? "assistant" : "user");
                    w.WriteString("content", m.Content);
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (request.Tools.Count > 0 && !request.ToolChoice.IsNone)
            {
                w.WriteStartArray("tools");
                foreach (var tool in request.Tools)
                {
                    w.WriteStartObject();
                    w.WriteString("name", tool.Name);
                    w.WriteString("description", tool.Description);
                    w.WritePropertyName("input_schema");
                    WriteObjectOrEmpty(w, tool.ParametersJson);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartObject("tool_choice");
                w.WriteString("type", request.ToolChoice.Name is null ? "auto" : "tool");
                if (request.ToolChoice.Name is { } forced) w.WriteString("name", forced);
                w.WriteEndObject();
            }
            if (system.Length > 0) w.WriteString("system", system);
            // Thinking is refused together with temperature or top_k and allows top_p only from 0.95:
            // with thinking on those settings are left out rather than failing the request.
            if (p.Temperature is { } t && budget == 0) w.WriteNumber("temperature", t);
            if (p.TopP is { } tp && (budget == 0 || tp >= 0.95)) w.WriteNumber("top_p", tp);
            if (p.TopK is { } tk && budget == 0) w.WriteNumber("top_k", tk);
            if (p.Stop is { Count: > 0 } stop)
            {
                w.WriteStartArray("stop_sequences");
                foreach (var s in stop) w.WriteStringValue(s);
                w.WriteEndArray();
            }
            w.WriteBoolean("stream", true);
            w.WriteEndObject();
        }
        using var doc = JsonDocument.Parse(buffer.ToArray());
        var body = doc.RootElement.EnumerateObject().ToDictionary(x => x.Name, x => x.Value.Clone(), StringComparer.Ordinal);
        return MessageCreateParams.FromRawUnchecked(new Dictionary<string, JsonElement>(), new Dictionary<string, JsonElement>(), body);
    }
}
