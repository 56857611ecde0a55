// models/countTokens through the real sidecar and libllama: a loaded local model counts with its own
// tokenizer (exact), anything else is estimated without loading or starting anything.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { writeTestModel } from '../tools/common.mjs';
import { initialize, startSidecar, stopSidecar, tempDir } from './sidecar.mjs';

describe('models/countTokens', () => {
  const dir = tempDir();
  const model = writeTestModel(path.join(dir, 'count-test.gguf'));
  const s = startSidecar({ args: [] });
  const ready = initialize(s.connection, path.join(dir, 'storage'), { settings: { 'local.allowGpu': false } });
  after(async () => { await ready; assert.equal(await stopSidecar(s), 0); });
  const count = (ref, texts) => s.connection.sendRequest('models/countTokens', { ref, texts });

  test('before the model is loaded: the estimate, and nothing is loaded', async () => {
    await ready;
    const r = await count('local/count-test', ['', 'abc', 'x'.repeat(10)]);
    assert.deepEqual(r, { counts: [0, 1, 4], exact: false });
    const status = await s.connection.sendRequest('models/status', { ref: 'local/count-test' });
    assert.equal(status.loaded, false);
    assert.deepEqual(await count('openai/gpt-4.1-mini', ['abcdef']), { counts: [2], exact: false });
  });

  test('a loaded local model counts with its tokenizer, text by text', async () => {
    await ready;
    const { ref } = await s.connection.sendRequest('models/load', { path: model, contextLength: 512 });
    const texts = ['', 'hello world', 'hello world hello world hello world', '<|im_start|>user'];
    const r = await count(ref, texts);
    assert.equal(r.exact, true);
    assert.equal(r.counts.length, texts.length);
    assert.equal(r.counts[0], 0);
    assert.ok(r.counts[1] > 0);
    assert.ok(r.counts[2] > r.counts[1], JSON.stringify(r.counts));
    assert.ok(r.counts[3] > 1, 'special-token spellings count as text');
    // The same text counts the same.
    assert.deepEqual((await count(ref, [texts[2], texts[1]])).counts, [r.counts[2], r.counts[1]]);
  });

  test('bad params answer -32602', async () => {
    await ready;
    await assert.rejects(count('', ['a']), (e) => e.code === -32602);
    await assert.rejects(count('local/count-test', Array(513).fill('a')), (e) => e.code === -32602 && /512/.test(e.message));
  });
});
