// Side-by-side benchmark: EditorAssist's binding vs node-llama-cpp 3.22.1, same generated
// model, same thread count, same npm native build (CPU). Usage (from the repo root):
//   node bench/llama/run.mjs [--shapes tiny,250m] [--gen 128] [--threads 2] [--runs 3]
// Installs node-llama-cpp into bench/llama/node_modules on first use (no install scripts:
// its prebuilt binaries come from the same @node-llama-cpp/* packages).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const arg = (name, def) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : def; };
const shapes = arg('shapes', 'tiny,250m').split(',');
const gen = arg('gen', '128'), threads = arg('threads', '2'), runs = arg('runs', '3');
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

// ~500 prompt tokens of plain words (the test vocabulary tokenizes them to ~1 token per 2 chars).
const words = ['hello', 'world', 'the', 'of', 'in', 'and', 'code', 'model', 'token', 'fast'];
let prompt = '';
for (let i = 0; prompt.length < 1000; i++) prompt += words[(i * 7) % words.length] + ' ';
const promptFile = path.join(work, 'prompt.txt');
writeFileSync(promptFile, prompt);

const rows = [];
for (const shape of shapes) {
  const model = path.join(work, `${shape}.gguf`);
  if (!existsSync(model)) sh('dotnet', [benchDll, 'write-model', shape, model]);
  // Run order alternates per shape so neither side always gets the warmer page cache.
  const ea = () => JSON.parse(sh('dotnet', [benchDll, 'run', model, promptFile, gen, threads, runs]).trim().split('\n').pop());
  const nlc = () => JSON.parse(sh(process.execPath, [path.join(here, 'node', 'bench.mjs'), model, promptFile, gen, threads, runs]).trim().split('\n').pop());
  const [a, b] = rows.length % 2 === 0 ? [ea(), nlc()] : (() => { const y = nlc(); return [ea(), y]; })();
  rows.push({ shape, ea: a, nlc: b });
}

const f = (x, d = 1) => x.toFixed(d);
console.log(`threads=${threads} gen=${gen} runs=${runs} (median after one warm-up)`);
console.log('| shape | impl | prompt tok | pp tok/s | tg tok/s | load ms | peak RSS MiB | ttft overhead ms |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  for (const x of [r.ea, r.nlc]) {
    console.log(`| ${r.shape} | ${x.impl} | ${x.promptTokens} | ${f(x.ppTokensPerSecond)} | ${f(x.tgTokensPerSecond)} | ${f(x.loadMs, 0)} | ${f(x.peakRssBytes / 2 ** 20, 0)} | ${x.ttftOverheadMs === undefined ? '' : f(x.ttftOverheadMs, 2)} |`);
  }
  console.log(`| ${r.shape} | ratio EA/peer | | ${f(r.ea.ppTokensPerSecond / r.nlc.ppTokensPerSecond, 2)}× | ${f(r.ea.tgTokensPerSecond / r.nlc.tgTokensPerSecond, 2)}× | | | |`);
}
writeFileSync(path.join(work, 'results.json'), JSON.stringify(rows, null, 2));
