// metrics/get through the real sidecar: figures move after chats with a generated local model,
// a failed request counts as an error, the loaded model's memory is reported, and a sidecar run
// with metrics off records nothing.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { writeTestModel } from '../tools/common.mjs';
import { initialize, startSidecar, stopSidecar, tempDir } from './sidecar.mjs';

const settings = { 'local.allowGpu': false };

describe('metrics/get', () => {
  const dir = tempDir();
  const model = writeTestModel(path.join(dir, 'tiny-metrics.gguf'));

  test('figures move after a chat: requests, errors, TTFT, decode and prompt speed, load time, memory', async () => {
    const s = startSidecar();
    await initialize(s.connection, path.join(dir, 'storage'), { settings });
    try {
      const before = await s.connection.sendRequest('metrics/get', {});
      assert.equal(before.enabled, true);
      assert.deepEqual(before.models, []);
      assert.ok(before.process.residentBytes > 10 * 2 ** 20);
      assert.ok(!Number.isNaN(Date.parse(before.since)));

      const { ref } = await s.connection.sendRequest('models/load', { path: model, contextLength: 512 });
      for (const content of ['Hello', 'Something else entirely']) {
        await s.connection.sendRequest('chat/send', { streamId: content, model: ref, messages: [{ role: 'user', content }], params: { maxTokens: 16, temperature: 0 } });
      }
      await assert.rejects(s.connection.sendRequest('chat/send', { streamId: 'x', model: 'local/no-such-model', messages: [{ role: 'user', content: 'hi' }] }));

      const after = await s.connection.sendRequest('metrics/get', {});
      const m = after.models.find((x) => x.ref === ref);
      assert.ok(m, JSON.stringify(after.models));
      assert.equal(m.requests, 2);
      assert.equal(m.errors, 0);
      assert.ok(m.ttftMsP50 > 0 && m.ttftMsP95 >= m.ttftMsP50, JSON.stringify(m));
      assert.ok(m.decodeTokensPerSecondP50 > 0);
      assert.ok(m.promptTokensPerSecondP50 > 0);
      assert.equal(m.recentTokensPerSecond.length, 2);
      assert.ok(m.lastLoadMs > 0);
      assert.equal(m.loaded.backend, 'CPU');
      assert.equal(m.loaded.contextLength, 512);
      assert.equal(m.loaded.gpuLayers, 0);
      assert.ok(m.loaded.weightBytes > 0 && m.loaded.kvCacheBytes > 0);
      assert.ok(Array.isArray(after.gpus), 'the runtime runs: its devices are listed (none here)');
      const failed = after.models.find((x) => x.ref === 'local/no-such-model');
      assert.deepEqual([failed?.requests, failed?.errors], [1, 1]);

      // One model only.
      const one = await s.connection.sendRequest('metrics/get', { ref });
      assert.deepEqual(one.models.map((x) => x.ref), [ref]);

      // Inline completion counts too, per model: answered, a cache hit, a failure (unknown model).
      assert.equal(m.completion, undefined, 'no completion yet');
      const at = { uri: 'file:///a.py', languageId: 'python', prefix: 'def add(a, b):\n    ', suffix: '\n', model: ref, maxTokens: 4 };
      await s.connection.sendRequest('completion/inline', at);
      await s.connection.sendRequest('completion/inline', at); // the same position: from the cache
      await assert.rejects(s.connection.sendRequest('completion/inline', { ...at, model: 'local/no-such-coder' }));
      const withCompletion = await s.connection.sendRequest('metrics/get', {});
      const c = withCompletion.models.find((x) => x.ref === ref).completion;
      assert.deepEqual([c.requests, c.errors, c.cacheHits], [2, 0, 1], JSON.stringify(c));
      assert.ok(c.msP50 > 0 && c.msP95 >= c.msP50);
      assert.equal(withCompletion.models.find((x) => x.ref === ref).requests, 2, 'chat\'s count is its own');
      assert.deepEqual(withCompletion.models.find((x) => x.ref === 'local/no-such-coder').completion, { requests: 1, errors: 1, cancelled: 0, cacheHits: 0 });
    } finally {
      assert.equal(await stopSidecar(s), 0);
    }
  });

  test('with metrics off (EDITORASSIST_METRICS=off) nothing is recorded', async () => {
    const s = startSidecar({ env: { EDITORASSIST_METRICS: 'off' } });
    await initialize(s.connection, path.join(dir, 'storage-off'), { settings });
    try {
      const { ref } = await s.connection.sendRequest('models/load', { path: model, contextLength: 512 });
      await s.connection.sendRequest('chat/send', { streamId: 'o', model: ref, messages: [{ role: 'user', content: 'Hello' }], params: { maxTokens: 4 } });
      const r = await s.connection.sendRequest('metrics/get', {});
      assert.equal(r.enabled, false);
      const m = r.models.find((x) => x.ref === ref);
      assert.equal(m.requests, 0, 'the loaded model is listed with its memory, but no requests were counted');
      assert.ok(m.loaded.weightBytes > 0);
    } finally {
      assert.equal(await stopSidecar(s), 0);
    }
  });
});
