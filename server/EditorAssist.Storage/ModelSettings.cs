using System.Text.Json;
using System.Text.Json.Serialization;
using EditorAssist.Core.Providers;

namespace EditorAssist.Storage;

/// <summary>
/// A model's own settings (<c>models/configure</c>): sampling, length, stop sequences, a default
/// system prompt and, for local models, the context length it is loaded with. Null = not set (the
/// provider's or runtime's default applies).
/// </summary>
public sealed record ModelParams
{
    public int? ContextLength { get; init; }
    public double? Temperature { get; init; }
    public double? TopP { get; init; }
    public int? TopK { get; init; }
    public double? MinP { get; init; }
    public int? MaxTokens { get; init; }
    public IReadOnlyList<string>? Stop { get; init; }
    public string? SystemPrompt { get; init; }
    /// <summary>Ask for the model's thinking where the API must be asked (Anthropic extended thinking).</summary>
    public bool? Thinking { get; init; }
    /// <summary>Tokens the model may spend thinking when <see cref="Thinking"/> is on.</summary>
    public int? ReasoningBudget { get; init; }

    [JsonIgnore]
    public bool IsEmpty => this == Empty;

    public static ModelParams Empty { get; } = new();

    // Records compare lists by reference; two settings with equal stop lists are the same settings.
    public bool Equals(ModelParams? other) =>
        other is not null && ContextLength == other.ContextLength && Temperature == other.Temperature && TopP == other.TopP &&
        TopK == other.TopK && MinP == other.MinP && MaxTokens == other.MaxTokens && SystemPrompt == other.SystemPrompt &&
        Thinking == other.Thinking && ReasoningBudget == other.ReasoningBudget &&
        (Stop ?? []).SequenceEqual(other.Stop ?? []) && (Stop is null) == (other.Stop is null);

    public override int GetHashCode() => HashCode.Combine(HashCode.Combine(ContextLength, Temperature, TopP, TopK, MinP, MaxTokens, SystemPrompt, Stop?.Count), Thinking, ReasoningBudget);
}

/// <summary>Ranges a model setting may take; the messages name the field (and never echo a long value).</summary>
public static class ModelParamsRules
{
    public const int MinContextLength = 128;
    public const int MaxContextLength = 1 << 20;
    public const int MaxStopSequences = 16;
    public const int MaxStopLength = 200;
    public const int MaxSystemPromptLength = 32_000;
    /// <summary>Anthropic's smallest thinking budget.</summary>
    public const int MinReasoningBudget = 1024;

    /// <exception cref="ArgumentException">A value is out of range; the message says which and what is allowed.</exception>
    public static void Validate(ModelParams p)
    {
        if (p.ContextLength is int ctx && ctx is < MinContextLength or > MaxContextLength)
            throw new ArgumentException($"params.contextLength must be between {MinContextLength} and {MaxContextLength} tokens.");
        if (p.Temperature is double t && (double.IsNaN(t) || t < 0 || t > 2))
            throw new ArgumentException("params.temperature must be between 0 and 2 (0 = always the most likely token).");
        if (p.TopP is double tp && (double.IsNaN(tp) || tp <= 0 || tp > 1))
            throw new ArgumentException("params.topP must be greater than 0 and at most 1 (1 = off).");
        if (p.TopK is int tk && tk is < 0 or > 1000)
            throw new ArgumentException("params.topK must be between 0 and 1000 (0 = off).");
        if (p.MinP is double mp && (double.IsNaN(mp) || mp < 0 || mp > 1))
            throw new ArgumentException("params.minP must be between 0 and 1 (0 = off).");
        if (p.MaxTokens is int mt && mt is < 1 or > MaxContextLength)
            throw new ArgumentException($"params.maxTokens must be between 1 and {MaxContextLength}.");
        if (p.MaxTokens is int m && p.ContextLength is int c && m >= c)
            throw new ArgumentException("params.maxTokens must be smaller than params.contextLength (the prompt needs room too).");
        if (p.Stop is { } stop)
        {
            if (stop.Count > MaxStopSequences) throw new ArgumentException($"params.stop may hold at most {MaxStopSequences} sequences.");
            for (var i = 0; i < stop.Count; i++)
            {
                if (string.IsNullOrEmpty(stop[i])) throw new ArgumentException($"params.stop[{i}] must not be empty.");
                if (stop[i].Length > MaxStopLength) throw new ArgumentException($"params.stop[{i}] is longer than {MaxStopLength} characters.");
            }
        }
        if (p.ReasoningBudget is int rb && rb is < MinReasoningBudget or > MaxContextLength)
            throw new ArgumentException($"params.reasoningBudget must be between {MinReasoningBudget} and {MaxContextLength} tokens.");
        if (p.SystemPrompt is { Length: > MaxSystemPromptLength })
            throw new ArgumentException($"params.systemPrompt is longer than {MaxSystemPromptLength} characters.");
    }

    /// <summary>
    /// Merges a <c>models/configure</c> patch (a JSON object) into <paramref name="current"/>: fields it
    /// names replace the stored ones, a field set to null (or a stop list set to []) clears it, others
    /// are kept — the same rule as <c>settings/update</c>.
    /// </summary>
    /// <exception cref="ArgumentException">Not an object, an unknown field, a value of the wrong type or out of range.</exception>
    public static ModelParams Merge(ModelParams current, JsonElement patch)
    {
        if (patch.ValueKind != JsonValueKind.Object) throw new ArgumentException("params must be an object.");
        var next = current;
        foreach (var p in patch.EnumerateObject())
        {
            var clear = p.Value.ValueKind == JsonValueKind.Null;
            next = p.Name switch
            {
                "contextLength" => next with { ContextLength = clear ? null : Int(p) },
                "temperature" => next with { Temperature = clear ? null : Number(p) },
                "topP" => next with { TopP = clear ? null : Number(p) },
                "topK" => next with { TopK = clear ? null : Int(p) },
                "minP" => next with { MinP = clear ? null : Number(p) },
                "maxTokens" => next with { MaxTokens = clear ? null : Int(p) },
                "stop" => next with { Stop = clear ? null : Strings(p) is { Count: > 0 } s ? s : null },
                "systemPrompt" => next with { SystemPrompt = clear ? null : Text(p) is { Length: > 0 } sp ? sp : null },
                "thinking" => next with { Thinking = clear ? null : Bool(p) },
                "reasoningBudget" => next with { ReasoningBudget = clear ? null : Int(p) },
                _ => throw new ArgumentException($"params.{p.Name} is not a model setting (contextLength, temperature, topP, topK, minP, maxTokens, stop, systemPrompt, thinking, reasoningBudget)."),
            };
        }
        Validate(next);
        return next;
    }

    private static int Int(JsonProperty p) => p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetInt32(out var n)
        ? n : throw new ArgumentException($"params.{p.Name} must be a whole number.");

    private static bool Bool(JsonProperty p) => p.Value.ValueKind is JsonValueKind.True or JsonValueKind.False
        ? p.Value.GetBoolean() : throw new ArgumentException($"params.{p.Name} must be true or false.");

    private static double Number(JsonProperty p) => p.Value.ValueKind == JsonValueKind.Number
        ? p.Value.GetDouble() : throw new ArgumentException($"params.{p.Name} must be a number.");

    private static string Text(JsonProperty p) => p.Value.ValueKind == JsonValueKind.String
        ? p.Value.GetString()! : throw new ArgumentException($"params.{p.Name} must be a string.");

    private static List<string> Strings(JsonProperty p)
    {
        if (p.Value.ValueKind != JsonValueKind.Array) throw new ArgumentException($"params.{p.Name} must be an array of strings.");
        var list = new List<string>();
        foreach (var item in p.Value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String) throw new ArgumentException($"params.{p.Name} must be an array of strings.");
            list.Add(item.GetString()!);
        }
        return list;
    }
}

/// <summary>
/// Per-model settings in SQLite (migration 4), keyed by the model ref ("provider/model"). Chat reads
/// them on every request, so reads come from an in-memory copy loaded once per store; writes go to
/// SQLite first. Before the store opens (before <c>initialize</c>) everything stays in memory.
/// Thread-safe.
/// </summary>
public sealed class ModelSettingsStore(Func<SqliteStore?> store, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private Dictionary<string, ModelParams> _cache = new(StringComparer.Ordinal);
    private SqliteStore? _cacheOf;
    private bool _loaded;

    /// <summary>The stored settings of <paramref name="modelRef"/> (empty when none).</summary>
    public ModelParams Get(string modelRef) => Snapshot().GetValueOrDefault(modelRef) ?? ModelParams.Empty;

    /// <summary>Every model that has settings.</summary>
    public IReadOnlyDictionary<string, ModelParams> All => Snapshot();

    /// <summary>Stores <paramref name="value"/> for <paramref name="modelRef"/> (empty settings delete the row). Validates first.</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public void Set(string modelRef, ModelParams value)
    {
        ModelParamsRules.Validate(value);
        lock (_gate)
        {
            var s = store();
            if (s is not null)
            {
                EnsureLoaded(s);
                Write(s, modelRef, value);
            }
            // Copy-on-write: a reader keeps a consistent snapshot.
            var next = new Dictionary<string, ModelParams>(_cache, StringComparer.Ordinal);
            if (value.IsEmpty) next.Remove(modelRef);
            else next[modelRef] = value;
            _cache = next;
        }
    }

    /// <summary>
    /// The messages and parameters a request to <paramref name="modelRef"/> is sent with: what the
    /// request names wins; what it leaves out comes from the stored settings. The stored system prompt
    /// is put first when the conversation has no system message of its own.
    /// </summary>
    public (IReadOnlyList<ChatMessage> Messages, ChatParams Params) Apply(string modelRef, IReadOnlyList<ChatMessage> messages, ChatParams request)
    {
        var s = Get(modelRef);
        if (s.IsEmpty) return (messages, request);
        var merged = request with
        {
            ContextLength = request.ContextLength ?? s.ContextLength,
            Temperature = request.Temperature ?? s.Temperature,
            TopP = request.TopP ?? s.TopP,
            TopK = request.TopK ?? s.TopK,
            MinP = request.MinP ?? s.MinP,
            MaxTokens = request.MaxTokens ?? s.MaxTokens,
            Stop = request.Stop ?? s.Stop,
            Thinking = request.Thinking ?? s.Thinking,
            ReasoningBudget = request.ReasoningBudget ?? s.ReasoningBudget,
        };
        if (s.SystemPrompt is { Length: > 0 } prompt && !messages.Any(m => m.Role == "system"))
            messages = [new ChatMessage("system", prompt), .. messages];
        return (messages, merged);
    }

    private Dictionary<string, ModelParams> Snapshot()
    {
        var s = store();
        if (s is null) return Volatile.Read(ref _cache);
        lock (_gate)
        {
            EnsureLoaded(s);
            return _cache;
        }
    }

    /// <summary>Loads the table once per store; settings made before the store opened are written into it.</summary>
    private void EnsureLoaded(SqliteStore s)
    {
        if (_loaded && ReferenceEquals(_cacheOf, s)) return;
        var pending = _loaded ? new Dictionary<string, ModelParams>() : _cache;
        var loaded = s.Run(c =>
        {
            var result = new Dictionary<string, ModelParams>(StringComparer.Ordinal);
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT model_ref, params FROM model_settings;";
            using var r = cmd.ExecuteReader();
            while (r.Read())
                result[r.GetString(0)] = JsonSerializer.Deserialize(r.GetString(1), ModelSettingsJson.Default.ModelParams) ?? ModelParams.Empty;
            return result;
        });
        foreach (var (key, value) in pending)
        {
            Write(s, key, value);
            loaded[key] = value;
        }
        _cacheOf = s;
        _loaded = true;
        _cache = loaded;
    }

    private void Write(SqliteStore s, string modelRef, ModelParams value)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        s.Run(c =>
        {
            using var cmd = c.CreateCommand();
            if (value.IsEmpty)
            {
                cmd.CommandText = "DELETE FROM model_settings WHERE model_ref = $r;";
            }
            else
            {
                cmd.CommandText = """
                    INSERT INTO model_settings(model_ref, params, updated_at) VALUES($r, $p, $t)
                    ON CONFLICT(model_ref) DO UPDATE SET params = excluded.params, updated_at = excluded.updated_at;
                    """;
                cmd.Parameters.AddWithValue("$p", JsonSerializer.Serialize(value, ModelSettingsJson.Default.ModelParams));
                cmd.Parameters.AddWithValue("$t", now);
            }
            cmd.Parameters.AddWithValue("$r", modelRef);
            cmd.ExecuteNonQuery();
        });
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ModelParams))]
internal sealed partial class ModelSettingsJson : JsonSerializerContext;
