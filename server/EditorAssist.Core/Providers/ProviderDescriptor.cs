using System.Text.Json;
using System.Text.Json.Serialization;

namespace EditorAssist.Core.Providers;

/// <summary>Where a provider runs: the local runtime in this process, or a server reached over HTTP.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ProviderKind>))]
public enum ProviderKind { Local, Remote }

/// <summary>Which wire format a remote provider speaks. Picks the implementation; everything else is data.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ProviderApi>))]
public enum ProviderApi { Openai, Anthropic, Ollama, Local, Host, Azure }

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
    /// The wire format of the provider's fill-in-the-middle endpoint (one of <see cref="FimStyles"/>), or
    /// null when it has none (then <c>completion/inline</c> answers 1017 for its models). Data, so that giving
    /// an OpenAI-compatible preset FIM is one line in <c>presets.json</c>.
    /// </summary>
    public string? FimStyle { get; set; }
    /// <summary>Where the FIM endpoint is, relative to the base URL (<c>completions</c>, <c>../infill</c>, <c>api/generate</c>…).</summary>
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

/// <summary>The fill-in-the-middle wire formats a preset can name in <see cref="ProviderDescriptor.FimStyle"/>.</summary>
public static class FimStyles
{
    /// <summary>
    /// OpenAI's legacy completions with <c>suffix</c> (<c>POST {base}/completions</c>: <c>prompt</c>, <c>suffix</c>,
    /// <c>max_tokens</c> → <c>choices[0].text</c>): vLLM, LM Studio, DeepSeek's beta endpoint. A server that does not
    /// take <c>suffix</c> says so (vLLM: "suffix is not currently supported"), which maps to 1017.
    /// </summary>
    public const string SuffixCompletions = "suffixCompletions";

    /// <summary>Mistral/Codestral <c>POST {base}/fim/completions</c>: the same request, a chat-shaped answer (<c>choices[0].message.content</c>).</summary>
    public const string FimCompletions = "fimCompletions";

    /// <summary>
    /// llama-server's <c>POST /infill</c> (<c>input_prefix</c>, <c>input_suffix</c>, <c>n_predict</c> → <c>content</c>). Its
    /// OpenAI-compatible <c>/v1/completions</c> ignores <c>suffix</c>, so the native endpoint is the one that fills in the middle.
    /// </summary>
    public const string LlamaCppInfill = "llamacppInfill";

    /// <summary>
    /// Ollama's <c>POST /api/generate</c> with <c>suffix</c> (<c>raw: false</c>, so the model's own template places
    /// prefix and suffix; <c>options.num_predict</c> → <c>response</c>). A model whose template has no suffix
    /// answers "does not support insert", which maps to 1017.
    /// </summary>
    public const string OllamaGenerate = "ollamaGenerate";

    public static bool IsKnown(string? style) => style is SuffixCompletions or FimCompletions or LlamaCppInfill or OllamaGenerate;
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
            if (p.FimStyle is not null && (!FimStyles.IsKnown(p.FimStyle) || string.IsNullOrEmpty(p.FimPath)))
                throw new InvalidDataException($"Provider '{p.Id}' has fimStyle '{p.FimStyle}'; it needs a known style and a fimPath.");
            if (p.Capabilities.Fim != (p.FimStyle is not null))
                throw new InvalidDataException($"Provider '{p.Id}': capabilities.fim must be true exactly when it names a fimStyle.");
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
