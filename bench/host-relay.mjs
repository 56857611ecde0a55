// The host path's cost (issue 15): a chat with one of VS Code's models goes sidecar → extension
// (host/chat) → vscode.lm → back (host/delta → chat/delta). Here vscode.lm is a fake model that emits
// tokens at a fixed rate, consumed (a) directly, as an extension calling vscode.lm itself would, and
// (b) through the real sidecar, with the extension's real host bridge (extension-client/src/host,
// bundled) on a vscode-jsonrpc connection playing the extension. Reports the time to the first token
// each sees (p50; the difference is what the host path adds) and the tokens/s of a paced stream
// (default 2,000 tok/s; target: relay ≥ 0.98 of direct).
// Usage: node bench/host-relay.mjs [tokens=2000] [runs=5] [ttftRuns=30] [rate=2000] (after a Release build).
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { initialize, startSidecar, stopSidecar, tempDir } from '../tests/interop/sidecar.mjs';

const TOKENS = Number(process.argv[2] ?? 2000);
const RUNS = Number(process.argv[3] ?? 5);
const TTFT_RUNS = Number(process.argv[4] ?? 30);
const RATE = Number(process.argv[5] ?? 2000);

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundle = path.join(tempDir('ea-bench-host-'), 'host.cjs');
esbuild.buildSync({ entryPoints: [path.join(root, 'extension-client', 'src', 'host', 'index.ts')], outfile: bundle, bundle: true, platform: 'node', format: 'cjs', logLevel: 'error' });
const host = createRequire(import.meta.url)(bundle);

// ---- the fake vscode.lm: one model whose stream emits `n` text parts at RATE parts/s -------------
class TextPart { constructor(value) { this.value = value; } }
class TokenSource {
  constructor() {
    const listeners = [];
    this.token = { isCancellationRequested: false, onCancellationRequested: (l) => { listeners.push(l); return { dispose() {} }; } };
    this.cancel = () => { this.token.isCancellationRequested = true; for (const l of listeners) l(); };
  }
  dispose() {}
}
let streamLength = TOKENS;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function* paced(n) {
  const start = performance.now();
  // The first part at once; then every part as its time comes (timers tick at ~1 ms: parts come in pairs at 2,000/s).
  for (let i = 0; i < n;) {
    const due = Math.min(n, Math.floor((performance.now() - start) * RATE / 1000) + 1);
    while (i < due) yield new TextPart(`t${i++ % 10} `);
    if (i < n) await sleep(1);
  }
}
const model = {
  id: 'bench-1', name: 'Bench', vendor: 'benchvendor', family: 'bench', version: '1', maxInputTokens: 100000, capabilities: { supportsToolCalling: false },
  sendRequest: async () => ({ stream: paced(streamLength) }),
};
const vscode = {
  lm: { selectChatModels: async () => [model], onDidChangeChatModels: () => ({ dispose() {} }) },
  LanguageModelChatMessage: { User: (content) => ({ role: 1, content }), Assistant: (content) => ({ role: 2, content }) },
  LanguageModelTextPart: TextPart,
  CancellationTokenSource: TokenSource,
};

/** Direct: what an extension calling vscode.lm itself sees. */
async function direct(n) {
  streamLength = n;
  const t0 = performance.now();
  let tokens = 0, ttft = null, last = 0;
  const response = await model.sendRequest([vscode.LanguageModelChatMessage.User('go')], {}, new TokenSource().token);
  for await (const part of response.stream) {
    if (part instanceof TextPart) { tokens++; last = performance.now() - t0; ttft ??= last; }
  }
  return { ms: performance.now() - t0, tokens, ttft, last };
}

// ---- the relay: the real sidecar, the extension's real host bridge on this connection -------------
const s = startSidecar({ args: ['--log-level', 'warning'] });
await initialize(s.connection, tempDir('ea-bench-'));
const started = [];
const bridgeSidecar = {
  onDidStart: (l) => { started.push(l); return { dispose() {} }; },
  onRequest: (method, handler) => s.connection.onRequest(method, handler),
  notify: (def, params) => { void s.connection.sendNotification(def.method, params); },
};
const bridge = host.registerHostModels(vscode, bridgeSidecar, { info() {}, warn: (m) => console.error(m) });
for (const l of started) l();
await bridge.pushModels();
let onDelta = () => {};
s.connection.onNotification('chat/delta', (p) => onDelta(p));

async function relay(n) {
  streamLength = n;
  let tokens = 0, ttft = null, last = 0;
  const t0 = performance.now();
  onDelta = () => { tokens++; last = performance.now() - t0; ttft ??= last; };
  const result = await s.connection.sendRequest('chat/send', { streamId: 'b', model: 'host/benchvendor/bench-1', messages: [{ role: 'user', content: 'go' }] });
  if (tokens !== n || result.content.length !== n * 3) throw new Error(`expected ${n} deltas, got ${tokens}`);
  return { ms: performance.now() - t0, tokens, ttft, last };
}

const median = (xs) => { const v = [...xs].sort((a, b) => a - b); return v[v.length >> 1]; };
for (let i = 0; i < 3; i++) { await direct(TOKENS); await relay(TOKENS); } // warm up (JIT on both sides)
// Two figures per run: the rate tokens reach the consumer (to the last token: the relay itself), and
// end to end (to chat/send's answer, which also waits for the turn to be stored in the history).
const tpsDirect = [], tpsRelay = [], tpsDirectEnd = [], tpsRelayEnd = [];
for (let i = 0; i < RUNS; i++) {
  const d = await direct(TOKENS); tpsDirect.push(d.tokens / (d.last / 1000)); tpsDirectEnd.push(d.tokens / (d.ms / 1000));
  const r = await relay(TOKENS); tpsRelay.push(r.tokens / (r.last / 1000)); tpsRelayEnd.push(r.tokens / (r.ms / 1000));
}
const ttftDirect = [], ttftRelay = [];
for (let i = 0; i < TTFT_RUNS; i++) {
  ttftDirect.push((await direct(5)).ttft);
  ttftRelay.push((await relay(5)).ttft);
}
bridge.dispose();
await stopSidecar(s);

console.log(JSON.stringify({
  tokens: TOKENS, runs: RUNS, ttftRuns: TTFT_RUNS, rate: RATE,
  throughput: { direct: Math.round(median(tpsDirect)), relay: Math.round(median(tpsRelay)), ratio: +(median(tpsRelay) / median(tpsDirect)).toFixed(3) },
  endToEnd: { direct: Math.round(median(tpsDirectEnd)), relay: Math.round(median(tpsRelayEnd)), ratio: +(median(tpsRelayEnd) / median(tpsDirectEnd)).toFixed(3) },
  ttftDirectMs: +median(ttftDirect).toFixed(2),
  ttftRelayMs: +median(ttftRelay).toFixed(2),
  addedTtftMs: +(median(ttftRelay) - median(ttftDirect)).toFixed(2),
}, null, 2));
