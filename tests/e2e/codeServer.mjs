// A real VS Code (code-server) with the EditorAssist VSIX installed, on a free loopback port.
// Used by the end-to-end test (one instance shared by all cases) and by `npm start`.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { codeServerEntry, nodeBin, toolEnv } from './setup.mjs';

/** Asks the OS for a free loopback port. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Settings that keep a fresh workbench quiet and deterministic (no welcome page, no tips). */
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'window.commandCenter': false,
};

/**
 * Creates a throw-away user-data dir and extensions dir (or uses the given ones) and installs
 * the VSIX into it with code-server's own CLI. `machineSettings` go to the server's own settings
 * (Machine/settings.json): code-server's workbench is a remote window, so settings with
 * `"scope": "machine"` are read from there, not from the user settings.
 */
export function prepareProfile({ vsix, root, settings = {}, machineSettings, extraVsix = [] }) {
  const base = root ?? mkdtempSync(path.join(os.tmpdir(), 'editorassist-cs-'));
  const userDataDir = path.join(base, 'user-data');
  const extensionsDir = path.join(base, 'extensions');
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...USER_SETTINGS, ...settings }, null, 2));
  if (machineSettings) {
    mkdirSync(path.join(userDataDir, 'Machine'), { recursive: true });
    writeFileSync(path.join(userDataDir, 'Machine', 'settings.json'), JSON.stringify(machineSettings, null, 2));
  }
  const config = path.join(base, 'config.yaml');
  writeFileSync(config, 'auth: none\ncert: false\n'); // keeps code-server out of ~/.config
  for (const v of [vsix, ...extraVsix].filter(Boolean)) {
    const r = spawnSync(nodeBin, [codeServerEntry, '--config', config, '--user-data-dir', userDataDir,
      '--extensions-dir', extensionsDir, '--install-extension', v, '--force'], { env: toolEnv(), encoding: 'utf8' });
    if (r.status !== 0 || !/successfully installed/i.test(r.stdout + r.stderr)) {
      throw new Error(`installing ${v} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
    }
  }
  return { base, userDataDir, extensionsDir, config };
}

/**
 * Starts code-server on 127.0.0.1:port opening `folder`; resolves once its HTTP endpoint
 * answers (polled against a deadline, never a fixed sleep). `stop()` ends it.
 */
export async function startCodeServer({ profile, folder, port, logFile, env = {}, readyTimeoutMs = 60_000 }) {
  port ??= await freePort();
  const args = [codeServerEntry, '--config', profile.config, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    '--user-data-dir', profile.userDataDir, '--extensions-dir', profile.extensionsDir, folder];
  const t0 = Date.now();
  const child = spawn(nodeBin, args, { env: toolEnv(env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const sink = logFile ? createWriteStream(logFile) : undefined;
  for (const s of [child.stdout, child.stderr]) {
    s.on('data', (d) => {
      if (output.length < 64_000) output += d;
      sink?.write(d);
    });
  }
  let exited = null;
  const exitPromise = new Promise((resolve) => child.once('exit', (code, signal) => { exited = { code, signal }; resolve(exited); }));

  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exited) throw new Error(`code-server exited early (${JSON.stringify(exited)}):\n${output}`);
    if (Date.now() > deadline) {
      stopTree(child);
      throw new Error(`code-server did not answer on ${url} within ${readyTimeoutMs} ms:\n${output}`);
    }
    if (await httpOk(`${url}healthz`)) break;
    await Promise.race([exitPromise, new Promise((r) => setTimeout(r, 100))]); // poll interval, not a readiness wait
  }
  const startMs = Date.now() - t0;

  return {
    url,
    port,
    startMs,
    pid: child.pid,
    /** Resolves with {code, signal} when code-server exits. */
    exited: exitPromise,
    output: () => output,
    async stop() {
      if (exited) return;
      stopTree(child, 'SIGTERM');
      const t = setTimeout(() => stopTree(child, 'SIGKILL'), 5000);
      await exitPromise;
      clearTimeout(t);
      sink?.end();
    },
  };
}

/** Signals code-server's whole process group (it runs the extension host and the sidecar). */
function stopTree(child, signal = 'SIGKILL') {
  try {
    process.kill(-child.pid, signal);
  } catch {
    try { child.kill(signal); } catch { /* already gone */ }
  }
}

function httpOk(url) {
  return fetch(url, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
}
