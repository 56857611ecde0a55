// Tool-loop overhead per step: what the sidecar + the client round trip add to a step, excluding the
// model. A scripted OpenAI-compatible fake (tests/tools/fakeToolModels.mjs) calls a tool on every
// step; this process answers chat/toolCall at once (vscode-jsonrpc, as the extension does). A step
// is timed from one `requested` status to the next (model call + tool round trip); the model alone is
// the same fake request made directly over HTTP. Overhead = step − direct (p50 and p95).
// Usage: node bench/tools.mjs [steps]   (needs `npm run build` first)
import http from 'node:http';
import { startFakeToolModels } from '../tests/tools/fakeToolModels.mjs';
import { initialize, startSidecar, stopSidecar } from '../tests/interop/sidecar.mjs';

const STEPS = Math.min(Number(process.argv[2] ?? 99), 99); // maxSteps is at most 100
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * p))]; };
const ms = (x) => `${x.toFixed(2)} ms`;

const fake = await startFakeToolModels({ script: () => ({ calls: [{ name: 'read_file', arguments: { path: 'src/a.ts', startLine: 1 } }] }) });
const tools = [{ name: 'read_file', description: 'Reads a file.', parameters: { type: 'object', properties: { path: { type: 'string' }, startLine: { type: 'integer' } } } }];

// Keep-alive, like the sidecar's HttpClient: the comparison is the request, not TCP set-up.
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function direct(body) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request(`${fake.baseUrl}/chat/completions`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve(performance.now() - t0));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const s = startSidecar({ args: [] });
await initialize(s.connection);
await s.connection.sendRequest('providers/configure', { providerId: 'vllm', baseUrl: fake.baseUrl });
const requested = [];
s.connection.onNotification('chat/toolStatus', (p) => { if (p.state === 'requested') requested.push(performance.now()); });
s.connection.onRequest('chat/toolCall', () => ({ content: 'line 1\nline 2\nline 3' }));

// Warm-up turn (JIT, connections), then the measured one.
await s.connection.sendRequest('chat/send', { streamId: 'w', model: 'vllm/tool-model', messages: [{ role: 'user', content: 'go' }], tools, maxSteps: 20 });
requested.length = 0;
const r = await s.connection.sendRequest('chat/send', { streamId: 'm', model: 'vllm/tool-model', messages: [{ role: 'user', content: 'go' }], tools, maxSteps: STEPS + 1 });
const steps = requested.slice(1).map((t, i) => t - requested[i]);

// The model alone: the same requests the sidecar made (growing conversation), sent directly.
const bodies = fake.requests.filter((x) => x.method === 'POST').slice(-STEPS).map((x) => ({ ...x.body }));
for (const b of bodies) await direct(b); // warm-up: the same sequence once
const directs = [];
for (const b of bodies) directs.push(await direct(b));
await stopSidecar(s);
agent.destroy();
await fake.close();

const out = {
  steps: steps.length, turnSteps: r.steps,
  step: { p50: pct(steps, 0.5), p95: pct(steps, 0.95) },
  direct: { p50: pct(directs, 0.5), p95: pct(directs, 0.95) },
};
// p95 − p95 is not a percentile of anything; the overhead's p95 is reported from paired steps.
const paired = steps.map((x, i) => x - (directs[i + 1] ?? directs[i]));
out.overhead = { p50: out.step.p50 - out.direct.p50, p95: pct(paired, 0.95) };
console.log(`| per step (${out.steps} steps) | p50 | p95 |\n|---|---|---|`);
console.log(`| sidecar loop: model call + chat/toolCall round trip | ${ms(out.step.p50)} | ${ms(out.step.p95)} |`);
console.log(`| the fake model called directly | ${ms(out.direct.p50)} | ${ms(out.direct.p95)} |`);
console.log(`| overhead (p50: difference of medians; p95: of step − the same request direct) | ${ms(out.overhead.p50)} | ${ms(out.overhead.p95)} |`);
