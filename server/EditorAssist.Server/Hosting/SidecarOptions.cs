using System.Globalization;
using Microsoft.Extensions.Logging;

namespace EditorAssist.Server.Hosting;

/// <summary>Command-line options of the sidecar. Parsed by hand: start-up time matters (the
/// extension waits on it) and the grammar is tiny.</summary>
public sealed record SidecarOptions
{
    public string Verb { get; init; } = "serve";
    /// <summary>Arguments after a verb such as <c>generate</c>, parsed by that verb.</summary>
    public IReadOnlyList<string> VerbArgs { get; init; } = [];
    public bool Diagnostics { get; init; }
    public int MaxMessageBytes { get; init; } = 8 * 1024 * 1024;
    public LogLevel LogLevel { get; init; } = LogLevel.Information;
    public TimeSpan ParentPollInterval { get; init; } = TimeSpan.FromSeconds(1);

    public const string Usage = """
        EditorAssist sidecar: JSON-RPC 2.0 over stdio (LSP base-protocol framing).

        Usage: EditorAssist.Server [--stdio] [options]
               EditorAssist.Server generate --model PATH --prompt TEXT [...]   (see generate --help)
               EditorAssist.Server --version | --help

        Options:
          --stdio                   serve JSON-RPC on stdin/stdout (default)
          --diagnostics             enable diagnostics/* methods (tests, benchmarks)
          --max-message-bytes N     largest accepted message (default 8388608)
          --log-level LEVEL         trace|debug|information|warning|error (default information;
                                    env EDITORASSIST_LOG_LEVEL also works)
        Logs go to stderr; stdout carries protocol frames only.
        """;

    public static SidecarOptions Parse(IReadOnlyList<string> args)
    {
        var o = new SidecarOptions();
        if (Environment.GetEnvironmentVariable("EDITORASSIST_LOG_LEVEL") is { Length: > 0 } envLevel)
            o = o with { LogLevel = ParseLevel(envLevel) };
        if (args.Count > 0 && args[0] is "generate")
            return o with { Verb = args[0], VerbArgs = args.Skip(1).ToList(), LogLevel = o.LogLevel == LogLevel.Information ? LogLevel.Warning : o.LogLevel };
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{a} needs a value.");
            o = a switch
            {
                "--stdio" => o with { Verb = "serve" },
                "--version" or "-v" => o with { Verb = "version" },
                "--help" or "-h" => o with { Verb = "help" },
                "--diagnostics" => o with { Diagnostics = true },
                "--max-message-bytes" => o with { MaxMessageBytes = ParsePositive(a, Next()) },
                "--log-level" => o with { LogLevel = ParseLevel(Next()) },
                _ => throw new ArgumentException($"Unknown argument '{a}'."),
            };
        }
        return o;
    }

    private static int ParsePositive(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n : throw new ArgumentException($"{name} expects a positive integer, got '{value}'.");

    private static LogLevel ParseLevel(string value) =>
        Enum.TryParse<LogLevel>(value, ignoreCase: true, out var level) ? level : throw new ArgumentException($"Unknown log level '{value}'.");
}
