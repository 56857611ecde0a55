// `node bench/completion.mjs [--write]`: inline-completion latency while typing, with KV-cache
// reuse on and off, same model, same keystrokes, side by side in one run. Three modes: no reuse
// (every prompt evaluated from scratch), prefix reuse only (the common start of the prompt), and
// full reuse (common start + the unchanged suffix shifted into place, the default). It also counts
// how often full reuse gives exactly the text a fresh evaluation gives (the shifted suffix was
// computed against an older middle: an approximation), and splits the warm latency into the
// model's own work (evaluating the new tokens + generating) and everything around it.
//
// The trace is synthetic but shaped like real editing (a recorded trace cannot be shipped here):
// a generated ~2,000-line Python file; at 6 places spread through it, a new line is typed one
// character at a time (~40 characters each, 240 keystrokes). Every keystroke asks for a
// completion of up to 16 tokens, as an editor would after its debounce. Model: the generated
// "bench-tiny" GGUF (4 layers, 256 wide, 8k vocabulary) on CPU — shape, not weights, sets speed.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build, publishSidecar } from '../tests/tools/build.mjs';
import { publishedSidecarDll, repoRoot, writeTestModel, writeBenchmarkSection } from '../tests/tools/common.mjs';

// `--overhead-only`: only the default mode, printing the time outside the model (a quick check after a
// transport change); `--sidecar DLL`: measure another published sidecar (say the previous commit's).
const write = process.argv.includes('--write');
const overheadOnly = process.argv.includes('--overhead-only');
const sidecarArg = process.argv.indexOf('--sidecar');
build();
publishSidecar();
const rpc = await import('vscode-jsonrpc/node.js');
const { spawn } = await import('node:child_process');

const dir = path.join(os.tmpdir(), `ea-bench-completion-${process.pid}`);
const model = writeTestModel(path.join(dir, 'bench-tiny.gguf'), 'bench-tiny');

const lines = [];
for (let i = 0; lines.length < 2000; i++) {
  lines.push(`def handler_${i}(request, context):`, `    value = request.get("field_${i}", ${i})`, `    if value > ${i % 17}:`,
    `        return context.process(value * ${i % 7 + 1})`, `    return None`, '');
}
const typed = ['    result = compute_total(items, discount)', '    for item in items: total += item.price',
  '    logger.info("processed %d records", count)', '    return {"status": "ok", "value": value}',
  '    if not request.user.is_authenticated:', '    data = json.loads(payload.decode("utf-8"))'];
const places = [150, 480, 800, 1150, 1500, 1850];
// Each keystroke sends what the extension sends: its own cursorWindow (extension-client/src/completion/
// context.ts, bundled here with esbuild as the extension's unit tests do), i.e. the protocol's
// completion windows. `--whole-file` sends the whole text on both sides instead (up to ~60 KB each),
// the shape this benchmark had before December 2026.
const wholeFile = process.argv.includes('--whole-file');
const { cursorWindow } = await loadCursorWindow();
const keystrokes = [];
places.forEach((line, k) => {
  const text = typed[k];
  for (let c = 1; c <= text.length; c++) {
    if (wholeFile) {
      keystrokes.push({ prefix: lines.slice(0, line).join('\n') + '\n' + text.slice(0, c), suffix: '\n' + lines.slice(line).join('\n') });
      continue;
    }
    // The document with the new line being typed at `line`, the cursor at its end.
    const doc = { lineCount: lines.length + 1, lineAt: (i) => (i < line ? lines[i] : i === line ? text.slice(0, c) : lines[i - 1]) };
    keystrokes.push(cursorWindow(doc, line, c));
  }
});

async function loadCursorWindow() {
  const esbuild = await import('esbuild');
  const { createRequire } = await import('node:module');
  const outfile = path.join(os.tmpdir(), `ea-bench-cursor-window-${process.pid}.cjs`);
  esbuild.buildSync({
    entryPoints: [path.join(repoRoot, 'extension-client', 'src', 'completion', 'context.ts')],
    outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error',
  });
  return createRequire(import.meta.url)(outfile);
}

function pct(xs, p) { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * p))]; }

async function run(mode) {
  const sidecar = sidecarArg > 0 ? path.resolve(process.argv[sidecarArg + 1]) : publishedSidecarDll;
  const child = spawn('dotnet', [sidecar, '--log-level', 'warning'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const c = rpc.createMessageConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
  c.listen();
  const settings = { 'local.allowGpu': false, 'completion.reuseCache': mode !== 'off', 'completion.reuseSuffix': mode === 'full' };
  await c.sendRequest('initialize', { storageDir: path.join(dir, `storage-${mode}`), settings });
  await c.sendRequest('models/load', { path: model, contextLength: 4096 });
  // Warm-up at an unrelated position.
  await c.sendRequest('completion/inline', { uri: 'file:///b.py', prefix: 'import os\n', suffix: '', model: 'local/bench-tiny', maxTokens: 4 });
  const latency = [], evaluated = [], modelMs = [], texts = [];
  for (const k of keystrokes) {
    const t0 = performance.now();
    const r = await c.sendRequest('completion/inline', { uri: 'file:///a.py', languageId: 'python', prefix: k.prefix, suffix: k.suffix, model: 'local/bench-tiny', maxTokens: 16 });
    latency.push(performance.now() - t0);
    evaluated.push(r.timings.evaluatedTokens);
    modelMs.push(r.timings.totalMs);
    texts.push(r.items[0]?.text ?? '');
  }
  await c.sendRequest('shutdown');
  c.sendNotification('exit');
  await new Promise((r) => child.on('exit', r));
  return {
    p50: pct(latency, 0.5), p95: pct(latency, 0.95), meanEvaluated: evaluated.reduce((a, b) => a + b, 0) / evaluated.length,
    p50Evaluated: pct(evaluated, 0.5), p95Evaluated: pct(evaluated, 0.95), p50ModelMs: pct(modelMs, 0.5),
    p50Overhead: pct(latency.map((l, i) => l - modelMs[i]), 0.5), texts,
  };
}

if (overheadOnly) {
  const full = await run('full');
  console.log(`full reuse, ${keystrokes.length} keystrokes: latency p50 ${full.p50.toFixed(1)} ms, model work p50 ${full.p50ModelMs.toFixed(1)} ms, ` +
    `everything else p50 ${full.p50Overhead.toFixed(2)} ms`);
  process.exit(0);
}

const off = await run('off');
const prefix = await run('prefix');
const on = await run('full');
const same = on.texts.filter((t, i) => t === off.texts[i]).length;
const f = (x) => x.toFixed(1);
const r = (a, b) => (a / b).toFixed(3);
const md = `| measure (${keystrokes.length} keystrokes) | full reuse (default) | prefix reuse only | no reuse (baseline) | full / none |
|---|---|---|---|---|
| latency p50 | ${f(on.p50)} ms | ${f(prefix.p50)} ms | ${f(off.p50)} ms | ${r(on.p50, off.p50)} |
| latency p95 | ${f(on.p95)} ms | ${f(prefix.p95)} ms | ${f(off.p95)} ms | ${r(on.p95, off.p95)} |
| prompt tokens evaluated per keystroke, mean | ${f(on.meanEvaluated)} | ${f(prefix.meanEvaluated)} | ${f(off.meanEvaluated)} | ${r(on.meanEvaluated, off.meanEvaluated)} |
| prompt tokens evaluated per keystroke, p50 / p95 | ${on.p50Evaluated} / ${on.p95Evaluated} | ${prefix.p50Evaluated} / ${prefix.p95Evaluated} | ${off.p50Evaluated} / ${off.p95Evaluated} | |
| model work p50 (evaluate new tokens + generate, sidecar-side) | ${f(on.p50ModelMs)} ms | ${f(prefix.p50ModelMs)} ms | ${f(off.p50ModelMs)} ms | |
| everything else p50 (RPC, prompt building, cleaning) | ${f(on.p50Overhead)} ms | ${f(prefix.p50Overhead)} ms | ${f(off.p50Overhead)} ms | |

Full reuse gave exactly the text of a fresh evaluation for ${same} of ${keystrokes.length} keystrokes (${(100 * same / keystrokes.length).toFixed(1)}%).
Machine: ${os.cpus()[0]?.model}, ${os.cpus().length} cores, CPU backend; ${new Date().toISOString().slice(0, 10)}.`;
console.log(md);
mkdirSync(path.join(repoRoot, 'artifacts', 'bench'), { recursive: true });
writeFileSync(path.join(repoRoot, 'artifacts', 'bench', 'completion.json'), JSON.stringify({ on, prefix, off, same, keystrokes: keystrokes.length }, (k, v) => (k === 'texts' ? undefined : v), 2));
if (write) writeBenchmarkSection('completion', md);
