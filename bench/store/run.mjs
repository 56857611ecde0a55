// LiteDB 5.0.21 vs SQLite (the shipped store) for the chat-history workload, through
// bench/store/Harness (one interface, both engines). Usage, from the repo root:
//   node bench/store/run.mjs [--rounds 5] [--burst 200] [--kill-after 80] [--appends 2000]
// 1. SIGKILL durability, as tests/interop/durability.test.mjs does to the sidecar: a burst of
//    appends, SIGKILL right after the Nth acknowledgement, reopen, count acknowledged turns missing.
// 2. The corrupt-file cases of SqliteStoreTests (garbage file, damaged pages) plus a truncated file.
// 3. Append latency/throughput, engines interleaved round by round; medians.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const arg = (name, def) => { const i = process.argv.indexOf(`--${name}`); return Number(i > 0 ? process.argv[i + 1] : def); };
const rounds = arg('rounds', 5), burst = arg('burst', 200), killAfter = arg('kill-after', 80), appends = arg('appends', 2000);
const work = path.join(root, 'artifacts', 'bench-store');
const bin = path.join(work, 'bin');
execFileSync('dotnet', ['build', path.join(here, 'Harness', 'EditorAssist.Store.Bench.csproj'), '-c', 'Release', '-o', bin, '--nologo', '-v', 'q'],
  { stdio: ['ignore', 'ignore', 'inherit'] });
const dll = path.join(bin, 'EditorAssist.Store.Bench.dll');
const harness = (...a) => JSON.parse(execFileSync('dotnet', [dll, ...a], { encoding: 'utf8' }).trim().split('\n').pop());
const engines = ['sqlite', 'litedb'];
const fresh = (name) => { const d = path.join(work, name); rmSync(d, { recursive: true, force: true }); mkdirSync(d, { recursive: true }); return d; };
const load = () => os.loadavg()[0].toFixed(1);

async function killRound(engine, r) {
  const dir = fresh(`kill-${engine}-${r}`);
  const child = spawn('dotnet', [dll, 'serve', engine, dir], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  const acked = [];
  let pending = '', session = null, killed = false;
  let onAck;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d) => {
    pending += d;
    let nl;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const [, id, text] = pending.slice(0, nl).split('\t');
      pending = pending.slice(nl + 1);
      if (killed) continue;
      acked.push({ id, text });
      onAck?.(id);
    }
  });
  // The conversation the burst grows, then the burst in one write.
  child.stdin.write('-\topening\n');
  session = await new Promise((resolve) => { onAck = resolve; });
  onAck = () => {
    if (acked.length - 1 === killAfter) { killed = true; child.kill('SIGKILL'); }
  };
  let lines = '';
  for (let i = 0; i < burst; i++) lines += `${i % 3 === 0 ? '-' : session}\tturn ${r}.${i} ${'x'.repeat((i * 37) % 3000)}\n`;
  child.stdin.on('error', () => {}); // the pipe breaks when the process dies mid-burst
  child.stdin.write(lines);
  const how = await exited;
  if (how !== 'SIGKILL') throw new Error(`${engine}: the burst ended (${how}) before ${killAfter} acknowledgements`);
  const dump = harness('dump', engine, dir);
  const kept = new Set((dump.turns ?? []).map((t) => `${t.session}\t${t.text}`));
  const lost = acked.filter((a) => !kept.has(`${a.id}\t${a.text}`)).length;
  return { engine, acked: acked.length, lost, stored: dump.turns?.length ?? 0, open: dump.open, error: dump.error };
}

const durability = [];
for (let r = 0; r < rounds; r++) for (const e of (r % 2 ? [...engines].reverse() : engines)) durability.push(await killRound(e, r));

const corruption = [];
for (const e of engines) for (const c of ['garbage', 'pages', 'truncated']) corruption.push(harness('corrupt', e, fresh(`corrupt-${e}-${c}`), c));

const latency = Object.fromEntries(engines.map((e) => [e, []]));
for (let r = 0; r < rounds; r++) {
  for (const e of (r % 2 ? [...engines].reverse() : engines)) latency[e].push({ ...harness('latency', e, fresh(`latency-${e}`), String(appends)), load: Number(load()) });
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

console.log(`## Store: SQLite vs LiteDB (rounds=${rounds}, burst=${burst}, kill after ${killAfter}, appends=${appends}, ${os.cpus().length} cores)`);
console.log('\n| engine | kill rounds | acknowledged turns | acknowledged turns lost | reopened |');
console.log('|---|---|---|---|---|');
for (const e of engines) {
  const rs = durability.filter((x) => x.engine === e);
  const opens = [...new Set(rs.map((x) => x.open + (x.error ? ` (${x.error})` : '')))].join('; ');
  console.log(`| ${e} | ${rs.length} | ${rs.reduce((s, x) => s + x.acked, 0)} | ${rs.reduce((s, x) => s + x.lost, 0)} (per round: ${rs.map((x) => x.lost).join(', ')}) | ${opens} |`);
}
console.log('\n| engine | case | outcome |');
console.log('|---|---|---|');
for (const c of corruption) console.log(`| ${c.engine} | ${c.case} | ${c.outcome} |`);
console.log('\n| engine | append p50 µs | append p99 µs | appends/s | open ms | read all ms | bytes on disk | load avg (1 min) per round |');
console.log('|---|---|---|---|---|---|---|---|');
for (const e of engines) {
  const m = (k) => median(latency[e].map((x) => x[k]));
  console.log(`| ${e} | ${m('p50Us').toFixed(0)} | ${m('p99Us').toFixed(0)} | ${m('appendsPerSec').toFixed(0)} | ${m('openMs').toFixed(1)} | ${m('readAllMs').toFixed(1)} | ${m('bytesOnDisk')} | ${latency[e].map((x) => x.load).join(', ')} |`);
}
writeFileSync(path.join(work, 'results.json'), JSON.stringify({ durability, corruption, latency }, null, 2));
