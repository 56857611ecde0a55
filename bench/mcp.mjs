// MCP tool-call overhead per step (issue 14): the same MCP server (tests/tools/fakeMcpServer.mjs, stdio)
// called two ways in one run, side by side:
//   direct   — this process speaks MCP to the server itself (newline-delimited JSON-RPC over its
//              stdin/stdout): `tools/call echo`, one at a time, timed request → answer;
//   sidecar  — the sidecar calls it in chat/send's tool loop: a scripted OpenAI-format fake model
//              (tests/tools/fakeToolModels.mjs) calls `bench__echo` on every step; the server is marked
//              trusted (no approval round trip; a second turn with approval answered at once is timed too).
//              A call is timed from `chat/toolStatus running` to `done` as this client sees them: the
//              sidecar, the official C# SDK, the server and the notification back.
// Also the whole step (one `requested` to the next: model request + MCP call + loop) minus the same
// model request sent directly, as bench/tools.mjs does for client tools.
// Usage: node bench/mcp.mjs [steps=99]   (after `npm run build`; prints a markdown table and JSON)
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startFakeToolModels } from '../tests/tools/fakeToolModels.mjs';
import { initialize, startSidecar, stopSidecar } from '../tests/interop/sidecar.mjs';

const STEPS = Math.min(Number(process.argv[2] ?? 99), 99); // maxSteps is at most 100
const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'tests', 'tools', 'fakeMcpServer.mjs');
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * p))]; };
const ms = (x) => `${x.toFixed(2)} ms`;
const args = { text: 'line 1\nline 2\nline 3' };

// ---- direct: this process as the MCP client --------------------------------------------------
async function directCalls(n) {
  const child = spawn(process.execPath, [fixture], { stdio: ['pipe', 'pipe', 'ignore'] });
  const pending = new Map();
  let id = 0;
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    const m = JSON.parse(line);
    pending.get(m.id)?.(m);
    pending.delete(m.id);
  });
  const call = (method, params) => new Promise((resolve) => {
    const mid = ++id;
    pending.set(mid, resolve);
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: mid, method, params })}\n`);
  });
  await call('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } });
  child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
  for (let i = 0; i < 20; i++) await call('tools/call', { name: 'echo', arguments: args }); // warm-up
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = await call('tools/call', { name: 'echo', arguments: args });
    times.push(performance.now() - t0);
    if (!r.result?.content?.[0]?.text?.startsWith('echo:')) throw new Error(`unexpected answer ${JSON.stringify(r)}`);
  }
  child.stdin.end();
  return times;
}

// ---- through the sidecar ---------------------------------------------------------------------
const fake = await startFakeToolModels({ script: () => ({ calls: [{ name: 'bench__echo', arguments: args }] }) });
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function directModel(body) {
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

const s = startSidecar({ args: ['--log-level', 'warning'] });
await initialize(s.connection);
await s.connection.sendRequest('providers/configure', { providerId: 'vllm', baseUrl: fake.baseUrl });
const running = new Map();
const callTimes = [];
const requested = [];
s.connection.onNotification('chat/toolStatus', (p) => {
  const now = performance.now();
  if (p.state === 'requested') requested.push(now);
  if (p.state === 'running') running.set(p.callId, now);
  if (p.state === 'done' && running.has(p.callId)) callTimes.push(now - running.get(p.callId));
});
s.connection.onRequest('chat/toolApproval', () => ({ approved: true }));

async function turn(trusted, streamId, steps) {
  const { servers } = await s.connection.sendRequest('mcp/configure', { servers: [{ name: 'bench', command: process.execPath, args: [fixture], trusted }] });
  if (servers.length !== 1) throw new Error('mcp/configure');
  const listed = (await s.connection.sendRequest('mcp/list', { wait: true })).servers[0];
  if (listed.state !== 'ready') throw new Error(`the MCP server is ${listed.state}: ${listed.error}`);
  callTimes.length = 0;
  requested.length = 0;
  fake.requests.length = 0;
  const r = await s.connection.sendRequest('chat/send', { streamId, model: 'vllm/tool-model', messages: [{ role: 'user', content: 'go' }], mcpTools: true, maxSteps: steps + 1 });
  if (r.toolCalls?.some((c) => c.isError)) throw new Error(`a call failed: ${JSON.stringify(r.toolCalls.find((c) => c.isError))}`);
  return { calls: [...callTimes], steps: requested.slice(1).map((t, i) => t - requested[i]), bodies: fake.requests.filter((x) => x.method === 'POST').slice(-steps).map((x) => x.body) };
}

await turn(true, 'warm', 20); // JIT, connections
const trusted = await turn(true, 'trusted', STEPS);
const approved = await turn(false, 'approved', STEPS);
for (const b of trusted.bodies) await directModel(b); // warm-up
const models = [];
for (const b of trusted.bodies) models.push(await directModel(b));
await s.connection.sendRequest('mcp/configure', { servers: [] });
await stopSidecar(s);
agent.destroy();
await fake.close();
const direct = await directCalls(STEPS);

const row = (label, xs) => `| ${label} | ${xs.length} | ${ms(pct(xs, 0.5))} | ${ms(pct(xs, 0.95))} |`;
const paired = trusted.steps.map((x, i) => x - (models[i + 1] ?? models[i]));
const out = {
  direct: { p50: pct(direct, 0.5), p95: pct(direct, 0.95) },
  sidecarTrusted: { p50: pct(trusted.calls, 0.5), p95: pct(trusted.calls, 0.95) },
  sidecarApproved: { p50: pct(approved.calls, 0.5), p95: pct(approved.calls, 0.95) },
  step: { p50: pct(trusted.steps, 0.5), p95: pct(trusted.steps, 0.95) },
  model: { p50: pct(models, 0.5), p95: pct(models, 0.95) },
  stepOverhead: { p50: pct(trusted.steps, 0.5) - pct(models, 0.5), p95: pct(paired, 0.95) },
};
console.log('| MCP tool call (echo, stdio server) | n | p50 | p95 |\n|---|---|---|---|');
console.log(row('direct: this process → the server (MCP over stdio)', direct));
console.log(row('through the sidecar, trusted server: `running` → `done`', trusted.calls));
console.log(row('through the sidecar, with `chat/toolApproval` answered at once', approved.calls));
console.log(row('whole step (model request + MCP call + loop), trusted', trusted.steps));
console.log(row('the same model requests sent directly', models));
console.log(`| step overhead beyond the model (p50: difference of medians; p95: of step − the same request direct) | ${paired.length} | ${ms(out.stepOverhead.p50)} | ${ms(out.stepOverhead.p95)} |`);
console.log(JSON.stringify(out));
