// Shared helpers for the repository's orchestration scripts (build, test, start, bench).
// Only Node built-ins here: these scripts run on a fresh clone before `npm install`.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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

/** Where long, noisy first-run steps (npm installs, native builds) write their output. */
export const setupLogDir = path.join(repoRoot, 'artifacts', 'logs');

/**
 * Runs a noisy command with its output in `logFile` (appended) instead of the terminal: one line
 * says what runs and where its output goes; on failure the last lines of the log are printed.
 * Throws on a non-zero exit, like `run`.
 */
export function runLogged(cmd, args, { logFile, ...opts }) {
  mkdirSync(path.dirname(logFile), { recursive: true });
  appendFileSync(logFile, `\n$ ${cmd} ${args.join(' ')}  (${new Date().toISOString()})\n`);
  log(`$ ${cmd} ${args.join(' ')}  (output: ${logFile.startsWith(repoRoot + path.sep) ? path.relative(repoRoot, logFile) : logFile})`);
  const r = spawnSync(cmd, args, { cwd: repoRoot, ...opts, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
  appendFileSync(logFile, `${r.stdout ?? ''}${r.stderr ?? ''}`);
  if (r.error) throw r.error;
  if (r.status !== 0) {
    const tail = readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-40).join('\n');
    process.stderr.write(`${tail}\n`);
    throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}; the full output is in ${logFile}`);
  }
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

/**
 * Installs npm dependencies when node_modules is missing or was installed from another lock file
 * (a stamp in node_modules records the hash of package-lock.json and the workspace manifests).
 */
export function ensureNpmDeps() {
  const files = ['package-lock.json', 'package.json', path.join('extension-client', 'package.json')]
    .map((f) => path.join(repoRoot, f)).filter((f) => existsSync(f));
  const hash = createHash('sha256');
  for (const f of files) hash.update(readFileSync(f));
  const digest = hash.digest('hex');
  const stamp = path.join(repoRoot, 'node_modules', '.editorassist-deps');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) return;
  const lock = existsSync(path.join(repoRoot, 'package-lock.json'));
  const first = !existsSync(path.join(repoRoot, 'node_modules'));
  log(first
    ? 'First run: installing the npm packages (vscode-jsonrpc, esbuild, TypeScript, playwright-core, the llama.cpp native builds, …): about 1 minute.'
    : 'package-lock.json changed: reinstalling the npm packages.');
  runLogged('npm', [lock ? 'ci' : 'install', '--no-audit', '--no-fund'], { logFile: path.join(setupLogDir, 'npm-install.log') });
  writeFileSync(stamp, digest);
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

/** Replaces the `<!-- name:begin -->…<!-- name:end -->` section of docs/BENCHMARKS.md with `markdown`. */
export function writeBenchmarkSection(name, markdown) {
  const file = path.join(repoRoot, 'docs', 'BENCHMARKS.md');
  const doc = readFileSync(file, 'utf8');
  const begin = `<!-- ${name}:begin -->`, end = `<!-- ${name}:end -->`;
  const i = doc.indexOf(begin), j = doc.indexOf(end);
  if (i < 0 || j < 0) throw new Error(`docs/BENCHMARKS.md lacks the ${name} markers`);
  writeFileSync(file, doc.slice(0, i + begin.length) + '\n' + markdown + '\n' + doc.slice(j));
  log(`docs/BENCHMARKS.md: ${name} section updated`);
}
