// EditorAssist side of the local-runtime benchmark.
//   write-model SHAPE PATH             SHAPE = tiny | 250m | 1b (random weights, see TestModelSpec)
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
        "1b" => TestModelSpec.Benchmark1B,
        _ => throw new ArgumentException("shape: tiny | 250m | 1b"),
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
// EA_BENCH_GPU_LAYERS=N (bench/llama/gpu.sh) offloads N layers to the Vulkan device instead,
// as node-llama-cpp does with gpu: "vulkan" and the same gpuLayers.
int gpuLayers = int.TryParse(Environment.GetEnvironmentVariable("EA_BENCH_GPU_LAYERS"), out int g) ? g : 0;
var runtime = LlamaRuntime.Initialize(new LlamaRuntimeOptions { AllowVulkan = gpuLayers > 0 });
var sw = Stopwatch.StartNew();
await using var lm = await runtime.LoadModelAsync(model, new LocalModelOptions { GpuLayers = gpuLayers, ContextLength = 2048, BatchSize = 512, Threads = threads });
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
// Written with Utf8JsonWriter, not an anonymous type through JsonSerializer: the GPU kit
// (make-gpu-kit.sh) publishes this program trimmed, and reflection-based serialization breaks there.
using (var json = new Utf8JsonWriter(Console.OpenStandardOutput()))
{
    json.WriteStartObject();
    json.WriteString("impl", "EditorAssist");
    json.WriteNumber("promptTokens", promptTokens);
    json.WriteNumber("generated", generated);
    json.WriteNumber("ppTokensPerSecond", Median(pp));
    json.WriteNumber("tgTokensPerSecond", Median(tg));
    json.WriteNumber("loadMs", loadMs);
    json.WriteNumber("peakRssBytes", peakRss);
    json.WriteNumber("ttftOverheadMs", Median(overhead));
    // Which CPU build ggml picked: the libraries mapped into this process.
    json.WriteStartArray("loaded");
    foreach (string f in File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "")
        .Where(f => f.Contains("ggml-cpu", StringComparison.Ordinal)).Distinct())
    {
        json.WriteStringValue(f);
    }
    json.WriteEndArray();
    json.WriteString("systemInfo", runtime.SystemInfo);
    json.WriteEndObject();
}
Console.WriteLine();
return 0;
