using System.Text.Json;

namespace EditorAssist.Core.Settings;

/// <summary>
/// Every key the sidecar reads from the client's settings (PROTOCOL.md, "Settings"), declared once.
/// Mirrored in the extension's protocol.ts (<c>SettingKeys</c>); the contract test checks that both
/// mirrors and PROTOCOL.md's table name the same keys.
/// </summary>
public static class SettingKeys
{
    public const string ChatModel = "chat.model";
    public const string CompletionModel = "completion.model";
    public const string CompletionPrefixLines = "completion.prefixLines";
    public const string CompletionSuffixLines = "completion.suffixLines";
    public const string CompletionMaxTokens = "completion.maxTokens";
    public const string CompletionReuseCache = "completion.reuseCache";
    public const string CompletionReuseSuffix = "completion.reuseSuffix";
    public const string LocalAllowGpu = "local.allowGpu";
    public const string LocalNativeDir = "local.nativeDir";
    public const string LocalIdleUnloadMinutes = "local.idleUnloadMinutes";
    public const string LocalThreads = "local.threads";
    public const string LocalFiles = "local.files";
    public const string DownloadsHuggingFaceEndpoint = "downloads.huggingFaceEndpoint";
    public const string DownloadsMaxParallel = "downloads.maxParallel";
    public const string StorageQuotaBytes = "storage.quotaBytes";

    public static IReadOnlyList<string> All { get; } =
    [
        ChatModel, CompletionModel, CompletionPrefixLines, CompletionSuffixLines, CompletionMaxTokens, CompletionReuseCache,
        CompletionReuseSuffix, LocalAllowGpu, LocalNativeDir, LocalIdleUnloadMinutes, LocalThreads, LocalFiles,
        DownloadsHuggingFaceEndpoint, DownloadsMaxParallel, StorageQuotaBytes,
    ];
}

/// <summary>
/// The client's settings as the sidecar uses them: typed, validated, with their defaults. A value of
/// the wrong type or out of range counts as absent (the default applies) and is named in
/// <see cref="Invalid"/>, so it can be logged, never thrown on a hot path. Immutable: a
/// <c>settings/update</c> makes a new one (<see cref="Storage.SettingsRepository.Typed"/>).
/// </summary>
public sealed record SidecarSettings
{
    /// <summary>Before a store is open (no <c>initialize</c> yet) and for a store with no settings.</summary>
    public static SidecarSettings Defaults { get; } = new();

    public string? ChatModel { get; init; }
    public string? CompletionModel { get; init; }
    /// <summary>Null: the protocol's window (the extension sends exactly that one).</summary>
    public int? CompletionPrefixLines { get; init; }
    public int? CompletionSuffixLines { get; init; }
    public int CompletionMaxTokens { get; init; } = 64;
    /// <summary>False: every completion prompt is evaluated from scratch (the benchmark's baseline).</summary>
    public bool CompletionReuseCache { get; init; } = true;
    public bool CompletionReuseSuffix { get; init; } = true;
    public bool LocalAllowGpu { get; init; } = true;
    public string? LocalNativeDir { get; init; }
    /// <summary>0: never unload an idle model.</summary>
    public double LocalIdleUnloadMinutes { get; init; } = 15;
    /// <summary>Null: the runtime chooses.</summary>
    public int? LocalThreads { get; init; }
    /// <summary>Files registered with <c>models/load {path}</c>: ref → path.</summary>
    public IReadOnlyDictionary<string, string> LocalFiles { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
    public string? DownloadsHuggingFaceEndpoint { get; init; }
    public int DownloadsMaxParallel { get; init; } = 2;
    /// <summary>Null: no quota.</summary>
    public long? StorageQuotaBytes { get; init; }

    /// <summary>Keys present with a value of the wrong type or range (their defaults apply).</summary>
    public IReadOnlyList<string> Invalid { get; init; } = [];

    /// <summary>Reads the raw settings (key → JSON value); unknown keys are ignored.</summary>
    public static SidecarSettings Read(IReadOnlyDictionary<string, JsonElement> raw)
    {
        var invalid = new List<string>();
        T? Take<T>(string key, Func<JsonElement, T?> parse) where T : struct
        {
            if (!raw.TryGetValue(key, out var v)) return null;
            var parsed = parse(v);
            if (parsed is null) invalid.Add(key);
            return parsed;
        }
        string? Text(string key)
        {
            if (!raw.TryGetValue(key, out var v)) return null;
            if (v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s) return s;
            invalid.Add(key);
            return null;
        }
        static bool? Flag(JsonElement v) => v.ValueKind switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => null };
        static Func<JsonElement, int?> Whole(int min) => v => v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) && n >= min ? n : null;

        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        if (raw.TryGetValue(SettingKeys.LocalFiles, out var f))
        {
            if (f.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in f.EnumerateObject())
                    if (p.Value.ValueKind == JsonValueKind.String && p.Value.GetString() is { Length: > 0 } path) files[p.Name] = path;
            }
            else invalid.Add(SettingKeys.LocalFiles);
        }

        var defaults = Defaults;
        return new SidecarSettings
        {
            ChatModel = Text(SettingKeys.ChatModel),
            CompletionModel = Text(SettingKeys.CompletionModel),
            CompletionPrefixLines = Take(SettingKeys.CompletionPrefixLines, Whole(0)),
            CompletionSuffixLines = Take(SettingKeys.CompletionSuffixLines, Whole(0)),
            CompletionMaxTokens = Take(SettingKeys.CompletionMaxTokens, Whole(0)) ?? defaults.CompletionMaxTokens,
            CompletionReuseCache = Take(SettingKeys.CompletionReuseCache, Flag) ?? defaults.CompletionReuseCache,
            CompletionReuseSuffix = Take(SettingKeys.CompletionReuseSuffix, Flag) ?? defaults.CompletionReuseSuffix,
            LocalAllowGpu = Take(SettingKeys.LocalAllowGpu, Flag) ?? defaults.LocalAllowGpu,
            LocalNativeDir = Text(SettingKeys.LocalNativeDir),
            LocalIdleUnloadMinutes = Take(SettingKeys.LocalIdleUnloadMinutes,
                v => v.ValueKind == JsonValueKind.Number && v.GetDouble() is var d && d >= 0 ? d : (double?)null) ?? defaults.LocalIdleUnloadMinutes,
            LocalThreads = Take(SettingKeys.LocalThreads, Whole(1)),
            LocalFiles = files,
            DownloadsHuggingFaceEndpoint = Text(SettingKeys.DownloadsHuggingFaceEndpoint),
            DownloadsMaxParallel = Take(SettingKeys.DownloadsMaxParallel, Whole(1)) ?? defaults.DownloadsMaxParallel,
            // 0 is "no quota", as absent.
            StorageQuotaBytes = Take(SettingKeys.StorageQuotaBytes,
                v => v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var q) && q >= 0 ? q : (long?)null) is { } quota and > 0 ? quota : null,
            Invalid = invalid,
        };
    }
}
