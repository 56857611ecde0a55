using System.Text.Json.Serialization;

// The wire shapes of models/countTokens (PROTOCOL.md "Token counts"), with their own
// source-generated context so this work merges without touching the shared DTO lists.
namespace EditorAssist.Server.Protocol;

public static class TokenCountMethods
{
    public const string ModelsCountTokens = "models/countTokens";
}

public sealed record CountTokensParams
{
    public required string Ref { get; init; }
    public required IReadOnlyList<string> Texts { get; init; }
}

/// <summary>One count per text, in order. <see cref="Exact"/>: counted by the model's own tokenizer (a loaded local model), else estimated.</summary>
public sealed record CountTokensResult(IReadOnlyList<int> Counts, bool Exact);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowOutOfOrderMetadataProperties = true)]
[JsonSerializable(typeof(CountTokensParams))]
[JsonSerializable(typeof(CountTokensResult))]
internal sealed partial class TokenCountProtocolJson : JsonSerializerContext;
