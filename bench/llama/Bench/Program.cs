// EditorAssist side of the local-runtime benchmark.
//   write-model SHAPE PATH             SHAPE = tiny | 250m (random weights, see TestModelSpec)
//   run MODEL PROMPT_FILE GEN THREADS RUNS
// "run" prints one JSON line: pp/tg tokens per second (median of RUNS after a warm-up),
// load time, peak RSS and the worker's time-to-first-token overhead over prompt evaluation.
using System.Diagnostics;
using System.Text.Json;
using EditorAssist.Llama;
using EditorAssist.Testing.Gguf;

if (args.Length >= 3 && args[0] == "write-model")
{
    var spec = args[1] switch
    {
        "tiny" => TestModelSpec.BenchmarkTiny,
        "250m" => TestModelSpec.Benchmark250M,
        _ => throw new ArgumentException("shape: tiny | 250m"),
    };
    TestModel.Write(args[2], spec);
    return 0;
}
if (args.Length < 6 || args[0] != "run")
{
    Console.Error.WriteLine("usage: write-model tiny|250m PATH | run MODEL PROMPT_FILE GEN THREADS RUNS");
    return 2;
}

string model = args[1];
string prompt = File.ReadAllText(args[2]);
int gen = int.Parse(args[3]), threads = int.Parse(args[4]), runs = int.Parse(args[5]);

// The CPU build, as node-llama-cpp uses with gpu: false: same native code on both sides.
var runtime = LlamaRuntime.Initialize(new LlamaRuntimeOptions { AllowVulkan = false });
var sw = Stopwatch.StartNew();
await using var lm = await runtime.LoadModelAsync(model, new LocalModelOptions { GpuLayers = 0, ContextLength = 2048, BatchSize = 512, Threads = threads });
double loadMs = sw.Elapsed.TotalMilliseconds;

var pp = new List<double>();
var tg = new List<double>();
var overhead = new List<double>();
int promptTokens = 0, generated = 0;
for (int r = 0; r < runs + 1; r++)
{
    await lm.ResetCacheAsync(); // measure full prompt evaluation every run, like the peer
    var res = await lm.GenerateAsync(new GenerationRequest
    {
        Prompt = prompt,
        Options = new GenerationOptions { Temperature = 0, MaxTokens = gen, IgnoreEndOfGeneration = true },
    });
    if (r == 0)
    {
        continue; // warm-up
    }
    promptTokens = res.Usage.PromptTokens;
    generated = res.Usage.CompletionTokens;
    var t = res.Timings;
    pp.Add(res.Usage.PromptTokens / ((t.TtftMs - t.QueueMs) / 1000));
    tg.Add((res.Usage.CompletionTokens - 1) / ((t.TotalMs - t.TtftMs) / 1000));
    overhead.Add(t.TtftMs - t.QueueMs - t.PromptMs);
}

static double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);
long peakRss = 0;
foreach (string line in File.ReadLines("/proc/self/status"))
{
    if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
    {
        peakRss = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }
}
Console.WriteLine(JsonSerializer.Serialize(new
{
    impl = "EditorAssist",
    promptTokens,
    generated,
    ppTokensPerSecond = Median(pp),
    tgTokensPerSecond = Median(tg),
    loadMs,
    peakRssBytes = peakRss,
    ttftOverheadMs = Median(overhead),
    // Which CPU build ggml picked: the libraries mapped into this process.
    loaded = File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "")
        .Where(f => f.Contains("ggml-cpu", StringComparison.Ordinal)).Distinct().ToList(),
    systemInfo = runtime.SystemInfo,
}));
return 0;
