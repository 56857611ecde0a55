using System.Text.Json;
using EditorAssist.Core.Catalog;
using EditorAssist.Downloads;
using EditorAssist.Storage;
using EditorAssist.Core.Errors;
using EditorAssist.Rpc;
using EditorAssist.Server.Protocol;
using Microsoft.Extensions.Logging;

namespace EditorAssist.Server.Hosting;

/// <summary>
/// The catalog, the download manager and the models folder of one storage directory, built once the
/// store is open (at initialize for the RPC session, at start for the CLI verbs). Settings read here:
/// <c>downloads.huggingFaceEndpoint</c> (a mirror; env HF_ENDPOINT otherwise), <c>storage.quotaBytes</c>,
/// <c>downloads.maxParallel</c>. The Hugging Face token lives in <see cref="Credentials"/> (memory only).
/// </summary>
public sealed class LocalModelServices : IAsyncDisposable
{

    private readonly SettingsRepository _settings;
    // Parsed on first use: a download by URL (and a sidecar that never lists the catalog) does not need it.
    private readonly Lazy<ModelCatalog> _catalog = new(ModelCatalog.LoadEmbedded);

    private LocalModelServices(SettingsRepository settings, LocalModelStore models, DownloadManager downloads, HuggingFaceCredentials credentials)
    {
        _settings = settings;
        Models = models;
        Downloads = downloads;
        Credentials = credentials;
    }

    public ModelCatalog Catalog => _catalog.Value;
    public LocalModelStore Models { get; }
    public DownloadManager Downloads { get; }
    public HuggingFaceCredentials Credentials { get; }

    public static LocalModelServices Create(SqliteStore store, ILoadedModels loaded, TimeProvider time, ILoggerFactory loggers,
        HttpMessageHandler? handler = null, bool verifySha256 = true)
    {
        var settings = store.Settings;
        var modelsDir = Path.Combine(store.Directory, "models");
        long? Quota() => settings.Typed.StorageQuotaBytes;
        var maxParallel = settings.Typed.DownloadsMaxParallel;
        var models = new LocalModelStore(modelsDir, store, loaded, quotaBytes: Quota, time: time);
        var credentials = new HuggingFaceCredentials(ReadEndpoint(settings));
        var downloads = new DownloadManager(
            new DownloadOptions { ModelsDirectory = modelsDir, QuotaBytes = Quota, MaxParallelDownloads = maxParallel, VerifySha256 = verifySha256 },
            handler ?? SharedHandler.Value, new DownloadStateStore(store, time), models, loggers.CreateLogger("EditorAssist.Downloads"),
            time, credentials: credentials);
        return new LocalModelServices(settings, models, downloads, credentials);
    }

    private static readonly Lazy<HttpMessageHandler> SharedHandler = new(DownloadManager.CreateDefaultHandler);

    public Uri HuggingFaceEndpoint => ReadEndpoint(_settings);

    private static Uri ReadEndpoint(SettingsRepository settings)
    {
        var text = settings.Typed.DownloadsHuggingFaceEndpoint ?? Environment.GetEnvironmentVariable("HF_ENDPOINT");
        return Uri.TryCreate(text, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttps || DownloadUrlPolicy.IsLoopback(u))
            ? u : new Uri(ModelCatalog.DefaultHuggingFaceEndpoint);
    }

    /// <summary>Turns <c>models/download</c> params into a request. Throws -32602 for a malformed one, ModelNotFound for an unknown catalog id.</summary>
    public DownloadRequest ResolveRequest(DownloadParams p)
    {
        var endpoint = HuggingFaceEndpoint;
        Credentials.Endpoint = endpoint;
        var given = (p.CatalogId is not null ? 1 : 0) + (p.Url is not null ? 1 : 0) + (p.Repo is not null || p.File is not null ? 1 : 0);
        if (given != 1)
            throw new RpcException(ErrorCodes.InvalidParams, "Invalid params for 'models/download': give exactly one of catalogId, url, or repo with file.");
        if (p.CatalogId is { } id)
        {
            var entry = Catalog.Find(id) ?? throw new EditorAssistException(ErrorCode.ModelNotFound, $"'{id}' is not in the catalog.");
            return new DownloadRequest
            {
                Url = ModelCatalog.ResolveUrl(entry, endpoint),
                FileName = p.FileName ?? entry.LocalFileName,
                ExpectedSha256 = p.Sha256 ?? entry.Sha256,
                // Catalog sizes may be approximate: used for the disk/quota pre-check until the server says the exact size.
                ExpectedSizeBytes = entry.SizeBytes,
                CatalogId = entry.Id,
            };
        }
        Uri url;
        if (p.Url is { } text)
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out url!))
                throw new RpcException(ErrorCodes.InvalidParams, "Invalid params for 'models/download': url is not an absolute URL.");
        }
        else
        {
            if (string.IsNullOrWhiteSpace(p.Repo) || string.IsNullOrWhiteSpace(p.File))
                throw new RpcException(ErrorCodes.InvalidParams, "Invalid params for 'models/download': repo and file go together.");
            url = ModelCatalog.HuggingFaceUrl(endpoint, p.Repo, p.File, p.Revision ?? "main");
        }
        return new DownloadRequest
        {
            Url = url,
            FileName = p.FileName ?? DownloadUrlPolicy.FileNameFromUrl(url),
            ExpectedSha256 = p.Sha256,
        };
    }

    public ValueTask DisposeAsync() => Downloads.DisposeAsync();
}
