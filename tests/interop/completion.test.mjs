// completion/inline on the local runtime, through the real sidecar: KV reuse across keystrokes,
// supersession by a newer request, the result cache, the time budget, and a model without FIM.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { writeTestModel } from '../tools/common.mjs';
import { initialize, rpc, startSidecar, stopSidecar, tempDir } from './sidecar.mjs';

const source = Array.from({ length: 40 }, (_, i) => `def f${i}(x):\n    return x + ${i}\n`).join('\n');

describe('completion/inline', () => {
  const dir = tempDir();
  const fim = writeTestModel(path.join(dir, 'coder.gguf'));
  const nofim = writeTestModel(path.join(dir, 'chatonly.gguf'), 'tiny-nofim');
  const s = startSidecar();
  const ready = (async () => {
    await initialize(s.connection, path.join(dir, 'storage'), { settings: { 'local.allowGpu': false } });
    await s.connection.sendRequest('models/load', { path: fim, contextLength: 2048 });
    await s.connection.sendRequest('models/load', { path: nofim, contextLength: 512 });
  })();
  after(async () => { await ready; assert.equal(await stopSidecar(s), 0); });
  const complete = (prefix, extra = {}, token) => {
    const params = { uri: 'file:///w/a.py', languageId: 'python', prefix, suffix: '\n\ndef g():\n    pass\n', model: 'local/coder', maxTokens: 8, ...extra };
    // vscode-jsonrpc turns an explicit `undefined` third argument into positional params.
    return token ? s.connection.sendRequest('completion/inline', params, token) : s.connection.sendRequest('completion/inline', params);
  };

  test('a keystroke after a completion evaluates only the new tokens', async () => {
    await ready;
    const first = await complete(source + '\ndef h(y):\n    return y');
    assert.ok(first.timings.evaluatedTokens > 100, `first evaluated ${first.timings.evaluatedTokens}`);
    const second = await complete(source + '\ndef h(y):\n    return y*');
    assert.ok(second.timings.cachedTokens > 100, `cached ${second.timings.cachedTokens}`);
    assert.ok(second.timings.evaluatedTokens < 40, `second evaluated ${second.timings.evaluatedTokens} tokens`);
    assert.equal(second.model, 'local/coder');
    for (const item of second.items) assert.ok(item.text.trim().length > 0);
  });

  test('the same position again is answered from the cache', async () => {
    await ready;
    const a = await complete(source + '\nz = ');
    const b = await complete(source + '\nz = ');
    assert.equal(b.timings.fromCache, true);
    assert.deepEqual(b.items, a.items);
  });

  test('a newer request supersedes the running one, which answers -32800', async () => {
    await ready;
    const older = complete(source + '\nq = 1', { maxTokens: 400, suffix: '' });
    const newer = complete(source + '\nq = 12', { maxTokens: 4 });
    const [o, n] = await Promise.allSettled([older, newer]);
    assert.equal(n.status, 'fulfilled', String(n.reason));
    assert.equal(o.status, 'rejected');
    assert.equal(o.reason.code, -32800);
  });

  test('a tiny time budget returns in time, flagged as timed out', async () => {
    await ready;
    const t0 = performance.now();
    const r = await complete(source + '\nw = ', { maxTokens: 500, timeBudgetMs: 1, suffix: '' });
    assert.ok(performance.now() - t0 < 15000);
    // Either the budget cut generation short, or the model finished (end of generation) before a
    // 1 ms timer could fire — possible when the prompt is almost all cached.
    assert.ok(r.timings.timedOut || r.timings.totalMs < 20, JSON.stringify(r.timings));
  });

  test('a model without FIM tokens is refused with 1017; so is a provider without a FIM API', async () => {
    await ready;
    await assert.rejects(complete('x = ', { model: 'local/chatonly' }), (e) => e.code === 1017 && /fill-in-the-middle/.test(e.message));
    await assert.rejects(complete('x = ', { model: 'openai/gpt-4.1-mini' }), (e) => e.code === 1017);
  });

  test('client cancellation answers -32800', async () => {
    await ready;
    // A random-weight model may end its completion (end of generation, a blank line) before the
    // cancel lands; such an answer is not a cancellation case, so try a few positions.
    let cancelled = null;
    for (let i = 0; i < 8 && !cancelled; i++) {
      const cts = new rpc.CancellationTokenSource();
      const p = complete(source + `\nc${i} = `, { maxTokens: 500, suffix: '' }, cts.token);
      cts.cancel();
      const outcome = await p.then((r) => ({ r }), (e) => ({ e }));
      if (outcome.e) cancelled = outcome.e;
      else assert.equal(outcome.r.timings.timedOut, false, 'an answer instead of -32800 must be a finished completion');
    }
    assert.ok(cancelled, 'no request was still running when cancelled');
    assert.equal(cancelled.code, -32800);
  });
});
