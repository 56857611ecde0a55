// chat/send through the real sidecar against a loopback OpenAI-compatible server (tests/tools/fakeOpenAi.mjs), driven
// by vscode-jsonrpc: streamed chat/delta notifications before the response, cancellation that reaches
// the upstream HTTP stream, local-only enforcement, and a canary key that must not leak.
import assert from 'node:assert/strict';
import http from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startFakeOpenAi } from '../tools/fakeOpenAi.mjs';
import { initialize, rpc, startSidecar, stopSidecar, tempDir } from './sidecar.mjs';

const CANARY = 'sk-canary-interop-5d1e8a7c9b3f';

describe('providers and chat through the real sidecar', () => {
  let fake, s, storageDir;
  const deltas = [];

  before(async () => {
    fake = await startFakeOpenAi();
    s = startSidecar({ args: [] });
    storageDir = tempDir();
    const init = await initialize(s.connection, storageDir);
    assert.ok(init.capabilities.methods.includes('chat/send'));
    s.connection.onNotification('chat/delta', (p) => deltas.push(p));
    await s.connection.sendRequest('providers/configure', { providerId: 'vllm', baseUrl: fake.baseUrl });
    await s.connection.sendRequest('providers/setApiKey', { providerId: 'openai', apiKey: CANARY });
  });

  after(async () => {
    if (s) assert.equal(await stopSidecar(s), 0);
    if (fake) await fake.close();
    // The key was in memory only: no file in the storage directory holds it.
    for (const f of readdirSync(storageDir)) {
      assert.ok(!readFileSync(path.join(storageDir, f)).includes(CANARY), `${f} holds the key`);
    }
    assert.ok(!s.stderr().includes(CANARY), 'stderr holds the key');
  });

  test('providers/list classifies privacy from the configured URL and probes loopback servers', async () => {
    const list = await s.connection.sendRequest('providers/list', {});
    const vllm = list.find((p) => p.id === 'vllm');
    assert.equal(vllm.privacy, 'loopback');
    assert.equal(vllm.availability, 'readily');
    assert.equal(vllm.baseUrl, fake.baseUrl);
    const openai = list.find((p) => p.id === 'openai');
    assert.equal(openai.privacy, 'cloud');
    assert.equal(openai.hasApiKey, true);
    assert.ok(!JSON.stringify(list).includes(CANARY));
    const models = await s.connection.sendRequest('models/list', { providerId: 'vllm', refresh: true });
    assert.equal(models.source, 'api');
    assert.deepEqual(models.models.map((m) => m.ref), ['vllm/fake-model']);
  });

  test('chat/send streams chat/delta notifications, then answers with usage, timings and privacy', async () => {
    deltas.length = 0;
    const result = await s.connection.sendRequest('chat/send', {
      streamId: 'stream-1', model: 'vllm/fake-model', messages: [{ role: 'user', content: 'Say something.' }],
    });
    // Every delta arrived before the response (notifications are sent first, in order).
    assert.deepEqual(deltas.map((d) => d.delta), ['Stream', 'ing ', 'works', '.']);
    assert.ok(deltas.every((d) => d.streamId === 'stream-1'));
    assert.equal(result.content, 'Streaming works.');
    assert.equal(result.finishReason, 'stop');
    assert.deepEqual(result.usage, { promptTokens: 17, completionTokens: 4, cachedTokens: 0 });
    assert.equal(result.model, 'vllm/fake-model');
    assert.equal(result.privacy, 'loopback');
    assert.ok(result.timings.totalMs >= result.timings.ttftMs);
    const history = await s.connection.sendRequest('chat/session', { sessionId: result.sessionId });
    assert.deepEqual(history.messages.map((m) => m.role), ['user', 'assistant']);
  });

  test('$/cancelRequest stops the upstream stream and answers -32800', async () => {
    deltas.length = 0;
    fake.hang = true;
    const source = new rpc.CancellationTokenSource();
    const firstDelta = new Promise((resolve) => {
      const d = s.connection.onNotification('chat/delta', (p) => { if (p.streamId === 'stream-2') { d.dispose(); resolve(p); } });
    });
    const pending = s.connection.sendRequest('chat/send', {
      streamId: 'stream-2', model: 'vllm/fake-model', messages: [{ role: 'user', content: 'Go on forever.' }],
    }, source.token);
    await firstDelta;
    source.cancel();
    await assert.rejects(pending, (e) => e.code === -32800);
    await fake.disconnected; // the sidecar closed its HTTP request: generation upstream stops
    fake.hang = false;
  });

  test('localOnly refuses a cloud provider with 1013 and still allows the loopback one', async () => {
    const policy = await s.connection.sendRequest('router/set', { strategy: 'localOnly' });
    assert.equal(policy.strategy, 'localOnly');
    const before = fake.requests.length;
    await assert.rejects(
      s.connection.sendRequest('chat/send', { streamId: 'stream-3', model: 'openai/gpt-4.1-mini', messages: [{ role: 'user', content: 'secret code' }] }),
      (e) => e.code === 1013 && !e.message.includes(CANARY));
    const local = await s.connection.sendRequest('chat/send', { streamId: 'stream-4', model: 'vllm/fake-model', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(local.privacy, 'loopback');
    assert.equal(fake.requests.length, before + 1);
    await s.connection.sendRequest('router/set', { strategy: 'preferLocal' });
  });
});

/** Ollama's native API: /api/version, /api/tags, /api/pull (NDJSON progress), DELETE /api/delete. */
function startFakeOllama() {
  const models = new Set(['llama3.2:3b']);
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      const json = (status, value) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(value)); };
      if (req.method === 'GET' && req.url === '/api/version') return json(200, { version: '0.6.2' });
      if (req.method === 'GET' && req.url === '/api/tags') return json(200, { models: [...models].map((name) => ({ name, model: name, size: 1000, digest: 'abc' })) });
      if (req.method === 'POST' && req.url === '/api/pull') {
        const { model } = JSON.parse(body);
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.write(`${JSON.stringify({ status: 'pulling manifest' })}\n`);
        for (const completed of [0, 500, 1000]) res.write(`${JSON.stringify({ status: 'pulling abc', digest: 'sha256:abc', total: 1000, completed })}\n`);
        res.write(`${JSON.stringify({ status: 'verifying sha256 digest' })}\n`);
        models.add(model);
        return res.end(`${JSON.stringify({ status: 'success' })}\n`);
      }
      if (req.method === 'DELETE' && req.url === '/api/delete') {
        const { model } = JSON.parse(body);
        return models.delete(model) ? res.writeHead(200).end() : json(404, { error: `model '${model}' not found` });
      }
      res.writeHead(404).end();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    baseUrl: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
  })));
}

describe('ollama through the real sidecar', () => {
  test('providers/pullModel reports $/progress, then models/list shows the model; deleteModel removes it', async () => {
    const ollama = await startFakeOllama();
    const s = startSidecar({ args: [] });
    try {
      await initialize(s.connection, tempDir());
      await s.connection.sendRequest('providers/configure', { providerId: 'ollama', baseUrl: ollama.baseUrl });
      const check = await s.connection.sendRequest('providers/check', { providerId: 'ollama' });
      assert.equal(check.availability, 'readily');
      const values = [];
      const progressType = new rpc.ProgressType();
      s.connection.onProgress(progressType, 'pull-1', (v) => values.push(v));
      const pulled = await s.connection.sendRequest('providers/pullModel', { providerId: 'ollama', model: 'phi4:14b', workDoneToken: 'pull-1' });
      assert.equal(pulled.ref, 'ollama/phi4:14b');
      assert.equal(values[0].kind, 'begin');
      assert.equal(values.at(-1).kind, 'end');
      const models = await s.connection.sendRequest('models/list', { providerId: 'ollama' });
      assert.ok(models.models.some((m) => m.ref === 'ollama/phi4:14b'));
      await s.connection.sendRequest('providers/deleteModel', { providerId: 'ollama', model: 'phi4:14b' });
      await assert.rejects(s.connection.sendRequest('providers/deleteModel', { providerId: 'ollama', model: 'phi4:14b' }), (e) => e.code === 1001);
      await assert.rejects(s.connection.sendRequest('providers/pullModel', { providerId: 'openai', model: 'x' }), (e) => e.code === -32602);
    } finally {
      assert.equal(await stopSidecar(s), 0);
      await ollama.close();
    }
  });
});
