// Runs a target's sidecar, unpacked from its VSIX, under an emulator: `--version`, then
// `initialize` over stdio (LSP framing, vscode-jsonrpc as the client, as the extension does).
//   node tests/packaging/emulated.mjs linux-arm64 | win32-x64
// Exported for tests/packaging/emulated.test.mjs.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sidecarExecutable, vsixFileName } from '../../extension-client/scripts/targets.mjs';
import { readZip } from './binaries.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** How to run a target's executable on this x64 Linux machine, or why not. */
export const EMULATORS = {
  'linux-arm64': {
    apt: ['qemu-user-static', 'libc6-arm64-cross', 'libstdc++6-arm64-cross', 'libgcc-s1-arm64-cross'],
    command: (exe, args) => ['/usr/bin/qemu-aarch64-static', ['-L', '/usr/aarch64-linux-gnu', exe, ...args]],
    available: () => existsSync('/usr/bin/qemu-aarch64-static') && existsSync('/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1'),
    env: {},
  },
  'win32-x64': {
    apt: ['wine64'],
    command: (exe, args) => ['/usr/lib/wine/wine64', [exe, ...args]],
    available: () => existsSync('/usr/lib/wine/wine64'),
    // A prefix of our own under .cache (the first start creates it, ~40 s).
    env: { WINEPREFIX: path.join(repoRoot, '.cache', 'wine'), WINEDEBUG: '-all' },
  },
};

/** Unpacks extension/sidecar/ of the target's VSIX (artifacts/vsix/) into a temporary folder; returns the executable. */
export function unpackSidecar(target) {
  const version = JSON.parse(readFileSync(path.join(repoRoot, 'extension-client', 'package.json'), 'utf8')).version;
  const vsix = path.join(process.env.EDITORASSIST_VSIX_DIR ?? path.join(repoRoot, 'artifacts', 'vsix'), vsixFileName(target, version));
  const dir = mkdtempSync(path.join(os.tmpdir(), `ea-emu-sidecar-${target}-`));
  for (const e of readZip(vsix)) {
    if (!e.name.startsWith('extension/sidecar/') || e.name.endsWith('/')) continue;
    const dest = path.join(dir, e.name.slice('extension/sidecar/'.length));
    mkdirSync(path.dirname(dest), { recursive: true });
    writeFileSync(dest, e.data(), { mode: e.mode & 0o777 || 0o644 });
  }
  return path.join(dir, sidecarExecutable(target));
}

export function emulatedVersion(target, exe) {
  const emu = EMULATORS[target];
  const [cmd, args] = emu.command(exe, ['--version']);
  if (emu.env.WINEPREFIX) mkdirSync(emu.env.WINEPREFIX, { recursive: true });
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...emu.env }, timeout: 240_000 });
  return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr };
}

/** Spawns the emulated sidecar, sends `initialize`, returns the result and ends it with shutdown/exit. */
export async function emulatedInitialize(target, exe) {
  const rpc = await import('vscode-jsonrpc/node.js');
  const emu = EMULATORS[target];
  const storage = mkdtempSync(path.join(os.tmpdir(), `ea-emu-${target}-`));
  if (emu.env.WINEPREFIX) mkdirSync(emu.env.WINEPREFIX, { recursive: true });
  const [cmd, args] = emu.command(exe, ['--log-level', 'warning']);
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...emu.env } });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const connection = rpc.createMessageConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
  connection.listen();
  try {
    // Windows paths for wine: Z: is the Unix root in every prefix.
    const storageDir = target.startsWith('win32') ? `Z:${storage.replaceAll('/', '\\')}` : storage;
    const t0 = performance.now();
    const result = await Promise.race([
      connection.sendRequest('initialize', { processId: null, clientInfo: { name: 'emulated-test', version: '1' }, storageDir }),
      exited.then((e) => { throw new Error(`the sidecar exited before answering (${JSON.stringify(e)}):\n${stderr}`); }),
    ]);
    const ms = performance.now() - t0;
    await connection.sendRequest('shutdown');
    connection.sendNotification('exit');
    const exit = await exited;
    return { result, ms, exit, stderr };
  } finally {
    connection.dispose();
    child.kill('SIGKILL');
    rmSync(storage, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const target = process.argv[2];
  if (!EMULATORS[target]) throw new Error(`target: one of ${Object.keys(EMULATORS).join(', ')}`);
  if (!EMULATORS[target].available()) throw new Error(`no emulator: apt-get install ${EMULATORS[target].apt.join(' ')}`);
  const exe = unpackSidecar(target);
  console.log('--version:', emulatedVersion(target, exe));
  const r = await emulatedInitialize(target, exe);
  rmSync(path.dirname(exe), { recursive: true, force: true });
  console.log(`initialize answered in ${r.ms.toFixed(0)} ms:`, JSON.stringify(r.result).slice(0, 300), 'exit:', r.exit);
  if (r.stderr) console.log('stderr:', r.stderr.slice(0, 2000));
}
