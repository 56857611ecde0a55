using System.Text.Json;
using System.Text.Json.Serialization;

namespace EditorAssist.Core.Catalog;

/// <summary>The numbers the memory estimate needs. KV bytes per token (f16 K and V) = 2 · layers · headsKv · headDim · 2.</summary>
public sealed record ModelArchitecture(int Layers, int Embedding, int HeadsKv, int HeadDim)
{
    public long KvBytesPerToken => 2L * Layers * HeadsKv * HeadDim * 2;
}

public sealed record CatalogEntry
{
    public required string Id { get; init; }
    public required string DisplayName { get; init; }
    public required string Repo { get; init; }
    public required string File { get; init; }
    public string Revision { get; init; } = "main";
    public long SizeBytes { get; init; }
    public bool SizeApproximate { get; init; }
    /// <summary>Lower-case hex when pinned here; otherwise the server's published hash is used.</summary>
    public string? Sha256 { get; init; }
    public required string Quant { get; init; }
    public long Parameters { get; init; }
    public int ContextLength { get; init; }
    /// <summary>The context the fit estimate and a default load use (≤ <see cref="ContextLength"/>).</summary>
    public int DefaultContext { get; init; } = 8192;
    public IReadOnlyList<string> Roles { get; init; } = [];
    public required string License { get; init; }
    public required ModelArchitecture Architecture { get; init; }
    /// <summary>llama.cpp's name for the architecture (general.architecture): the pinned build must know it.</summary>
    public string? LlamaArchitecture { get; init; }
    /// <summary>
    /// Whether <see cref="SizeBytes"/> and <see cref="Sha256"/> were checked against the Hub. False: the
    /// download still verifies the size and SHA-256 the server publishes, and the GGUF header.
    /// </summary>
    public bool VerifiedOffline { get; init; }
    /// <summary>What a user should know before choosing it (licence terms, mixture of experts, …).</summary>
    public string? Note { get; init; }

    /// <summary>The local file a catalog download is saved as: the id, so its ref is <c>local/&lt;id&gt;</c>.</summary>
    public string LocalFileName => Id + ".gguf";
}

public sealed record CatalogDocument(int Version, IReadOnlyList<CatalogEntry> Models);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(CatalogDocument))]
internal sealed partial class CatalogJson : JsonSerializerContext;

/// <summary>The recommended models, read from the embedded <c>catalog.json</c>. Immutable; thread-safe.</summary>
public sealed class ModelCatalog
{
    public const string DefaultHuggingFaceEndpoint = "https://huggingface.co";

    public ModelCatalog(IReadOnlyList<CatalogEntry> entries) => Entries = entries;

    public IReadOnlyList<CatalogEntry> Entries { get; }

    public static ModelCatalog LoadEmbedded()
    {
        using var stream = typeof(ModelCatalog).Assembly.GetManifestResourceStream("EditorAssist.Core.Catalog.catalog.json")
            ?? throw new InvalidOperationException("The embedded catalog is missing.");
        return Parse(stream);
    }

    public static ModelCatalog Parse(Stream json)
    {
        var doc = JsonSerializer.Deserialize(json, CatalogJson.Default.CatalogDocument)
            ?? throw new InvalidDataException("The catalog is empty.");
        return new ModelCatalog(doc.Models);
    }

    public CatalogEntry? Find(string id) => Entries.FirstOrDefault(e => string.Equals(e.Id, id, StringComparison.OrdinalIgnoreCase));

    /// <summary><c>{endpoint}/{repo}/resolve/{revision}/{file}</c>: Hugging Face's (and its mirrors') download URL.</summary>
    public static Uri ResolveUrl(CatalogEntry entry, Uri endpoint) =>
        HuggingFaceUrl(endpoint, entry.Repo, entry.File, entry.Revision);

    public static Uri HuggingFaceUrl(Uri endpoint, string repo, string file, string revision = "main")
    {
        var baseText = endpoint.ToString().TrimEnd('/');
        var path = string.Join('/', repo.Split('/').Select(Uri.EscapeDataString)) + "/resolve/" + Uri.EscapeDataString(revision) + "/"
            + string.Join('/', file.Split('/').Select(Uri.EscapeDataString));
        return new Uri($"{baseText}/{path}");
    }
}
