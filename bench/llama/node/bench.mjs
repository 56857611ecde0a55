// node-llama-cpp side of the benchmark. Same model file, same thread count, same npm native
// build (@node-llama-cpp/linux-x64 3.22.1, CPU). Measures like Bench/Program.cs does:
//   pp = prompt tokens / time to first generated token
//   tg = (generated - 1) / time from first to last generated token
// Usage: node bench.mjs MODEL PROMPT_FILE GEN_TOKENS THREADS RUNS
import { readFileSync } from 'node:fs';
import { getLlama } from 'node-llama-cpp';

const [model, promptFile, genArg, threadsArg, runsArg] = process.argv.slice(2);
const gen = Number(genArg), threads = Number(threadsArg), runs = Number(runsArg);
const prompt = readFileSync(promptFile, 'utf8');

const t0 = performance.now();
// EA_BENCH_GPU_LAYERS=N: the Vulkan build with N layers offloaded (bench/llama/gpu.sh).
const gpuLayers = Number(process.env.EA_BENCH_GPU_LAYERS ?? 0);
const llama = await getLlama({ gpu: gpuLayers > 0 ? 'vulkan' : false, build: 'never', logLevel: 'error' });
const m = await llama.loadModel({ modelPath: model, gpuLayers });
const loadMs = performance.now() - t0;
const ctx = await m.createContext({ contextSize: 2048, batchSize: 512, threads: { ideal: threads, min: threads } });
// BOS first, as EditorAssist's raw-prompt tokenization adds it (the model's add_bos_token).
const tokens = [m.tokens.bos, ...m.tokenize(prompt, false)];

const results = [];
for (let r = 0; r < runs + 1; r++) {
  const seq = ctx.getSequence();
  const start = performance.now();
  let first = 0, n = 0;
  for await (const _ of seq.evaluate(tokens, { temperature: 0 })) {
    if (n === 0) first = performance.now();
    n++;
    if (n >= gen) break;
  }
  const end = performance.now();
  seq.dispose();
  if (r === 0) continue; // warm-up
  results.push({ pp: tokens.length / ((first - start) / 1000), tg: (n - 1) / ((end - first) / 1000), generated: n });
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rss = Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
console.log(JSON.stringify({
  impl: 'node-llama-cpp 3.22.1', promptTokens: tokens.length, generated: results[0].generated,
  ppTokensPerSecond: median(results.map((x) => x.pp)), tgTokensPerSecond: median(results.map((x) => x.tg)),
  loadMs, peakRssBytes: rss,
}));
await ctx.dispose();
await m.dispose();
await llama.dispose();
