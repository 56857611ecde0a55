// Per-model settings (models/configure) through the real sidecar: validation, listings, a context
// length change that reloads a loaded local model with progress, and — after a restart of the
// sidecar on the same storage — the settings still there and applied to chat/send.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { writeTestModel } from '../tools/common.mjs';
import { initialize, rpc, startSidecar, stopSidecar, tempDir } from './sidecar.mjs';

const settings = { 'local.allowGpu': false };

async function chat(connection, ref, params, content = 'Tell me a story') {
  return connection.sendRequest('chat/send', { streamId: `s${Math.random()}`, model: ref, messages: [{ role: 'user', content }], ...(params ? { params } : {}) });
}

describe('models/configure', () => {
  const dir = tempDir();
  const storage = path.join(dir, 'storage');
  mkdirSync(path.join(storage, 'models'), { recursive: true });
  writeTestModel(path.join(storage, 'models', 'tiny-settings.gguf'));
  const ref = 'local/tiny-settings';

  test('validates, stores, reloads on a context change, survives a restart and applies to chat', async () => {
    let s = startSidecar();
    await initialize(s.connection, storage, { settings });
    let stopSequence;
    let greedy;
    try {
      // Bad input: -32602 with a message that names the field.
      for (const [params, field] of [
        [{ temperature: 3 }, 'temperature'], [{ topP: 0 }, 'topP'], [{ contextLength: 10 }, 'contextLength'],
        [{ maxTokens: 0 }, 'maxTokens'], [{ stop: [''] }, 'stop'], [{ topK: 'x' }, 'topK'], [{ colour: 1 }, 'colour'],
        [{ contextLength: 512, maxTokens: 600 }, 'maxTokens'],
      ]) {
        await assert.rejects(s.connection.sendRequest('models/configure', { ref, params }),
          (e) => e.code === -32602 && e.message.includes(`params.${field}`), JSON.stringify(params));
      }
      await assert.rejects(s.connection.sendRequest('models/configure', { ref: 'nosuchprovider/x', params: {} }), (e) => e.code === 1001);
      assert.equal((await s.connection.sendRequest('models/status', { ref })).params, undefined, 'nothing stored by a refused request');

      // The greedy answer and a stop sequence taken from it.
      const loaded = await s.connection.sendRequest('models/load', { ref, contextLength: 512 });
      assert.equal(loaded.contextLength, 512);
      greedy = await chat(s.connection, ref, { temperature: 0, maxTokens: 24 });
      assert.ok(greedy.content.length >= 8, `content: ${JSON.stringify(greedy.content)}`);
      stopSequence = greedy.content.slice(4, 7);

      // A context change of the loaded model reloads it, with progress.
      const progress = [];
      const d = s.connection.onProgress(new rpc.ProgressType(), 'cfg-1', (v) => progress.push(v));
      const r = await s.connection.sendRequest('models/configure', {
        ref, workDoneToken: 'cfg-1',
        params: { contextLength: 1024, temperature: 0, maxTokens: 24, stop: [stopSequence], systemPrompt: null },
      });
      d.dispose();
      assert.equal(r.reloaded, true);
      assert.deepEqual(r.params, { contextLength: 1024, temperature: 0, maxTokens: 24, stop: [stopSequence] });
      assert.deepEqual(progress.map((p) => p.kind).filter((k) => k !== 'report'), ['begin', 'end']);
      assert.match(progress[0].title, /1,024-token context/);
      // The loaded model now has the new context (models/load without one shares it).
      assert.equal((await s.connection.sendRequest('models/load', { ref })).contextLength, 1024);

      // A patch keeps what it does not name; setting the same context again reloads nothing.
      const again = await s.connection.sendRequest('models/configure', { ref, params: { topK: 20, contextLength: 1024 } });
      assert.equal(again.reloaded, false);
      assert.equal(again.params.topK, 20);
      const cleared = await s.connection.sendRequest('models/configure', { ref, params: { topK: null } });
      assert.equal(cleared.params.topK, undefined);
      assert.equal(cleared.params.contextLength, 1024);
    } finally {
      assert.equal(await stopSidecar(s), 0);
    }

    // A new sidecar on the same storage: the settings are listed and applied.
    s = startSidecar();
    await initialize(s.connection, storage, { settings });
    try {
      const status = await s.connection.sendRequest('models/status', { ref });
      assert.deepEqual(status.params, { contextLength: 1024, temperature: 0, maxTokens: 24, stop: [stopSequence] });
      const list = await s.connection.sendRequest('models/list', { providerId: 'local' });
      assert.deepEqual(list.models.find((m) => m.ref === ref)?.params, status.params);

      // Loaded on demand by the chat with the stored context length; temperature 0 and the stop sequence applied.
      const first = await chat(s.connection, ref);
      assert.equal(first.finishReason, 'stop');
      assert.equal(first.content, greedy.content.slice(0, greedy.content.indexOf(stopSequence)), 'the stop sequence ended the answer');
      assert.equal((await s.connection.sendRequest('models/load', { ref })).contextLength, 1024);
      // Deterministic whatever the seed: temperature 0 came from the settings.
      const second = await chat(s.connection, ref, { seed: 12345 });
      assert.equal(second.content, first.content);
      // A request's own params win over the stored ones.
      const longer = await chat(s.connection, ref, { stop: [], maxTokens: 24 });
      assert.equal(longer.content, greedy.content);

      // Remote models take settings too (no reload involved).
      const remote = await s.connection.sendRequest('models/configure', { ref: 'openai/gpt-4o-mini', params: { temperature: 0.2, systemPrompt: 'Be brief.' } });
      assert.deepEqual(remote.params, { temperature: 0.2, systemPrompt: 'Be brief.' });
      assert.equal(remote.reloaded, false);
    } finally {
      assert.equal(await stopSidecar(s), 0);
    }
  });
});
