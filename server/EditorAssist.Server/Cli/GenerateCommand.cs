using System.Globalization;
using System.Text.Json;
using EditorAssist.Core.Local;
using EditorAssist.Llama;
using Microsoft.Extensions.Logging;

namespace EditorAssist.Server.Cli;

/// <summary>
/// <c>EditorAssist.Server generate --model PATH --prompt TEXT [options]</c>: one generation with
/// the local runtime, for scripts and benchmarks. Text streams to stdout as it is generated;
/// <c>--json</c> prints one JSON object with the text, usage and timings instead. Logs go to stderr.
/// </summary>
internal static class GenerateCommand
{
    public const string Usage = """
        Usage: EditorAssist.Server generate --model PATH --prompt TEXT [options]
          --max-tokens N      tokens to generate (default 128)
          --temperature T     0 = greedy (default 0.8)
          --seed N            sampler seed
          --gpu-layers N      layers to offload (default: automatic)
          --context N         context length (default: the model's, capped by memory)
          --threads N         CPU threads (default: all cores)
          --cpu               do not use a GPU
          --raw               use the prompt as is, without the model's chat template
          --ignore-eos        always generate --max-tokens tokens (benchmarks)
          --json              print {text, finishReason, usage, timings, backend, gpuLayers, loadMs} as JSON
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, ILoggerFactory loggers)
    {
        string? model = null, prompt = null;
        int maxTokens = 128;
        float temperature = 0.8f;
        uint? seed = null;
        int? gpuLayers = null, context = null, threads = null;
        bool cpu = false, raw = false, json = false, ignoreEos = false;
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{a} needs a value.");
            switch (a)
            {
                case "--model": model = Next(); break;
                case "--prompt": prompt = Next(); break;
                case "--max-tokens": maxTokens = ParseInt(a, Next()); break;
                case "--temperature": temperature = float.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--seed": seed = (uint)ParseInt(a, Next()); break;
                case "--gpu-layers": gpuLayers = ParseInt(a, Next()); break;
                case "--context": context = ParseInt(a, Next()); break;
                case "--threads": threads = Math.Max(1, ParseInt(a, Next())); break;
                case "--cpu": cpu = true; break;
                case "--raw": raw = true; break;
                case "--json": json = true; break;
                case "--ignore-eos": ignoreEos = true; break;
                case "--help" or "-h": Console.Error.WriteLine(Usage); return 0;
                default: throw new ArgumentException($"Unknown argument '{a}'.");
            }
        }
        if (model is null || prompt is null) throw new ArgumentException("generate needs --model and --prompt.");

        var runtime = LlamaRuntime.Initialize(new LlamaRuntimeOptions { AllowVulkan = !cpu }, loggers.CreateLogger("EditorAssist.Llama"));
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
        try
        {
            await using var m = await runtime.LoadModelAsync(model, new LocalModelOptions { GpuLayers = cpu ? 0 : gpuLayers, ContextLength = context, Threads = threads }, null, cts.Token);
            var options = new GenerationOptions { MaxTokens = maxTokens, Temperature = temperature, IgnoreEndOfGeneration = ignoreEos };
            if (seed is uint s) options = options with { Seed = s };
            var request = raw
                ? new GenerationRequest { Prompt = prompt, Options = options }
                : new GenerationRequest { Messages = [new ChatMessage("user", prompt)], Options = options };
            var stdout = Console.OpenStandardOutput();
            var result = await m.GenerateAsync(request, json ? null : text =>
            {
                var bytes = System.Text.Encoding.UTF8.GetBytes(text);
                stdout.Write(bytes);
                stdout.Flush();
            }, cts.Token);
            if (json)
            {
                using var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true });
                w.WriteStartObject();
                w.WriteString("text", result.Text);
                w.WriteString("finishReason", result.FinishReason.ToString().ToLowerInvariant());
                w.WriteString("backend", m.Backend);
                w.WriteNumber("gpuLayers", m.GpuLayers);
                w.WriteNumber("contextLength", m.ContextLength);
                w.WriteNumber("loadMs", Math.Round(m.LoadTime.TotalMilliseconds, 1));
                w.WriteStartObject("usage");
                w.WriteNumber("promptTokens", result.Usage.PromptTokens);
                w.WriteNumber("completionTokens", result.Usage.CompletionTokens);
                w.WriteNumber("cachedTokens", result.Usage.CachedTokens);
                w.WriteEndObject();
                w.WriteStartObject("timings");
                w.WriteNumber("ttftMs", Math.Round(result.Timings.TtftMs, 2));
                w.WriteNumber("promptMs", Math.Round(result.Timings.PromptMs, 2));
                w.WriteNumber("totalMs", Math.Round(result.Timings.TotalMs, 2));
                w.WriteNumber("tokensPerSecond", Math.Round(result.Timings.TokensPerSecond, 2));
                w.WriteNumber("promptTokensPerSecond", Math.Round(result.Timings.PromptTokensPerSecond, 2));
                w.WriteEndObject();
                w.WriteEndObject();
                w.Flush();
                stdout.Write("\n"u8);
            }
            else
            {
                stdout.Write("\n"u8);
            }
            return 0;
        }
        catch (LocalModelException ex)
        {
            Console.Error.WriteLine($"error {(int)ex.Code}: {ex.Message}");
            return 1;
        }
    }

    private static int ParseInt(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0
            ? n : throw new ArgumentException($"{name} expects a non-negative integer, got '{value}'.");
}
