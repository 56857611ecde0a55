// Test helpers: loads the vscode-free modules through lib.ts (bundled fresh from src/ with esbuild, so
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
  entryPoints: [path.join(here, 'lib.ts')],
  outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: 'inline', logLevel: 'error',
});
export const lib = createRequire(import.meta.url)(outfile);

export const fakeSidecar = path.join(here, 'fixtures', 'fakeSidecar.cjs');

/**
 * A log that records lines by level. `waitForLine(re, count)` resolves once `count` lines matching
 * `re` have been logged (at once if they already were): each line is an event, nothing polls.
 */
export function memoryLog() {
  const lines = [];
  const waiters = new Set();
  const matching = (re) => lines.filter((l) => re.test(l.m)).length;
  const at = (level) => (m) => {
    lines.push({ level, m });
    for (const w of [...waiters]) if (matching(w.re) >= w.count) { waiters.delete(w); w.resolve(m); }
  };
  const text = () => lines.map((l) => `${l.level}: ${l.m}`).join('\n');
  const waitForLine = (re, count = 1, ms = 20_000) => {
    if (matching(re) >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w = { re, count, resolve: () => { clearTimeout(timer); resolve(); } };
      const timer = setTimeout(() => { waiters.delete(w); reject(new Error(`fewer than ${count} log lines ${re} within ${ms} ms:\n${text()}`)); }, ms);
      waiters.add(w);
    });
  };
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), text, waitForLine };
}

/**
 * A clock whose time moves only when the test says so: deadlines in the code under test pass
 * exactly when the test advances past them, however busy the machine is. `waitForTimer(ms)`
 * resolves once a timer of that length is pending.
 */
export function manualTimers(start = 1_000_000) {
  let now = start;
  let seq = 0;
  const pending = new Map();
  const waiters = new Set();
  const check = () => {
    for (const w of [...waiters]) {
      if ([...pending.values()].some((t) => w.ms === undefined || t.ms === w.ms)) { waiters.delete(w); w.resolve(); }
    }
  };
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const id = ++seq;
      pending.set(id, { at: now + ms, ms, callback });
      check();
      return id;
    },
    clearTimeout(id) { pending.delete(id); },
    /** How many timers are waiting. */
    get pendingCount() { return pending.size; },
    /** Moves the clock forward by `ms`, firing every timer that falls due, in order. */
    advance(ms) {
      const target = now + ms;
      for (;;) {
        const due = [...pending.entries()].filter(([, t]) => t.at <= target).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        pending.delete(due[0]);
        now = due[1].at;
        due[1].callback();
      }
      now = target;
    },
    /** Resolves once a timer of `ms` (any length when omitted) is pending. */
    waitForTimer(ms, within = 20_000) {
      if ([...pending.values()].some((t) => ms === undefined || t.ms === ms)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const w = { ms, resolve: () => { clearTimeout(timer); resolve(); } };
        const timer = setTimeout(() => { waiters.delete(w); reject(new Error(`no ${ms} ms timer within ${within} ms`)); }, within);
        waiters.add(w);
      });
    },
  };
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
