// `node bench/completion.mjs [--write]`: inline-completion latency while typing, with KV-cache
// reuse on and off, same model, same keystrokes, side by side in one run.
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

const write = process.argv.includes('--write');
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
const keystrokes = [];
places.forEach((line, k) => {
  const before = lines.slice(0, line).join('\n') + '\n';
  const after = '\n' + lines.slice(line).join('\n');
  const text = typed[k];
  for (let c = 1; c <= text.length; c++) keystrokes.push({ prefix: before + text.slice(0, c), suffix: after });
});

function pct(xs, p) { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * p))]; }

async function run(reuse) {
  const child = spawn('dotnet', [publishedSidecarDll, '--log-level', 'warning'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const c = rpc.createMessageConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
  c.listen();
  await c.sendRequest('initialize', { storageDir: path.join(dir, `storage-${reuse}`), settings: { 'local.allowGpu': false, 'completion.reuseCache': reuse } });
  await c.sendRequest('models/load', { path: model, contextLength: 4096 });
  // Warm-up at an unrelated position.
  await c.sendRequest('completion/inline', { uri: 'file:///b.py', prefix: 'import os\n', suffix: '', model: 'local/bench-tiny', maxTokens: 4 });
  const latency = [], evaluated = [];
  for (const k of keystrokes) {
    const t0 = performance.now();
    const r = await c.sendRequest('completion/inline', { uri: 'file:///a.py', languageId: 'python', prefix: k.prefix, suffix: k.suffix, model: 'local/bench-tiny', maxTokens: 16 });
    latency.push(performance.now() - t0);
    evaluated.push(r.timings.evaluatedTokens);
  }
  await c.sendRequest('shutdown');
  c.sendNotification('exit');
  await new Promise((r) => child.on('exit', r));
  return { p50: pct(latency, 0.5), p95: pct(latency, 0.95), meanEvaluated: evaluated.reduce((a, b) => a + b, 0) / evaluated.length, p50Evaluated: pct(evaluated, 0.5) };
}

const off = await run(false);
const on = await run(true);
const f = (x) => x.toFixed(1);
const md = `| measure (${keystrokes.length} keystrokes) | reuse on | reuse off (baseline) | ratio on/off |
|---|---|---|---|
| latency p50 | ${f(on.p50)} ms | ${f(off.p50)} ms | ${(on.p50 / off.p50).toFixed(3)} |
| latency p95 | ${f(on.p95)} ms | ${f(off.p95)} ms | ${(on.p95 / off.p95).toFixed(3)} |
| prompt tokens evaluated per keystroke, mean | ${f(on.meanEvaluated)} | ${f(off.meanEvaluated)} | ${(on.meanEvaluated / off.meanEvaluated).toFixed(3)} |
| prompt tokens evaluated per keystroke, p50 | ${on.p50Evaluated} | ${off.p50Evaluated} | ${(on.p50Evaluated / off.p50Evaluated).toFixed(3)} |

Machine: ${os.cpus()[0]?.model}, ${os.cpus().length} cores, CPU backend; ${new Date().toISOString().slice(0, 10)}.`;
console.log(md);
mkdirSync(path.join(repoRoot, 'artifacts', 'bench'), { recursive: true });
writeFileSync(path.join(repoRoot, 'artifacts', 'bench', 'completion.json'), JSON.stringify({ on, off, keystrokes: keystrokes.length }, null, 2));
if (write) writeBenchmarkSection('completion', md);
