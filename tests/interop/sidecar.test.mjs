// Cross-implementation tests: the real sidecar process, driven by vscode-jsonrpc (the client the
// extension uses) and by raw bytes where a well-behaved client cannot misbehave on purpose.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { frame, initialize, parseFrames, rpc, startSidecar, stopSidecar, tempDir } from './sidecar.mjs';

// LSP's WorkDoneProgress type lives in vscode-languageserver-protocol; a ProgressType is all it is.
const workDone = new rpc.ProgressType();

const withTimeout = (promise, ms, what) => Promise.race([
  promise,
  new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms).unref()),
]);

describe('lifecycle over vscode-jsonrpc', () => {
  test('refuses requests before initialize, then initializes, answers system/info and exits 0 after shutdown', async () => {
    const s = startSidecar();
    await assert.rejects(s.connection.sendRequest('system/info'), (e) => e.code === -32002);
    const init = await initialize(s.connection);
    assert.equal(init.serverInfo.name, 'EditorAssist');
    assert.match(init.serverInfo.version, /^\d+\.\d+\.\d+/);
    assert.equal(init.protocolVersion, '1.0');
    assert.ok(init.capabilities.methods.includes('system/info'));
    await s.connection.sendNotification('initialized', {});
    const info = await s.connection.sendRequest('system/info');
    assert.equal(info.cpu.cores, os.cpus().length);
    assert.equal(info.ramTotalBytes, os.totalmem());
    assert.ok(info.ramFreeBytes > 0 && info.ramFreeBytes <= info.ramTotalBytes);
    assert.equal(info.arch, os.arch());
    assert.ok(Array.isArray(info.gpus));
    assert.equal(await stopSidecar(s), 0);
  });

  test('exit without shutdown ends with code 1', async () => {
    const s = startSidecar();
    await initialize(s.connection);
    await s.connection.sendNotification('exit');
    assert.equal(await withTimeout(s.exited, 10000, 'exit'), 1);
    s.connection.dispose();
  });

  test('end of stdin ends the process', async () => {
    const s = startSidecar();
    await initialize(s.connection);
    s.child.stdin.end();
    assert.equal(await withTimeout(s.exited, 10000, 'exit on EOF'), 1);
    assert.match(s.stderr(), /closed the connection/);
  });

  test('the sidecar exits when the client process named in initialize dies', async () => {
    const parent = spawn('sleep', ['120'], { stdio: 'ignore' });
    const s = startSidecar();
    await initialize(s.connection, tempDir(), { processId: parent.pid });
    parent.kill('SIGKILL');
    assert.equal(await withTimeout(s.exited, 15000, 'exit after parent death'), 1);
    assert.match(s.stderr(), new RegExp(`client process ${parent.pid} exited`));
    s.connection.dispose();
  });
});

describe('requests, cancellation and progress', () => {
  const s = startSidecar();
  const ready = initialize(s.connection);
  after(async () => { await ready; assert.equal(await stopSidecar(s), 0); });

  test('a cancelled request answers -32800 and the connection goes on', async () => {
    await ready;
    const source = new rpc.CancellationTokenSource();
    const token = 'wait-cancel';
    const begun = new Promise((resolve) => {
      const d = s.connection.onProgress(workDone, token, (v) => { if (v.kind === 'begin') { d.dispose(); resolve(); } });
    });
    const pending = s.connection.sendRequest('diagnostics/wait', { ms: 60000, steps: 600, workDoneToken: token }, source.token);
    await withTimeout(begun, 10000, 'progress begin');
    const t0 = performance.now();
    source.cancel();
    await assert.rejects(pending, (e) => e.code === rpc.ErrorCodes.RequestCancelled || e.code === -32800);
    assert.ok(performance.now() - t0 < 5000, 'cancellation took too long');
    assert.deepEqual(await s.connection.sendRequest('diagnostics/echo', { still: 'alive' }), { still: 'alive' });
  });

  test('work-done progress arrives in order, throttled, begin first and end last', async () => {
    await ready;
    const token = 'wait-progress';
    const values = [];
    const d = s.connection.onProgress(workDone, token, (v) => values.push(v));
    const result = await s.connection.sendRequest('diagnostics/wait', { ms: 600, steps: 60, workDoneToken: token });
    d.dispose();
    assert.equal(result.steps, 60);
    assert.equal(values[0].kind, 'begin');
    assert.equal(values.at(-1).kind, 'end');
    const reports = values.slice(1, -1);
    assert.ok(reports.every((v) => v.kind === 'report'));
    assert.ok(reports.length >= 1 && reports.length < 30, `expected throttled reports, got ${reports.length}`);
    const pct = reports.map((v) => v.percentage);
    assert.deepEqual(pct, [...pct].sort((a, b) => a - b));
    assert.equal(pct.at(-1), 100);
  });

  test('10,000 notifications each way, none lost, in order', async () => {
    await ready;
    for (let n = 0; n < 10000; n++) s.connection.sendNotification('diagnostics/tick', { n });
    const stats = await s.connection.sendRequest('diagnostics/stats');
    assert.equal(stats.ticks, 10000);
    assert.equal(stats.lastTick, 9999);

    const seen = [];
    const d = s.connection.onNotification('diagnostics/burstItem', (p) => seen.push(p.n));
    const r = await s.connection.sendRequest('diagnostics/burst', { count: 10000 });
    d.dispose();
    assert.equal(r.sent, 10000);
    assert.equal(seen.length, 10000);
    assert.ok(seen.every((n, i) => n === i), 'burst arrived out of order');
  });

  test('a malformed frame is answered and a valid one after it works', async () => {
    await ready;
    s.child.stdin.write(frame('{"jsonrpc":"2.0","id":'));
    assert.deepEqual(await s.connection.sendRequest('diagnostics/echo', { after: 'malformed' }), { after: 'malformed' });
  });

  test('handler failures are -32603 with no secret and no stack trace', async () => {
    await ready;
    await assert.rejects(s.connection.sendRequest('diagnostics/fail'), (e) => {
      assert.equal(e.code, -32603);
      assert.doesNotMatch(e.message, /sk-diagnostic|\bat \w|Exception/);
      return true;
    });
  });
});

describe('stdout purity', () => {
  test('everything on stdout parses as frames through a session full of errors', async () => {
    const s = startSidecar({ args: ['--diagnostics', '--max-message-bytes', '4096'], connect: false });
    const chunks = [];
    s.child.stdout.on('data', (c) => chunks.push(c));
    const dir = tempDir();
    const send = (m) => s.child.stdin.write(frame(m));
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { storageDir: dir } });
    // Wait for the answer to initialize (requests before it would be refused by design).
    await withTimeout(new Promise((resolve) => {
      const check = () => { if (Buffer.concat(chunks).includes('"id":1')) resolve(); else s.child.stdout.once('data', check); };
      check();
    }), 15000, 'initialize answer');
    send({ jsonrpc: '2.0', id: 2, method: 'no/such/method' });
    send({ jsonrpc: '2.0', id: 3, method: 'settings/update', params: { settings: 5 } });
    send({ jsonrpc: '2.0', id: 4, method: 'diagnostics/fail' });
    s.child.stdin.write(frame('{not json'));
    send('[1,2]');
    send({ jsonrpc: '1.0', id: 5, method: 'system/info' });
    send({ jsonrpc: '2.0', id: 6, method: 'diagnostics/echo', params: { blob: 'x'.repeat(10000) } });
    send({ jsonrpc: '2.0', id: 7, method: 'system/info' });
    send({ jsonrpc: '2.0', id: 8, method: 'settings/update', params: { settings: { a: 1 } } });
    send({ jsonrpc: '2.0', id: 9, method: 'shutdown' });
    // Exit only after shutdown is answered: a client must not race them.
    await withTimeout(new Promise((resolve) => {
      const check = () => { if (Buffer.concat(chunks).includes('"id":9')) resolve(); else s.child.stdout.once('data', check); };
      check();
    }), 15000, 'shutdown answer');
    send({ jsonrpc: '2.0', method: 'exit' });
    assert.equal(await withTimeout(s.exited, 15000, 'exit'), 0);

    const messages = parseFrames(Buffer.concat(chunks));
    const byId = new Map(messages.filter((m) => m.id !== null && m.id !== undefined).map((m) => [m.id, m]));
    const nullIds = messages.filter((m) => m.id === null).map((m) => m.error.code).sort();
    assert.equal(byId.get(1).result.serverInfo.name, 'EditorAssist');
    assert.equal(byId.get(2).error.code, -32601);
    assert.equal(byId.get(3).error.code, -32602);
    assert.equal(byId.get(4).error.code, -32603);
    assert.doesNotMatch(JSON.stringify(byId.get(4)), /sk-diagnostic/);
    assert.equal(byId.get(5).error.code, -32600);
    assert.ok(byId.get(7).result.cpu.cores > 0);
    assert.deepEqual(byId.get(8).result, {});
    assert.equal(byId.get(9).result, null);
    // parse error, batch, oversize: answered with id null
    assert.deepEqual(nullIds, [-32700, -32600, -32600].sort());
    assert.match(s.stderr(), /Discarded a \d+-byte message/);
  });

  test('an unrecoverable framing error closes the connection with a log line', async () => {
    const s = startSidecar({ connect: false });
    s.child.stdin.write('Content-Length: banana\r\n\r\n{}');
    assert.equal(await withTimeout(s.exited, 10000, 'exit after framing error'), 1);
    assert.match(s.stderr(), /unrecoverable framing error: Invalid Content-Length/);
  });
});

describe('storage', () => {
  test('settings persist across restarts', async () => {
    const dir = tempDir();
    let s = startSidecar();
    await initialize(s.connection, dir, { settings: { fromInit: true } });
    await s.connection.sendRequest('settings/update', { settings: { chatModel: 'local/test', nested: { a: [1, 2] } } });
    assert.equal(await stopSidecar(s), 0);

    s = startSidecar();
    await initialize(s.connection, dir);
    const { settings } = await s.connection.sendRequest('settings/get');
    assert.deepEqual(settings, { chatModel: 'local/test', fromInit: true, nested: { a: [1, 2] } });
    assert.equal(await stopSidecar(s), 0);
  });

  test('a corrupt database is moved aside and the sidecar starts fresh', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'editorassist.db'), '<html>502 Bad Gateway</html>' + '\0'.repeat(5000));
    const s = startSidecar();
    const init = await initialize(s.connection, dir);
    assert.ok(init.storage.recoveredCorruptFile, 'expected a recovered file');
    assert.ok(existsSync(init.storage.recoveredCorruptFile));
    assert.match(readFileSync(init.storage.recoveredCorruptFile, 'utf8'), /502 Bad Gateway/);
    await s.connection.sendRequest('settings/update', { settings: { ok: 1 } });
    assert.equal(await stopSidecar(s), 0);
    assert.match(s.stderr(), /was corrupt/);
  });

  test('an unwritable storage directory fails initialize with 1016, and a retry with a good one works', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'plain-file');
    writeFileSync(file, 'x');
    const s = startSidecar();
    await assert.rejects(initialize(s.connection, path.join(file, 'storage')), (e) => {
      assert.equal(e.code, 1016);
      assert.match(e.message, /not writable/);
      return true;
    });
    const init = await initialize(s.connection, path.join(dir, 'good'));
    assert.equal(init.storage.schemaVersion, 1);
    assert.equal(await stopSidecar(s), 0);
  });
});
