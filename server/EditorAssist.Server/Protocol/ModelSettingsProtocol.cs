using System.Text.Json;
using System.Text.Json.Serialization;
using EditorAssist.Core.Models;

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

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowOutOfOrderMetadataProperties = true)]
[JsonSerializable(typeof(ConfigureModelParams))]
[JsonSerializable(typeof(ConfigureModelResult))]
public sealed partial class ModelSettingsProtocolJson : JsonSerializerContext;
