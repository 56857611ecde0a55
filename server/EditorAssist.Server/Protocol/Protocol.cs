using System.Text.Json;
using System.Text.Json.Serialization;
using EditorAssist.Core.SystemInfo;

// The wire contract of the sidecar, in one file (PROTOCOL.md and docs/PROTOCOL.md). Method names
// are constants, never derived from C# names. The TypeScript mirror is extension-client/src/protocol.ts.
namespace EditorAssist.Server.Protocol;

/// <summary>
/// The inline-completion windows (PROTOCOL.md, <c>completion/inline</c>): the extension sends
/// exactly these many lines, and the sidecar keeps these many unless the settings
/// <c>completion.prefixLines</c> / <c>completion.suffixLines</c> say otherwise. The prefix is the
/// cursor's line up to the cursor plus the lines above it; the suffix the rest of the cursor's line
/// plus the lines below it. Mirrored in protocol.ts (<c>CompletionWindow</c>); the contract test
/// checks that the three copies agree.
/// </summary>
public static class CompletionWindow
{
    public const int PrefixLines = 80;
    public const int SuffixLines = 25;
}

public static class Methods
{
    public const string Initialize = "initialize";
    public const string Initialized = "initialized";
    public const string Shutdown = "shutdown";
    public const string Exit = "exit";
    public const string SettingsUpdate = "settings/update";
    public const string SettingsGet = "settings/get";
    public const string SystemInfo = "system/info";
    public const string ModelsLoad = "models/load";
    public const string ModelsUnload = "models/unload";
    public const string ModelsStatus = "models/status";
    public const string RuntimeDidChangeState = "runtime/didChangeState";
    public const string CompletionInline = "completion/inline";

    // Providers, models, routing and chat (issue 5; DTOs in ProvidersProtocol.cs).
    public const string ProvidersList = "providers/list";
    public const string ProvidersSetApiKey = "providers/setApiKey";
    public const string ProvidersConfigure = "providers/configure";
    public const string ProvidersCheck = "providers/check";
    public const string ProvidersDidChange = "providers/didChange";
    public const string ProvidersPullModel = "providers/pullModel";
    public const string ProvidersDeleteModel = "providers/deleteModel";
    public const string ModelsList = "models/list";
    public const string RouterGet = "router/get";
    public const string RouterSet = "router/set";
    public const string ChatSend = "chat/send";
    public const string ChatDelta = "chat/delta";
    public const string ChatSessions = "chat/sessions";
    public const string ChatSession = "chat/session";
    public const string ChatDeleteSession = "chat/deleteSession";
    /// <summary>Server → client request: run a client-side tool (issue 14).</summary>
    public const string ChatToolCall = "chat/toolCall";
    /// <summary>Server → client notification: a tool call's state.</summary>
    public const string ChatToolStatus = "chat/toolStatus";
    /// <summary>Server → client request: may this MCP tool call run? (issue 14; DTOs in McpProtocol.cs)</summary>
    public const string ChatToolApproval = "chat/toolApproval";

    // MCP servers (issue 14, item 4; DTOs in McpProtocol.cs).
    public const string McpConfigure = "mcp/configure";
    public const string McpList = "mcp/list";
    /// <summary>Server → client notification: an MCP server's state or tools changed.</summary>
    public const string McpDidChange = "mcp/didChange";

    // Models, downloads, storage (the download manager's part; models/list and load/unload live elsewhere).
    public const string ModelsCatalog = "models/catalog";
    public const string ModelsDownload = "models/download";
    public const string ModelsDownloads = "models/downloads";
    public const string ModelsPauseDownload = "models/pauseDownload";
    public const string ModelsResumeDownload = "models/resumeDownload";
    public const string ModelsCancelDownload = "models/cancelDownload";
    public const string ModelsDelete = "models/delete";
    /// <summary>EditorAssist addition: a Hugging Face token for gated repos, memory only.</summary>
    public const string ModelsSetHuggingFaceToken = "models/setHuggingFaceToken";
    public const string StorageInfo = "storage/info";
    public const string StorageEvict = "storage/evict";
    /// <summary>Server → client notification: the set of local models changed (downloaded, deleted, evicted).</summary>
    public const string ModelsDidChange = "models/didChange";

    // Per-model settings and performance figures (issue 16; DTOs in ModelSettingsProtocol.cs).
    public const string ModelsConfigure = "models/configure";
    public const string MetricsGet = "metrics/get";

    // Enabled only with --diagnostics: used by the interop tests and the benchmarks.
    public const string DiagnosticsEcho = "diagnostics/echo";
    public const string DiagnosticsWait = "diagnostics/wait";
    public const string DiagnosticsTick = "diagnostics/tick";
    public const string DiagnosticsStats = "diagnostics/stats";
    public const string DiagnosticsBurst = "diagnostics/burst";
    public const string DiagnosticsFail = "diagnostics/fail";
}

public static class ProtocolInfo
{
    /// <summary>Bumped on a breaking change of the contract (a rename or removal), not on additions.</summary>
    public const string Version = "1.0";
}

public sealed record ClientInfo(string? Name, string? Version);

public sealed record InitializeParams
{
    /// <summary>The client's process id: the sidecar exits when that process is gone.</summary>
    public int? ProcessId { get; init; }
    public ClientInfo? ClientInfo { get; init; }
    /// <summary>Where the database, models and caches live. Defaults to the user's local app-data folder.</summary>
    public string? StorageDir { get; init; }
    /// <summary>Initial settings, merged into the stored ones as <c>settings/update</c> would.</summary>
    public JsonElement? Settings { get; init; }
}

public sealed record ServerInfo(string Name, string Version);

public sealed record ServerCapabilities(IReadOnlyList<string> Methods, int MaxMessageBytes, int ProgressIntervalMs);

public sealed record StorageStatus(string Dir, int SchemaVersion, string? RecoveredCorruptFile);

public sealed record InitializeResult(ServerInfo ServerInfo, string ProtocolVersion, ServerCapabilities Capabilities, StorageStatus Storage);

public sealed record SettingsUpdateParams
{
    public required JsonElement Settings { get; init; }
}

public sealed record SettingsResult(JsonElement Settings);

public sealed record EmptyResult;

public sealed record WaitParams
{
    public int Ms { get; init; }
    public int Steps { get; init; } = 10;
}

public sealed record BurstParams
{
    public int Count { get; init; }
}

public sealed record TickParams
{
    public long N { get; init; }
}

public sealed record DiagnosticsStats(long Ticks, long LastTick);

public sealed record ModelsLoadParams
{
    /// <summary>A model ref (<c>local/&lt;id&gt;</c>); or give <see cref="Path"/>.</summary>
    public string? Ref { get; init; }
    /// <summary>Any GGUF file on disk: registered as a local model under <c>local/&lt;file stem&gt;</c>.</summary>
    public string? Path { get; init; }
    /// <summary>Layers to offload; null chooses from free device memory.</summary>
    public int? GpuLayers { get; init; }
    public int? ContextLength { get; init; }
}

public sealed record ModelsLoadResult(string Ref, string Backend, int GpuLayers, int ContextLength, long LoadMs, string Path, long SizeBytes);
// ---- Models, downloads, storage ----

public sealed record CatalogFit(string Verdict, int GpuLayers, long EstimatedBytes);

public sealed record CatalogModel(
    string Id, string Ref, string DisplayName, string Repo, string File, string Revision, long SizeBytes, bool SizeApproximate,
    string Quant, long Parameters, int ContextLength, int DefaultContext, IReadOnlyList<string> Roles, string License,
    CatalogFit Fit, bool Downloaded);

/// <summary>One of: <c>catalogId</c>; <c>url</c> (https, or http on loopback); <c>repo</c> + <c>file</c> (+ <c>revision</c>) on the Hugging Face endpoint.</summary>
public sealed record DownloadParams
{
    public string? CatalogId { get; init; }
    public string? Url { get; init; }
    public string? Repo { get; init; }
    public string? File { get; init; }
    public string? Revision { get; init; }
    /// <summary>Local file name (defaults to the URL's last segment, or <c>&lt;catalogId&gt;.gguf</c>).</summary>
    public string? FileName { get; init; }
    /// <summary>Expected SHA-256 (hex) when the caller knows it; the server's published one is used otherwise.</summary>
    public string? Sha256 { get; init; }
    public JsonElement? WorkDoneToken { get; init; }
}

public sealed record DownloadResultDto(string Ref, string Path, string Sha256, long SizeBytes);

public sealed record DownloadInfo(string Id, string Ref, string FileName, string State, long Bytes, long? TotalBytes, string? CatalogId, string? Error, int? ErrorCode)
{
    /// <summary>The URL the download was asked for; <c>models/download {url}</c> with it continues the job.</summary>
    public string? Url { get; init; }
}

public sealed record DownloadIdParams
{
    public required string Id { get; init; }
}

public sealed record ModelRefParams
{
    public required string Ref { get; init; }
}

public sealed record ModelStatusResult(bool Downloaded, bool Loading, bool Loaded, string? State, double? Progress, string? Error)
{
    /// <summary>The model's stored settings (<c>models/configure</c>); absent when it has none.</summary>
    public ModelParamsDto? Params { get; init; }
}

public sealed record RuntimeStateParams(string Ref, string State, string? Detail);

public sealed record ContextChunkDto(string Uri, string Text);

public sealed record InlineCompletionParams
{
    public required string Uri { get; init; }
    public string? LanguageId { get; init; }
    public required string Prefix { get; init; }
    public string Suffix { get; init; } = "";
    public IReadOnlyList<ContextChunkDto>? ExtraContext { get; init; }
    public string? Model { get; init; }
    public int? MaxTokens { get; init; }
    public int? TimeBudgetMs { get; init; }
}

public sealed record InlineItemDto(string Text);

public sealed record InlineTimingsDto(int CachedTokens, int EvaluatedTokens, double TtftMs, double TotalMs, bool FromCache, bool TimedOut);

public sealed record InlineCompletionResult(IReadOnlyList<InlineItemDto> Items, InlineTimingsDto Timings, string Model)
{
    /// <summary>Where the code went (loopback | cloud), on answers from a remote provider; absent on the device.</summary>
    public string? Privacy { get; init; }
}
public sealed record DeleteResult(long FreedBytes);

public sealed record HuggingFaceTokenParams
{
    public string? Token { get; init; }
}

public sealed record StorageModelInfo(string Ref, string FileName, long SizeBytes, DateTimeOffset? LastUsed, bool Loaded);

public sealed record StorageInfoResult(string ModelsDir, long UsedBytes, long? QuotaBytes, long DiskFreeBytes, IReadOnlyList<StorageModelInfo> Models);

public sealed record EvictParams
{
    public long? TargetFreeBytes { get; init; }
    public bool DryRun { get; init; }
}

public sealed record EvictedModelInfo(string Ref, long SizeBytes);

public sealed record EvictResult(IReadOnlyList<EvictedModelInfo> Evicted);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowOutOfOrderMetadataProperties = true)]
[JsonSerializable(typeof(InitializeParams))]
[JsonSerializable(typeof(InitializeResult))]
[JsonSerializable(typeof(SettingsUpdateParams))]
[JsonSerializable(typeof(SettingsResult))]
[JsonSerializable(typeof(EmptyResult))]
[JsonSerializable(typeof(MachineInfo))]
[JsonSerializable(typeof(ModelsLoadParams))]
[JsonSerializable(typeof(ModelsLoadResult))]
[JsonSerializable(typeof(ModelRefParams))]
[JsonSerializable(typeof(ModelStatusResult))]
[JsonSerializable(typeof(RuntimeStateParams))]
[JsonSerializable(typeof(InlineCompletionParams))]
[JsonSerializable(typeof(InlineCompletionResult))]
[JsonSerializable(typeof(WaitParams))]
[JsonSerializable(typeof(BurstParams))]
[JsonSerializable(typeof(TickParams))]
[JsonSerializable(typeof(DiagnosticsStats))]
[JsonSerializable(typeof(CatalogModel[]))]
[JsonSerializable(typeof(DownloadParams))]
[JsonSerializable(typeof(DownloadResultDto))]
[JsonSerializable(typeof(DownloadInfo[]))]
[JsonSerializable(typeof(DownloadIdParams))]
[JsonSerializable(typeof(ModelRefParams))]
[JsonSerializable(typeof(DeleteResult))]
[JsonSerializable(typeof(HuggingFaceTokenParams))]
[JsonSerializable(typeof(StorageInfoResult))]
[JsonSerializable(typeof(EvictParams))]
[JsonSerializable(typeof(EvictResult))]
public sealed partial class ProtocolJson : JsonSerializerContext;
