// Loopback download benchmark: one large GGUF-shaped file served by a Node HTTP server (Range,
// ETag), fetched by curl (to /dev/null and to a file on disk and on tmpfs) and by
// `EditorAssist.Server pull` with and without SHA-256 verification; peak RSS and the client's CPU
// time from /usr/bin/time -v, the server's CPU time from this process (it is the server). Usage:
//   node bench/downloads/run.mjs [sizeGiB=2] [workDir=/tmp/ea-dl-bench] [rateMiBps=unlimited] [--published]
// With a rate, the server paces its sends to that line rate (a fast real connection instead of
// loopback's memory copy), which shows what verification costs when the network is the limit.
// Without --published it times the build output (`dotnet build -c Release`); with it, the sidecar as
// users get it (published ReadyToRun, as `npm run bench` uses), which starts faster.

import { createReadStream, mkdirSync, openSync, rmSync, statSync, writeSync, closeSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { publishSidecar } from '../../tests/tools/build.mjs';
import { publishedSidecarDll, serverDll as builtServerDll } from '../../tests/tools/common.mjs';

const published = process.argv.includes('--published');
const [sizeArg, workArg, rateArg] = process.argv.slice(2).filter((a) => a !== '--published');
const sizeGiB = Number(sizeArg ?? 2);
const work = workArg ?? '/tmp/ea-dl-bench';
const rateBytesPerSecond = rateArg ? Number(rateArg) * 1024 ** 2 : 0;
if (published) publishSidecar();
const serverDll = published ? publishedSidecarDll : builtServerDll;
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const file = path.join(work, 'big.gguf');
const size = Math.round(sizeGiB * 1024 ** 3);

// GGUF header, then pseudo-random blocks (incompressible, cheap to make).
{
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(8 * 1024 * 1024);
  let x = 0x9e3779b9;
  for (let i = 0; i < block.length; i += 4) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; block.writeUInt32LE(x >>> 0, i); }
  const header = Buffer.alloc(24);
  header.write('GGUF', 0, 'ascii'); header.writeUInt32LE(3, 4);
  let written = 0;
  for (; written + block.length <= size; written += block.length) {
    if (written === 0) { header.copy(block, 0); }
    writeSync(fd, block);
    block.writeUInt32LE((written / block.length) >>> 0, 100); // make blocks differ
  }
  if (written < size) writeSync(fd, block.subarray(0, size - written));
  closeSync(fd);
}

const server = http.createServer((req, res) => {
  const total = statSync(file).size;
  const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  const start = m ? Number(m[1]) : 0;
  res.writeHead(start ? 206 : 200, {
    'Content-Length': total - start, ETag: '"bench"', 'Accept-Ranges': 'bytes',
    ...(start ? { 'Content-Range': `bytes ${start}-${total - 1}/${total}` } : {}),
  });
  const stream = createReadStream(file, { start, highWaterMark: 1024 * 1024 });
  if (!rateBytesPerSecond) return void stream.pipe(res);
  // Pacing: each chunk leaves no earlier than its place on the line-rate schedule.
  const t0 = performance.now();
  let sent = 0;
  stream.on('data', (chunk) => {
    stream.pause();
    sent += chunk.length;
    const due = t0 + (sent / rateBytesPerSecond) * 1000;
    const go = () => { if (res.write(chunk)) stream.resume(); else res.once('drain', () => stream.resume()); };
    const wait = due - performance.now();
    if (wait > 0) setTimeout(go, wait); else go();
  });
  stream.on('end', () => res.end());
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/big.gguf`;


// Runs are async-spawned from a sync spawn: the server must keep serving, so run them in a child event loop.
const results = {};
const { spawn } = await import('node:child_process');
const loadBefore = os.loadavg()[0];
function run(name, cmd, args) {
  return new Promise((resolve, reject) => {
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-v', cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('exit', (code) => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code !== 0) return reject(new Error(`${name}: exit ${code}\n${err.slice(-2000)}`));
      const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(err)?.[1] ?? 0) * 1024;
      const timeOf = (what) => Number(new RegExp(`${what} time \\(seconds\\): ([\\d.]+)`).exec(err)?.[1] ?? 0);
      const server = process.cpuUsage(cpu0);
      results[name] = {
        seconds: +seconds.toFixed(2), MiBps: +(size / 1024 ** 2 / seconds).toFixed(0), peakRssMiB: +(rss / 1024 ** 2).toFixed(1),
        // CPU seconds: the client (user + system), and this process, i.e. the server, in the same interval.
        clientCpu: +(timeOf('User') + timeOf('System')).toFixed(2), serverCpu: +((server.user + server.system) / 1e6).toFixed(2),
      };
      resolve(out);
    });
  });
}

const storage = (n, base = work) => path.join(base, `storage-${n}`);
const shm = '/dev/shm/ea-dl-bench';
const best = (name) => Math.min(...Object.entries(results).filter(([k]) => k.startsWith(name)).map(([, v]) => v.seconds));
await run('sidecar idle (models verb)', 'dotnet', [serverDll, 'models', '--storage-dir', storage('idle')]);
// Each run writes a fresh 2 GiB file and the next one frees it. On a VM that hands freed memory back
// to its host (free page reporting) the run right after a deletion pays for faulting pages back in,
// so the second round goes through the runs in reverse order: no variant always gets the worst slot.
const runs = [
  ['curl -o /dev/null', () => runAndClean('curl -o /dev/null', 'curl', ['-s', '-o', '/dev/null', url])],
  ['curl -o file', () => runAndClean('curl -o file', 'curl', ['-s', '-o', path.join(work, 'curl.out'), url], path.join(work, 'curl.out'))],
  ['curl -o tmpfs file', () => runAndClean('curl -o tmpfs file', 'curl', ['-s', '-o', path.join(shm, 'curl.out'), url], path.join(shm, 'curl.out'))],
  ...[['disk', work], ['tmpfs', shm]].flatMap(([label, base]) => [
    [`pull verify ${label}`, () => runAndClean(`pull verify ${label}`, 'dotnet', [serverDll, 'pull', url, '--storage-dir', storage('v', base)], storage('v', base))],
    [`pull no-verify ${label}`, () => runAndClean(`pull no-verify ${label}`, 'dotnet', [serverDll, 'pull', url, '--storage-dir', storage('nv', base), '--no-verify'], storage('nv', base))],
  ]),
];
let round = 0;
async function runAndClean(name, cmd, args, output) {
  await run(`${name} #${round}`, cmd, args);
  if (output) rmSync(output, { recursive: true, force: true });
}
mkdirSync(shm, { recursive: true });
for (round = 1; round <= 2; round++) {
  for (const [, go] of round === 1 ? runs : [...runs].reverse()) await go();
}
server.close();
rmSync(work, { recursive: true, force: true });
rmSync(shm, { recursive: true, force: true });

const summary = {
  sizeBytes: size,
  rateMiBps: rateBytesPerSecond ? rateBytesPerSecond / 1024 ** 2 : 'unlimited (loopback)',
  sidecar: published ? 'published (ReadyToRun)' : 'build output',
  cpus: os.cpus().length,
  loadAverage1m: { before: +loadBefore.toFixed(2), after: +os.loadavg()[0].toFixed(2) },
  bestSeconds: {
    curlDevNull: best('curl -o /dev/null'), curlFile: best('curl -o file'), curlTmpfsFile: best('curl -o tmpfs file'),
    pullVerifyDisk: best('pull verify disk'), pullNoVerifyDisk: best('pull no-verify disk'),
    pullVerifyTmpfs: best('pull verify tmpfs'), pullNoVerifyTmpfs: best('pull no-verify tmpfs'),
  },
  throughputVsCurlDevNull_tmpfs: +(best('curl -o /dev/null') / best('pull verify tmpfs')).toFixed(3),
  throughputVsCurlFile_disk: +(best('curl -o file') / best('pull verify disk')).toFixed(3),
  throughputVsCurlFile_tmpfs: +(best('curl -o tmpfs file') / best('pull verify tmpfs')).toFixed(3),
  verifyOverhead_disk: +(best('pull verify disk') / best('pull no-verify disk')).toFixed(3),
  verifyOverhead_tmpfs: +(best('pull verify tmpfs') / best('pull no-verify tmpfs')).toFixed(3),
  peakRssAboveIdleMiB: +(Math.max(...Object.entries(results).filter(([k]) => k.startsWith('pull')).map(([, v]) => v.peakRssMiB)) - results['sidecar idle (models verb)'].peakRssMiB).toFixed(1),
  results,
};
console.log(JSON.stringify(summary, null, 2));
