// Side-by-side benchmark: EditorAssist's binding vs node-llama-cpp 3.22.1 (same npm native
// build, CPU) vs LLamaSharp 0.30.0 (its own CPU build), same generated model, same prompt, same
// thread count, greedy. Usage (from the repo root):
//   node bench/llama/run.mjs [--shapes tiny,250m] [--gen 128] [--threads 1,2] [--runs 3] [--rounds 3]
//                            [--impls ea,nlc,llamasharp] [--baseline PATH/EditorAssist.Llama.Bench.dll]
// Each round runs every implementation once (RUNS generations after a warm-up, median), in a
// rotating order; the table shows the median over rounds and the 1-minute load average seen.
// --baseline adds another build of our bench (e.g. an older commit's) as a fourth runner.
// Installs node-llama-cpp into bench/llama/node_modules on first use (no install scripts:
// its prebuilt binaries come from the same @node-llama-cpp/* packages).
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const arg = (name, def) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : def; };
const shapes = arg('shapes', 'tiny,250m').split(',');
const gen = arg('gen', '128'), threadList = arg('threads', '2').split(','), runs = arg('runs', '3'), rounds = Number(arg('rounds', '3'));
const impls = arg('impls', 'ea,nlc,llamasharp').split(',');
const baseline = arg('baseline', null);
const work = path.join(root, 'artifacts', 'bench-llama');
mkdirSync(work, { recursive: true });

const sh = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', ...opts });

if (!existsSync(path.join(here, 'node_modules', 'node-llama-cpp'))) {
  sh('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: here });
}
const proj = path.join(here, 'Bench', 'EditorAssist.Llama.Bench.csproj');
const out = path.join(work, 'bin');
sh('dotnet', ['build', proj, '-c', 'Release', '-o', out, '--nologo', '-v', 'q']);
const benchDll = path.join(out, 'EditorAssist.Llama.Bench.dll');
const sharpOut = path.join(work, 'llamasharp');
if (impls.includes('llamasharp')) {
  sh('dotnet', ['build', path.join(here, 'LlamaSharp', 'EditorAssist.Llama.LlamaSharpBench.csproj'), '-c', 'Release', '-o', sharpOut, '--nologo', '-v', 'q']);
}

// ~500 prompt tokens of plain words (the test vocabulary tokenizes them to ~1 token per 2 chars).
const words = ['hello', 'world', 'the', 'of', 'in', 'and', 'code', 'model', 'token', 'fast'];
let prompt = '';
for (let i = 0; prompt.length < 1000; i++) prompt += words[(i * 7) % words.length] + ' ';
const promptFile = path.join(work, 'prompt.txt');
writeFileSync(promptFile, prompt);

const last = (text) => JSON.parse(text.trim().split('\n').pop());
const runners = {
  ea: (model, t) => last(sh('dotnet', [benchDll, 'run', model, promptFile, gen, t, runs])),
  nlc: (model, t) => last(sh(process.execPath, [path.join(here, 'node', 'bench.mjs'), model, promptFile, gen, t, runs])),
  llamasharp: (model, t) => last(sh('dotnet', [path.join(sharpOut, 'EditorAssist.Llama.LlamaSharpBench.dll'), 'run', model, promptFile, gen, t, runs])),
};
if (baseline) {
  runners.baseline = (model, t) => ({ ...last(sh('dotnet', [baseline, 'run', model, promptFile, gen, t, runs])), impl: 'EditorAssist (baseline build)' });
  impls.push('baseline');
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const rows = [];
for (const shape of shapes) {
  const model = path.join(work, `${shape}.gguf`);
  if (!existsSync(model)) sh('dotnet', [benchDll, 'write-model', shape, model]);
  for (const t of threadList) {
    const byImpl = Object.fromEntries(impls.map((i) => [i, []]));
    for (let r = 0; r < rounds; r++) {
      // Rotate the order so no implementation always runs first (page cache, turbo, neighbours).
      const order = impls.map((_, k) => impls[(k + r) % impls.length]);
      for (const i of order) byImpl[i].push({ ...runners[i](model, t), load: os.loadavg()[0] });
    }
    const summary = Object.fromEntries(impls.map((i) => {
      const xs = byImpl[i];
      return [i, { ...xs[0], ppTokensPerSecond: median(xs.map((x) => x.ppTokensPerSecond)), tgTokensPerSecond: median(xs.map((x) => x.tgTokensPerSecond)),
        loadMs: median(xs.map((x) => x.loadMs)), tgRounds: xs.map((x) => x.tgTokensPerSecond), loads: xs.map((x) => x.load) }];
    }));
    rows.push({ shape, threads: t, summary });
  }
}

const f = (x, d = 1) => (x === undefined ? '' : x.toFixed(d));
console.log(`gen=${gen} runs=${runs} rounds=${rounds} (per round: median of ${runs} after one warm-up; table: median over rounds), ${os.cpus().length} cores`);
console.log('| shape | threads | impl | prompt tok | pp tok/s | tg tok/s | tg per round | load ms | peak RSS MiB | 1-min load avg per round |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  for (const i of impls) {
    const x = r.summary[i];
    console.log(`| ${r.shape} | ${r.threads} | ${x.impl} | ${x.promptTokens} | ${f(x.ppTokensPerSecond)} | ${f(x.tgTokensPerSecond)} | ${x.tgRounds.map((v) => f(v)).join(', ')} | ${f(x.loadMs, 0)} | ${f(x.peakRssBytes / 2 ** 20, 0)} | ${x.loads.map((v) => f(v)).join(', ')} |`);
  }
  const ea = r.summary.ea;
  for (const i of impls.filter((i) => i !== 'ea')) {
    const x = r.summary[i];
    if (ea) console.log(`| ${r.shape} | ${r.threads} | ratio EditorAssist / ${x.impl} | | ${f(ea.ppTokensPerSecond / x.ppTokensPerSecond, 2)}× | ${f(ea.tgTokensPerSecond / x.tgTokensPerSecond, 2)}× | | | | |`);
  }
}
// What each native build is: the CPU library it loaded and llama_print_system_info.
const seen = new Set();
for (const x of rows.flatMap((r) => Object.values(r.summary)).filter((x) => x.systemInfo && !seen.has(x.impl) && seen.add(x.impl))) {
  console.log(`\n${x.impl}: loaded ${x.loaded.map((f) => path.basename(path.dirname(f)) + '/' + path.basename(f)).join(', ')}; ${x.systemInfo.trim()}`);
}
writeFileSync(path.join(work, 'results.json'), JSON.stringify(rows, null, 2));
