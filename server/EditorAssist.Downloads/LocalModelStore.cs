using EditorAssist.Downloads;
using EditorAssist.Storage;
using EditorAssist.Core.Errors;

namespace EditorAssist.Downloads;

/// <summary>
/// Which local models are loaded right now. The llama runtime implements it; eviction and delete
/// consult it so a model in use is never removed. Implementations must be thread-safe.
/// </summary>
public interface ILoadedModels
{
    bool IsLoaded(string fileName);
}

public sealed class NoLoadedModels : ILoadedModels
{
    public static NoLoadedModels Instance { get; } = new();
    public bool IsLoaded(string fileName) => false;
}

public sealed record LocalModel(string Ref, string FileName, string Path, long SizeBytes, DateTimeOffset? LastUsed, string? Sha256, bool Loaded);

public sealed record StorageSummary(string ModelsDir, long UsedBytes, long? QuotaBytes, long DiskFreeBytes, IReadOnlyList<LocalModel> Models);

public sealed record EvictedModel(string Ref, long SizeBytes);

/// <summary>
/// The models folder (<c>&lt;storageDir&gt;/models</c>) and its bookkeeping (table <c>local_models</c>):
/// GGUF files on disk are the truth; the table adds hash, source and last use. Refs are
/// <c>local/&lt;file stem, lower case&gt;</c>. Thread-safe (SQLite under the store's lock; file
/// operations are single calls).
/// </summary>
public sealed class LocalModelStore(
    string modelsDirectory, SqliteStore? store, ILoadedModels? loaded = null, IDownloadFileSystem? fileSystem = null,
    Func<long?>? quotaBytes = null, TimeProvider? time = null)
{
    public const string RefPrefix = "local/";
    private readonly ILoadedModels _loaded = loaded ?? NoLoadedModels.Instance;
    private readonly IDownloadFileSystem _fs = fileSystem ?? PhysicalDownloadFileSystem.Instance;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public string ModelsDirectory { get; } = modelsDirectory;

    /// <summary>
    /// The ref of a model file, the one rule for every local model (downloaded, or loaded from any
    /// path): <c>local/</c> + the file name without <c>.gguf</c>, lower-cased, characters other
    /// than a-z 0-9 . _ - replaced by '-'.
    /// </summary>
    public static string RefFor(string fileName)
    {
        var stem = Path.GetFileName(fileName);
        if (stem.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase)) stem = stem[..^5];
        var chars = stem.ToLowerInvariant().ToCharArray();
        for (var i = 0; i < chars.Length; i++)
            if (!(char.IsAsciiLetterOrDigit(chars[i]) || chars[i] is '.' or '-' or '_')) chars[i] = '-';
        return RefPrefix + new string(chars);
    }

    public IReadOnlyList<LocalModel> List()
    {
        if (!Directory.Exists(ModelsDirectory)) return [];
        var rows = ReadRows();
        var list = new List<LocalModel>();
        foreach (var f in new DirectoryInfo(ModelsDirectory).EnumerateFiles("*.gguf"))
        {
            rows.TryGetValue(f.Name, out var row);
            list.Add(new LocalModel(RefFor(f.Name), f.Name, f.FullName, f.Length,
                row.LastUsed is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null,
                row.Sha256, _loaded.IsLoaded(f.Name)));
        }
        return list.OrderBy(m => m.Ref, StringComparer.Ordinal).ToList();
    }

    public LocalModel? Find(string modelRef) =>
        List().FirstOrDefault(m => string.Equals(m.Ref, modelRef, StringComparison.OrdinalIgnoreCase));

    public StorageSummary Summary()
    {
        Directory.CreateDirectory(ModelsDirectory);
        var models = List();
        var used = new DirectoryInfo(ModelsDirectory).EnumerateFiles().Sum(f => f.Length);
        return new StorageSummary(ModelsDirectory, used, quotaBytes?.Invoke(), _fs.GetAvailableFreeSpace(ModelsDirectory), models);
    }

    /// <summary>Records a finished download. Called by the download manager after the rename.</summary>
    public void Record(string fileName, string sha256, long size, string? sourceUrl, string? catalogId)
    {
        if (store is null) return;
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        store.Run(c =>
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = """
                INSERT INTO local_models(file_name, sha256, size_bytes, source_url, catalog_id, downloaded_at, last_used)
                VALUES($f, $s, $z, $u, $c, $t, NULL)
                ON CONFLICT(file_name) DO UPDATE SET sha256 = excluded.sha256, size_bytes = excluded.size_bytes,
                  source_url = excluded.source_url, catalog_id = excluded.catalog_id, downloaded_at = excluded.downloaded_at;
                """;
            cmd.Parameters.AddWithValue("$f", fileName);
            cmd.Parameters.AddWithValue("$s", sha256);
            cmd.Parameters.AddWithValue("$z", size);
            cmd.Parameters.AddWithValue("$u", (object?)sourceUrl ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$c", (object?)catalogId ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$t", now);
            cmd.ExecuteNonQuery();
        });
    }

    /// <summary>Marks a model as used now (the runtime calls this on load); eviction removes the least recently used first.</summary>
    public void MarkUsed(string fileName, DateTimeOffset? when = null)
    {
        if (store is null) return;
        var t = (when ?? _time.GetUtcNow()).ToUnixTimeMilliseconds();
        var size = File.Exists(Path.Combine(ModelsDirectory, fileName)) ? new FileInfo(Path.Combine(ModelsDirectory, fileName)).Length : 0;
        store.Run(c =>
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = """
                INSERT INTO local_models(file_name, size_bytes, downloaded_at, last_used) VALUES($f, $z, $t, $t)
                ON CONFLICT(file_name) DO UPDATE SET last_used = excluded.last_used;
                """;
            cmd.Parameters.AddWithValue("$f", fileName);
            cmd.Parameters.AddWithValue("$z", size);
            cmd.Parameters.AddWithValue("$t", t);
            cmd.ExecuteNonQuery();
        });
    }

    public string? GetSha256(string fileName) => ReadRows().TryGetValue(fileName, out var r) ? r.Sha256 : null;

    /// <summary>Deletes a local model. ModelNotFound for an unknown ref, ModelBusy while it is loaded.</summary>
    public long Delete(string modelRef)
    {
        var model = Find(modelRef) ?? throw new EditorAssistException(ErrorCode.ModelNotFound, $"There is no local model '{modelRef}'.");
        if (model.Loaded)
            throw new EditorAssistException(ErrorCode.ModelBusy, $"'{modelRef}' is loaded; unload it before deleting it.");
        File.Delete(model.Path);
        Forget(model.FileName);
        return model.SizeBytes;
    }

    /// <summary>
    /// Removes least-recently-used models (never a loaded one) until <paramref name="targetFreeBytes"/>
    /// of disk are free, or, without a target, until the folder is within its quota. Models never
    /// used count as older than any used one, oldest download first. <paramref name="dryRun"/> only lists.
    /// </summary>
    public IReadOnlyList<EvictedModel> Evict(long? targetFreeBytes, bool dryRun)
    {
        var summary = Summary();
        var free = summary.DiskFreeBytes;
        var used = summary.UsedBytes;
        bool Satisfied() => targetFreeBytes is { } target ? free >= target
            : summary.QuotaBytes is not { } quota || used <= quota;

        var rows = ReadRows();
        var candidates = summary.Models.Where(m => !m.Loaded)
            .OrderBy(m => m.LastUsed?.ToUnixTimeMilliseconds() ?? long.MinValue)
            .ThenBy(m => rows.TryGetValue(m.FileName, out var r) ? r.DownloadedAt : 0)
            .ThenBy(m => m.FileName, StringComparer.Ordinal)
            .ToList();
        var evicted = new List<EvictedModel>();
        foreach (var m in candidates)
        {
            if (Satisfied()) break;
            if (!dryRun)
            {
                if (_loaded.IsLoaded(m.FileName)) continue; // loaded since we listed
                File.Delete(m.Path);
                Forget(m.FileName);
            }
            evicted.Add(new EvictedModel(m.Ref, m.SizeBytes));
            free += m.SizeBytes;
            used -= m.SizeBytes;
        }
        return evicted;
    }

    private void Forget(string fileName) => store?.Run(c =>
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = "DELETE FROM local_models WHERE file_name = $f;";
        cmd.Parameters.AddWithValue("$f", fileName);
        cmd.ExecuteNonQuery();
    });

    private Dictionary<string, (string? Sha256, long? LastUsed, long DownloadedAt)> ReadRows()
    {
        var map = new Dictionary<string, (string?, long?, long)>(StringComparer.Ordinal);
        if (store is null) return map;
        store.Run(c =>
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT file_name, sha256, last_used, downloaded_at FROM local_models;";
            using var r = cmd.ExecuteReader();
            while (r.Read())
                map[r.GetString(0)] = (r.IsDBNull(1) ? null : r.GetString(1), r.IsDBNull(2) ? null : r.GetInt64(2), r.GetInt64(3));
        });
        return map;
    }
}
