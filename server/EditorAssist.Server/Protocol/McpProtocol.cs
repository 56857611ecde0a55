using System.Text.Json;
using System.Text.Json.Serialization;

// MCP servers (issue 14, item 4): docs/PROTOCOL.md, "MCP servers". The extension sends the user's
// list (editorAssist.mcpServers); the sidecar connects, lists tools and offers them in chat/send.
namespace EditorAssist.Server.Protocol;

/// <summary>One server as the user configured it: <c>command</c> (stdio) or <c>url</c> (HTTP).</summary>
public sealed record McpServerConfigDto
{
    public string? Name { get; init; }
    public string? Command { get; init; }
    public IReadOnlyList<string>? Args { get; init; }
    public Dictionary<string, string>? Env { get; init; }
    public string? Cwd { get; init; }
    public string? Url { get; init; }
    public Dictionary<string, string>? Headers { get; init; }
    public bool? Trusted { get; init; }
}

public sealed record McpConfigureParams
{
    public IReadOnlyList<McpServerConfigDto>? Servers { get; init; }
}

public sealed record McpListParams
{
    /// <summary>Answer once no server is <c>connecting</c> (each is bounded by the connect timeout).</summary>
    public bool? Wait { get; init; }
}

public sealed record McpToolDto(string Name, string Tool, string Description);

/// <summary>A server in <c>mcp/list</c> / <c>mcp/didChange</c>. Never carries <c>env</c> or <c>headers</c> (secrets).</summary>
public sealed record McpServerDto(
    string Name, string Transport, string Privacy, bool Trusted, string State, string? Error, int? ErrorCode, IReadOnlyList<McpToolDto> Tools);

public sealed record McpListResult(IReadOnlyList<McpServerDto> Servers);

public sealed record McpDidChangeParams(McpServerDto Server);

/// <summary>Server → client request: may this MCP tool call run?</summary>
public sealed record ToolApprovalParams(string StreamId, string CallId, string Server, string Name, string Tool, JsonElement Arguments);

public sealed record ToolApprovalResult
{
    public bool Approved { get; init; }
    /// <summary>"Allow for this chat": later calls to this server's tools in the turn are not asked about.</summary>
    public bool? Always { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(McpConfigureParams))]
[JsonSerializable(typeof(McpListParams))]
[JsonSerializable(typeof(McpListResult))]
[JsonSerializable(typeof(McpDidChangeParams))]
[JsonSerializable(typeof(ToolApprovalParams))]
[JsonSerializable(typeof(ToolApprovalResult))]
public sealed partial class McpProtocolJson : JsonSerializerContext;
