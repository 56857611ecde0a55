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
    /// <summary>For the CLI verbs (pull, models, rm): the storage folder (default: the user's local app-data folder).</summary>
    public string? StorageDir { get; init; }
    /// <summary>The verb's positional arguments (pull's source, rm's ref).</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];
    /// <summary>pull --no-verify: skip the SHA-256 (benchmarks only; the GGUF header is still checked).</summary>
    public bool NoVerify { get; init; }
    /// <summary>Record per-model figures for <c>metrics/get</c> (default on; <c>--no-metrics</c> or env EDITORASSIST_METRICS=off for benchmarks).</summary>
    public bool Metrics { get; init; } = true;

    private static readonly HashSet<string> CliVerbs = ["pull", "models", "rm", "catalog"];

    public const string Usage = """
        EditorAssist sidecar: JSON-RPC 2.0 over stdio (LSP base-protocol framing).

        Usage: EditorAssist.Server [--stdio] [options]
               EditorAssist.Server generate --model PATH --prompt TEXT [...]   (see generate --help)
               EditorAssist.Server pull <catalogId | https-url | org/repo/file.gguf> [--storage-dir D]
               EditorAssist.Server models [--storage-dir D]     local models, sizes, last use
               EditorAssist.Server catalog                      recommended models and how they fit here
               EditorAssist.Server rm <ref> [--storage-dir D]   delete a local model (e.g. local/qwen2.5-coder-1.5b-q8_0)
               EditorAssist.Server --version | --help

        Options:
          --stdio                   serve JSON-RPC on stdin/stdout (default)
          --diagnostics             enable diagnostics/* methods (tests, benchmarks)
          --max-message-bytes N     largest accepted message (default 8388608)
          --log-level LEVEL         trace|debug|information|warning|error (default information;
                                    env EDITORASSIST_LOG_LEVEL also works)
          --storage-dir D           (pull, models, rm) the storage folder; models live in D/models
          --no-metrics              record no per-model figures (metrics/get answers empty);
                                    env EDITORASSIST_METRICS=off also works
        Logs go to stderr; stdout carries protocol frames only. pull reads a Hugging Face token
        from HF_TOKEN and a mirror from HF_ENDPOINT.
        """;

    public static SidecarOptions Parse(IReadOnlyList<string> args)
    {
        var o = new SidecarOptions();
        if (Environment.GetEnvironmentVariable("EDITORASSIST_LOG_LEVEL") is { Length: > 0 } envLevel)
            o = o with { LogLevel = ParseLevel(envLevel) };
        if (Environment.GetEnvironmentVariable("EDITORASSIST_METRICS") is "off" or "0" or "false")
            o = o with { Metrics = false };
        if (args.Count > 0 && args[0] is "generate")
            return o with { Verb = args[0], VerbArgs = args.Skip(1).ToList(), LogLevel = o.LogLevel == LogLevel.Information ? LogLevel.Warning : o.LogLevel };
        var positional = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{a} needs a value.");
            if (!a.StartsWith('-'))
            {
                if (positional.Count == 0 && o.Verb == "serve" && CliVerbs.Contains(a)) o = o with { Verb = a };
                else if (CliVerbs.Contains(o.Verb)) positional.Add(a);
                else throw new ArgumentException($"Unknown argument '{a}'.");
                continue;
            }
            o = a switch
            {
                "--storage-dir" => o with { StorageDir = Next() },
                "--no-verify" => o with { NoVerify = true },
                "--stdio" => o with { Verb = "serve" },
                "--version" or "-v" => o with { Verb = "version" },
                "--help" or "-h" => o with { Verb = "help" },
                "--diagnostics" => o with { Diagnostics = true },
                "--no-metrics" => o with { Metrics = false },
                "--max-message-bytes" => o with { MaxMessageBytes = ParsePositive(a, Next()) },
                "--log-level" => o with { LogLevel = ParseLevel(Next()) },
                _ => throw new ArgumentException($"Unknown argument '{a}'."),
            };
        }
        var expected = o.Verb switch { "pull" or "rm" => 1, _ => 0 };
        if (positional.Count != expected)
            throw new ArgumentException(expected == 1 ? $"{o.Verb} takes one argument." : $"{o.Verb} takes no arguments.");
        return o with { Arguments = positional };
    }

    private static int ParsePositive(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n : throw new ArgumentException($"{name} expects a positive integer, got '{value}'.");

    private static LogLevel ParseLevel(string value) =>
        Enum.TryParse<LogLevel>(value, ignoreCase: true, out var level) ? level : throw new ArgumentException($"Unknown log level '{value}'.");
}
