namespace EditorAssist.Core.Providers;

/// <summary>
/// One provider behind the registry: the local runtime, or a remote API. Implementations are
/// thread-safe (several requests may run at once) and read their configuration (base URL, key)
/// from <see cref="ProviderContext"/> on every call, so a <c>providers/configure</c> or
/// <c>providers/setApiKey</c> takes effect on the next request.
/// </summary>
/// <remarks>
/// The local llama runtime implements this interface (with <see cref="ProviderDescriptor.Kind"/> =
/// Local and <see cref="ProviderDescriptor.Api"/> = Local) and is registered in DI as
/// <c>IChatProvider</c>; the registry picks it up, and <c>chat/send</c> resolves <c>local/…</c> refs
/// through the same path as remote ones. Failures are thrown as
/// <see cref="Errors.EditorAssistException"/> with PROTOCOL.md codes (1001 unknown model,
/// 1002 not downloaded, 1003 unavailable, 1008 memory, 1015 busy …).
/// </remarks>
public interface IChatProvider
{
    ProviderDescriptor Descriptor { get; }

    /// <summary>Whether the provider can serve a request now, with a reason a user can act on. Never throws for "no".</summary>
    Task<ProviderStatus> CheckAsync(ProviderContext context, CancellationToken cancellationToken);

    /// <summary>The models the provider offers now (from its API, or for the local runtime from disk).</summary>
    /// <exception cref="Errors.EditorAssistException">The list could not be read (unreachable, key rejected…).</exception>
    Task<IReadOnlyList<ModelInfo>> ListModelsAsync(ProviderContext context, CancellationToken cancellationToken);

    /// <summary>
    /// Streams a chat completion: zero or more <see cref="ChatChunk"/>s with text, then exactly one
    /// with <see cref="ChatChunk.Final"/> set, last. Cancelling the token stops the upstream
    /// generation (closes the HTTP stream, or stops the native decode loop).
    /// </summary>
    IAsyncEnumerable<ChatChunk> StreamChatAsync(ProviderContext context, ChatRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// Optional: fill-in-the-middle completion (<c>completion/inline</c> on a remote provider). The caller
/// type-tests for it and then asks <see cref="SupportsFim"/>: one class serves many presets (every
/// OpenAI-compatible server), and only the presets that name a FIM endpoint have one.
/// </summary>
public interface IFimProvider
{
    /// <summary>Whether this provider has a fill-in-the-middle endpoint (from its preset's data, not a network probe).</summary>
    bool SupportsFim { get; }

    /// <summary>
    /// One non-streamed fill-in-the-middle request. Cancelling the token aborts the HTTP request (the
    /// caller cancels an older keystroke's request this way). Failures are mapped like chat's, plus
    /// 1017 FimNotSupported when the server says it cannot fill in the middle (no endpoint, or the
    /// model/server rejects the suffix).
    /// </summary>
    Task<FimResult> CompleteFimAsync(ProviderContext context, FimRequest request, CancellationToken cancellationToken);
}

/// <summary>The per-call view of a provider's configuration. The key is never persisted or logged.</summary>
public sealed record ProviderContext
{
    public required ProviderDescriptor Descriptor { get; init; }
    /// <summary>The effective base URL: the user's configured one, else the preset default. Null for the local runtime.</summary>
    public string? BaseUrl { get; init; }
    public string? ApiKey { get; init; }
    /// <summary>Provider options from <c>providers/configure</c> (timeouts, default model, extra headers…).</summary>
    public ProviderOptions Options { get; init; } = new();
    public PrivacyClass Privacy { get; init; }
}

/// <summary>User options for a provider (persisted, never secrets).</summary>
public sealed record ProviderOptions
{
    /// <summary>The model used when a request names only this provider, or when falling back to it.</summary>
    public string? DefaultModel { get; init; }
    /// <summary>Time allowed for the response headers of one attempt.</summary>
    public int? RequestTimeoutMs { get; init; }
    /// <summary>Longest silence allowed between two streamed chunks.</summary>
    public int? StreamIdleTimeoutMs { get; init; }
    public int? MaxRetries { get; init; }
    public bool? Enabled { get; init; }
}

public sealed record ProviderStatus(Availability Availability, string? Reason = null, long? LatencyMs = null);

public sealed record ModelInfo
{
    public required string Id { get; init; }
    public string? DisplayName { get; init; }
    public int? ContextLength { get; init; }
    public IReadOnlyList<string> Roles { get; init; } = ["chat"];
    public ModelPricing? Pricing { get; init; }
    /// <summary>Local models only: file details (filled by the local runtime).</summary>
    public LocalModelDetails? Local { get; init; }
    /// <summary>Models of the editor (the <c>host</c> provider): vendor and family.</summary>
    public HostModelDetails? Host { get; init; }
}

public sealed record LocalModelDetails(string Path, long SizeBytes, string? Quant, DateTimeOffset? LastUsed, bool Loaded);

/// <summary>What the host provider adds to a <c>models/list</c> entry: who serves the model inside the editor.</summary>
public sealed record HostModelDetails(string Vendor, string Family, string? Version, bool? ToolCalling);

/// <summary>
/// One message of a conversation. Tool turns (the tool loop builds them): an assistant message with
/// <see cref="ToolCalls"/>, then one <c>"tool"</c> message per call with <see cref="ToolCallId"/>.
/// </summary>
public sealed record ChatMessage(string Role, string Content)
{
    /// <summary>Assistant messages: the tool calls the model made in that step.</summary>
    public IReadOnlyList<ToolCallRequest>? ToolCalls { get; init; }
    /// <summary>Role "tool": the call this result answers.</summary>
    public string? ToolCallId { get; init; }
    /// <summary>Role "tool": the result is an error (a failure or a denial); Anthropic marks it is_error.</summary>
    public bool IsError { get; init; }
    /// <summary>
    /// Assistant messages built by the tool loop only: the provider's own thinking blocks of that step
    /// (Anthropic requires them, signed, before the tool_use they led to). Never set from history:
    /// reasoning is not sent back to the model in later turns.
    /// </summary>
    public IReadOnlyList<ReasoningBlock>? ReasoningBlocks { get; init; }
}

/// <summary>
/// A provider's thinking block as it must be sent back within the same tool loop (Anthropic:
/// <c>thinking</c> with its <c>signature</c>, or <c>redacted_thinking</c> with its opaque <c>data</c>).
/// </summary>
public sealed record ReasoningBlock(string Type, string Text, string? Signature = null, string? Data = null);

public sealed record ChatParams
{
    /// <summary>The context the conversation must fit (a local model is loaded with it); from the model's settings unless the request names one.</summary>
    public int? ContextLength { get; init; }
    public double? Temperature { get; init; }
    public double? TopP { get; init; }
    public int? TopK { get; init; }
    public double? MinP { get; init; }
    public int? MaxTokens { get; init; }
    public long? Seed { get; init; }
    public IReadOnlyList<string>? Stop { get; init; }
    /// <summary>"text" | "json" | a JSON schema (raw JSON text), or null.</summary>
    public string? ResponseFormat { get; init; }
    public string? JsonSchema { get; init; }
    /// <summary>Ask the model to think before answering where the API needs asking (Anthropic extended thinking).</summary>
    public bool? Thinking { get; init; }
    /// <summary>Tokens the model may spend thinking (Anthropic <c>budget_tokens</c>); a default applies when null.</summary>
    public int? ReasoningBudget { get; init; }
}

public sealed record ChatRequest
{
    /// <summary>The provider's own model id (without the "provider/" prefix).</summary>
    public required string Model { get; init; }
    public required IReadOnlyList<ChatMessage> Messages { get; init; }
    public ChatParams Params { get; init; } = new();
    /// <summary>Tools the model may call (empty: a plain chat). Providers send them in their own wire format.</summary>
    public IReadOnlyList<ToolDefinition> Tools { get; init; } = [];
    public ToolChoice ToolChoice { get; init; } = ToolChoice.Auto;
}

public sealed record ChatUsage(int PromptTokens, int CompletionTokens, int CachedTokens = 0);

/// <summary>stop | length | cancelled (PROTOCOL.md), plus "error" for a stream that ended on a provider error.</summary>
public static class FinishReasons
{
    public const string Stop = "stop";
    public const string Length = "length";
    public const string Cancelled = "cancelled";
    /// <summary>A provider step ended because the model called tools (the loop continues).</summary>
    public const string ToolCalls = "toolCalls";
    /// <summary>The turn ended because the step limit was reached while the model still asked for tools.</summary>
    public const string StepLimit = "stepLimit";
}

public sealed record ChatFinal
{
    public required string FinishReason { get; init; }
    public ChatUsage? Usage { get; init; }
    /// <summary>The model id the provider reports having used (may differ from the requested alias).</summary>
    public string? Model { get; init; }
    /// <summary>Thinking blocks the provider needs back if the loop continues (tool calls); null when none.</summary>
    public IReadOnlyList<ReasoningBlock>? ReasoningBlocks { get; init; }
}

/// <summary>
/// One item of a chat stream: a text delta, a reasoning (thinking) delta, a complete tool call, or the
/// final summary (last item). Reasoning is shown apart from the answer and never sent back to the model.
/// </summary>
public readonly record struct ChatChunk(string? Delta, ChatFinal? Final, ToolCallRequest? ToolCall = null, string? Reasoning = null)
{
    public static ChatChunk Text(string delta) => new(delta, null);
    public static ChatChunk Thought(string reasoning) => new(null, null, null, reasoning);
    public static ChatChunk Done(ChatFinal final) => new(null, final);
    public static ChatChunk Call(ToolCallRequest call) => new(null, null, call);
}

public sealed record FimRequest
{
    /// <summary>The provider's own model id (without the "provider/" prefix).</summary>
    public required string Model { get; init; }
    /// <summary>The text before the cursor (already windowed by the caller).</summary>
    public required string Prefix { get; init; }
    /// <summary>The text after the cursor.</summary>
    public string Suffix { get; init; } = "";
    public int? MaxTokens { get; init; }
    /// <summary>Inline completion asks for 0: the most likely continuation, the same for the same position.</summary>
    public double? Temperature { get; init; }
    /// <summary>Where the server should stop (a newline for a line completion, a blank line for a block).</summary>
    public IReadOnlyList<string>? Stop { get; init; }
}

public sealed record FimResult(string Text, ChatUsage? Usage);
