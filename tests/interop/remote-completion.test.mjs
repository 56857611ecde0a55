// completion/inline with a remote model through the real sidecar: an OpenAI-compatible loopback server
// (vLLM's wire: POST /v1/completions with `suffix`) written here, driven by vscode-jsonrpc. Checks the exact
// request the server gets, the cleaned answer, newest-wins across the wire (the older HTTP request is
// aborted and answers -32800), 1017 for a provider without FIM and 1013 for a cloud one in local-only mode.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { initialize, startSidecar, stopSidecar, tempDir } from './sidecar.mjs';

/** POST /v1/completions as vLLM answers it (one JSON text_completion); `hangNext` keeps one request open. */
function startFakeCompletions() {
  const state = { requests: [], hangNext: false, arrived: [], disconnected: null };
  let onDisconnect;
  state.disconnected = new Promise((resolve) => { onDisconnect = resolve; });
  /** Resolves once `count` requests have arrived (no sleeping for readiness). */
  state.received = (count) => new Promise((resolve) => {
    if (state.requests.length >= count) resolve();
    else state.arrived.push({ count, resolve });
  });
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      state.requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      for (const w of state.arrived.filter((x) => state.requests.length >= x.count)) w.resolve();
      state.arrived = state.arrived.filter((x) => state.requests.length < x.count);
      if (req.method !== 'POST' || req.url !== '/v1/completions') {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: 'Not Found' }));
        return;
      }
      if (state.hangNext) {
        state.hangNext = false;
        res.on('close', () => { if (!res.writableEnded) onDisconnect(); });
        return; // only the client going away ends this one
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({
        id: 'cmpl-interop', object: 'text_completion', created: 1700000000, model: 'coder',
        // The model repeats what follows the cursor; the sidecar's quality guard trims it.
        choices: [{ index: 0, text: 'a, b) + 1', logprobs: null, finish_reason: 'stop' }],
        usage: { prompt_tokens: 37, completion_tokens: 4, total_tokens: 41 },
      }));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    state.baseUrl = `http://127.0.0.1:${server.address().port}/v1`;
    state.close = () => new Promise((r) => { server.closeAllConnections(); server.close(r); });
    resolve(state);
  }));
}

describe('completion/inline with a remote FIM provider', () => {
  let fake, s;
  const prefix = 'def total(a, b):\n    return compute(';
  const suffix = ') + 1\n\nprint(total(1, 2))\n';
  const complete = (extra = {}) => s.connection.sendRequest('completion/inline',
    { uri: 'file:///w/total.py', languageId: 'python', prefix, suffix, model: 'vllm/coder', maxTokens: 16, ...extra });

  before(async () => {
    fake = await startFakeCompletions();
    s = startSidecar({ args: [] });
    await initialize(s.connection, tempDir());
    await s.connection.sendRequest('providers/configure', { providerId: 'vllm', baseUrl: fake.baseUrl });
  });

  after(async () => {
    if (s) assert.equal(await stopSidecar(s), 0);
    if (fake) await fake.close();
  });

  test('the server gets prefix, suffix, max_tokens and temperature 0; the answer comes back cleaned', async () => {
    const r = await complete();
    assert.equal(fake.requests.length, 1);
    assert.deepEqual(JSON.parse(fake.requests[0].body),
      { model: 'coder', prompt: prefix, suffix, max_tokens: 16, temperature: 0, stream: false, stop: ['\n'] });
    assert.deepEqual(r.items, [{ text: 'a, b' }]);
    assert.equal(r.model, 'vllm/coder');
    assert.equal(r.privacy, 'loopback');
    assert.equal(r.timings.evaluatedTokens, 37);
    assert.equal(r.timings.cachedTokens, 0);
    assert.equal(r.timings.ttftMs, r.timings.totalMs);
  });

  test('a newer request aborts the older HTTP call, which answers -32800', async () => {
    const before = fake.requests.length;
    fake.hangNext = true;
    // Its rejection is expected before the newer answer arrives: observe it from the start.
    const older = assert.rejects(complete({ prefix: `${prefix}x, ` }), (e) => e.code === -32800);
    await fake.received(before + 1);
    const newer = await complete({ prefix: `${prefix}y, ` });
    assert.deepEqual(newer.items, [{ text: 'a, b' }]);
    await older;
    await fake.disconnected;
  });

  test('a provider without FIM answers 1017; local-only refuses a cloud one with 1013', async () => {
    await s.connection.sendRequest('providers/setApiKey', { providerId: 'anthropic', apiKey: 'sk-ant-interop-0123456789' });
    await assert.rejects(complete({ model: 'anthropic/claude-sonnet-4-20250514' }),
      (e) => e.code === 1017 && /fill-in-the-middle/.test(e.message) && /vLLM/.test(e.message));
    await s.connection.sendRequest('providers/setApiKey', { providerId: 'mistral', apiKey: 'mistral-interop-0123456789' });
    await s.connection.sendRequest('router/set', { strategy: 'localOnly' });
    try {
      await assert.rejects(complete({ model: 'mistral/codestral-latest' }), (e) => e.code === 1013);
      // The loopback server is still allowed.
      const r = await complete({ prefix: `${prefix}z, ` });
      assert.equal(r.privacy, 'loopback');
    } finally {
      await s.connection.sendRequest('router/set', { strategy: 'preferLocal' });
    }
  });
});
