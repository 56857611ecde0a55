using System.ClientModel;
using System.ClientModel.Primitives;
using System.Runtime.CompilerServices;
using System.Text.Json;
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
public class OpenAiCompatibleProvider(ProviderDescriptor descriptor, ProviderHttp http) : RemoteProvider(descriptor, http)
{
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

    public override IAsyncEnumerable<ChatChunk> StreamChatAsync(ProviderContext context, ChatRequest request, CancellationToken cancellationToken)
    {
        RequireKey(context);
        return Stream(context, request, cancellationToken);
    }

    private async IAsyncEnumerable<ChatChunk> Stream(ProviderContext context, ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
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

    private static void Authorize(System.Net.Http.Headers.HttpRequestHeaders headers, ProviderContext context)
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
