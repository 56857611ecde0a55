// Relay cost of reasoning deltas (issue 16, item 2): a loopback OpenAI-compatible server streams N
// tokens either as answer text (`delta.content`) or as thinking (`delta.reasoning_content`); the
// sidecar relays both as chat/delta notifications (thinking in `reasoning`, with `delta: ""`) to a
// vscode-jsonrpc client. Same sidecar, same server, runs interleaved (plain, reasoning, plain, …),
// so the ratio reasoning / plain is measured under the same load. Unpaced (the relay's ceiling)
// and paced at RATE tokens/s (a fast model's rate: the relay must keep up).
// Usage: node bench/reasoning.mjs [tokens=20000] [runs=5] [rate=5000] (after a Release build).
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { initialize, startSidecar, stopSidecar, tempDir } from '../tests/interop/sidecar.mjs';

const TOKENS = Number(process.argv[2] ?? 20000);
const RUNS = Number(process.argv[3] ?? 5);
const RATE = Number(process.argv[4] ?? 5000);
let paced = false;

const chunk = (delta, finish = null) => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'bench',
  choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;

const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (d) => { body += d; });
  req.on('end', () => {
    if (req.method === 'GET') { res.writeHead(200, { 'content-type': 'application/json' }).end('{"object":"list","data":[{"id":"plain"},{"id":"thinker"}]}'); return; }
    const ask = JSON.parse(body);
    const field = ask.model === 'thinker' ? 'reasoning_content' : 'content';
    const n = ask.max_tokens ?? TOKENS;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(chunk({ role: 'assistant', content: '' }));
    let i = 0;
    const start = performance.now();
    const pump = () => {
      let ok = true;
      const due = paced ? Math.min(n, Math.floor((performance.now() - start) * RATE / 1000) + 1) : n;
      while (i < due && ok) { ok = res.write(chunk({ [field]: `t${i % 10} ` })); i++; }
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

const s = startSidecar({ args: ['--log-level', 'warning'] });
await initialize(s.connection, tempDir('ea-bench-'));
await s.connection.sendRequest('providers/configure', { providerId: 'vllm', baseUrl: base });
let onDelta = () => {};
s.connection.onNotification('chat/delta', (p) => onDelta(p));

async function relay(model, n) {
  let tokens = 0, thoughts = 0;
  const t0 = performance.now();
  onDelta = (p) => { if (p.reasoning) thoughts++; else if (p.delta) tokens++; };
  const result = await s.connection.sendRequest('chat/send', { streamId: model, model: `vllm/${model}`, params: { maxTokens: n }, messages: [{ role: 'user', content: 'go' }] });
  const got = model === 'thinker' ? thoughts : tokens;
  if (got !== n || (model === 'thinker') !== (result.reasoning !== undefined)) throw new Error(`${model}: expected ${n} deltas, got ${tokens} text + ${thoughts} reasoning`);
  return n / ((performance.now() - t0) / 1000);
}

const median = (xs) => { const v = [...xs].sort((a, b) => a - b); return v[v.length >> 1]; };
for (let i = 0; i < 3; i++) { await relay('plain', 2000); await relay('thinker', 2000); }
async function compare(count) {
  const plain = [], thinking = [];
  for (let i = 0; i < RUNS; i++) {
    plain.push(await relay('plain', count));
    thinking.push(await relay('thinker', count));
  }
  return { plainTokensPerSecond: Math.round(median(plain)), reasoningTokensPerSecond: Math.round(median(thinking)), ratio: +(median(thinking) / median(plain)).toFixed(3) };
}
const unpaced = await compare(TOKENS);
paced = true;
const pacedResult = await compare(Math.min(TOKENS, RATE * 2));
await stopSidecar(s);
server.close();
console.log(JSON.stringify({ tokens: TOKENS, runs: RUNS, pacedRate: RATE, unpaced, paced: pacedResult }, null, 2));
