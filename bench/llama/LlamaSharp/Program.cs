// LLamaSharp 0.30.0 (LLamaSharp.Backend.Cpu) side of bench/llama, measured like Bench/Program.cs:
//   pp = prompt tokens / time to the first generated token, tg = (generated - 1) / first→last token,
//   greedy, KV cache cleared before every run, median of RUNS after one warm-up.
// Usage: run MODEL PROMPT_FILE GEN THREADS RUNS
// Knobs for the investigation (docs/LOCAL_RUNTIME.md), all optional:
//   LLSHARP_AVX=none|avx|avx2|avx512  which of its CPU builds to load (default: its own pick)
//   LLSHARP_FLASH=true|false          flash attention (default: LLamaSharp's default)
//   LLSHARP_THREADS_BATCH=N           n_threads_batch (default: THREADS)
using System.Diagnostics;
using System.Text.Json;
using LLama;
using LLama.Common;
using LLama.Native;

if (args.Length < 6 || args[0] != "run")
{
    Console.Error.WriteLine("usage: run MODEL PROMPT_FILE GEN THREADS RUNS");
    return 2;
}
string modelPath = args[1];
string prompt = File.ReadAllText(args[2]);
int gen = int.Parse(args[3]), threads = int.Parse(args[4]), runs = int.Parse(args[5]);

if (Environment.GetEnvironmentVariable("LLSHARP_AVX") is { Length: > 0 } avx)
{
    NativeLibraryConfig.All.WithAvx(avx switch
    {
        "none" => AvxLevel.None,
        "avx" => AvxLevel.Avx,
        "avx2" => AvxLevel.Avx2,
        "avx512" => AvxLevel.Avx512,
        _ => throw new ArgumentException("LLSHARP_AVX: none | avx | avx2 | avx512"),
    });
}
NativeLibraryConfig.All.WithLogCallback((level, message) => { if (level >= LLamaLogLevel.Warning) Console.Error.Write(message); });

var p = new ModelParams(modelPath)
{
    ContextSize = 2048,
    BatchSize = 512,
    UBatchSize = 512,
    Threads = threads,
    BatchThreads = int.TryParse(Environment.GetEnvironmentVariable("LLSHARP_THREADS_BATCH"), out var tb) ? tb : threads,
    GpuLayerCount = 0,
    SeqMax = 1,
};
if (bool.TryParse(Environment.GetEnvironmentVariable("LLSHARP_FLASH"), out var flash)) p.FlashAttention = flash;

var sw = Stopwatch.StartNew();
using var weights = LLamaWeights.LoadFromFile(p);
using var ctx = weights.CreateContext(p);
double loadMs = sw.Elapsed.TotalMilliseconds;

var tokens = ctx.Tokenize(prompt, addBos: true, special: false);
using var sampler = SafeLLamaSamplerChainHandle.Create(LLamaSamplerChainParams.Default());
sampler.AddGreedySampler();
var batch = new LLamaBatch();

var pp = new List<double>();
var tg = new List<double>();
int generated = 0;
for (int r = 0; r < runs + 1; r++)
{
    ctx.NativeHandle.MemoryClear(true);
    sampler.Reset();
    var start = Stopwatch.GetTimestamp();
    int pos = 0;
    while (pos < tokens.Length)
    {
        int n = Math.Min((int)ctx.BatchSize, tokens.Length - pos);
        batch.Clear();
        batch.AddRange(tokens.AsSpan(pos, n), pos, LLamaSeqId.Zero, pos + n == tokens.Length);
        Check(ctx.NativeHandle.Decode(batch));
        pos += n;
    }
    var token = sampler.Sample(ctx.NativeHandle, -1);
    var first = Stopwatch.GetTimestamp();
    int count = 1;
    while (count < gen)
    {
        batch.Clear();
        batch.Add(token, pos++, LLamaSeqId.Zero, true);
        Check(ctx.NativeHandle.Decode(batch));
        token = sampler.Sample(ctx.NativeHandle, -1);
        count++;
    }
    var end = Stopwatch.GetTimestamp();
    if (r == 0)
    {
        continue; // warm-up
    }
    generated = count;
    pp.Add(tokens.Length / Stopwatch.GetElapsedTime(start, first).TotalSeconds);
    tg.Add((count - 1) / Stopwatch.GetElapsedTime(first, end).TotalSeconds);
}

static void Check(DecodeResult r)
{
    if (r != DecodeResult.Ok) throw new InvalidOperationException($"llama_decode: {r}");
}

static double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);
string status = File.ReadAllText("/proc/self/status");
long peakRss = long.Parse(status.Split('\n').First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
// Which CPU build was loaded: the library paths mapped into this process.
var loaded = File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "")
    .Where(f => f.Contains("ggml-cpu", StringComparison.Ordinal) || f.Contains("libllama", StringComparison.Ordinal)).Distinct().ToList();
Console.WriteLine(JsonSerializer.Serialize(new
{
    impl = "LLamaSharp 0.30.0",
    promptTokens = tokens.Length,
    generated,
    ppTokensPerSecond = Median(pp),
    tgTokensPerSecond = Median(tg),
    loadMs,
    peakRssBytes = peakRss,
    flashAttention = p.FlashAttention?.ToString(),
    loaded,
    systemInfo = System.Runtime.InteropServices.Marshal.PtrToStringUTF8(NativeApi.llama_print_system_info()),
}));
return 0;
