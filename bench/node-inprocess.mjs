// In-process peer: two vscode-jsonrpc connections in one Node process over in-memory streams.
import { PassThrough } from 'node:stream';
import * as rpc from 'vscode-jsonrpc/node.js';

const n = Number(process.argv[2] ?? 20000);
const notifications = Number(process.argv[3] ?? 200000);
const a = new PassThrough();
const b = new PassThrough();
const server = rpc.createMessageConnection(new rpc.StreamMessageReader(a), new rpc.StreamMessageWriter(b));
const client = rpc.createMessageConnection(new rpc.StreamMessageReader(b), new rpc.StreamMessageWriter(a));
let ticks = 0;
let done;
const allTicks = new Promise((r) => { done = r; });
server.onRequest('echo', (p) => p);
server.onNotification('tick', () => { if (++ticks === notifications) done(); });
server.listen();
client.listen();
const params = { text: 'hello', n: 42 };
for (let i = 0; i < 2000; i++) await client.sendRequest('echo', params);
const samples = new Float64Array(n);
for (let i = 0; i < n; i++) {
  const t0 = process.hrtime.bigint();
  await client.sendRequest('echo', params);
  samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
}
samples.sort();
const t0 = performance.now();
for (let i = 0; i < notifications; i++) client.sendNotification('tick', { n: i });
await allTicks;
const perSecond = notifications / ((performance.now() - t0) / 1000);
console.log(JSON.stringify({ rtt: { p50Us: samples[n >> 1], p99Us: samples[Math.floor(n * 0.99)], n }, notificationsPerSecond: perSecond }));
process.exit(0);
