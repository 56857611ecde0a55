// Context fitting through the real sidecar with a generated local model (512-token context): a
// conversation three times the context answers, the oldest turns left out and counted in
// trimmedMessages; a single message larger than the context is 1007, not a native failure.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { writeTestModel } from '../tools/common.mjs';
import { initialize, startSidecar, stopSidecar, tempDir } from './sidecar.mjs';

describe('context fitting', () => {
  const dir = tempDir();
  const model = writeTestModel(path.join(dir, 'tiny-fit.gguf'));
  const s = startSidecar();
  const ready = initialize(s.connection, path.join(dir, 'storage'), { settings: { 'local.allowGpu': false } });
  after(async () => { await ready; assert.equal(await stopSidecar(s), 0); });

  test('a conversation 3× the context answers with the oldest turns left out', async () => {
    await ready;
    const { ref, contextLength } = await s.connection.sendRequest('models/load', { path: model, contextLength: 512 });
    assert.equal(contextLength, 512);
    const messages = [{ role: 'system', content: 'You are terse.' }];
    // The test vocabulary is byte-level: ~1 token per character, so 24 turns of 64 characters ≈ 3× 512.
    for (let i = 0; i < 24; i++) messages.push({ role: i % 2 ? 'assistant' : 'user', content: `turn ${String(i).padStart(2, '0')} `.padEnd(64, 'x') });
    messages.push({ role: 'user', content: 'And the newest question?' });
    const r = await s.connection.sendRequest('chat/send', { streamId: 'fit', model: ref, messages, params: { maxTokens: 8, temperature: 0 } });
    assert.ok(r.trimmedMessages > 0, JSON.stringify(r));
    assert.ok(r.trimmedMessages < 24, 'the newer turns stay');
    assert.equal(r.contextLength, 512);
    assert.ok(r.usage.promptTokens + 8 <= 512, `prompt ${r.usage.promptTokens} tokens`);
    assert.ok(['stop', 'length'].includes(r.finishReason));

    // A conversation that fits is sent whole.
    const small = await s.connection.sendRequest('chat/send', { streamId: 'fit2', model: ref, messages: messages.slice(-3), params: { maxTokens: 4 } });
    assert.equal(small.trimmedMessages, undefined);
  });

  test('one message larger than the context is 1007 ContextLengthExceeded with the figures', async () => {
    await ready;
    const { ref } = await s.connection.sendRequest('models/load', { path: model, contextLength: 512 });
    await assert.rejects(
      s.connection.sendRequest('chat/send', { streamId: 'big', model: ref, messages: [{ role: 'user', content: 'y'.repeat(2000) }], params: { maxTokens: 8 } }),
      (e) => e.code === 1007 && e.data?.reason === 'ContextLengthExceeded' && e.data?.contextLength === 512 && /512-token context/.test(e.message),
    );
    // The model is still there for the next request.
    const ok = await s.connection.sendRequest('chat/send', { streamId: 'after', model: ref, messages: [{ role: 'user', content: 'hi' }], params: { maxTokens: 4 } });
    assert.ok(ok.content !== undefined);
  });
});
