using System.Text.Json;
using System.Text.Json.Serialization;

// The wire shapes of providers/*, models/list, router/*, chat/* (PROTOCOL.md "System and providers",
// "Chat and completion"). Kept beside Protocol.cs with its own source-generated context so that the
// provider work merges without touching the shared DTO list. Enum-like fields are strings on the wire.
namespace EditorAssist.Server.Protocol;

public sealed record ProviderCapabilitiesDto(bool Chat, bool Fim, bool Tools, bool Json);

public sealed record ProviderDto
{
    public required string Id { get; init; }
    public required string DisplayName { get; init; }
    /// <summary>local | remote</summary>
    public required string Kind { get; init; }
    /// <summary>onDevice | loopback | cloud, from the configured base URL.</summary>
    public required string Privacy { get; init; }
    public bool RequiresApiKey { get; init; }
    public bool HasApiKey { get; init; }
    public string? BaseUrl { get; init; }
    public string? DefaultBaseUrl { get; init; }
    public string? ApiKeyUrl { get; init; }
    /// <summary>readily | afterDownload | no | unknown</summary>
    public required string Availability { get; init; }
    public string? Reason { get; init; }
    public required ProviderCapabilitiesDto Capabilities { get; init; }
    public ProviderOptionsDto? Options { get; init; }
}

public sealed record ProviderOptionsDto
{
    public string? DefaultModel { get; init; }
    public int? RequestTimeoutMs { get; init; }
    public int? StreamIdleTimeoutMs { get; init; }
    public int? MaxRetries { get; init; }
    public bool? Enabled { get; init; }
}

public sealed record ProvidersListParams
{
    /// <summary>Also probe cloud providers (network). Local and loopback providers are always probed.</summary>
    public bool Check { get; init; }
}

public sealed record SetApiKeyParams
{
    public required string ProviderId { get; init; }
    public string? ApiKey { get; init; }
}

public sealed record ConfigureProviderParams
{
    public required string ProviderId { get; init; }
    /// <summary>null keeps the current URL; "" resets it to the preset's default.</summary>
    public string? BaseUrl { get; init; }
    public ProviderOptionsDto? Options { get; init; }
}

public sealed record ProviderIdParams
{
    public required string ProviderId { get; init; }
}

/// <summary><c>providers/pullModel</c> / <c>providers/deleteModel</c>: a model on a server that manages its own (Ollama).</summary>
public sealed record ProviderModelParams
{
    public required string ProviderId { get; init; }
    public required string Model { get; init; }
}

public sealed record PulledModelDto(string Ref);

public sealed record CheckResultDto(string Availability, string? Reason, long? LatencyMs);

public sealed record ProviderChangedDto(string ProviderId);

public sealed record PricingDto(double Input, double Output, double? CachedInput, string? AsOf, bool Approximate);

public sealed record LocalModelDto(string Path, long SizeBytes, string? Quant, DateTimeOffset? LastUsed, bool Loaded);

public sealed record ModelDto
{
    public required string Ref { get; init; }
    public required string ProviderId { get; init; }
    public required string Id { get; init; }
    public required string DisplayName { get; init; }
    public int? ContextLength { get; init; }
    public required IReadOnlyList<string> Roles { get; init; }
    public LocalModelDto? Local { get; init; }
    /// <summary>A model of the editor (provider <c>host</c>): its vendor and family (HostProtocol.cs).</summary>
    public HostModelInfoDto? Host { get; init; }
    public PricingDto? Pricing { get; init; }
    /// <summary>api | cache | fallback, for this model's provider.</summary>
    public required string Source { get; init; }
    /// <summary>The model's stored settings (<c>models/configure</c>); absent when it has none.</summary>
    public ModelParamsDto? Params { get; init; }
}

public sealed record ModelsListParams
{
    public string? ProviderId { get; init; }
    public bool Refresh { get; init; }
}

public sealed record ProviderErrorDto(string ProviderId, string Message);

public sealed record ModelsListResult
{
    public required IReadOnlyList<ModelDto> Models { get; init; }
    /// <summary>api | cache | fallback; for several providers, the least fresh of them.</summary>
    public required string Source { get; init; }
    public IReadOnlyList<ProviderErrorDto>? Errors { get; init; }
}

public sealed record RouterDto
{
    /// <summary>preferLocal | cloudFirst | localOnly</summary>
    public string? Strategy { get; init; }
    public bool? Fallback { get; init; }
    public IReadOnlyList<string>? Order { get; init; }
}

public sealed record ChatMessageDto(string Role, string Content)
{
    /// <summary>Assistant messages (addition): the tool calls the model made in that turn, as a caller that runs its own tools hands them back.</summary>
    public IReadOnlyList<PendingToolCallDto>? ToolCalls { get; init; }
    /// <summary>Role "tool" (addition): the call this result answers.</summary>
    public string? ToolCallId { get; init; }
    /// <summary>Role "tool" (addition): the result is an error.</summary>
    public bool? IsError { get; init; }
}

/// <summary>A tool call the model made and the caller runs (<c>runTools: false</c>); also how the caller hands it back in history.</summary>
public sealed record PendingToolCallDto(string Id, string Name, JsonElement Arguments);

public sealed record ChatParamsDto
{
    public double? Temperature { get; init; }
    public double? TopP { get; init; }
    public int? TopK { get; init; }
    public double? MinP { get; init; }
    public int? MaxTokens { get; init; }
    public long? Seed { get; init; }
    public IReadOnlyList<string>? Stop { get; init; }
    /// <summary>"text" | "json" | {jsonSchema: {...}}</summary>
    public JsonElement? ResponseFormat { get; init; }
    /// <summary>Addition (issue 16): ask for the model's thinking where the API needs asking (Anthropic).</summary>
    public bool? Thinking { get; init; }
    /// <summary>Addition (issue 16): tokens the model may think (at least 1024).</summary>
    public int? ReasoningBudget { get; init; }
}

public sealed record ChatSendParams
{
    public required string StreamId { get; init; }
    public string? SessionId { get; init; }
    public string? Model { get; init; }
    public required IReadOnlyList<ChatMessageDto> Messages { get; init; }
    public ChatParamsDto? Params { get; init; }
    /// <summary>Tools the model may call (agent mode); each runs in the client through <c>chat/toolCall</c>.</summary>
    public IReadOnlyList<ToolDefinitionDto>? Tools { get; init; }
    /// <summary>"auto" | "none" | {name}</summary>
    public JsonElement? ToolChoice { get; init; }
    /// <summary>Model calls allowed in this turn (addition; default 20, at most 100).</summary>
    public int? MaxSteps { get; init; }
    /// <summary>Addition: false = the model's tool calls are returned (<c>pendingToolCalls</c>) instead of run; the caller runs them and sends the results in the next request's history.</summary>
    public bool? RunTools { get; init; }
    /// <summary>Addition: false = the turn is not stored in the chat history (a caller with its own history, e.g. VS Code's chat).</summary>
    public bool? SaveHistory { get; init; }
    /// <summary>
    /// Addition (issue 14): offer the tools of the ready MCP servers too. Default: true when <see cref="Tools"/> are given
    /// (agent mode) and the sidecar runs them; false never offers them.
    /// </summary>
    public bool? McpTools { get; init; }
}

public sealed record ToolDefinitionDto
{
    public required string Name { get; init; }
    public string? Description { get; init; }
    /// <summary>JSON Schema of the arguments (an object schema).</summary>
    public JsonElement? Parameters { get; init; }
}

/// <summary>One call of a turn. <see cref="Arguments"/> is the parsed object, or the model's text when it did not parse.</summary>
public sealed record ToolCallDto(string Id, string Name, JsonElement Arguments, string Result, bool IsError);

/// <summary>Server → client request: run a client-side tool.</summary>
public sealed record ToolCallParams(string StreamId, string CallId, string Name, JsonElement Arguments);

public sealed record ToolCallResultDto
{
    public string? Content { get; init; }
    public bool? IsError { get; init; }
    /// <summary>Addition: the user refused the call (status "denied"); content "denied by the user" means the same.</summary>
    public bool? Denied { get; init; }
}

/// <summary>Server → client notification: a tool call changed state.</summary>
public sealed record ToolStatusDto(string StreamId, string CallId, string Name, string State, JsonElement? Arguments, string? Result);

/// <summary>
/// A piece of the answer (<see cref="Delta"/>) or of the model's thinking (<see cref="Reasoning"/>, then
/// <see cref="Delta"/> is "": clients that only append deltas keep working).
/// </summary>
public sealed record ChatDeltaDto(string StreamId, string Delta, string? Reasoning = null);

public sealed record UsageDto(int PromptTokens, int CompletionTokens, int CachedTokens);

public sealed record TimingsDto(double TtftMs, double TotalMs, double TokensPerSecond);

public sealed record CostDto(double Usd, bool Approximate, string? PricingAsOf);

public sealed record FallbackDto(string ProviderId, int Code, string Reason);

public sealed record ChatSendResultDto
{
    public required string SessionId { get; init; }
    public required string Content { get; init; }
    public required string FinishReason { get; init; }
    public required UsageDto Usage { get; init; }
    public required TimingsDto Timings { get; init; }
    public required string Model { get; init; }
    public required string Privacy { get; init; }
    public CostDto? Cost { get; init; }
    public IReadOnlyList<FallbackDto>? FellBackFrom { get; init; }
    /// <summary>The tool calls run in this turn; absent when none.</summary>
    public IReadOnlyList<ToolCallDto>? ToolCalls { get; init; }
    /// <summary>Model calls made in this turn.</summary>
    public int Steps { get; init; } = 1;
    /// <summary>With <c>runTools: false</c>: the calls the model made, for the caller to run (finishReason <c>toolCalls</c>); absent when none.</summary>
    public IReadOnlyList<PendingToolCallDto>? PendingToolCalls { get; init; }
    /// <summary>Earlier messages left out to fit the model's context; absent when none were.</summary>
    public int? TrimmedMessages { get; init; }
    /// <summary>The context they were left out to fit (with <see cref="TrimmedMessages"/>).</summary>
    public int? ContextLength { get; init; }
    /// <summary>The model's thinking in this turn, apart from <see cref="Content"/>; absent when it showed none.</summary>
    public string? Reasoning { get; init; }
}

public sealed record ChatSessionDto(string Id, string Title, string? Model, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int MessageCount);

public sealed record StoredMessageDto(int Seq, string Role, string Content, string? Model, string? FinishReason, UsageDto? Usage, DateTimeOffset CreatedAt)
{
    /// <summary>Assistant messages: the thinking shown with this answer; absent when none.</summary>
    public string? Reasoning { get; init; }

    /// <summary>Assistant messages of an agent turn: the tool calls made during it, as chat/send reported them; absent when none.</summary>
    public IReadOnlyList<ToolCallDto>? ToolCalls { get; init; }
}

public sealed record ChatSessionIdParams
{
    public required string SessionId { get; init; }
}

public sealed record ChatSessionResult(ChatSessionDto Session, IReadOnlyList<StoredMessageDto> Messages);

public sealed record DeletedResult(bool Deleted);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowOutOfOrderMetadataProperties = true)]
[JsonSerializable(typeof(ProvidersListParams))]
[JsonSerializable(typeof(List<ProviderDto>))]
[JsonSerializable(typeof(ProviderDto))]
[JsonSerializable(typeof(SetApiKeyParams))]
[JsonSerializable(typeof(ConfigureProviderParams))]
[JsonSerializable(typeof(ProviderIdParams))]
[JsonSerializable(typeof(CheckResultDto))]
[JsonSerializable(typeof(ProviderModelParams))]
[JsonSerializable(typeof(PulledModelDto))]
[JsonSerializable(typeof(ProviderChangedDto))]
[JsonSerializable(typeof(ModelsListParams))]
[JsonSerializable(typeof(ModelsListResult))]
[JsonSerializable(typeof(RouterDto))]
[JsonSerializable(typeof(ChatSendParams))]
[JsonSerializable(typeof(ChatDeltaDto))]
[JsonSerializable(typeof(ChatSendResultDto))]
[JsonSerializable(typeof(ToolCallParams))]
[JsonSerializable(typeof(ToolCallResultDto))]
[JsonSerializable(typeof(ToolStatusDto))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(List<ChatSessionDto>))]
[JsonSerializable(typeof(ChatSessionIdParams))]
[JsonSerializable(typeof(ChatSessionResult))]
[JsonSerializable(typeof(DeletedResult))]
[JsonSerializable(typeof(EmptyResult))]
public sealed partial class ProvidersProtocolJson : JsonSerializerContext;
