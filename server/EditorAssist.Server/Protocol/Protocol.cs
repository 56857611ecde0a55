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
[JsonSerializable(typeof(WaitParams))]
[JsonSerializable(typeof(BurstParams))]
[JsonSerializable(typeof(TickParams))]
[JsonSerializable(typeof(DiagnosticsStats))]
public sealed partial class ProtocolJson : JsonSerializerContext;
