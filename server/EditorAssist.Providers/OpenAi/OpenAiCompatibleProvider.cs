using System.ClientModel;
using System.ClientModel.Primitives;
using System.Runtime.CompilerServices;
using System.Text.Json;
using EditorAssist.Core.Chat;
using EditorAssist.Core.Errors;
using EditorAssist.Providers.Http;
using OpenAI;
using OpenAI.Chat;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;
using ChatMessage = EditorAssist.Core.Providers.ChatMessage;

namespace EditorAssist.Providers.OpenAi;

/// <summary>
/// OpenAI and every OpenAI-compatible server (LM Studio, llama-server, vLLM, OpenRouter, Groq, Together,
/// Mistral, DeepSeek, Gemini's compatibility endpoint, xAI…) through the official <c>OpenAI</c> SDK with
/// a custom endpoint. Streaming asks for the usage chunk (the SDK sets <c>stream_options.include_usage</c>).
/// Model discovery reads <c>GET {base}/models</c> directly, to keep fields some servers add
/// (context_length, max_model_len).
/// </summary>
public class OpenAiCompatibleProvider(ProviderDescriptor descriptor, ProviderHttp http) : RemoteProvider(descriptor, http), IFimProvider
{
    /// <inheritdoc/>
    public bool SupportsFim => Descriptor.FimStyle is not null;

    /// <summary>
    /// Fill-in-the-middle over the preset's FIM endpoint (<see cref="ProviderDescriptor.FimStyle"/>, one of
    /// <see cref="FimStyles"/>), as one non-streamed JSON request through the same per-call client as chat
    /// (retries, timeouts, proxy rules) and the same error mapping, plus 1017 when the server refuses FIM
    /// (<see cref="ProviderErrors.MapFim"/>). Plain HTTP: the OpenAI SDK has no legacy-completions client.
    /// </summary>
    public async Task<FimResult> CompleteFimAsync(ProviderContext context, FimRequest request, CancellationToken cancellationToken)
    {
        var style = Descriptor.FimStyle ?? throw ProviderErrors.FimNotSupported(Descriptor);
        RequireKey(context);
        var body = FimBody(style, request);
        using var call = Http.Create(context);
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(BaseUri(context), Descriptor.FimPath ?? "completions"))
            {
                Content = new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } },
            };
            Authorize(message.Headers, context);
            using var response = await call.Client.SendAsync(message, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) throw new HttpRequestException($"HTTP {(int)response.StatusCode}", null, response.StatusCode);
            using var doc = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), default, cancellationToken).ConfigureAwait(false);
            return ReadFimAnswer(style, doc.RootElement);
        }
        catch (Exception ex) when (ex is not EditorAssistException && !cancellationToken.IsCancellationRequested)
        {
            throw ProviderErrors.MapFim(context, ex, call.State);
        }
    }

    /// <summary>The request body of each FIM style (field names are each server's own).</summary>
    private static byte[] FimBody(string style, FimRequest request)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            switch (style)
            {
                case FimStyles.LlamaCppInfill:
                    w.WriteString("input_prefix", request.Prefix);
                    w.WriteString("input_suffix", request.Suffix);
                    if (request.MaxTokens is { } n) w.WriteNumber("n_predict", n);
                    if (request.Temperature is { } t) w.WriteNumber("temperature", t);
                    WriteStop(w, request.Stop);
                    w.WriteBoolean("stream", false);
                    break;
                case FimStyles.OllamaGenerate:
                    w.WriteString("model", request.Model);
                    w.WriteString("prompt", request.Prefix);
                    w.WriteString("suffix", request.Suffix);
                    w.WriteBoolean("stream", false);
                    // The model's template places prefix and suffix around its FIM tokens.
                    w.WriteBoolean("raw", false);
                    w.WriteStartObject("options");
                    if (request.Temperature is { } ot) w.WriteNumber("temperature", ot);
                    if (request.MaxTokens is { } on) w.WriteNumber("num_predict", on);
                    WriteStop(w, request.Stop);
                    w.WriteEndObject();
                    break;
                default:
                    // suffixCompletions and fimCompletions share the request; only the answer differs.
                    w.WriteString("model", request.Model);
                    w.WriteString("prompt", request.Prefix);
                    w.WriteString("suffix", request.Suffix);
                    if (request.MaxTokens is { } m) w.WriteNumber("max_tokens", m);
                    if (request.Temperature is { } mt) w.WriteNumber("temperature", mt);
                    w.WriteBoolean("stream", false);
                    WriteStop(w, request.Stop);
                    break;
            }
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static void WriteStop(Utf8JsonWriter w, IReadOnlyList<string>? stop)
    {
        if (stop is not { Count: > 0 }) return;
        w.WriteStartArray("stop");
        foreach (var s in stop) w.WriteStringValue(s);
        w.WriteEndArray();
    }

    /// <summary>The generated text and token counts of each FIM style's answer.</summary>
    private static FimResult ReadFimAnswer(string style, JsonElement root)
    {
        switch (style)
        {
            case FimStyles.LlamaCppInfill:
                return new FimResult(root.GetProperty("content").GetString() ?? "",
                    ReadInt(root, "tokens_evaluated") is { } pe ? new ChatUsage(pe, ReadInt(root, "tokens_predicted") ?? 0) : null);
            case FimStyles.OllamaGenerate:
                return new FimResult(root.GetProperty("response").GetString() ?? "",
                    ReadInt(root, "prompt_eval_count") is { } oe ? new ChatUsage(oe, ReadInt(root, "eval_count") ?? 0) : null);
            default:
                var choice = root.GetProperty("choices")[0];
                var text = choice.TryGetProperty("text", out var t) ? t.GetString() ?? ""
                    : choice.GetProperty("message").GetProperty("content").GetString() ?? "";
                ChatUsage? usage = null;
                if (root.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object)
                    usage = new ChatUsage(ReadInt(u, "prompt_tokens") ?? 0, ReadInt(u, "completion_tokens") ?? 0);
                return new FimResult(text, usage);
        }
    }

    public override async Task<IReadOnlyList<ModelInfo>> ListModelsAsync(ProviderContext context, CancellationToken cancellationToken)
    {
        RequireKey(context);
        using var doc = await GetJsonAsync(context, "models", h => Authorize(h, context), cancellationToken).ConfigureAwait(false);
        var list = new List<ModelInfo>();
        if (doc.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
        {
            foreach (var m in data.EnumerateArray())
            {
                if (!m.TryGetProperty("id", out var id) || id.GetString() is not { Length: > 0 } modelId) continue;
                list.Add(new ModelInfo
                {
                    Id = modelId,
                    DisplayName = m.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null,
                    ContextLength = ReadInt(m, "context_length", "max_model_len", "context_window", "max_context_length"),
                    Pricing = Descriptor.PricingFor(modelId),
                    Roles = Descriptor.Models.FirstOrDefault(p => p.Id == modelId)?.Roles ?? ["chat"],
                });
            }
        }
        return list;
    }

    protected override async IAsyncEnumerable<ChatChunk> StreamCoreAsync(ProviderContext context, ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var call = Http.Create(context);
        var client = CreateChatClient(context, request.Model, call.Client);
        var messages = request.Messages.Select(ToSdk).ToList();
        var options = ToSdk(request.Params, Descriptor.MaxTokensField);
        AddTools(options, request);

        string? finish = null, model = null;
        ChatUsage? usage = null;
        var calls = new OpenAiToolCallAssembler();
        // A server without a reasoning parser (older Ollama, llama-server without --reasoning-format,
        // LM Studio) leaves a reasoning model's <think>…</think> span in the content: split it out
        // the way the local runtime does. Only a span at the very start counts.
        var inlineThinking = new ThinkSplitter();
        await foreach (var update in Pump(context, call.State, ct => client.CompleteChatStreamingAsync(messages, options, ct), cancellationToken).ConfigureAwait(false))
        {
            model ??= update.Model;
            if (ReasoningOf(update) is { Length: > 0 } thought) yield return ChatChunk.Thought(thought);
            foreach (var part in update.ContentUpdate)
            {
                if (string.IsNullOrEmpty(part.Text)) continue;
                var (inlineThought, text) = inlineThinking.Push(part.Text);
                if (inlineThought.Length > 0) yield return ChatChunk.Thought(inlineThought);
                if (text.Length > 0) yield return ChatChunk.Text(text);
            }
            foreach (var t in update.ToolCallUpdates)
                calls.Add(t.Index, t.ToolCallId, t.FunctionName, t.FunctionArgumentsUpdate?.ToString());
            if (update.FinishReason is { } fr)
                finish = fr switch
                {
                    ChatFinishReason.Length => FinishReasons.Length,
                    ChatFinishReason.ToolCalls => FinishReasons.ToolCalls,
                    _ => FinishReasons.Stop,
                };
            if (update.Usage is { } u)
                usage = new ChatUsage(u.InputTokenCount, u.OutputTokenCount, u.InputTokenDetails?.CachedTokenCount ?? 0);
        }
        var (heldThought, heldText) = inlineThinking.Flush();
        if (heldThought.Length > 0) yield return ChatChunk.Thought(heldThought);
        if (heldText.Length > 0) yield return ChatChunk.Text(heldText);
        // Calls are reported once the stream ended: their arguments arrive in fragments until then.
        foreach (var c in calls.Complete()) yield return ChatChunk.Call(c);
        yield return ChatChunk.Done(new ChatFinal { FinishReason = finish ?? FinishReasons.Stop, Usage = usage, Model = model });
    }

    /// <summary>
    /// The thinking in a streamed delta: <c>reasoning_content</c> (DeepSeek, vLLM, llama-server, LM Studio)
    /// or <c>reasoning</c> (OpenRouter, Ollama's /v1, vLLM's newer name). The SDK has no property for
    /// either; it keeps fields it does not know in the update's JSON patch.
    /// </summary>
    internal static string? ReasoningOf(StreamingChatCompletionUpdate update)
    {
#pragma warning disable SCME0001 // JsonPatch is marked experimental; it reads two documented wire fields.
        if (update.Patch.TryGetValue("$.choices[0].delta.reasoning_content"u8, out string? content) && !string.IsNullOrEmpty(content)) return content;
        if (update.Patch.TryGetValue("$.choices[0].delta.reasoning"u8, out string? reasoning) && !string.IsNullOrEmpty(reasoning)) return reasoning;
#pragma warning restore SCME0001
        return null;
    }

    protected virtual ChatClient CreateChatClient(ProviderContext context, string model, HttpClient httpClient) =>
        new(model, new ApiKeyCredential(context.ApiKey ?? "no-key"), ClientOptions(BaseUri(context), httpClient));

    /// <summary>The SDK options every OpenAI-format client here uses: our HTTP client, no SDK retries.</summary>
    protected static OpenAIClientOptions ClientOptions(Uri endpoint, HttpClient httpClient) =>
        new()
        {
            Endpoint = endpoint,
            Transport = new HttpClientPipelineTransport(httpClient),
            // Retries happen once, below, in ResilienceHandler (same rules for every provider).
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            // The SDK applies this to each read of a streamed body; our own idle timeout is the real bound.
            NetworkTimeout = TimeSpan.FromMinutes(10),
        };

    protected static void Authorize(System.Net.Http.Headers.HttpRequestHeaders headers, ProviderContext context)
    {
        if (context.ApiKey is { } key) headers.Authorization = new("Bearer", key);
    }

    private static OpenAI.Chat.ChatMessage ToSdk(ChatMessage m) => m.Role switch
    {
        "system" => new SystemChatMessage(m.Content),
        "assistant" when m.ToolCalls is { Count: > 0 } calls => AssistantWithCalls(m.Content, calls),
        "assistant" => new AssistantChatMessage(m.Content),
        "tool" => new ToolChatMessage(m.ToolCallId ?? "", m.Content),
        _ => new UserChatMessage(m.Content),
    };

    private static AssistantChatMessage AssistantWithCalls(string content, IReadOnlyList<ToolCallRequest> calls)
    {
        var message = new AssistantChatMessage(calls.Select(c =>
            ChatToolCall.CreateFunctionToolCall(c.Id, c.Name, BinaryData.FromString(string.IsNullOrWhiteSpace(c.ArgumentsJson) ? "{}" : c.ArgumentsJson))));
        if (content.Length > 0) message.Content.Add(ChatMessageContentPart.CreateTextPart(content));
        return message;
    }

    /// <summary>The request's tools as OpenAI function tools, and the tool choice (none sends no tools at all).</summary>
    private static void AddTools(ChatCompletionOptions options, ChatRequest request)
    {
        if (request.Tools.Count == 0 || request.ToolChoice.IsNone) return;
        foreach (var t in request.Tools)
            options.Tools.Add(ChatTool.CreateFunctionTool(t.Name, t.Description, BinaryData.FromString(t.ParametersJson)));
        options.ToolChoice = request.ToolChoice.Name is { } name ? ChatToolChoice.CreateFunctionChoice(name) : ChatToolChoice.CreateAutoChoice();
    }

    private static ChatCompletionOptions ToSdk(ChatParams p, string maxTokensField)
    {
        var o = new ChatCompletionOptions
        {
            Temperature = (float?)p.Temperature,
            TopP = (float?)p.TopP,
        };
        if (p.MaxTokens is { } max)
        {
            if (maxTokensField == "max_completion_tokens") o.MaxOutputTokenCount = max;
            else
            {
#pragma warning disable SCME0001 // JsonPatch is marked experimental; it writes one documented wire field.
                o.Patch.Set("$.max_tokens"u8, max);
#pragma warning restore SCME0001
            }
        }
#pragma warning disable OPENAI001 // Seed is marked experimental in the SDK; the wire field is stable.
        o.Seed = p.Seed;
#pragma warning restore OPENAI001
        if (p.Stop is { } stop) foreach (var s in stop) o.StopSequences.Add(s);
        if (p.JsonSchema is { } schema)
            o.ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("response", BinaryData.FromString(schema));
        else if (p.ResponseFormat == "json")
            o.ResponseFormat = ChatResponseFormat.CreateJsonObjectFormat();
        return o;
    }
}
