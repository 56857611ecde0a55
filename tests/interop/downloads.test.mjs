// The download manager through the real sidecar process and vscode-jsonrpc: a loopback file server
// (Range, ETag, paced body, optional stall) stands in for Hugging Face's CDN.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { initialize, rpc, startSidecar as start, stopSidecar, tempDir } from './sidecar.mjs';

const workDone = new rpc.ProgressType();
// Every sidecar started here is killed at the end even when a test fails half-way.
const started = [];
const startSidecar = (opts) => { const s = start(opts); started.push(s); return s; };
const SIZE = 4 * 1024 * 1024;

function ggufBytes(size) {
  const b = randomBytes(size);
  b.write('GGUF', 0, 'ascii');
  b.writeUInt32LE(3, 4);
  b.writeBigUInt64LE(0n, 8);
  b.writeBigUInt64LE(0n, 16);
  return b;
}

/** Serves `content` at /model.gguf with Range support, 64 KiB every `paceMs`; `stallAfter` bytes then silence (first request only). */
async function startFileServer(content, { paceMs = 4, stallAfter = null, html = false } = {}) {
  const etag = '"' + createHash('sha256').update(content).digest('hex').slice(0, 16) + '"';
  const state = { requests: [], stallAfter, sockets: new Set() };
  const server = http.createServer(async (req, res) => {
    const record = { range: req.headers.range ?? null, served: 0 };
    state.requests.push(record);
    if (html) {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<!DOCTYPE html><html><body>Sign in</body></html>');
      return;
    }
    let start = 0;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m && (!req.headers['if-range'] || req.headers['if-range'] === etag)) start = Number(m[1]);
    const headers = { 'Content-Length': content.length - start, ETag: etag, 'Accept-Ranges': 'bytes', 'Content-Type': 'application/octet-stream' };
    if (start > 0) headers['Content-Range'] = `bytes ${start}-${content.length - 1}/${content.length}`;
    res.writeHead(start > 0 ? 206 : 200, headers);
    const stall = state.stallAfter;
    state.stallAfter = null;
    let pos = start;
    while (pos < content.length && !res.destroyed) {
      if (stall !== null && record.served >= stall) return; // hold the connection open, send nothing
      const end = Math.min(pos + 65536, content.length);
      res.write(content.subarray(pos, end));
      record.served += end - pos;
      pos = end;
      await new Promise((r) => setTimeout(r, paceMs));
    }
    res.end();
  });
  server.on('connection', (s) => { state.sockets.add(s); s.on('close', () => state.sockets.delete(s)); });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}/model.gguf`;
  return {
    url, state,
    close: () => new Promise((r) => { for (const s of state.sockets) s.destroy(); server.close(r); }),
  };
}

const withTimeout = (promise, ms, what) => Promise.race([
  promise,
  new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms).unref()),
]);

/** Resolves when a $/progress report on `token` shows at least `bytes`. */
function progressReached(connection, token, bytes) {
  return new Promise((resolve) => {
    const d = connection.onProgress(workDone, token, (v) => {
      if (v.kind === 'report' && v.phase === 'downloading' && v.bytes >= bytes) { d.dispose(); resolve(v); }
    });
  });
}

describe('downloads through the sidecar', () => {
  const servers = [];
  after(async () => {
    for (const s of started) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    for (const s of servers) await s.close();
  });

  test('models/download fetches a loopback file with $/progress, verifies it, and storage/info and models/delete see it', async () => {
    const content = ggufBytes(SIZE);
    const server = await startFileServer(content);
    servers.push(server);
    const s = startSidecar();
    const storageDir = tempDir();
    await initialize(s.connection, storageDir);
    const values = [];
    s.connection.onProgress(workDone, 'dl-1', (v) => values.push(v));
    const changes = [];
    s.connection.onNotification('models/didChange', (p) => changes.push(p));

    const result = await withTimeout(s.connection.sendRequest('models/download', { url: server.url, workDoneToken: 'dl-1' }), 30000, 'download');

    assert.equal(result.ref, 'local/model');
    assert.equal(result.sizeBytes, SIZE);
    assert.equal(result.sha256, createHash('sha256').update(content).digest('hex'));
    assert.equal(result.path, path.join(storageDir, 'models', 'model.gguf'));
    assert.equal(values[0].kind, 'begin');
    assert.equal(values.at(-1).kind, 'end');
    const reports = values.filter((v) => v.kind === 'report');
    assert.ok(reports.length >= 1, 'at least one progress report');
    for (const r of reports) {
      assert.ok(['downloading', 'verifying'].includes(r.phase));
      assert.equal(r.totalBytes, SIZE);
      assert.equal(typeof r.bytesPerSecond, 'number');
      assert.ok('etaSeconds' in r);
    }
    assert.ok(reports.some((r) => r.phase === 'downloading' && r.bytes > 0 && r.bytes <= SIZE));

    const info = await s.connection.sendRequest('storage/info');
    assert.deepEqual(info.models.map((m) => [m.ref, m.sizeBytes]), [['local/model', SIZE]]);
    assert.ok(info.diskFreeBytes > 0);
    const downloads = await s.connection.sendRequest('models/downloads');
    assert.equal(downloads[0].state, 'done');

    const catalog = await s.connection.sendRequest('models/catalog');
    assert.ok(catalog.length >= 6);
    for (const c of catalog) assert.ok(['fullGpu', 'partialGpu', 'cpuOnly', 'tooLarge'].includes(c.fit.verdict), c.fit.verdict);

    assert.deepEqual(await s.connection.sendRequest('models/delete', { ref: 'local/model' }), { freedBytes: SIZE });
    await assert.rejects(s.connection.sendRequest('models/delete', { ref: 'local/model' }), (e) => e.code === 1001);
    assert.deepEqual(changes, [{ reason: 'downloaded', ref: 'local/model' }, { reason: 'deleted', ref: 'local/model' }]);
    assert.equal(await stopSidecar(s), 0);
  });

  test('$/cancelRequest on the only caller cancels the download and leaves no partial; the sidecar keeps serving', async () => {
    const server = await startFileServer(ggufBytes(SIZE), { stallAfter: 512 * 1024 });
    servers.push(server);
    const s = startSidecar();
    const storageDir = tempDir();
    await initialize(s.connection, storageDir);
    const cts = new rpc.CancellationTokenSource();
    const reached = progressReached(s.connection, 'dl-c', 256 * 1024);
    const pending = s.connection.sendRequest('models/download', { url: server.url, workDoneToken: 'dl-c' }, cts.token);
    await withTimeout(reached, 30000, 'progress');
    cts.cancel();
    await assert.rejects(pending, (e) => e.code === -32800);

    // The cancellation finishes in the background; models/downloads is the event to wait for.
    for (let i = 0; i < 200 && (await s.connection.sendRequest('models/downloads')).length > 0; i++) await new Promise((r) => setTimeout(r, 25));
    assert.deepEqual(await s.connection.sendRequest('models/downloads'), []);
    assert.deepEqual(readdirSync(path.join(storageDir, 'models')), []);
    const info = await s.connection.sendRequest('storage/info');
    assert.equal(info.usedBytes, 0);
    assert.equal(await stopSidecar(s), 0);
  });

  test('a sidecar killed mid-download resumes from its partial after a restart, re-fetching only the rest', async () => {
    const content = ggufBytes(SIZE);
    const server = await startFileServer(content, { stallAfter: 1024 * 1024 });
    servers.push(server);
    const storageDir = tempDir();
    const first = startSidecar();
    await initialize(first.connection, storageDir);
    const reached = progressReached(first.connection, 'dl-k', 1024 * 1024);
    first.connection.sendRequest('models/download', { url: server.url, workDoneToken: 'dl-k' }).catch(() => {});
    await withTimeout(reached, 30000, 'progress');
    first.child.kill('SIGKILL');
    await first.exited;
    first.connection.dispose();
    assert.ok(existsSync(path.join(storageDir, 'models', 'model.gguf.partial')));

    const second = startSidecar();
    await initialize(second.connection, storageDir);
    const [restored] = await second.connection.sendRequest('models/downloads');
    assert.equal(restored.state, 'paused');
    assert.equal(restored.bytes, 1024 * 1024);
    assert.equal(restored.url, server.url, 'the job names its URL, so a client can ask for it again');
    const result = await withTimeout(second.connection.sendRequest('models/download', { url: restored.url }), 30000, 'resumed download');
    assert.equal(result.sha256, createHash('sha256').update(content).digest('hex'));
    const resumed = server.state.requests.at(-1);
    assert.equal(resumed.range, `bytes=${1024 * 1024}-`);
    assert.equal(resumed.served, SIZE - 1024 * 1024);
    assert.equal(await stopSidecar(second), 0);
  });

  test('pause keeps the caller waiting and the partial on disk; resume completes the same request', async () => {
    const content = ggufBytes(SIZE);
    const server = await startFileServer(content, { stallAfter: 512 * 1024 });
    servers.push(server);
    const s = startSidecar();
    const storageDir = tempDir();
    await initialize(s.connection, storageDir);
    const reached = progressReached(s.connection, 'dl-p', 256 * 1024);
    let settled = false;
    const pending = s.connection.sendRequest('models/download', { url: server.url, workDoneToken: 'dl-p' });
    pending.finally(() => { settled = true; }).catch(() => {});
    await withTimeout(reached, 30000, 'progress');
    const [job] = await s.connection.sendRequest('models/downloads');
    assert.deepEqual(await s.connection.sendRequest('models/pauseDownload', { id: job.id }), {});
    const [paused] = await s.connection.sendRequest('models/downloads');
    assert.equal(paused.state, 'paused');
    assert.ok(existsSync(path.join(storageDir, 'models', 'model.gguf.partial')));
    assert.equal(settled, false);
    await s.connection.sendRequest('models/resumeDownload', { id: job.id });
    const result = await withTimeout(pending, 30000, 'resumed download');
    assert.equal(result.sha256, createHash('sha256').update(content).digest('hex'));
    assert.match(server.state.requests.at(-1).range ?? '', /^bytes=[1-9]\d*-$/);
    await assert.rejects(s.connection.sendRequest('models/pauseDownload', { id: 'nope' }), (e) => e.code === 1001);
    assert.equal(await stopSidecar(s), 0);
  });

  test('an HTML page is refused with 1012, a quota with 1014, and the sidecar keeps serving', async () => {
    const htmlServer = await startFileServer(ggufBytes(1024), { html: true });
    const server = await startFileServer(ggufBytes(SIZE));
    servers.push(htmlServer, server);
    const s = startSidecar();
    const storageDir = tempDir();
    await initialize(s.connection, storageDir, { settings: { 'storage.quotaBytes': 1024 * 1024 } });
    await assert.rejects(s.connection.sendRequest('models/download', { url: htmlServer.url }), (e) => e.code === 1012 && e.data.reason === 'InvalidModelFile' && /HTML/.test(e.data.problem));
    await assert.rejects(s.connection.sendRequest('models/download', { url: server.url }), (e) => e.code === 1014 && e.data.quotaBytes === 1024 * 1024);
    await assert.rejects(s.connection.sendRequest('models/download', { url: 'http://example.com/x.gguf' }), (e) => e.code === 1010);
    await assert.rejects(s.connection.sendRequest('models/download', {}), (e) => e.code === -32602);
    assert.deepEqual(readdirSync(path.join(storageDir, 'models')), []);
    const info = await s.connection.sendRequest('storage/info');
    assert.equal(info.quotaBytes, 1024 * 1024);
    assert.equal(await stopSidecar(s), 0);
  });
});
