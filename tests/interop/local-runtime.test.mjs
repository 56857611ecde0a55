// The local runtime through the sidecar's RPC surface: models/load (progress, refs, errors),
// models/status, models/unload, runtime/didChangeState, and system/info's runtime data.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { serverDll, writeTestModel } from '../tools/common.mjs';
import { initialize, rpc, startSidecar, stopSidecar, tempDir } from './sidecar.mjs';

describe('local runtime over RPC', () => {
  const dir = tempDir();
  const model = writeTestModel(path.join(dir, 'Tiny Test-Model.gguf'));
  const html = writeTestModel(path.join(dir, 'error-page.gguf'), 'html');
  // CPU only: the Vulkan path is covered by the runtime's own tests (lavapipe); here we test the wiring.
  const s = startSidecar();
  const states = [];
  s.connection.onNotification('runtime/didChangeState', (p) => states.push(p));
  const ready = initialize(s.connection, path.join(dir, 'storage'), { settings: { 'local.allowGpu': false } });
  after(async () => { await ready; assert.equal(await stopSidecar(s), 0); });

  test('system/info reports the native runtime build and its backends', async () => {
    await ready;
    const info = await s.connection.sendRequest('system/info');
    assert.match(info.runtime.llamaBuild, /llama/i);
    assert.ok(info.runtime.backends.includes('CPU'), `backends: ${info.runtime.backends}`);
  });

  test('models/load by path registers a ref, reports progress and state, and models/status follows', async () => {
    await ready;
    const token = 'load-1';
    const progress = [];
    const d = s.connection.onProgress(new rpc.ProgressType(), token, (v) => progress.push(v));
    const loaded = await s.connection.sendRequest('models/load', { path: model, contextLength: 512, workDoneToken: token });
    d.dispose();
    assert.equal(loaded.ref, 'local/tiny-test-model');
    assert.equal(loaded.contextLength, 512);
    assert.equal(loaded.backend, 'CPU');
    assert.equal(loaded.gpuLayers, 0);
    assert.ok(loaded.sizeBytes > 0);
    assert.equal(progress[0].kind, 'begin');
    assert.equal(progress.at(-1).kind, 'end');
    const status = await s.connection.sendRequest('models/status', { ref: loaded.ref });
    assert.deepEqual([status.downloaded, status.loaded, status.loading], [true, true, false]);
    assert.ok(states.some((x) => x.ref === loaded.ref && x.state === 'loading'));
    assert.ok(states.some((x) => x.ref === loaded.ref && x.state === 'ready'));

    // Loading by the ref now works too (and shares the loaded model).
    const again = await s.connection.sendRequest('models/load', { ref: loaded.ref, contextLength: 512 });
    assert.equal(again.ref, loaded.ref);

    await s.connection.sendRequest('models/unload', { ref: loaded.ref });
    const after = await s.connection.sendRequest('models/status', { ref: loaded.ref });
    assert.equal(after.loaded, false);
    assert.equal(states.filter((x) => x.ref === loaded.ref).at(-1).state, 'idle', 'idle on the wire: not loaded');
  });

  test('bad input gets stable codes: not GGUF → 1012, unknown ref → 1001, neither ref nor path → -32602', async () => {
    await ready;
    await assert.rejects(s.connection.sendRequest('models/load', { path: html }), (e) => e.code === 1012 && e.data?.reason === 'InvalidModelFile');
    await assert.rejects(s.connection.sendRequest('models/load', { ref: 'local/no-such-model' }), (e) => e.code === 1001);
    await assert.rejects(s.connection.sendRequest('models/load', {}), (e) => e.code === -32602);
    await assert.rejects(s.connection.sendRequest('models/load', { path: path.join(dir, 'missing.gguf') }), (e) => e.code === 1012);
  });

  test('chat/send streams chat/delta that assemble to the content, with usage and privacy', async () => {
    await ready;
    const { ref } = await s.connection.sendRequest('models/load', { path: model, contextLength: 512 });
    const deltas = [];
    const d = s.connection.onNotification('chat/delta', (p) => { if (p.streamId === 'c1') deltas.push(p.delta); });
    const r = await s.connection.sendRequest('chat/send', {
      streamId: 'c1', model: ref, messages: [{ role: 'user', content: 'Say hello' }],
      params: { maxTokens: 12, temperature: 0, seed: 7 },
    });
    d.dispose();
    assert.equal(deltas.join(''), r.content);
    assert.ok(deltas.length > 0);
    assert.equal(r.model, ref);
    assert.equal(r.privacy, 'onDevice');
    assert.ok(['stop', 'length'].includes(r.finishReason));
    assert.ok(r.usage.promptTokens > 0 && r.usage.completionTokens > 0);
    assert.ok(r.timings.totalMs > 0);
    assert.match(r.sessionId, /^[0-9a-f]{32}$/);

    // Same conversation + one more turn: the shared prefix comes from the KV cache.
    const follow = await s.connection.sendRequest('chat/send', {
      streamId: 'c2', model: ref, sessionId: r.sessionId,
      messages: [{ role: 'user', content: 'Say hello' }, { role: 'assistant', content: r.content }, { role: 'user', content: 'Again' }],
      params: { maxTokens: 4, temperature: 0 },
    });
    assert.ok(follow.usage.cachedTokens > 0, `cachedTokens ${follow.usage.cachedTokens}`);
    assert.equal(follow.sessionId, r.sessionId);
    // The state notifications come before the answer: generating, then ready again (still loaded).
    const mine = states.filter((x) => x.ref === ref).map((x) => x.state);
    assert.ok(mine.includes('generating'), JSON.stringify(mine));
    assert.equal(mine.at(-1), 'ready', JSON.stringify(mine));
  });

  test('chat/send with responseFormat json returns parseable JSON', async () => {
    await ready;
    const r = await s.connection.sendRequest('chat/send', {
      streamId: 'j1', model: 'local/tiny-test-model', messages: [{ role: 'user', content: 'JSON please' }],
      params: { maxTokens: 24, temperature: 0.7, seed: 3, responseFormat: 'json' },
    });
    if (r.finishReason === 'stop') JSON.parse(r.content);
    else assert.match(r.content, /^\s*[[{]/);
  });

  test('a cancelled chat answers -32800 and the model takes the next request', async () => {
    await ready;
    // A random-weight model can hit end-of-generation before the cancel lands; such a run is
    // not a cancellation case, so try a few seeds until one is still generating.
    let cancelled = null;
    for (let seed = 1; seed <= 8 && !cancelled; seed++) {
      const source = new rpc.CancellationTokenSource();
      let first;
      const gotDelta = new Promise((resolve) => { first = resolve; });
      const streamId = `x${seed}`;
      const d = s.connection.onNotification('chat/delta', (p) => { if (p.streamId === streamId) first(); });
      const pending = s.connection.sendRequest('chat/send', {
        streamId, model: 'local/tiny-test-model', messages: [{ role: 'user', content: 'long' }], params: { maxTokens: 100000, temperature: 1, seed },
      }, source.token);
      await Promise.race([gotDelta, pending.catch(() => undefined)]);
      source.cancel();
      const outcome = await pending.then((r) => ({ r }), (e) => ({ e }));
      d.dispose();
      if (outcome.e) cancelled = outcome.e;
      else assert.equal(outcome.r.finishReason, 'stop', 'only a model that stopped by itself may answer instead of -32800');
    }
    assert.ok(cancelled, 'no run was still generating when cancelled');
    assert.equal(cancelled.code, -32800);
    const next = await s.connection.sendRequest('chat/send', { streamId: 'x2', model: 'local/tiny-test-model', messages: [{ role: 'user', content: 'hi' }], params: { maxTokens: 2 } });
    assert.ok(next.usage.completionTokens > 0);
  });

  test('chat/send without a model uses the router default (a local model); bad params -32602', async () => {
    await ready;
    const r = await s.connection.sendRequest('chat/send', { streamId: 'n', messages: [{ role: 'user', content: 'x' }], params: { maxTokens: 2 } });
    assert.equal(r.model, 'local/tiny-test-model');
    assert.equal(r.privacy, 'onDevice');
    await assert.rejects(s.connection.sendRequest('chat/send', { streamId: 'n', messages: [] }), (e) => e.code === -32602);
    await assert.rejects(s.connection.sendRequest('chat/send', { messages: [{ role: 'user', content: 'x' }] }), (e) => e.code === -32602);
    await assert.rejects(s.connection.sendRequest('chat/send', { streamId: 'n', model: 'local/no-such', messages: [{ role: 'user', content: 'x' }] }), (e) => e.code === 1001);
  });
});

describe('generate verb', () => {
  test('prints JSON with usage and timings, and fails clearly on a bad file', () => {
    const dir = tempDir();
    const model = writeTestModel(path.join(dir, 'cli.gguf'));
    const ok = spawnSync('dotnet', [serverDll, 'generate', '--model', model, '--prompt', 'hi', '--max-tokens', '6', '--ignore-eos', '--cpu', '--json'], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    const r = JSON.parse(ok.stdout);
    assert.equal(r.usage.completionTokens, 6);
    assert.equal(r.finishReason, 'length');
    assert.ok(r.usage.promptTokens > 0);
    assert.ok(r.timings.tokensPerSecond > 0);
    const bad = spawnSync('dotnet', [serverDll, 'generate', '--model', writeTestModel(path.join(dir, 'bad.gguf'), 'truncated'), '--prompt', 'hi', '--cpu'], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /error 1012/);
    const usage = spawnSync('dotnet', [serverDll, 'generate', '--prompt', 'x'], { encoding: 'utf8' });
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /needs --model/);
  });
});

describe('local runtime over RPC on Vulkan (lavapipe in CI)', () => {
  test('loads on the Vulkan device, lists it in system/info, and chats', async () => {
    const dir = tempDir();
    const model = writeTestModel(path.join(dir, 'vk.gguf'));
    // lavapipe is a CPU-type Vulkan device that ggml-vulkan shows only when listed explicitly.
    const s = startSidecar({ env: { GGML_VK_VISIBLE_DEVICES: '0' } });
    await initialize(s.connection, path.join(dir, 'storage'));
    const info = await s.connection.sendRequest('system/info');
    assert.ok(info.gpus.some((g) => g.backend === 'vulkan' && g.vramTotalBytes > 0), JSON.stringify(info.gpus));
    const loaded = await s.connection.sendRequest('models/load', { path: model, contextLength: 512 });
    assert.match(loaded.backend, /vulkan/i);
    assert.ok(loaded.gpuLayers > 0, `gpuLayers ${loaded.gpuLayers}`);
    const deltas = [];
    s.connection.onNotification('chat/delta', (p) => deltas.push(p.delta));
    const r = await s.connection.sendRequest('chat/send', { streamId: 'vk', model: loaded.ref, messages: [{ role: 'user', content: 'hi' }], params: { maxTokens: 8, temperature: 0 } });
    assert.equal(deltas.join(''), r.content);
    assert.ok(r.usage.completionTokens > 0);
    assert.equal(await stopSidecar(s), 0);
  });
});

describe('local models in the storage folder', () => {
  test('a model in <storage>/models loads by ref, and loading it records its last use for eviction', async () => {
    const dir = tempDir();
    const storage = path.join(dir, 'storage');
    writeTestModel(path.join(storage, 'models', 'Stored-Model.gguf'));
    const s = startSidecar();
    await initialize(s.connection, storage, { settings: { 'local.allowGpu': false } });
    const before = await s.connection.sendRequest('storage/info');
    const entry = (info) => info.models.find((m) => m.ref === 'local/stored-model');
    assert.ok(entry(before), JSON.stringify(before.models));
    assert.equal(entry(before).lastUsed ?? null, null);
    const loaded = await s.connection.sendRequest('models/load', { ref: 'local/stored-model', contextLength: 256 });
    assert.equal(loaded.ref, 'local/stored-model');
    const after = await s.connection.sendRequest('storage/info');
    assert.ok(entry(after).lastUsed, JSON.stringify(entry(after)));
    assert.equal(entry(after).loaded, true);
    // A loaded model is never evicted.
    const evict = await s.connection.sendRequest('storage/evict', { targetFreeBytes: Number.MAX_SAFE_INTEGER, dryRun: true });
    assert.ok(!evict.evicted.some((e) => e.ref === 'local/stored-model'));
    assert.equal(await stopSidecar(s), 0);
  });
});

describe('the chosen model across sidecar restarts (a window reload starts a new sidecar)', () => {
  test('a file loaded by path still resolves by its ref, and chat/send without a model asks the stored chat.model', async () => {
    const dir = tempDir();
    const storage = path.join(dir, 'storage');
    const model = writeTestModel(path.join(dir, 'Picked By Path.gguf'));
    const first = startSidecar();
    await initialize(first.connection, storage, { settings: { 'local.allowGpu': false } });
    const { ref } = await first.connection.sendRequest('models/load', { path: model, contextLength: 256 });
    assert.equal(ref, 'local/picked-by-path');
    await first.connection.sendRequest('settings/update', { settings: { 'chat.model': ref } });
    assert.equal(await stopSidecar(first), 0);

    const second = startSidecar();
    await initialize(second.connection, storage, { settings: { 'local.allowGpu': false } });
    const status = await second.connection.sendRequest('models/status', { ref });
    assert.equal(status.downloaded, true, 'the ref resolves to the file in a new sidecar');
    const listed = await second.connection.sendRequest('models/list', { providerId: 'local' });
    assert.ok(listed.models.some((m) => m.ref === ref), JSON.stringify(listed.models.map((m) => m.ref)));
    const r = await second.connection.sendRequest('chat/send', { streamId: 'r1', messages: [{ role: 'user', content: 'hi' }], params: { maxTokens: 2 } });
    assert.equal(r.model, ref, 'no model in the request: the stored choice answers');
    assert.equal(await stopSidecar(second), 0);
  });
});
