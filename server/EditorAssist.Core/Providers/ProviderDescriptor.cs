using System.Text.Json;
using System.Text.Json.Serialization;

namespace EditorAssist.Core.Providers;

/// <summary>Where a provider runs: the local runtime in this process, or a server reached over HTTP.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ProviderKind>))]
public enum ProviderKind { Local, Remote }

/// <summary>Which wire format a remote provider speaks. Picks the implementation; everything else is data.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ProviderApi>))]
public enum ProviderApi { Openai, Anthropic, Ollama, Local }

/// <summary>
/// Where a request's text goes: <c>OnDevice</c> (the local runtime, in this process), <c>Loopback</c>
/// (a server on this machine: 127.0.0.0/8, ::1, localhost) or <c>Cloud</c> (anything else).
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<PrivacyClass>))]
public enum PrivacyClass { OnDevice, Loopback, Cloud }

/// <summary>Whether a provider can serve a request now (PROTOCOL.md <c>availability</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Availability>))]
public enum Availability { Readily, AfterDownload, No, Unknown }

/// <summary>USD per one million tokens. Approximate: copied from public price pages on <see cref="AsOf"/>.</summary>
public sealed record ModelPricing
{
    public double Input { get; init; }
    public double Output { get; init; }
    public double? CachedInput { get; init; }
    /// <summary>The date the figures were copied (yyyy-MM-dd); prices change, so this is an estimate.</summary>
    public string? AsOf { get; init; }
    // Settable (not init) on purpose here and below: System.Text.Json's source generator sets every
    // init-only property, so a default on one would be lost when the JSON leaves it out.
    public bool Approximate { get; set; } = true;
}

/// <summary>A model a preset knows without asking the provider (used when discovery fails or is not possible).</summary>
public sealed record PresetModel
{
    public required string Id { get; init; }
    public string? DisplayName { get; init; }
    public int? ContextLength { get; init; }
    public IReadOnlyList<string>? Roles { get; init; }
    public ModelPricing? Pricing { get; init; }
}

public sealed record ProviderCapabilities
{
    public bool Chat { get; set; } = true;
    public bool Fim { get; init; }
    public bool Tools { get; init; }
    public bool Json { get; init; }
}

/// <summary>
/// Everything the sidecar knows about a provider that is not user configuration: one entry in
/// <c>presets.json</c>, or the descriptor a DI-registered provider (the local runtime) brings itself.
/// Immutable; the user's base URL and key live in <see cref="ProviderRegistry"/>.
/// </summary>
public sealed record ProviderDescriptor
{
    public required string Id { get; init; }
    public required string DisplayName { get; init; }
    public ProviderKind Kind { get; set; } = ProviderKind.Remote;
    public ProviderApi Api { get; set; } = ProviderApi.Openai;
    /// <summary>Null for the local runtime.</summary>
    public string? DefaultBaseUrl { get; init; }
    public bool RequiresApiKey { get; init; }
    /// <summary>Where a user gets a key (shown in the "no key" reason).</summary>
    public string? ApiKeyUrl { get; init; }
    /// <summary>Whether the provider lists its models (<c>/v1/models</c>, <c>/api/tags</c>, …).</summary>
    public bool Discovery { get; init; }
    public ProviderCapabilities Capabilities { get; set; } = new();
    /// <summary>Case-insensitive substrings of an error body that mean "the prompt is longer than the context" (→ 1007).</summary>
    public IReadOnlyList<string> ContextLengthPatterns { get; set; } = [];
    /// <summary>
    /// The request field for the output-token limit: OpenAI's own API wants <c>max_completion_tokens</c>;
    /// OpenAI-compatible servers universally accept the older <c>max_tokens</c> (not all know the new one).
    /// </summary>
    public string MaxTokensField { get; set; } = "max_tokens";
    /// <summary>
    /// Fill-in-the-middle endpoint, or null when the provider has none: <c>llamacppInfill</c>
    /// (<c>POST {root}/infill</c>), <c>fimCompletions</c> (Mistral: <c>POST {base}/fim/completions</c>, chat-shaped
    /// answer) or <c>suffixCompletions</c> (DeepSeek beta: legacy completions with <c>suffix</c>), at <see cref="FimPath"/>
    /// relative to the base URL.
    /// </summary>
    public string? FimStyle { get; set; }
    public string? FimPath { get; set; }
    /// <summary>Models used when discovery is impossible or fails; also the source of pricing.</summary>
    public IReadOnlyList<PresetModel> Models { get; set; } = [];

    /// <summary>Pricing for <paramref name="modelId"/>: exact id first, then the longest preset id it starts with (dated snapshots).</summary>
    public ModelPricing? PricingFor(string modelId)
    {
        PresetModel? best = null;
        foreach (var m in Models)
        {
            if (m.Pricing is null) continue;
            if (string.Equals(m.Id, modelId, StringComparison.OrdinalIgnoreCase)) return m.Pricing;
            if (modelId.StartsWith(m.Id, StringComparison.OrdinalIgnoreCase) && (best is null || m.Id.Length > best.Id.Length)) best = m;
        }
        return best?.Pricing;
    }
}

internal sealed record PresetFile
{
    public string? PricingAsOf { get; init; }
    public IReadOnlyList<ProviderDescriptor> Providers { get; set; } = [];
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(PresetFile))]
[JsonSerializable(typeof(List<PresetModel>))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class ProvidersJson : JsonSerializerContext;

/// <summary>The shipped presets (embedded <c>presets.json</c>).</summary>
public static class ProviderPresets
{
    private static readonly Lazy<IReadOnlyList<ProviderDescriptor>> s_all = new(Load);

    public static IReadOnlyList<ProviderDescriptor> All => s_all.Value;

    /// <summary>Parses a presets document (the embedded one, or a test's).</summary>
    public static IReadOnlyList<ProviderDescriptor> Parse(string json)
    {
        var file = JsonSerializer.Deserialize(json, ProvidersJson.Default.PresetFile)
                   ?? throw new InvalidDataException("The provider presets are empty.");
        var asOf = file.PricingAsOf;
        var list = new List<ProviderDescriptor>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in file.Providers)
        {
            if (!seen.Add(p.Id)) throw new InvalidDataException($"Duplicate provider id '{p.Id}' in the presets.");
            if (p.Id.Contains('/')) throw new InvalidDataException($"Provider id '{p.Id}' must not contain '/'.");
            if (p.Kind == ProviderKind.Remote && !Uri.TryCreate(p.DefaultBaseUrl, UriKind.Absolute, out _))
                throw new InvalidDataException($"Provider '{p.Id}' needs an absolute defaultBaseUrl.");
            list.Add(p with
            {
                Models = p.Models.Select(m => m.Pricing is null || m.Pricing.AsOf is not null ? m : m with { Pricing = m.Pricing with { AsOf = asOf } }).ToList(),
            });
        }
        return list;
    }

    private static IReadOnlyList<ProviderDescriptor> Load()
    {
        using var stream = typeof(ProviderPresets).Assembly.GetManifestResourceStream("EditorAssist.Core.Providers.presets.json")
                           ?? throw new InvalidOperationException("presets.json is not embedded.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }
}
