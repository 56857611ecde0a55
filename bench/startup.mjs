// Start → `initialize` answered, side by side: spawns each given sidecar (a published
// EditorAssist.Server.dll, e.g. the ReadyToRun publish of this checkout and of an older commit),
// sends `initialize` with a fresh storage folder, and times the answer; the builds alternate, 9
// starts each, and the median is reported.
// Usage: node bench/startup.mjs DLL [DLL...]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as rpc from 'vscode-jsonrpc/node.js';

const RUNS = 9;

async function once(dll) {
  const storageDir = mkdtempSync(path.join(os.tmpdir(), 'ea-start-'));
  const t0 = performance.now();
  const child = spawn('dotnet', [dll, '--log-level', 'warning'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const c = rpc.createMessageConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
  c.listen();
  await c.sendRequest('initialize', { processId: process.pid, storageDir });
  const ms = performance.now() - t0;
  await c.sendRequest('shutdown');
  c.sendNotification('exit');
  await new Promise((resolve) => child.on('exit', resolve));
  c.dispose();
  rmSync(storageDir, { recursive: true, force: true });
  return ms;
}

const dlls = process.argv.slice(2).map((d) => path.resolve(d));
if (dlls.length === 0) {
  console.error('usage: node bench/startup.mjs DLL [DLL...]');
  process.exit(2);
}
const times = dlls.map(() => []);
for (let i = 0; i < RUNS; i++) for (let k = 0; k < dlls.length; k++) times[k].push(await once(dlls[k]));
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
dlls.forEach((d, k) => console.log(`${d}: median ${median(times[k]).toFixed(0)} ms; all ${times[k].map((x) => x.toFixed(0)).join(' ')}`));
