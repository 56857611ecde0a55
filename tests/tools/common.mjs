// Shared helpers for the repository's orchestration scripts (build, test, start, bench).
// Only Node built-ins here: these scripts run on a fresh clone before `npm install`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function log(msg) {
  process.stderr.write(`[editorassist] ${msg}\n`);
}

/** Runs a command, inheriting stdio; throws on a non-zero exit. */
export function run(cmd, args, opts = {}) {
  log(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: repoRoot, ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`);
}

/** Runs a command and resolves with its exit code (never throws on a non-zero exit). */
export function runAsync(cmd, args, opts = {}) {
  log(`$ ${cmd} ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'inherit', cwd: repoRoot, ...opts });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** Installs npm dependencies when node_modules is missing or older than the lock file. */
export function ensureNpmDeps() {
  const marker = path.join(repoRoot, 'node_modules', '.package-lock.json');
  if (existsSync(marker)) return;
  const lock = existsSync(path.join(repoRoot, 'package-lock.json'));
  run('npm', [lock ? 'ci' : 'install', '--no-audit', '--no-fund']);
}

export function requireDotnet() {
  const r = spawnSync('dotnet', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error('The .NET 10 SDK is required (dotnet on PATH). See README.md, Prerequisites.');
  }
  const major = Number.parseInt(r.stdout.trim().split('.')[0], 10);
  if (!(major >= 10)) throw new Error(`The .NET 10 SDK is required; found ${r.stdout.trim()}.`);
}

export const configuration = process.env.EDITORASSIST_CONFIGURATION ?? 'Release';
export const serverDll = path.join(repoRoot, 'server', 'EditorAssist.Server', 'bin', configuration, 'net10.0', 'EditorAssist.Server.dll');

/** The sidecar as users get it: published ReadyToRun (pre-compiled, faster start) for this machine. */
export const publishedSidecarDir = path.join(repoRoot, 'artifacts', 'sidecar');
export const publishedSidecarDll = path.join(publishedSidecarDir, 'EditorAssist.Server.dll');

export function runtimeIdentifier() {
  const arch = { x64: 'x64', arm64: 'arm64' }[process.arch] ?? process.arch;
  const osName = { linux: 'linux', darwin: 'osx', win32: 'win' }[process.platform] ?? process.platform;
  return `${osName}-${arch}`;
}

/** Writes a generated GGUF test model (see tests/EditorAssist.TestModels) and returns its path. */
export function writeTestModel(file, kind = 'tiny') {
  const dll = path.join(repoRoot, 'tests', 'EditorAssist.TestModels', 'bin', configuration, 'net10.0', 'EditorAssist.TestModels.dll');
  const r = spawnSync('dotnet', [dll, file, kind], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`writing test model failed: ${r.stderr}`);
  return r.stdout.trim();
}
