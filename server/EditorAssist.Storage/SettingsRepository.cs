using System.Text.Json;
using EditorAssist.Core.Settings;

namespace EditorAssist.Storage;

/// <summary>
/// The client's settings, persisted as one JSON value per top-level key. An update merges: keys it
/// names are replaced, a key set to JSON null is removed, others are kept. API keys are not
/// settings and must never be passed here (they live in VS Code SecretStorage and sidecar memory).
/// Reads come from an in-memory copy loaded once (settings are read on hot paths, e.g. every
/// inline-completion request); writes go to SQLite first, then replace the copy. Use the store's
/// own instance (<see cref="SqliteStore.Settings"/>) so every reader sees every update.
/// Thread-safe.
/// </summary>
public sealed class SettingsRepository
{
    private readonly SqliteStore store;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private SortedDictionary<string, JsonElement>? _snapshot;
    private TypedView? _typed;

    /// <summary>The typed settings and the snapshot they were read from, swapped as one reference.</summary>
    private sealed record TypedView(SortedDictionary<string, JsonElement> From, SidecarSettings Settings);

    /// <summary>Only the store makes one: a second instance would keep a second, stale copy.</summary>
    internal SettingsRepository(SqliteStore store, TimeProvider? time = null)
    {
        this.store = store;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>All settings as one JSON object.</summary>
    public JsonElement GetAll()
    {
        var snapshot = Snapshot();
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            foreach (var (key, value) in snapshot)
            {
                w.WritePropertyName(key);
                value.WriteTo(w);
            }
            w.WriteEndObject();
        }
        using var doc = JsonDocument.Parse(buffer.ToArray());
        return doc.RootElement.Clone();
    }

    public JsonElement? Get(string key) => Snapshot().TryGetValue(key, out var value) ? value : null;

    /// <summary>The settings typed and validated, read once per change (hot paths read this).</summary>
    public SidecarSettings Typed
    {
        get
        {
            var snapshot = Snapshot();
            if (Volatile.Read(ref _typed) is { } t && ReferenceEquals(t.From, snapshot)) return t.Settings;
            var typed = SidecarSettings.Read(snapshot);
            Volatile.Write(ref _typed, new TypedView(snapshot, typed)); // a race reads the same value twice: harmless
            return typed;
        }
    }

    /// <summary>Raised after an update has been stored, with the new typed settings.</summary>
    public event Action<SidecarSettings>? Changed;

    /// <summary>Merges <paramref name="settings"/> (a JSON object) into the stored settings, atomically.</summary>
    public void Update(JsonElement settings)
    {
        if (settings.ValueKind != JsonValueKind.Object) throw new ArgumentException("Settings must be a JSON object.", nameof(settings));
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        lock (_gate)
        {
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
            // Copy-on-write: readers holding the old snapshot keep a consistent view.
            var next = new SortedDictionary<string, JsonElement>(_snapshot ?? Load(), StringComparer.Ordinal);
            foreach (var p in settings.EnumerateObject())
            {
                if (p.Value.ValueKind == JsonValueKind.Null) next.Remove(p.Name);
                else next[p.Name] = p.Value.Clone();
            }
            _snapshot = next;
        }
        Changed?.Invoke(Typed);
    }

    private SortedDictionary<string, JsonElement> Snapshot()
    {
        var snapshot = Volatile.Read(ref _snapshot);
        if (snapshot is not null) return snapshot;
        lock (_gate) return _snapshot ??= Load();
    }

    private SortedDictionary<string, JsonElement> Load() => store.Run(c =>
    {
        var result = new SortedDictionary<string, JsonElement>(StringComparer.Ordinal);
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT key, value FROM settings;";
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            using var doc = JsonDocument.Parse(reader.GetString(1));
            result[reader.GetString(0)] = doc.RootElement.Clone();
        }
        return result;
    });
}
