using System.Text.Json;
using EditorAssist.Core.Chat;
using EditorAssist.Storage;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;
using EditorAssist.Core.Routing;
using EditorAssist.Providers.Routing;
using EditorAssist.Core.Tools;
using EditorAssist.Rpc;
using EditorAssist.Server.Hosting;
using EditorAssist.Server.Protocol;

namespace EditorAssist.Server.Handlers;

/// <summary>
/// <c>chat/send</c> (streamed as <c>chat/delta</c> notifications before the response) and the history
/// methods. Routing, local-only enforcement and fallback live in <see cref="ChatRouter"/>;
/// <c>$/cancelRequest</c> cancels the token, which closes the upstream stream.
/// </summary>
internal sealed class ChatModule(SessionScope scope) : IRpcModule
{
    // Session services: built on the first chat call, never before initialize.
    private ChatRouter Router => scope.Get<ChatRouter>();
    private ChatHistory History => scope.Get<ChatHistory>();

    /// <summary>
    /// The settings key holding the chat model the user chose (the extension writes it): kept in the
    /// sidecar's store, it is shared by every window and browser on this machine and survives a
    /// reload, which VS Code's per-browser extension state does not in code-server.
    /// </summary>
    public const string ChatModelSetting = Core.Settings.SettingKeys.ChatModel;

    /// <summary>A request without a model asks the chosen one, if any; else the router picks by policy.</summary>
    private static string? ChosenModel(SidecarSession session) =>
        session.Store.Settings.Typed.ChatModel;

    public IEnumerable<string> Methods =>
        [Protocol.Methods.ChatSend, Protocol.Methods.ChatSessions, Protocol.Methods.ChatSession, Protocol.Methods.ChatDeleteSession];

    public void Register(JsonRpcConnection connection, SidecarSession session)
    {
        var json = ProvidersProtocolJson.Default;

        connection.AddRequestHandler(Protocol.Methods.ChatSend, () => json.ChatSendParams, () => json.ChatSendResultDto, async (p, _, ct) =>
        {
            if (string.IsNullOrEmpty(p.StreamId)) throw Invalid("streamId is required.");
            if (p.Messages is not { Count: > 0 }) throw Invalid("messages must not be empty.");
            if (p.Messages.Any(m => m.Role is not ("system" or "user" or "assistant" or "tool"))) throw Invalid("a message role must be system, user, assistant or tool.");
            var request = new ChatSendRequest
            {
                Tools = ChatToolsWire.ToTurn(p, connection, scope.Get<EditorAssist.Providers.Mcp.McpManager>()),
                SessionId = p.SessionId,
                Model = string.IsNullOrEmpty(p.Model) ? ChosenModel(session) : p.Model,
                Messages = ChatToolsWire.ToMessages(p.Messages),
                Params = ToParams(p.Params),
                SaveHistory = p.SaveHistory ?? true,
            };
            var streamId = p.StreamId;
            ChatSendResult result;
            try
            {
                result = await Router.SendAsync(request,
                    delta => connection.Notify(Protocol.Methods.ChatDelta, new ChatDeltaDto(streamId, delta), json.ChatDeltaDto), ct,
                    reasoning => connection.Notify(Protocol.Methods.ChatDelta, new ChatDeltaDto(streamId, "", reasoning), json.ChatDeltaDto)).ConfigureAwait(false);
            }
            catch (ArgumentException ex)
            {
                throw Invalid(ex.Message);
            }
            return new ChatSendResultDto
            {
                SessionId = result.SessionId,
                Content = result.Content,
                FinishReason = result.FinishReason,
                Usage = ProviderWire.Usage(result.Usage),
                Timings = new TimingsDto(result.Timings.TtftMs, result.Timings.TotalMs, result.Timings.TokensPerSecond),
                Model = result.Model,
                Privacy = ProviderWire.Privacy(result.Privacy),
                Cost = result.Cost is { } c ? new CostDto(c.Usd, c.Approximate, c.PricingAsOf) : null,
                FellBackFrom = result.FellBackFrom.Count == 0 ? null : result.FellBackFrom.Select(s => new FallbackDto(s.ProviderId, s.Code, s.Reason)).ToList(),
                ToolCalls = result.ToolCalls.Count == 0 ? null : result.ToolCalls.Select(ChatToolsWire.ToDto).ToList(),
                Steps = result.Steps,
                PendingToolCalls = result.PendingToolCalls.Count == 0 ? null : result.PendingToolCalls.Select(c => new PendingToolCallDto(c.Id, c.Name, ChatToolsWire.Arguments(c.ArgumentsJson))).ToList(),
                TrimmedMessages = result.TrimmedMessages == 0 ? null : result.TrimmedMessages,
                ContextLength = result.TrimmedMessages == 0 ? null : result.ContextLength,
                Reasoning = result.Reasoning.Length == 0 ? null : result.Reasoning,
            };
        });

        connection.AddRequestHandler(Protocol.Methods.ChatSessions, () => json.ListChatSessionDto, (_, _) =>
            ValueTask.FromResult(History.List().Select(ToDto).ToList()));

        connection.AddRequestHandler(Protocol.Methods.ChatSession, () => json.ChatSessionIdParams, () => json.ChatSessionResult, (p, _, _) =>
        {
            var found = History.Get(p.SessionId)
                        ?? throw new RpcException(ErrorCodes.InvalidParams, $"There is no chat session '{p.SessionId}'.");
            return ValueTask.FromResult(new ChatSessionResult(ToDto(found.Session), found.Messages.Select(m =>
                new StoredMessageDto(m.Seq, m.Role, m.Content, m.Model, m.FinishReason, m.Usage is null ? null : ProviderWire.Usage(m.Usage), m.CreatedAt)
                {
                    Reasoning = m.Reasoning,
                    ToolCalls = m.ToolCalls is { Count: > 0 } calls ? calls.Select(ChatToolsWire.ToDto).ToList() : null,
                }).ToList()));
        });

        connection.AddRequestHandler(Protocol.Methods.ChatDeleteSession, () => json.ChatSessionIdParams, () => json.DeletedResult, (p, _, _) =>
            ValueTask.FromResult(new DeletedResult(History.Delete(p.SessionId))));
    }

    private static ChatSessionDto ToDto(ChatSessionSummary s) => new(s.Id, s.Title, s.Model, s.CreatedAt, s.UpdatedAt, s.MessageCount);

    private static RpcException Invalid(string message) => new(ErrorCodes.InvalidParams, $"Invalid params for '{Protocol.Methods.ChatSend}': {message}");

    private static ChatParams ToParams(ChatParamsDto? p)
    {
        if (p is null) return new ChatParams();
        string? format = null, schema = null;
        if (p.ResponseFormat is { } rf)
        {
            if (rf.ValueKind == JsonValueKind.String) format = rf.GetString();
            else if (rf.ValueKind == JsonValueKind.Object && rf.TryGetProperty("jsonSchema", out var s))
            {
                format = "jsonSchema";
                schema = s.GetRawText();
            }
            else if (rf.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)) throw Invalid("responseFormat must be \"text\", \"json\" or {jsonSchema}.");
        }
        return new ChatParams
        {
            Temperature = p.Temperature,
            TopP = p.TopP,
            TopK = p.TopK,
            MinP = p.MinP,
            MaxTokens = p.MaxTokens,
            Seed = p.Seed,
            Stop = p.Stop,
            ResponseFormat = format,
            JsonSchema = schema,
            Thinking = p.Thinking,
            ReasoningBudget = p.ReasoningBudget is int rb && rb < EditorAssist.Storage.ModelParamsRules.MinReasoningBudget
                ? throw Invalid($"params.reasoningBudget must be at least {EditorAssist.Storage.ModelParamsRules.MinReasoningBudget} tokens.") : p.ReasoningBudget,
        };
    }
}
