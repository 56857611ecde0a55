// The side-by-side peer for the transport benchmark: a vscode-jsonrpc server over stdio that
// implements the same diagnostics methods as the sidecar (echo, tick, stats, burst).
import * as rpc from 'vscode-jsonrpc/node.js';

const connection = rpc.createMessageConnection(new rpc.StreamMessageReader(process.stdin), new rpc.StreamMessageWriter(process.stdout));
let ticks = 0;
let lastTick = 0;
connection.onRequest('initialize', () => ({ serverInfo: { name: 'node-peer', version: '1' }, capabilities: {} }));
connection.onRequest('shutdown', () => null);
connection.onNotification('exit', () => process.exit(0));
connection.onRequest('diagnostics/echo', (p) => p);
connection.onNotification('diagnostics/tick', (p) => { ticks++; lastTick = p.n; });
connection.onRequest('diagnostics/stats', () => ({ ticks, lastTick }));
connection.onRequest('diagnostics/burst', (p) => {
  for (let n = 0; n < p.count; n++) connection.sendNotification('diagnostics/burstItem', { n });
  return { sent: p.count };
});
connection.listen();
