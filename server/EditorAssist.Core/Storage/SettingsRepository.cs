using System.Text.Json;

namespace EditorAssist.Core.Storage;

/// <summary>
/// The client's settings, persisted as one JSON value per top-level key. An update merges: keys it
/// names are replaced, a key set to JSON null is removed, others are kept. API keys are not
/// settings and must never be passed here (they live in VS Code SecretStorage and sidecar memory).
/// </summary>
public sealed class SettingsRepository(SqliteStore store, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>All settings as one JSON object.</summary>
    public JsonElement GetAll()
    {
        var json = store.Run(c =>
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT key, value FROM settings ORDER BY key;";
            using var reader = cmd.ExecuteReader();
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                while (reader.Read())
                {
                    w.WritePropertyName(reader.GetString(0));
                    w.WriteRawValue(reader.GetString(1), skipInputValidation: true);
                }
                w.WriteEndObject();
            }
            return buffer.ToArray();
        });
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    public JsonElement? Get(string key)
    {
        var text = store.Run(c =>
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT value FROM settings WHERE key = $k;";
            cmd.Parameters.AddWithValue("$k", key);
            return cmd.ExecuteScalar() as string;
        });
        if (text is null) return null;
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    /// <summary>Merges <paramref name="settings"/> (a JSON object) into the stored settings, atomically.</summary>
    public void Update(JsonElement settings)
    {
        if (settings.ValueKind != JsonValueKind.Object) throw new ArgumentException("Settings must be a JSON object.", nameof(settings));
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        store.Run(c =>
        {
            using var tx = c.BeginTransaction();
            foreach (var p in settings.EnumerateObject())
            {
                using var cmd = c.CreateCommand();
                cmd.Transaction = tx;
                if (p.Value.ValueKind == JsonValueKind.Null)
                {
                    cmd.CommandText = "DELETE FROM settings WHERE key = $k;";
                    cmd.Parameters.AddWithValue("$k", p.Name);
                }
                else
                {
                    cmd.CommandText = "INSERT INTO settings(key, value, updated_at) VALUES($k, $v, $t) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at;";
                    cmd.Parameters.AddWithValue("$k", p.Name);
                    cmd.Parameters.AddWithValue("$v", p.Value.GetRawText());
                    cmd.Parameters.AddWithValue("$t", now);
                }
                cmd.ExecuteNonQuery();
            }
            tx.Commit();
        });
    }
}
