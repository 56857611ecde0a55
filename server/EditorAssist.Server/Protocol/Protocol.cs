using System.Text.Json;
using System.Text.Json.Serialization;
using EditorAssist.Core.SystemInfo;

// The wire contract of the sidecar, in one file (PROTOCOL.md and docs/PROTOCOL.md). Method names
// are constants, never derived from C# names. The TypeScript mirror is extension-client/src/protocol.ts.
namespace EditorAssist.Server.Protocol;

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
    public const string ChatSend = "chat/send";
    public const string ChatDelta = "chat/delta";

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

public sealed record ModelRefParams
{
    public required string Ref { get; init; }
}

public sealed record ModelStatusResult(bool Downloaded, bool Loading, bool Loaded, string? State, double? Progress, string? Error);

public sealed record RuntimeStateParams(string Ref, string State, string? Detail);

public sealed record ChatMessageDto(string Role, string Content);

public sealed record ChatParamsDto
{
    public float? Temperature { get; init; }
    public float? TopP { get; init; }
    public int? TopK { get; init; }
    public float? MinP { get; init; }
    public float? RepeatPenalty { get; init; }
    public int? MaxTokens { get; init; }
    public uint? Seed { get; init; }
    public IReadOnlyList<string>? Stop { get; init; }
    /// <summary><c>"text"</c>, <c>"json"</c>, or <c>{"jsonSchema": {...}}</c>.</summary>
    public JsonElement? ResponseFormat { get; init; }
}

public sealed record ChatSendParams
{
    public required string StreamId { get; init; }
    public string? SessionId { get; init; }
    public string? Model { get; init; }
    public required IReadOnlyList<ChatMessageDto> Messages { get; init; }
    public ChatParamsDto? Params { get; init; }
}

public sealed record ChatUsageDto(int PromptTokens, int CompletionTokens, int CachedTokens);

public sealed record ChatTimingsDto(double TtftMs, double TotalMs, double TokensPerSecond);

public sealed record ChatSendResult(string SessionId, string Content, string FinishReason, ChatUsageDto Usage, ChatTimingsDto Timings, string Model, string Privacy);

public sealed record ChatDeltaParams(string StreamId, string Delta);

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
[JsonSerializable(typeof(ChatSendParams))]
[JsonSerializable(typeof(ChatSendResult))]
[JsonSerializable(typeof(ChatDeltaParams))]
[JsonSerializable(typeof(WaitParams))]
[JsonSerializable(typeof(BurstParams))]
[JsonSerializable(typeof(TickParams))]
[JsonSerializable(typeof(DiagnosticsStats))]
public sealed partial class ProtocolJson : JsonSerializerContext;
