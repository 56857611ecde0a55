// `node bench/local-rpc.mjs [--write]`: local generation speed end to end over JSON-RPC versus
// in-process, same model, same prompt, same greedy settings (so the same tokens), same build.
//   in-process: `EditorAssist.Server generate --json` (the runtime called directly, its own timings)
//   over RPC:   chat/send from a vscode-jsonrpc client; rate = completion tokens after the first,
//               over the time from the first chat/delta to the answer, measured at the client.
// Model: the generated bench-tiny GGUF (per-token overhead shows most on a tiny shape), CPU.
import { spawn, spawnSync } from 'node:child_process';

import os from 'node:os';
import path from 'node:path';
import { build, publishSidecar } from '../tests/tools/build.mjs';
import { publishedSidecarDll, writeTestModel, writeBenchmarkSection } from '../tests/tools/common.mjs';

const write = process.argv.includes('--write');
build();
publishSidecar();
const rpc = await import('vscode-jsonrpc/node.js');
const dir = path.join(os.tmpdir(), `ea-bench-local-${process.pid}`);
const model = writeTestModel(path.join(dir, 'bench-tiny.gguf'), 'bench-tiny');
const prompt = 'Write a short story about a lighthouse keeper.';
const maxTokens = 200;
const runs = 3;
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

// The sidecar's default: one thread fewer than the cores (see LocalRuntimeHost.DefaultOptions).
const threads = Math.max(1, os.cpus().length - 1);
const inProcess = [];
for (let i = 0; i < runs; i++) {
  const r = spawnSync('dotnet', [publishedSidecarDll, 'generate', '--model', model, '--prompt', prompt, '--max-tokens', String(maxTokens), '--temperature', '0', '--cpu', '--threads', String(threads), '--json'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  const j = JSON.parse(r.stdout);
  inProcess.push({ tps: j.timings.tokensPerSecond, tokens: j.usage.completionTokens, ttft: j.timings.ttftMs, prompt: j.timings.promptMs });
}

const child = spawn('dotnet', [publishedSidecarDll, '--log-level', 'warning'], { stdio: ['pipe', 'pipe', 'inherit'] });
const c = rpc.createMessageConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
c.listen();
await c.sendRequest('initialize', { storageDir: path.join(dir, 'storage'), settings: { 'local.allowGpu': false } });
const { ref } = await c.sendRequest('models/load', { path: model });
let firstDelta = 0;
c.onNotification('chat/delta', () => { if (!firstDelta) firstDelta = performance.now(); });
const overRpc = [];
for (let i = 0; i < runs; i++) {
  firstDelta = 0;
  const t0 = performance.now();
  // The same prompt each time: prefix reuse skips its evaluation after the first run, which does
  // not touch what is compared here (generation speed after the first token).
  const r = await c.sendRequest('chat/send', { streamId: `b${i}`, model: ref, messages: [{ role: 'user', content: prompt }], params: { maxTokens, temperature: 0 } });
  const end = performance.now();
  overRpc.push({ tps: (r.usage.completionTokens - 1) / ((end - firstDelta) / 1000), tokens: r.usage.completionTokens, ttft: firstDelta - t0 });
}
await c.sendRequest('shutdown');
c.sendNotification('exit');
await new Promise((r) => child.on('exit', r));

const ip = median(inProcess.map((x) => x.tps)), rp = median(overRpc.map((x) => x.tps));
const md = `| measure (bench-tiny, CPU, ${threads} thread(s), ${maxTokens} tokens max, greedy) | in-process | over JSON-RPC | ratio RPC / in-process |
|---|---|---|---|
| generation tok/s (median of ${runs}) | ${ip.toFixed(1)} | ${rp.toFixed(1)} | ${(rp / ip).toFixed(3)} (target ≥ 0.97) |
| completion tokens | ${inProcess[0].tokens} | ${overRpc[0].tokens} | same tokens: ${inProcess[0].tokens === overRpc[0].tokens} |

Machine: ${os.cpus()[0]?.model}, ${os.cpus().length} cores; ${new Date().toISOString().slice(0, 10)}. In-process rate is the runtime's own (tokens after prompt evaluation over their time); the RPC rate is measured at the client from the first \`chat/delta\` to the answer.`;
console.log(md);
if (write) writeBenchmarkSection('local-rpc', md);
