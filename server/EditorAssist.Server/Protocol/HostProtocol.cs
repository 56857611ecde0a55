using System.Text.Json;
using System.Text.Json.Serialization;

// The editor's own models as a provider (issue 15, part 1): the extension reports VS Code's chat
// models and streams answers from vscode.lm for the sidecar. docs/PROTOCOL.md, "The editor's models".
namespace EditorAssist.Server.Protocol;

public static class HostMethods
{
    /// <summary>Client → server notification: the editor's chat models now (at each start and on every change).</summary>
    public const string HostDidChangeModels = "host/didChangeModels";
    /// <summary>Server → client request: answer with one of the editor's models.</summary>
    public const string HostChat = "host/chat";
    /// <summary>Client → server notification: streamed text of a <c>host/chat</c>, in order, before its answer.</summary>
    public const string HostDelta = "host/delta";
}

/// <summary>One chat model of the editor, as <c>vscode.lm</c> describes it.</summary>
public sealed record HostModelDto
{
    public string? Vendor { get; init; }
    public string? Id { get; init; }
    public string? Name { get; init; }
    public string? Family { get; init; }
    public string? Version { get; init; }
    public int? MaxInputTokens { get; init; }
    /// <summary>Whether the model takes tools; absent when the editor does not say.</summary>
    public bool? ToolCalling { get; init; }
}

public sealed record HostModelsParams
{
    public IReadOnlyList<HostModelDto>? Models { get; init; }
}

/// <summary>In <c>models/list</c>: who serves a <c>host/…</c> model inside the editor.</summary>
public sealed record HostModelInfoDto(string Vendor, string Family, string? Version, bool? ToolCalling);

public sealed record HostModelRefDto(string Vendor, string Id);

/// <summary>A tool call in the conversation or in an answer; <c>input</c> is a JSON object (vscode.lm's LanguageModelToolCallPart).</summary>
public sealed record HostToolCallDto(string CallId, string Name, JsonElement Input);

/// <summary>
/// One message: <c>system</c> | <c>user</c> | <c>assistant</c> (with <c>toolCalls</c>) | <c>tool</c> (a result for
/// <c>toolCallId</c>). The extension maps them onto vscode.lm's user/assistant messages and parts.
/// </summary>
public sealed record HostMessageDto
{
    public required string Role { get; init; }
    public required string Content { get; init; }
    public IReadOnlyList<HostToolCallDto>? ToolCalls { get; init; }
    public string? ToolCallId { get; init; }
    public bool? IsError { get; init; }
}

public sealed record HostToolDto(string Name, string Description, JsonElement InputSchema);

public sealed record HostChatParams
{
    public required string StreamId { get; init; }
    public required HostModelRefDto Model { get; init; }
    public required IReadOnlyList<HostMessageDto> Messages { get; init; }
    public IReadOnlyList<HostToolDto>? Tools { get; init; }
    /// <summary><c>auto</c> | <c>required</c> (with exactly one tool listed: a forced tool); absent without tools.</summary>
    public string? ToolMode { get; init; }
}

public sealed record HostDeltaDto(string StreamId, string Delta);

public sealed record HostChatResultDto
{
    /// <summary>How many <c>host/delta</c> notifications the client sent for this request (the sidecar waits for them all).</summary>
    public int Deltas { get; init; }
    /// <summary><c>stop</c> (default) | <c>length</c> | <c>toolCalls</c>.</summary>
    public string? FinishReason { get; init; }
    public IReadOnlyList<HostToolCallDto>? ToolCalls { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowOutOfOrderMetadataProperties = true)]
[JsonSerializable(typeof(HostModelsParams))]
[JsonSerializable(typeof(HostChatParams))]
[JsonSerializable(typeof(HostDeltaDto))]
[JsonSerializable(typeof(HostChatResultDto))]
public sealed partial class HostProtocolJson : JsonSerializerContext;
