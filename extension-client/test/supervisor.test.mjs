import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeSupervisor, isAlive, lib, manualTimers, waitFor } from './support.mjs';

const { Requests } = lib.protocol;

describe('SidecarSupervisor', () => {
  it('starts, initializes with the storage dir, and goes starting → running', async () => {
    const { sup, events, dir } = fakeSupervisor('');
    const states = [];
    sup.onDidChangeState((s) => states.push(s));
    await sup.start();
    assert.equal(sup.state, 'running');
    assert.deepEqual(states, ['starting', 'running']);
    assert.equal(sup.serverInfo.serverInfo.version, '9.9.9');
    const info = await sup.request(Requests.systemInfo, undefined);
    assert.equal(info.cpu.cores, 7);
    assert.deepEqual(events().slice(0, 3), ['start', 'initialize', 'initialized']);
    assert.ok(dir);
    await sup.stop();
    assert.deepEqual(states, ['starting', 'running', 'stopping', 'stopped']);
  });

  it('pipes the sidecar stderr to the log, by level', async () => {
    const { sup, log } = fakeSupervisor('crash-on-info');
    await sup.start();
    await assert.rejects(sup.request(Requests.systemInfo, undefined));
    await waitFor(sup.onDidChangeState, (s) => s === 'running');
    await sup.stop();
    assert.ok(log.lines.some((l) => l.level === 'info' && l.m.includes('[sidecar]') && l.m.includes('fake sidecar started')), log.text());
  });

  it('passes JSON-RPC errors through with their code', async () => {
    const { sup } = fakeSupervisor('');
    await sup.start();
    await assert.rejects(sup.request({ method: 'fail' }, {}), (e) => e.code === 1003);
    await sup.stop();
  });

  it('fails a request in flight with a clear error when the sidecar crashes, then restarts it', async () => {
    const { sup, events } = fakeSupervisor('crash-on-info');
    await sup.start();
    const firstPid = sup.pid;
    const restarted = waitFor(sup.onDidStart);
    await assert.rejects(sup.request(Requests.systemInfo, undefined), (e) => {
      assert.equal(e.name, 'SidecarError');
      assert.equal(e.kind, 'crashed');
      assert.match(e.message, /stopped \(exit code 3\) while handling "system\/info"/);
      return true;
    });
    await restarted;
    assert.equal(sup.state, 'running');
    assert.notEqual(sup.pid, firstPid);
    assert.equal(events().filter((e) => e === 'start').length, 2);
    await sup.stop();
  });

  it('gives up after the restart budget (5 in 3 minutes) and says so once', async () => {
    const { sup, events } = fakeSupervisor('crash-after-init');
    const failures = [];
    sup.onDidFail((f) => failures.push(f));
    const failed = waitFor(sup.onDidFail, () => true, 30_000);
    await sup.start();
    const f = await failed;
    assert.match(f.message, /crashed 6 times/);
    assert.equal(sup.state, 'stopped');
    assert.equal(events().filter((e) => e === 'start').length, 6); // first start + 5 restarts
    await assert.rejects(sup.request(Requests.systemInfo, undefined), (e) => e.kind === 'notRunning');
    assert.equal(failures.length, 1);
  });

  it('forgets crashes older than the window', async () => {
    let t = 0;
    // Each crash is 4 minutes after the previous one: the budget of 2 is never exhausted.
    const { sup, events } = fakeSupervisor('crash-first-4', { maxRestarts: 2, now: () => (t += 4 * 60_000) });
    let failed = false;
    sup.onDidFail(() => { failed = true; });
    const running = waitFor(sup.onDidStart, () => events().filter((e) => e === 'start').length === 5, 30_000);
    await sup.start();
    await running;
    // The fifth start does not crash (crash-first-4), so nothing can fail after this point.
    assert.equal(failed, false);
    assert.equal(sup.state, 'running');
    await sup.stop();
  });

  it('stops politely: shutdown, then exit, and the process exits 0', async () => {
    // A clock that never moves: stop() can only finish if no deadline had to pass.
    const timers = manualTimers();
    const { sup, events, log } = fakeSupervisor('', { timers });
    await sup.start();
    const pid = sup.pid;
    await sup.stop();
    assert.equal(timers.pendingCount, 0, 'a cooperative sidecar stops without a timeout passing');
    assert.deepEqual(events().slice(-2), ['shutdown', 'exit']);
    assert.equal(isAlive(pid), false);
    assert.ok(!log.text().includes('terminating'), log.text());
  });

  it('terminates a sidecar that never answers shutdown', async () => {
    const timers = manualTimers();
    const { sup, events, log } = fakeSupervisor('ignore-shutdown', { timers });
    await sup.start();
    const pid = sup.pid;
    const stopped = sup.stop();
    // The shutdown deadline passes only once the sidecar has the request (and sat on it).
    await log.waitForLine(/event shutdown/);
    await timers.waitForTimer(300);
    timers.advance(300);
    // Then the wait for it to exit by itself runs out, and SIGTERM ends it.
    await log.waitForLine(/no answer to "shutdown"/);
    await timers.waitForTimer(300);
    timers.advance(300);
    await stopped;
    assert.equal(isAlive(pid), false);
    assert.ok(events().includes('shutdown'));
    assert.ok(!events().includes('exit'), 'exit is not sent when shutdown was not answered');
    assert.match(log.text(), /no answer to "shutdown"/);
    assert.match(log.text(), /terminating it/);
  });

  it('kills a sidecar that ignores exit and SIGTERM', async () => {
    const timers = manualTimers();
    const { sup, events, log } = fakeSupervisor('ignore-exit,ignore-sigterm', { timers });
    await sup.start();
    const pid = sup.pid;
    const stopped = sup.stop();
    // Each wait for the exit runs out only after the sidecar has seen what it ignores.
    await log.waitForLine(/event exit/);
    await timers.waitForTimer(300);
    timers.advance(300);
    await log.waitForLine(/event sigterm/);
    await timers.waitForTimer(300);
    timers.advance(300);
    await stopped;
    assert.equal(isAlive(pid), false);
    assert.deepEqual(events().filter((e) => ['shutdown', 'exit', 'sigterm'].includes(e)), ['shutdown', 'exit', 'sigterm']);
    assert.match(log.text(), /killing it/);
    assert.equal(sup.state, 'stopped');
  });

  it('does not restart a sidecar it stopped, and stop() is idempotent', async () => {
    const { sup, events } = fakeSupervisor('');
    await sup.start();
    await Promise.all([sup.stop(), sup.stop()]);
    await sup.stop();
    assert.equal(events().filter((e) => e === 'start').length, 1);
    assert.equal(sup.state, 'stopped');
  });

  it('times out a sidecar that never answers initialize, retries within the budget, then gives up', async () => {
    // The deadline passes when the test says so, and only after the sidecar got `initialize`:
    // however slowly the process starts, each attempt is a real "never answers".
    const timers = manualTimers();
    const { sup, events, log } = fakeSupervisor('no-initialize', { initializeTimeoutMs: 300, maxRestarts: 1, timers });
    const failed = waitFor(sup.onDidFail, () => true, 20_000);
    const started = sup.start();
    await log.waitForLine(/event initialize/);
    await timers.waitForTimer(300);
    timers.advance(300);
    await assert.rejects(started, (e) => e.kind === 'startFailed' && /did not answer "initialize"/.test(e.message));
    // The retry: a second process, timed out the same way; then the budget (1) is spent.
    await log.waitForLine(/event initialize/, 2);
    await timers.waitForTimer(300);
    timers.advance(300);
    await failed;
    assert.equal(events().filter((e) => e === 'start').length, 2);
    assert.equal(log.lines.filter((l) => l.m.startsWith('Starting sidecar:')).length, 2);
    assert.equal(sup.state, 'stopped');
  });

  it('gives up at once when the runtime cannot be spawned', async () => {
    const { sup } = fakeSupervisor('', { command: '/nonexistent/dotnet' });
    const failures = [];
    sup.onDidFail((f) => failures.push(f));
    await assert.rejects(sup.start(), (e) => e.kind === 'startFailed');
    assert.equal(sup.state, 'stopped');
    assert.equal(failures.length, 1);
    assert.match(failures[0].message, /ENOENT/);
  });

  it('can be started again after stopping, with a fresh budget', async () => {
    const { sup } = fakeSupervisor('');
    await sup.start();
    await sup.restart();
    assert.equal(sup.state, 'running');
    assert.equal((await sup.request(Requests.systemInfo, undefined)).os, 'FakeOS');
    await sup.stop();
  });
});

describe('logSidecarLine', () => {
  it('keeps the sidecar level and drops its timestamp', async () => {
    const { memoryLog } = await import('./support.mjs');
    const log = memoryLog();
    lib.logSidecarLine(log, '05:33:28.080 info: EditorAssist.Session[0] listening on stdio');
    lib.logSidecarLine(log, '05:33:28.080 warn: EditorAssist.Storage[0] moved a corrupt database aside');
    lib.logSidecarLine(log, 'crit: EditorAssist.Session[0] boom');
    lib.logSidecarLine(log, 'Unhandled exception. System.Exception: native crash');
    assert.deepEqual(log.lines, [
      { level: 'info', m: '[sidecar] EditorAssist.Session[0] listening on stdio' },
      { level: 'warn', m: '[sidecar] EditorAssist.Storage[0] moved a corrupt database aside' },
      { level: 'error', m: '[sidecar] EditorAssist.Session[0] boom' },
      { level: 'info', m: '[sidecar] Unhandled exception. System.Exception: native crash' },
    ]);
  });
});
