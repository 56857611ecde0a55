using System.ClientModel;
using System.ClientModel.Primitives;
using System.Runtime.CompilerServices;
using System.Text.Json;
using EditorAssist.Core.Errors;
using EditorAssist.Core.Providers.Http;
using OpenAI;
using OpenAI.Chat;

namespace EditorAssist.Core.Providers.OpenAi;

/// <summary>
/// OpenAI and every OpenAI-compatible server (LM Studio, llama-server, vLLM, OpenRouter, Groq, Together,
/// Mistral, DeepSeek, Gemini's compatibility endpoint, xAI…) through the official <c>OpenAI</c> SDK with
/// a custom endpoint. Streaming asks for the usage chunk (the SDK sets <c>stream_options.include_usage</c>).
/// Model discovery reads <c>GET {base}/models</c> directly, to keep fields some servers add
/// (context_length, max_model_len).
/// </summary>
public class OpenAiCompatibleProvider(ProviderDescriptor descriptor, ProviderHttp http) : RemoteProvider(descriptor, http), IFimProvider
{
    /// <summary>
    /// Fill-in-the-middle over the preset's FIM endpoint (<see cref="ProviderDescriptor.FimStyle"/>); one
    /// non-streamed request, same retries and error mapping as chat.
    /// </summary>
    public async Task<FimResult> CompleteFimAsync(ProviderContext context, FimRequest request, CancellationToken cancellationToken)
    {
        var style = Descriptor.FimStyle
                    ?? throw new EditorAssistException(ErrorCode.ModelNotFound, $"{Descriptor.DisplayName} has no fill-in-the-middle endpoint.");
        RequireKey(context);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (style == "llamacppInfill")
            {
                w.WriteString("input_prefix", request.Prefix);
                w.WriteString("input_suffix", request.Suffix);
                if (request.MaxTokens is { } n) w.WriteNumber("n_predict", n);
            }
            else
            {
                w.WriteString("model", request.Model);
                w.WriteString("prompt", request.Prefix);
                w.WriteString("suffix", request.Suffix);
                if (request.MaxTokens is { } n) w.WriteNumber("max_tokens", n);
            }
            w.WriteBoolean("stream", false);
            w.WriteEndObject();
        }
        using var call = Http.Create(context);
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(BaseUri(context), Descriptor.FimPath ?? "fim/completions"))
            {
                Content = new ByteArrayContent(buffer.ToArray()) { Headers = { ContentType = new("application/json") } },
            };
            Authorize(message.Headers, context);
            using var response = await call.Client.SendAsync(message, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) throw new HttpRequestException($"HTTP {(int)response.StatusCode}", null, response.StatusCode);
            using var doc = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), default, cancellationToken).ConfigureAwait(false);
            var root = doc.RootElement;
            string text;
            ChatUsage? usage = null;
            if (style == "llamacppInfill")
            {
                text = root.GetProperty("content").GetString() ?? "";
                if (ReadInt(root, "tokens_evaluated") is { } pe) usage = new ChatUsage(pe, ReadInt(root, "tokens_predicted") ?? 0);
            }
            else
            {
                var choice = root.GetProperty("choices")[0];
                text = choice.TryGetProperty("text", out var t) ? t.GetString() ?? ""
                    : choice.GetProperty("message").GetProperty("content").GetString() ?? "";
                if (root.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object)
                    usage = new ChatUsage(ReadInt(u, "prompt_tokens") ?? 0, ReadInt(u, "completion_tokens") ?? 0);
            }
            return new FimResult(text, usage);
        }
        catch (Exception ex) when (ex is not EditorAssistException && !cancellationToken.IsCancellationRequested)
        {
            throw ProviderErrors.Map(context, ex, call.State);
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

        string? finish = null, model = null;
        ChatUsage? usage = null;
        await foreach (var update in Pump(context, call.State, ct => client.CompleteChatStreamingAsync(messages, options, ct), cancellationToken).ConfigureAwait(false))
        {
            model ??= update.Model;
            foreach (var part in update.ContentUpdate)
            {
                if (!string.IsNullOrEmpty(part.Text)) yield return ChatChunk.Text(part.Text);
            }
            if (update.FinishReason is { } fr) finish = fr == ChatFinishReason.Length ? FinishReasons.Length : FinishReasons.Stop;
            if (update.Usage is { } u)
                usage = new ChatUsage(u.InputTokenCount, u.OutputTokenCount, u.InputTokenDetails?.CachedTokenCount ?? 0);
        }
        yield return ChatChunk.Done(new ChatFinal { FinishReason = finish ?? FinishReasons.Stop, Usage = usage, Model = model });
    }

    protected ChatClient CreateChatClient(ProviderContext context, string model, HttpClient httpClient) =>
        new(model, new ApiKeyCredential(context.ApiKey ?? "no-key"), new OpenAIClientOptions
        {
            Endpoint = BaseUri(context),
            Transport = new HttpClientPipelineTransport(httpClient),
            // Retries happen once, below, in ResilienceHandler (same rules for every provider).
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            // The SDK applies this to each read of a streamed body; our own idle timeout is the real bound.
            NetworkTimeout = TimeSpan.FromMinutes(10),
        });

    protected static void Authorize(System.Net.Http.Headers.HttpRequestHeaders headers, ProviderContext context)
    {
        if (context.ApiKey is { } key) headers.Authorization = new("Bearer", key);
    }

    private static OpenAI.Chat.ChatMessage ToSdk(ChatMessage m) => m.Role switch
    {
        "system" => new SystemChatMessage(m.Content),
        "assistant" => new AssistantChatMessage(m.Content),
        _ => new UserChatMessage(m.Content),
    };

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
