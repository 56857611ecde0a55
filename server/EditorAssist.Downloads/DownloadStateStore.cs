using EditorAssist.Storage;


namespace EditorAssist.Downloads;

/// <summary>
/// Persists unfinished downloads (table <c>downloads</c>, migration 2) so a restarted sidecar finds
/// its partial files again and knows their URL, validator (ETag) and expected hash. The partial
/// file's length is the byte count: it is never stored, so it can never disagree with the disk.
/// No credentials are stored: URLs are saved as given, tokens only ever travel in headers.
/// </summary>
public sealed class DownloadStateStore(SqliteStore store, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public IReadOnlyList<PersistedDownload> LoadAll() => store.Run(c =>
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT id, file_name, url, catalog_id, expected_sha256, expected_size, etag, state, error FROM downloads ORDER BY created_at;";
        using var r = cmd.ExecuteReader();
        var list = new List<PersistedDownload>();
        while (r.Read())
        {
            list.Add(new PersistedDownload(
                r.GetString(0), r.GetString(1), r.GetString(2),
                r.IsDBNull(3) ? null : r.GetString(3),
                r.IsDBNull(4) ? null : r.GetString(4),
                r.IsDBNull(5) ? null : r.GetInt64(5),
                r.IsDBNull(6) ? null : r.GetString(6),
                r.GetString(7),
                r.IsDBNull(8) ? null : r.GetString(8)));
        }
        return (IReadOnlyList<PersistedDownload>)list;
    });

    public void Upsert(PersistedDownload d)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        store.Run(c =>
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = """
                INSERT INTO downloads(id, file_name, url, catalog_id, expected_sha256, expected_size, etag, state, error, created_at, updated_at)
                VALUES($id, $f, $u, $c, $s, $z, $e, $st, $err, $t, $t)
                ON CONFLICT(id) DO UPDATE SET file_name = excluded.file_name, url = excluded.url, catalog_id = excluded.catalog_id,
                  expected_sha256 = excluded.expected_sha256, expected_size = excluded.expected_size, etag = excluded.etag,
                  state = excluded.state, error = excluded.error, updated_at = excluded.updated_at;
                """;
            cmd.Parameters.AddWithValue("$id", d.Id);
            cmd.Parameters.AddWithValue("$f", d.FileName);
            cmd.Parameters.AddWithValue("$u", d.Url);
            cmd.Parameters.AddWithValue("$c", (object?)d.CatalogId ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$s", (object?)d.ExpectedSha256 ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$z", (object?)d.ExpectedSizeBytes ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$e", (object?)d.ETag ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$st", d.State);
            cmd.Parameters.AddWithValue("$err", (object?)d.Error ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$t", now);
            cmd.ExecuteNonQuery();
        });
    }

    public void Delete(string id) => store.Run(c =>
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = "DELETE FROM downloads WHERE id = $id;";
        cmd.Parameters.AddWithValue("$id", id);
        cmd.ExecuteNonQuery();
    });

}
