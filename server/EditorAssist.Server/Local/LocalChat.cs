using System.Text.Json;
using EditorAssist.Core.Errors;
using EditorAssist.Llama;
using EditorAssist.Server.Hosting;
using EditorAssist.Server.Protocol;

namespace EditorAssist.Server.Local;

/// <summary>
/// <c>chat/send</c> on the local runtime: picks the model (the request's, else the
/// <c>chat.model</c> setting, else the only loaded one), loads it on demand, maps the protocol's
/// sampling params, and streams deltas. Privacy is always <c>onDevice</c>.
/// </summary>
public sealed class LocalChat(LocalRuntimeHost local, StoreHolder storage)
{
    public async Task<ChatSendResult> SendAsync(ChatSendParams p, Action<string> onDelta, CancellationToken ct)
    {
        if (p.Messages.Count == 0) throw new Rpc.RpcException(Rpc.ErrorCodes.InvalidParams, "Invalid params for 'chat/send': messages must not be empty.");
        var modelRef = p.Model ?? DefaultModel();
        var path = local.Resolve(modelRef);
        if (local.Models.Get(modelRef) is null)
            await local.Models.LoadAsync(modelRef, path, new LocalModelOptions(), null, ct).ConfigureAwait(false);

        var request = new GenerationRequest
        {
            Messages = p.Messages.Select(m => new ChatMessage(m.Role, m.Content)).ToList(),
            Options = MapOptions(p.Params),
        };
        var result = await local.Models.GenerateAsync(modelRef, request, onDelta, ct).ConfigureAwait(false);
        return new ChatSendResult(
            p.SessionId ?? Guid.NewGuid().ToString("N"),
            result.Text,
            result.FinishReason.ToString().ToLowerInvariant(),
            new ChatUsageDto(result.Usage.PromptTokens, result.Usage.CompletionTokens, result.Usage.CachedTokens),
            new ChatTimingsDto(Math.Round(result.Timings.TtftMs, 2), Math.Round(result.Timings.TotalMs, 2), Math.Round(result.Timings.TokensPerSecond, 2)),
            modelRef,
            "onDevice");
    }

    private string DefaultModel()
    {
        if (storage.Store is not null && storage.Settings.Get("chat.model") is { ValueKind: JsonValueKind.String } s && s.GetString() is { Length: > 0 } fromSettings)
            return fromSettings;
        var loaded = local.Models.LoadedKeys;
        if (loaded.Count == 1) return loaded[0];
        throw new EditorAssistException(ErrorCode.ModelNotFound,
            loaded.Count == 0 ? "No model selected: choose a model (EditorAssist: Select Model) or load one." : "Several models are loaded: say which one to use.");
    }

    internal static GenerationOptions MapOptions(ChatParamsDto? p)
    {
        var o = new GenerationOptions();
        if (p is null) return o;
        if (p.Temperature is float t) o = o with { Temperature = t };
        if (p.TopP is float tp) o = o with { TopP = tp };
        if (p.TopK is int tk) o = o with { TopK = tk };
        if (p.MinP is float mp) o = o with { MinP = mp };
        if (p.RepeatPenalty is float rp) o = o with { RepeatPenalty = rp };
        if (p.MaxTokens is int mt) o = o with { MaxTokens = mt };
        if (p.Seed is uint seed) o = o with { Seed = seed };
        if (p.Stop is { Count: > 0 } stop) o = o with { Stop = stop };
        switch (p.ResponseFormat)
        {
            case null:
            case { ValueKind: JsonValueKind.Null }:
                break;
            case { ValueKind: JsonValueKind.String } f when f.ValueEquals("text"):
                break;
            case { ValueKind: JsonValueKind.String } f when f.ValueEquals("json"):
                o = o with { ResponseFormat = ResponseFormatKind.Json };
                break;
            case { ValueKind: JsonValueKind.Object } f when f.TryGetProperty("jsonSchema", out var schema):
                o = o with { ResponseFormat = ResponseFormatKind.JsonSchema, JsonSchema = schema.GetRawText() };
                break;
            default:
                throw new Rpc.RpcException(Rpc.ErrorCodes.InvalidParams, "Invalid params for 'chat/send': responseFormat must be \"text\", \"json\" or {\"jsonSchema\": {...}}.");
        }
        return o;
    }
}
