using System.Text.Json;
using System.Text.Json.Serialization;
using EditorAssist.Core.Routing;
using EditorAssist.Core.Providers;

namespace EditorAssist.Storage;

/// <summary>A provider's persisted configuration (<c>providers/configure</c>). Never holds a key.</summary>
public sealed record ProviderConfig(string? BaseUrl, ProviderOptions Options);

/// <summary>A discovered model list as cached in SQLite, for one server (base URL).</summary>
public sealed record CachedModels(string BaseUrl, IReadOnlyList<ModelInfo> Models, DateTimeOffset FetchedAt);

/// <summary>
/// Provider configuration, the discovered-model cache and the router policy, in SQLite (migration 3).
/// Before the store opens (before <c>initialize</c>) it keeps everything in memory. Thread-safe.
/// API keys are not part of any of this: see <see cref="ApiKeyStore"/>.
/// </summary>
public sealed class ProviderState(Func<SqliteStore?> store, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Dictionary<string, ProviderConfig> _memoryConfig = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CachedModels> _memoryCache = new(StringComparer.Ordinal);
    private RouterPolicy _memoryPolicy = RouterPolicy.Default;
    private readonly Lock _lock = new();

    public ProviderConfig GetConfig(string providerId)
    {
        var s = store();
        if (s is null) lock (_lock) return _memoryConfig.GetValueOrDefault(providerId) ?? new ProviderConfig(null, new ProviderOptions());
        return s.Run(c =>
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT base_url, options FROM provider_config WHERE provider_id = $id;";
            cmd.Parameters.AddWithValue("$id", providerId);
            using var r = cmd.ExecuteReader();
            if (!r.Read()) return new ProviderConfig(null, new ProviderOptions());
            var options = JsonSerializer.Deserialize(r.GetString(1), ProviderStateJson.Default.ProviderOptions) ?? new ProviderOptions();
            return new ProviderConfig(r.IsDBNull(0) ? null : r.GetString(0), options);
        });
    }

    public void SetConfig(string providerId, ProviderConfig config)
    {
        var s = store();
        if (s is null) { lock (_lock) _memoryConfig[providerId] = config; return; }
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        s.Run(c =>
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = """
                INSERT INTO provider_config(provider_id, base_url, options, updated_at) VALUES($id, $url, $opt, $t)
                ON CONFLICT(provider_id) DO UPDATE SET base_url = excluded.base_url, options = excluded.options, updated_at = excluded.updated_at;
                """;
            cmd.Parameters.AddWithValue("$id", providerId);
            cmd.Parameters.AddWithValue("$url", (object?)config.BaseUrl ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$opt", JsonSerializer.Serialize(config.Options, ProviderStateJson.Default.ProviderOptions));
            cmd.Parameters.AddWithValue("$t", now);
            cmd.ExecuteNonQuery();
        });
    }

    public CachedModels? GetCachedModels(string providerId)
    {
        var s = store();
        if (s is null) lock (_lock) return _memoryCache.GetValueOrDefault(providerId);
        return s.Run(c =>
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT base_url, models, fetched_at FROM model_cache WHERE provider_id = $id;";
            cmd.Parameters.AddWithValue("$id", providerId);
            using var r = cmd.ExecuteReader();
            if (!r.Read()) return null;
            var models = JsonSerializer.Deserialize(r.GetString(1), ProviderStateJson.Default.ListModelInfo) ?? [];
            return new CachedModels(r.GetString(0), models, DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)));
        });
    }

    public void SetCachedModels(string providerId, CachedModels cached)
    {
        var s = store();
        if (s is null) { lock (_lock) _memoryCache[providerId] = cached; return; }
        s.Run(c =>
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = """
                INSERT INTO model_cache(provider_id, base_url, models, fetched_at) VALUES($id, $url, $m, $t)
                ON CONFLICT(provider_id) DO UPDATE SET base_url = excluded.base_url, models = excluded.models, fetched_at = excluded.fetched_at;
                """;
            cmd.Parameters.AddWithValue("$id", providerId);
            cmd.Parameters.AddWithValue("$url", cached.BaseUrl);
            cmd.Parameters.AddWithValue("$m", JsonSerializer.Serialize(cached.Models.ToList(), ProviderStateJson.Default.ListModelInfo));
            cmd.Parameters.AddWithValue("$t", cached.FetchedAt.ToUnixTimeMilliseconds());
            cmd.ExecuteNonQuery();
        });
    }

    public RouterPolicy GetRouterPolicy()
    {
        var s = store();
        if (s is null) lock (_lock) return _memoryPolicy;
        return s.Run(c =>
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT policy FROM router_policy WHERE id = 1;";
            return cmd.ExecuteScalar() is string json
                ? JsonSerializer.Deserialize(json, ProviderStateJson.Default.RouterPolicy) ?? RouterPolicy.Default
                : RouterPolicy.Default;
        });
    }

    /// <summary>Raised after <see cref="SetRouterPolicy"/> stored a policy (MCP servers re-check local-only).</summary>
    public event Action? RouterPolicyChanged;

    public void SetRouterPolicy(RouterPolicy policy)
    {
        StorePolicy(policy);
        RouterPolicyChanged?.Invoke();
    }

    private void StorePolicy(RouterPolicy policy)
    {
        var s = store();
        if (s is null) { lock (_lock) _memoryPolicy = policy; return; }
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        s.Run(c =>
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = "INSERT INTO router_policy(id, policy, updated_at) VALUES(1, $p, $t) ON CONFLICT(id) DO UPDATE SET policy = excluded.policy, updated_at = excluded.updated_at;";
            cmd.Parameters.AddWithValue("$p", JsonSerializer.Serialize(policy, ProviderStateJson.Default.RouterPolicy));
            cmd.Parameters.AddWithValue("$t", now);
            cmd.ExecuteNonQuery();
        });
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ProviderOptions))]
[JsonSerializable(typeof(List<ModelInfo>))]
[JsonSerializable(typeof(RouterPolicy))]
[JsonSerializable(typeof(ChatUsage))]
[JsonSerializable(typeof(List<EditorAssist.Core.Tools.ToolCallRecord>))]
internal sealed partial class ProviderStateJson : JsonSerializerContext;
