using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using EditorAssist.Core.Providers;

namespace EditorAssist.Providers.Mcp;

/// <summary>
/// One MCP server the user listed (<c>editorAssist.mcpServers</c>): a stdio command, or an HTTP URL
/// (streamable HTTP, falling back to SSE). <see cref="Env"/> and <see cref="Headers"/> may hold secrets:
/// they are never logged, never stored, never sent back over the wire.
/// </summary>
public sealed record McpServerConfig
{
    public required string Name { get; init; }
    public string? Command { get; init; }
    public IReadOnlyList<string> Args { get; init; } = [];
    public IReadOnlyDictionary<string, string>? Env { get; init; }
    public string? Cwd { get; init; }
    public string? Url { get; init; }
    public IReadOnlyDictionary<string, string>? Headers { get; init; }
    /// <summary>Its tool calls run without asking the user.</summary>
    public bool Trusted { get; init; }

    public bool IsStdio => Command is not null;
    public string Transport => IsStdio ? McpTransports.Stdio : McpTransports.Http;

    /// <summary>A stdio server runs on this machine; an HTTP one is local only on a loopback host.</summary>
    public PrivacyClass Privacy => IsStdio ? PrivacyClass.OnDevice : PrivacyClassifier.Classify(ProviderKind.Remote, Url);

    /// <summary>Same server, same connection: a change of any field (secrets included) reconnects it.</summary>
    public bool SameAs(McpServerConfig other) =>
        Name == other.Name && Command == other.Command && Args.SequenceEqual(other.Args) && Cwd == other.Cwd && Url == other.Url
        && Trusted == other.Trusted && SameMap(Env, other.Env) && SameMap(Headers, other.Headers);

    private static bool SameMap(IReadOnlyDictionary<string, string>? a, IReadOnlyDictionary<string, string>? b)
    {
        if ((a?.Count ?? 0) != (b?.Count ?? 0)) return false;
        if (a is null || b is null) return true;
        return a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);
    }

    /// <summary>Checks a list from the client: names unique and non-empty, exactly one of command/url, an http(s) URL.</summary>
    public static void Validate(IReadOnlyList<McpServerConfig> servers)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in servers)
        {
            if (string.IsNullOrWhiteSpace(s.Name)) throw new ArgumentException("an MCP server needs a name.");
            if (s.Name.Length > 64) throw new ArgumentException($"the MCP server name '{s.Name[..16]}…' is longer than 64 characters.");
            if (!names.Add(s.Name)) throw new ArgumentException($"the MCP server '{s.Name}' is listed twice.");
            if ((s.Command is null) == (s.Url is null)) throw new ArgumentException($"the MCP server '{s.Name}' needs either a command (stdio) or a url (HTTP).");
            if (s.Command is not null && string.IsNullOrWhiteSpace(s.Command)) throw new ArgumentException($"the command of MCP server '{s.Name}' is empty.");
            if (s.Url is not null && (!Uri.TryCreate(s.Url, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https")))
                throw new ArgumentException($"the url of MCP server '{s.Name}' must be an http or https URL.");
        }
    }
}

public static class McpTransports
{
    public const string Stdio = "stdio";
    public const string Http = "http";
}

/// <summary>The states of an MCP server in <c>mcp/list</c>.</summary>
public static class McpStates
{
    public const string Connecting = "connecting";
    public const string Ready = "ready";
    public const string Failed = "failed";
}

/// <summary>One tool of an MCP server as the model sees it: <see cref="QualifiedName"/> is <c>server__tool</c>, made safe for every provider.</summary>
public sealed record McpToolInfo(string ServerName, string ToolName, string QualifiedName, string Description, string ParametersJson);

/// <summary>A server as <c>mcp/list</c> and <c>mcp/didChange</c> report it.</summary>
public sealed record McpServerSnapshot(
    string Name, string Transport, PrivacyClass Privacy, bool Trusted, string State, string? Error, int? ErrorCode, IReadOnlyList<McpToolInfo> Tools);

/// <summary>Tool names the providers accept: <c>^[A-Za-z0-9_-]{1,64}$</c> (OpenAI's rule, the strictest).</summary>
public static partial class McpToolNames
{
    public const string Separator = "__";
    private const int MaxLength = 64;

    [GeneratedRegex("[^A-Za-z0-9_-]")]
    private static partial Regex Unsafe();

    /// <summary><c>server__tool</c>, unsafe characters as <c>_</c>; too long → cut, with a short hash of the full name so two stay apart.</summary>
    public static string Qualify(string server, string tool)
    {
        var name = Unsafe().Replace(server, "_") + Separator + Unsafe().Replace(tool, "_");
        if (name.Length <= MaxLength) return name;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(server + "\0" + tool)))[..8];
        return name[..(MaxLength - 9)] + "_" + hash;
    }

    /// <summary><paramref name="name"/>, or with <c>_2</c>, <c>_3</c>… when <paramref name="taken"/> has it.</summary>
    public static string Unique(string name, ISet<string> taken)
    {
        if (taken.Add(name)) return name;
        for (var i = 2; ; i++)
        {
            var suffix = "_" + i;
            var candidate = (name.Length + suffix.Length > MaxLength ? name[..(MaxLength - suffix.Length)] : name) + suffix;
            if (taken.Add(candidate)) return candidate;
        }
    }
}
