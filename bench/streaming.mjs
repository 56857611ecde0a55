// Streaming overhead of chat/send (issue 5): a loopback OpenAI-compatible server emits tokens; we
// consume them (a) directly over HTTP+SSE in this process and (b) relayed through the sidecar as
// chat/delta notifications to a vscode-jsonrpc client. Reports tokens/s of each, their ratio
// (target ≥ 0.95) and the time to first token each sees (target: the sidecar adds ≤ 5 ms).
// Two rates: paced (the server emits RATE tokens/s, well above any model: the relay must keep up) and
// unpaced (as fast as the consumer reads: the relay's own ceiling).
// Usage: node bench/streaming.mjs [tokens=20000] [runs=5] [ttftRuns=30] [rate=5000] [--sidecar DLL] (after a
// Release build; --sidecar measures another build, say the previous commit's, the same way).
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { initialize, startSidecar, stopSidecar, tempDir } from '../tests/interop/sidecar.mjs';

const sidecarArg = process.argv.indexOf('--sidecar');
const sidecarDll = sidecarArg > 0 ? process.argv[sidecarArg + 1] : undefined;
const positional = process.argv.slice(2).filter((a, i, all) => a !== '--sidecar' && all[i - 1] !== '--sidecar');
const TOKENS = Number(positional[0] ?? 20000);
const RUNS = Number(positional[1] ?? 5);
const TTFT_RUNS = Number(positional[2] ?? 30);
const RATE = Number(positional[3] ?? 5000);
let paced = false;

const chunk = (delta, finish = null) => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'bench',
  choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;

const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (d) => { body += d; });
  req.on('end', () => {
    if (req.method === 'GET') { res.writeHead(200, { 'content-type': 'application/json' }).end('{"object":"list","data":[{"id":"bench"}]}'); return; }
    const ask = JSON.parse(body);
    const n = ask.max_tokens ?? ask.max_completion_tokens ?? TOKENS;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(chunk({ role: 'assistant', content: '' }));
    // As fast as the consumer takes them: written in batches so the server is never the bottleneck.
    let i = 0;
    const start = performance.now();
    const pump = () => {
      let ok = true;
      const due = paced ? Math.min(n, Math.floor((performance.now() - start) * RATE / 1000) + 1) : n;
      while (i < due && ok) { ok = res.write(chunk({ content: `t${i % 10} ` })); i++; }
      if (i < n) { if (!ok) res.once('drain', pump); else setTimeout(pump, 1); return; }
      res.write(chunk({}, 'stop'));
      res.write(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'bench', choices: [], usage: { prompt_tokens: 5, completion_tokens: n, total_tokens: n + 5 } })}\n\n`);
      res.end('data: [DONE]\n\n');
    };
    pump();
  });
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}/v1`;

/** Direct consumer: HTTP + SSE parsing in this process (what any client library does). */
async function direct(n) {
  const t0 = performance.now();
  const res = await fetch(`${base}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'bench', stream: true, max_tokens: n, messages: [{ role: 'user', content: 'go' }] }) });
  const decoder = new TextDecoder();
  let buf = '', tokens = 0, ttft = null;
  for await (const part of res.body) {
    buf += decoder.decode(part, { stream: true });
    let at;
    while ((at = buf.indexOf('\n\n')) >= 0) {
      const line = buf.slice(0, at); buf = buf.slice(at + 2);
      if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
      const content = JSON.parse(line.slice(6)).choices[0]?.delta?.content;
      if (content) { tokens++; ttft ??= performance.now() - t0; }
    }
  }
  return { ms: performance.now() - t0, tokens, ttft };
}

const s = startSidecar({ args: ['--log-level', 'warning'], dll: sidecarDll });
await initialize(s.connection, tempDir('ea-bench-'));
await s.connection.sendRequest('providers/configure', { providerId: 'vllm', baseUrl: base });
let onDelta = () => {};
s.connection.onNotification('chat/delta', (p) => onDelta(p));

async function sidecar(n) {
  let tokens = 0, ttft = null;
  const t0 = performance.now();
  onDelta = () => { tokens++; ttft ??= performance.now() - t0; };
  const result = await s.connection.sendRequest('chat/send', { streamId: 'b', model: 'vllm/bench', params: { maxTokens: n }, messages: [{ role: 'user', content: 'go' }] });
  if (tokens !== n || result.usage.completionTokens !== n) throw new Error(`expected ${n} deltas, got ${tokens}`);
  return { ms: performance.now() - t0, tokens, ttft };
}

const median = (xs) => { const v = [...xs].sort((a, b) => a - b); return v[v.length >> 1]; };
// Warm up both paths (JIT, connection pools).
for (let i = 0; i < 3; i++) { await direct(2000); await sidecar(2000); }
async function throughput(count) {
  const tpsDirect = [], tpsSidecar = [];
  for (let i = 0; i < RUNS; i++) {
    const d = await direct(count); tpsDirect.push(d.tokens / (d.ms / 1000));
    const r = await sidecar(count); tpsSidecar.push(r.tokens / (r.ms / 1000));
  }
  return { direct: Math.round(median(tpsDirect)), sidecar: Math.round(median(tpsSidecar)), ratio: +(median(tpsSidecar) / median(tpsDirect)).toFixed(3) };
}
const unpaced = await throughput(TOKENS);
paced = true;
const pacedResult = await throughput(Math.min(TOKENS, RATE * 2));
paced = false;
const ttftDirect = [], ttftSidecar = [];
for (let i = 0; i < TTFT_RUNS; i++) {
  ttftDirect.push((await direct(5)).ttft);
  ttftSidecar.push((await sidecar(5)).ttft);
}
await stopSidecar(s);
server.close();

const report = {
  tokens: TOKENS, runs: RUNS, pacedRate: RATE,
  paced: pacedResult,
  unpaced,
  ttftDirectMs: +median(ttftDirect).toFixed(2),
  ttftSidecarMs: +median(ttftSidecar).toFixed(2),
  addedTtftMs: +(median(ttftSidecar) - median(ttftDirect)).toFixed(2),
};
console.log(JSON.stringify(report, null, 2));
