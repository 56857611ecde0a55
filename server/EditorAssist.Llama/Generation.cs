namespace EditorAssist.Llama;

/// <summary>One chat turn; roles as in the protocol: system, user, assistant.</summary>
public sealed record ChatMessage(string Role, string Content);

/// <summary>How the output must be shaped.</summary>
public enum ResponseFormatKind
{
    Text,
    /// <summary>Any JSON value (an object or array at the top level), enforced by a GBNF grammar.</summary>
    Json,
    /// <summary>JSON matching <see cref="GenerationOptions.JsonSchema"/>, converted to a GBNF grammar.</summary>
    JsonSchema,
}

/// <summary>Sampling and stopping parameters. Defaults follow llama.cpp's common defaults.</summary>
public sealed record GenerationOptions
{
    /// <summary>0 (or less) = greedy: deterministic regardless of seed.</summary>
    public float Temperature { get; init; } = 0.8f;
    /// <summary>0 = disabled.</summary>
    public int TopK { get; init; } = 40;
    /// <summary>1 = disabled.</summary>
    public float TopP { get; init; } = 0.95f;
    /// <summary>0 = disabled.</summary>
    public float MinP { get; init; } = 0.05f;
    /// <summary>1 = disabled.</summary>
    public float RepeatPenalty { get; init; } = 1.0f;
    public int RepeatLastN { get; init; } = 64;
    /// <summary>Seed of the final sampler; same seed + same prompt + same model → same tokens.</summary>
    public uint Seed { get; init; } = 0xED17A551;
    public int MaxTokens { get; init; } = 512;
    /// <summary>Generation ends before any of these strings; they are never emitted, not even partly.</summary>
    public IReadOnlyList<string> Stop { get; init; } = [];
    public ResponseFormatKind ResponseFormat { get; init; } = ResponseFormatKind.Text;
    /// <summary>A JSON Schema (as JSON text) for <see cref="ResponseFormatKind.JsonSchema"/>.</summary>
    public string? JsonSchema { get; init; }
    /// <summary>A raw GBNF grammar (root rule "root"); wins over ResponseFormat.</summary>
    public string? Grammar { get; init; }
    /// <summary>
    /// Never sample end-of-generation tokens, so exactly MaxTokens are produced. For benchmarks
    /// (llama-bench does the same); a chat would ramble on. Ignored when a grammar is in use.
    /// </summary>
    public bool IgnoreEndOfGeneration { get; init; }
}

/// <summary>
/// A generation: either chat <see cref="Messages"/> (formatted with the model's own chat
/// template) or a raw <see cref="Prompt"/> (used as is, special tokens parsed: FIM prompts).
/// </summary>
public sealed record GenerationRequest
{
    public IReadOnlyList<ChatMessage>? Messages { get; init; }
    public string? Prompt { get; init; }
    public GenerationOptions Options { get; init; } = new();

    /// <summary>
    /// The prompt as tokens, used as is (no BOS added): wins over Messages and Prompt. FIM prompts
    /// are built this way so that code which happens to contain special-token text stays text.
    /// </summary>
    public IReadOnlyList<int>? PromptTokens { get; init; }

    /// <summary>Which of the model's contexts runs the request (see <see cref="GenerationLane"/>).</summary>
    public GenerationLane Lane { get; init; } = GenerationLane.Chat;

    /// <summary>
    /// Besides the common prefix, also reuse the common tail of the previous prompt (shifted to its
    /// new positions), so an edit in the middle of the prompt evaluates only the changed tokens.
    /// The reused tail was computed against the old middle: an approximation (as in llama-server's
    /// cache reuse), refreshed once the edits add up (see ContextWorker). Needs a context with a
    /// spare sequence that can shift (the completion lane).
    /// </summary>
    public bool ReuseShiftedTail { get; init; }
}

/// <summary>
/// A model has one context per lane, each with its own KV cache, so chat and inline completion
/// never evict each other's cached prompt. The completion context is created on first use.
/// </summary>
public enum GenerationLane
{
    Chat,
    Completion,
}

public enum FinishReason
{
    /// <summary>An end-of-generation token or a stop sequence.</summary>
    Stop,
    /// <summary>MaxTokens or the context was full.</summary>
    Length,
    /// <summary>The caller cancelled after generation started; Text holds what was produced.</summary>
    Cancelled,
}

/// <param name="PromptTokens">Tokens of the whole formatted prompt.</param>
/// <param name="CompletionTokens">Tokens sampled (including one that hit a stop sequence).</param>
/// <param name="CachedTokens">Prompt tokens reused from the KV cache of the previous request (not evaluated again).</param>
public sealed record GenerationUsage(int PromptTokens, int CompletionTokens, int CachedTokens)
{
    public int EvaluatedPromptTokens => PromptTokens - CachedTokens;
}

/// <param name="QueueMs">Time waiting behind other requests for this model's context.</param>
/// <param name="TtftMs">From the call to the first sampled token (queue wait included).</param>
/// <param name="PromptMs">Prompt evaluation only.</param>
/// <param name="TotalMs">From the call to the result.</param>
/// <param name="TokensPerSecond">Generation speed: completion tokens over the time after prompt evaluation.</param>
/// <param name="PromptTokensPerSecond">Prompt-processing speed over evaluated (not cached) prompt tokens.</param>
public sealed record GenerationTimings(
    double QueueMs, double TtftMs, double PromptMs, double TotalMs, double TokensPerSecond, double PromptTokensPerSecond);

public sealed record GenerationResult(string Text, FinishReason FinishReason, GenerationUsage Usage, GenerationTimings Timings);
