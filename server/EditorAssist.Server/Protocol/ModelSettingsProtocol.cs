using System.Text.Json;
using System.Text.Json.Serialization;
using EditorAssist.Downloads;
using EditorAssist.Storage;

// The wire shapes of models/configure and metrics/get (PROTOCOL.md "Per-model settings",
// "Metrics"), with their own source-generated context so this work merges without touching the
// shared DTO lists.
namespace EditorAssist.Server.Protocol;

/// <summary>A model's settings; every field optional (absent = the provider's or runtime's default).</summary>
public sealed record ModelParamsDto
{
    public int? ContextLength { get; init; }
    public double? Temperature { get; init; }
    public double? TopP { get; init; }
    public int? TopK { get; init; }
    public double? MinP { get; init; }
    public int? MaxTokens { get; init; }
    public IReadOnlyList<string>? Stop { get; init; }
    public string? SystemPrompt { get; init; }
    public bool? Thinking { get; init; }
    public int? ReasoningBudget { get; init; }

    /// <summary>Null for a model without settings, so listings leave the field out.</summary>
    public static ModelParamsDto? From(ModelParams p) => p.IsEmpty ? null : new ModelParamsDto
    {
        ContextLength = p.ContextLength,
        Temperature = p.Temperature,
        TopP = p.TopP,
        TopK = p.TopK,
        MinP = p.MinP,
        MaxTokens = p.MaxTokens,
        Stop = p.Stop,
        SystemPrompt = p.SystemPrompt,
        Thinking = p.Thinking,
        ReasoningBudget = p.ReasoningBudget,
    };
}

public sealed record ConfigureModelParams
{
    public required string Ref { get; init; }
    /// <summary>A patch: named fields replace the stored ones, a field set to null clears it, others are kept.</summary>
    public JsonElement Params { get; init; }
    public JsonElement? WorkDoneToken { get; init; }
}

public sealed record ConfigureModelResult
{
    public required string Ref { get; init; }
    /// <summary>The stored settings after the change (an empty object when none are left).</summary>
    public required ModelParamsDto Params { get; init; }
    /// <summary>True when a loaded local model was reloaded for a new context length.</summary>
    public bool Reloaded { get; init; }
}

public sealed record MetricsGetParams
{
    /// <summary>One model; all models with figures (and every loaded local model) when absent.</summary>
    public string? Ref { get; init; }
}

public sealed record ProcessMemoryDto(long ResidentBytes);

public sealed record GpuMemoryDto(string Name, long VramTotalBytes, long VramFreeBytes);

/// <summary>A loaded local model's memory, from the load's plan (estimates made before allocating, checked against real loads in LocalModelTests).</summary>
public sealed record LoadedModelDto(string Backend, int ContextLength, int GpuLayers, int TotalLayers, long WeightBytes, long KvCacheBytes, long GpuBytesEstimated);

public sealed record ModelMetricsDto
{
    public required string Ref { get; init; }
    public long Requests { get; init; }
    public long Errors { get; init; }
    public double? TtftMsP50 { get; init; }
    public double? TtftMsP95 { get; init; }
    public double? DecodeTokensPerSecondP50 { get; init; }
    public double? PromptTokensPerSecondP50 { get; init; }
    public required IReadOnlyList<double> RecentTokensPerSecond { get; init; }
    public double? LastLoadMs { get; init; }
    public LoadedModelDto? Loaded { get; init; }
    /// <summary>Inline completion with this model; absent when it served none.</summary>
    public CompletionMetricsDto? Completion { get; init; }
}

/// <summary><c>completion/inline</c> figures of one model: answered (cache hits included), failed, superseded/cancelled, latency of the answered non-cached ones.</summary>
public sealed record CompletionMetricsDto(long Requests, long Errors, long Cancelled, long CacheHits, double? MsP50, double? MsP95);

public sealed record MetricsResultDto
{
    public required DateTimeOffset Since { get; init; }
    /// <summary>False when the sidecar runs with --no-metrics: the lists stay empty.</summary>
    public required bool Enabled { get; init; }
    public required ProcessMemoryDto Process { get; init; }
    /// <summary>The GPUs the local runtime sees, once it has started.</summary>
    public IReadOnlyList<GpuMemoryDto>? Gpus { get; init; }
    public required IReadOnlyList<ModelMetricsDto> Models { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowOutOfOrderMetadataProperties = true)]
[JsonSerializable(typeof(ConfigureModelParams))]
[JsonSerializable(typeof(ConfigureModelResult))]
[JsonSerializable(typeof(MetricsGetParams))]
[JsonSerializable(typeof(MetricsResultDto))]
public sealed partial class ModelSettingsProtocolJson : JsonSerializerContext;
