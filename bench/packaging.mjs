// `node bench/packaging.mjs [--write]`: what the platform VSIXs cost.
//   1. VSIX size per target (artifacts/vsix/, from `npm run package`), with what is inside;
//   2. process start → `initialize` answered, self-contained (the linux-x64 VSIX's sidecar) vs
//      framework-dependent (`dotnet EditorAssist.Server.dll`, ReadyToRun, as shipped before),
//      interleaved in one run so both see the same machine load;
//   3. idle RSS of both, 2 s after `initialize`.
// Builds what it measures: the linux-x64 VSIX stage (if missing) and the framework-dependent publish.
// `--write` replaces the packaging section of docs/BENCHMARKS.md.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { publishSidecar } from '../tests/tools/build.mjs';
import { ensureNpmDeps, publishedSidecarDll, repoRoot, writeBenchmarkSection } from '../tests/tools/common.mjs';

ensureNpmDeps();
const { packageTarget } = await import('../extension-client/scripts/package.mjs');
const { TARGET_NAMES, TARGETS, vsixFileName } = await import('../extension-client/scripts/targets.mjs');
const { readZip } = await import('../tests/packaging/binaries.mjs');
const rpc = await import('vscode-jsonrpc/node.js');

const write = process.argv.includes('--write');
const ROUNDS = 15;
const version = JSON.parse(readFileSync(path.join(repoRoot, 'extension-client', 'package.json'), 'utf8')).version;
const stageSidecar = path.join(repoRoot, 'extension-client', 'out', 'vsix', 'linux-x64', 'sidecar', 'EditorAssist.Server');
if (!existsSync(stageSidecar)) await packageTarget('linux-x64');
publishSidecar();

const kinds = {
  'self-contained (VSIX)': () => spawn(stageSidecar, ['--log-level', 'warning'], { stdio: ['pipe', 'pipe', 'inherit'] }),
  'framework-dependent (dotnet …dll)': () => spawn('dotnet', [publishedSidecarDll, '--log-level', 'warning'], { stdio: ['pipe', 'pipe', 'inherit'] }),
};

// One store per kind, created by the warm-up start and reused, as every start after a user's
// first one does (creating a store costs its own fsyncs: measured apart below).
const stores = Object.fromEntries(Object.keys(kinds).map((k) => [k, mkdtempSync(path.join(os.tmpdir(), 'ea-bench-pkg-'))]));

async function once(kind, keepForRss, fresh = false) {
  const storageDir = fresh ? mkdtempSync(path.join(os.tmpdir(), 'ea-bench-pkg-')) : stores[kind];
  const t0 = performance.now();
  const child = kinds[kind]();
  const connection = rpc.createMessageConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
  connection.listen();
  await connection.sendRequest('initialize', { processId: process.pid, clientInfo: { name: 'bench' }, storageDir });
  const ms = performance.now() - t0;
  let rss;
  if (keepForRss) {
    await new Promise((r) => setTimeout(r, 2000)); // idle: nothing asked of it
    rss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) * 1024;
  }
  const exited = new Promise((r) => child.on('exit', r));
  await connection.sendRequest('shutdown');
  connection.sendNotification('exit');
  await exited;
  connection.dispose();
  if (fresh) rmSync(storageDir, { recursive: true, force: true });
  return { ms, rss };
}

const starts = Object.fromEntries(Object.keys(kinds).map((k) => [k, []]));
const rss = {};
for (const k of Object.keys(kinds)) await once(k); // warm the page cache for both
for (let i = 0; i < ROUNDS; i++) {
  for (const k of Object.keys(kinds)) starts[k].push((await once(k)).ms);
}
for (const k of Object.keys(kinds)) rss[k] = (await once(k, true)).rss;
const firstStart = Object.fromEntries(Object.keys(kinds).map((k) => [k, []]));
for (let i = 0; i < 5; i++) for (const k of Object.keys(kinds)) firstStart[k].push((await once(k, false, true)).ms);
for (const dir of Object.values(stores)) rmSync(dir, { recursive: true, force: true });

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const q = (xs, p) => sorted(xs)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const mib = (b) => (b / 2 ** 20).toFixed(1);

const sizeRows = [];
for (const t of TARGET_NAMES) {
  const f = path.join(repoRoot, 'artifacts', 'vsix', vsixFileName(t, version));
  if (!existsSync(f)) { sizeRows.push(`| \`${t}\` | not built | | | |`); continue; }
  const entries = readZip(f);
  const sum = (pred) => entries.filter(pred).reduce((a, e) => a + e.size, 0);
  const llama = sum((e) => e.name.startsWith('extension/sidecar/llama/'));
  const sidecar = sum((e) => e.name.startsWith('extension/sidecar/')) - llama;
  sizeRows.push(`| \`${t}\` | ${mib(statSync(f).size)} MiB | ${mib(sidecar)} MiB | ${mib(llama)} MiB (${TARGETS[t].llama.pkg}: ${TARGETS[t].backends.join(' + ')}) | ${mib(sum(() => true))} MiB |`);
}

for (const [t, spec] of Object.entries(TARGETS).filter(([, s]) => s.unavailable)) sizeRows.push(`| \`${t}\` | not built here: ${spec.unavailable} | | | |`);

const md = `Command: \`npm run package\` (all targets), then \`node bench/packaging.mjs --write\`. ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)} at the end (other work was running on the machine).

VSIX per platform (budget 120 MiB each). "Sidecar" is the self-contained .NET publish (runtime, ReadyToRun app, SQLite); "llama.cpp" the one build shipped; sizes inside are uncompressed:

| target | VSIX | sidecar | llama.cpp | unpacked |
|---|---|---|---|---|
${sizeRows.join('\n')}

The runtime's share is the whole shared framework (not trimmed, see PACKAGING.md); llama.cpp's is
mostly \`libggml-vulkan\` (41 MiB, Vulkan shaders compiled in) and one \`libggml-cpu-*\` per CPU generation (13 on x64).

Sidecar start → \`initialize\` answered (spawn to response over stdio, the store already there as on every start after the first), ${ROUNDS} interleaved rounds; a first start (a new store: schema and fsyncs), median of 5; idle RSS 2 s after \`initialize\`:

| sidecar | median | p90 | min | first start (new store) | idle RSS |
|---|---|---|---|---|---|
${Object.keys(kinds).map((k) => `| ${k} | ${q(starts[k], 0.5).toFixed(0)} ms | ${q(starts[k], 0.9).toFixed(0)} ms | ${q(starts[k], 0).toFixed(0)} ms | ${q(firstStart[k], 0.5).toFixed(0)} ms | ${mib(rss[k])} MiB |`).join('\n')}
`;
console.log(md);
if (write) writeBenchmarkSection('packaging', md);
