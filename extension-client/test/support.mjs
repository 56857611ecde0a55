// Test helpers: loads the vscode-free sidecar layer (bundled fresh from src/ with esbuild, so
// `node --test` works without a prior build) and runs it against fake sidecar scripts.
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { afterEach } from 'node:test';

const here = path.dirname(fileURLToPath(import.meta.url));
const clientRoot = path.resolve(here, '..');
const outfile = path.join(clientRoot, 'out', 'test', 'sidecar.cjs');

esbuild.buildSync({
  entryPoints: [path.join(clientRoot, 'src', 'sidecar', 'index.ts')],
  outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: 'inline', logLevel: 'error',
});
export const lib = createRequire(import.meta.url)(outfile);

export const fakeSidecar = path.join(here, 'fixtures', 'fakeSidecar.cjs');

/** A log that records lines by level. */
export function memoryLog() {
  const lines = [];
  const at = (level) => (m) => lines.push({ level, m });
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), text: () => lines.map((l) => `${l.level}: ${l.m}`).join('\n') };
}

/** A supervisor over the fake sidecar in the given modes; `events()` reads its lifecycle log. */
const scratchDirs = [];
process.on('exit', () => { for (const d of scratchDirs) rmSync(d, { recursive: true, force: true }); });

export function fakeSupervisor(mode, options = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ea-sup-'));
  scratchDirs.push(dir);
  const eventsFile = path.join(dir, 'events');
  const log = memoryLog();
  const sup = new lib.SidecarSupervisor({
    log,
    launch: () => ({
      command: options.command ?? process.execPath,
      args: [fakeSidecar],
      env: { ...process.env, FAKE_MODE: mode, FAKE_EVENTS: eventsFile, FAKE_COUNTER: path.join(dir, 'counter') },
    }),
    initializeParams: () => ({ processId: process.pid, clientInfo: { name: 'test', version: '0' }, storageDir: dir }),
    shutdownTimeoutMs: 300,
    exitTimeoutMs: 300,
    initializeTimeoutMs: 5000,
    ...options,
  });
  const events = () => (existsSync(eventsFile) ? readFileSync(eventsFile, 'utf8').split('\n').filter(Boolean) : []);
  return { sup, log, events, dir };
}

/** Resolves with the first event value that satisfies `pred`, or rejects after `ms`. */
export function waitFor(event, pred = () => true, ms = 10_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { sub.dispose(); reject(new Error(`event not seen within ${ms} ms`)); }, ms);
    const sub = event((e) => {
      if (!pred(e)) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(e);
    });
  });
}

export function isAlive(pid) {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

/**
 * For a test file: a `start(mode, options)` that runs fakeSupervisor and stops every supervisor it
 * made after each test (a failed assertion must not leave a fake sidecar running).
 */
export function fakeSupervisorsStoppedAfterEach() {
  const running = [];
  afterEach(async () => { while (running.length) await running.pop().stop(); });
  return (mode, options) => {
    const f = fakeSupervisor(mode, options);
    running.push(f.sup);
    return f;
  };
}
