// `npm run bench`: transport benchmarks, each against a peer measured side by side in this run.
//   1. in-process round trip and notification throughput: C# JsonRpcConnection pair vs a
//      vscode-jsonrpc pair in one Node process;
//   2. across processes over real stdio, driven by vscode-jsonrpc: the sidecar vs a Node
//      vscode-jsonrpc server doing the same work;
//   3. process start to `initialize` answered, and idle RSS, for both.
// `--baseline DIR` adds a third column: another checkout of this repository (say the commit before a
// transport change: `git worktree add /tmp/oldrpc main`), published and measured the same way in
// the same run.
// Prints a markdown report; `npm run bench -- --write` also replaces the transport section of
// docs/BENCHMARKS.md. Raw numbers go to artifacts/bench/transport.json.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build, publishSidecar } from '../tests/tools/build.mjs';
import { configuration, publishedSidecarDll, repoRoot, run, runtimeIdentifier, writeBenchmarkSection } from '../tests/tools/common.mjs';

const write = process.argv.includes('--write');
const baselineArg = process.argv.indexOf('--baseline');
const baseline = baselineArg > 0 ? path.resolve(process.argv[baselineArg + 1]) : null;
build();
publishSidecar();
let baselineLabel = '';
if (baseline) {
  // The same ReadyToRun publish and in-process bench, built from the other checkout.
  run('dotnet', ['publish', path.join(baseline, 'server/EditorAssist.Server/EditorAssist.Server.csproj'), '-c', 'Release', '-r', runtimeIdentifier(),
    '--self-contained', 'false', '-p:PublishReadyToRun=true', '-o', path.join(baseline, 'artifacts/sidecar'), '--nologo', '-v', 'q', '-clp:ErrorsOnly']);
  run('dotnet', ['build', path.join(baseline, 'bench/EditorAssist.Bench/EditorAssist.Bench.csproj'), '-c', configuration, '--nologo', '-v', 'q', '-clp:ErrorsOnly']);
  baselineLabel = spawnSync('git', ['-C', baseline, 'log', '-1', '--format=%h'], { encoding: 'utf8' }).stdout.trim();
}
const rpc = await import('vscode-jsonrpc/node.js');

const RTT_N = 5000;
const NOTES_N = 100000;

function median(xs) { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; }
function pct(sorted, p) { return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]; }

function csInProcess(root) {
  const benchDll = path.join(root, 'bench', 'EditorAssist.Bench', 'bin', configuration, 'net10.0', 'EditorAssist.Bench.dll');
  const cs = spawnSync('dotnet', [benchDll, '20000', '200000'], { encoding: 'utf8' });
  if (cs.status !== 0) throw new Error(`in-process bench failed (${root}):\n${cs.stderr}`);
  return JSON.parse(cs.stdout);
}

function inProcess() {
  const sidecar = csInProcess(repoRoot);
  const js = spawnSync(process.execPath, [path.join(repoRoot, 'bench', 'node-inprocess.mjs'), '20000', '20000'], { encoding: 'utf8', cwd: repoRoot });
  if (js.status !== 0) throw new Error(`in-process bench failed:\n${js.stderr}`);
  return { sidecar, peer: JSON.parse(js.stdout), ...(baseline ? { baseline: csInProcess(baseline) } : {}) };
}

const sidecarArgs = ['--diagnostics', '--log-level', 'warning'];
const targets = {
  sidecar: () => spawn('dotnet', [publishedSidecarDll, ...sidecarArgs], { stdio: ['pipe', 'pipe', 'pipe'] }),
  peer: () => spawn(process.execPath, [path.join(repoRoot, 'bench', 'node-peer.mjs')], { stdio: ['pipe', 'pipe', 'pipe'], cwd: repoRoot }),
  baseline: () => spawn('dotnet', [path.join(baseline, 'artifacts/sidecar/EditorAssist.Server.dll'), ...sidecarArgs], { stdio: ['pipe', 'pipe', 'pipe'] }),
};

async function start(kind) {
  const storageDir = path.join(os.tmpdir(), `ea-bench-${process.pid}-${kind}`);
  const t0 = performance.now();
  const child = targets[kind]();
  const connection = rpc.createMessageConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
  connection.listen();
  await connection.sendRequest('initialize', { processId: process.pid, clientInfo: { name: 'bench' }, storageDir });
  const startMs = performance.now() - t0;
  return { child, connection, startMs };
}

async function stop({ child, connection }) {
  const exited = new Promise((r) => child.on('exit', r));
  await connection.sendRequest('shutdown');
  connection.sendNotification('exit');
  await exited;
  connection.dispose();
}

function rssBytes(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) * 1024;
}

async function crossProcess(kind) {
  const s = await start(kind);
  const params = { text: 'hello', n: 42 };
  for (let i = 0; i < 1000; i++) await s.connection.sendRequest('diagnostics/echo', params);
  const samples = [];
  for (let i = 0; i < RTT_N; i++) {
    const t0 = process.hrtime.bigint();
    await s.connection.sendRequest('diagnostics/echo', params);
    samples.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  samples.sort((a, b) => a - b);

  let t0 = performance.now();
  for (let n = 0; n < NOTES_N; n++) s.connection.sendNotification('diagnostics/tick', { n });
  const stats = await s.connection.sendRequest('diagnostics/stats');
  const inboundPerSec = NOTES_N / ((performance.now() - t0) / 1000);
  if (stats.ticks < NOTES_N) throw new Error(`${kind} lost notifications: ${stats.ticks}`);

  let seen = 0;
  const d = s.connection.onNotification('diagnostics/burstItem', () => { seen++; });
  t0 = performance.now();
  await s.connection.sendRequest('diagnostics/burst', { count: NOTES_N });
  const outboundPerSec = NOTES_N / ((performance.now() - t0) / 1000);
  d.dispose();
  if (seen !== NOTES_N) throw new Error(`${kind} burst lost notifications: ${seen}`);
  await stop(s);
  return { rtt: { p50Us: pct(samples, 0.5), p99Us: pct(samples, 0.99), n: RTT_N }, inboundPerSec, outboundPerSec };
}

async function startupAndRss(kind) {
  const starts = [];
  let rss = 0;
  for (let i = 0; i < 7; i++) {
    const s = await start(kind);
    starts.push(s.startMs);
    if (i === 0) {
      // Idle: initialized, nothing loaded, after a second of quiet.
      await new Promise((r) => setTimeout(r, 1000));
      rss = rssBytes(s.child.pid);
    }
    await stop(s);
  }
  return { startMs: median(starts), startRunsMs: starts, idleRssBytes: rss };
}

const kinds = baseline ? ['sidecar', 'baseline', 'peer'] : ['sidecar', 'peer'];
const results = { machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version }, date: new Date().toISOString(), baseline: baseline ? baselineLabel : null };
results.inProcess = inProcess();
results.crossProcess = {};
for (const kind of kinds) results.crossProcess[kind] = await crossProcess(kind);
results.startup = {};
for (const kind of kinds) results.startup[kind] = await startupAndRss(kind);

const r = (a, b) => (a / b).toFixed(2);
const us = (x) => `${x.toFixed(1)} µs`;
const k = (x) => `${Math.round(x / 1000)}k/s`;
const mib = (x) => `${(x / 2 ** 20).toFixed(1)} MiB`;
const ms = (x) => `${x.toFixed(0)} ms`;
const ip = results.inProcess, cp = results.crossProcess, st = results.startup;
// One row per measure: [label, pick(kindResults) for in-process/cross/startup, format, note on the ratio].
const rows = [
  ['in-process round trip p50', (x) => x.ip.rtt.p50Us, us, ' (lower is better)'],
  ['in-process round trip p99', (x) => x.ip.rtt.p99Us, us, ''],
  ['in-process notifications', (x) => x.ip.notificationsPerSecond, k, ' (higher is better)'],
  ['stdio round trip p50 (client: vscode-jsonrpc)', (x) => x.cp.rtt.p50Us, us, ' (lower is better)'],
  ['stdio round trip p99', (x) => x.cp.rtt.p99Us, us, ''],
  ['stdio notifications client→server', (x) => x.cp.inboundPerSec, k, ' (higher is better)'],
  ['stdio notifications server→client', (x) => x.cp.outboundPerSec, k, ''],
  ['process start → initialize answered (median of 7)', (x) => x.st.startMs, ms, ''],
  ['idle RSS after initialize', (x) => x.st.idleRssBytes, mib, ''],
];
const of = (kind) => ({ ip: ip[kind], cp: cp[kind], st: st[kind] });
const header = baseline
  ? `| measure | EditorAssist sidecar (StreamJsonRpc) | previous own layer (${baselineLabel}) | vscode-jsonrpc peer (Node) | ratio sidecar/previous | ratio sidecar/peer |\n|---|---|---|---|---|---|`
  : '| measure | EditorAssist sidecar (C#) | vscode-jsonrpc peer (Node) | ratio sidecar/peer |\n|---|---|---|---|';
const body = rows.map(([label, pick, fmt, note]) => {
  const a = pick(of('sidecar')), p = pick(of('peer'));
  return baseline
    ? `| ${label} | ${fmt(a)} | ${fmt(pick(of('baseline')))} | ${fmt(p)} | ${r(a, pick(of('baseline')))}${note} | ${r(a, p)} |`
    : `| ${label} | ${fmt(a)} | ${fmt(p)} | ${r(a, p)}${note} |`;
}).join('\n');
const md = `${header}
${body}

Machine: ${results.machine.cpu}, ${results.machine.cores} cores; Node ${results.machine.node}; ${results.date.slice(0, 10)}.
In-process: 20,000 sequential echo requests after 2,000 warm-up (a C# connection pair over in-memory pipes; vscode-jsonrpc pair in one Node process); notifications: 200,000 (C#) and 20,000 (Node, whose in-memory pair slows sharply on larger bursts). Across processes: ${RTT_N} sequential \`diagnostics/echo\` after 1,000 warm-up, ${NOTES_N.toLocaleString('en')} notifications each way. Sidecars: the ReadyToRun publish.`;

console.log(md);
mkdirSync(path.join(repoRoot, 'artifacts', 'bench'), { recursive: true });
writeFileSync(path.join(repoRoot, 'artifacts', 'bench', 'transport.json'), JSON.stringify(results, null, 2));
if (write) writeBenchmarkSection('transport', md);
