// The editor's models (issue 15, part 1) through the real sidecar: this vscode-jsonrpc client plays
// the extension's host bridge. It reports VS Code's models with host/didChangeModels and answers the
// sidecar's host/chat requests with host/delta notifications, as extension-client/src/host/ does over
// vscode.lm.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { initialize, rpc, startSidecar, stopSidecar } from './sidecar.mjs';

const fake = { vendor: 'fakevendor', id: 'fake-1', name: 'Fake One', family: 'fake-family', version: '1.0', maxInputTokens: 8000, toolCalling: true };
const own = { vendor: 'editorassist', id: 'local/tiny', name: 'Tiny (EditorAssist)', family: 'gguf', version: '1' };

describe('the host provider through the real sidecar', () => {
  let s;
  const asked = [];
  const changed = [];
  /** How the "extension" answers host/chat; each test sets it. */
  let answer;

  before(async () => {
    s = startSidecar({ args: [] });
    await initialize(s.connection);
    s.connection.onNotification('providers/didChange', (p) => changed.push(p.providerId));
    s.connection.onRequest('host/chat', (p, token) => { asked.push(p); return answer(p, token); });
    s.connection.onRequest('chat/toolCall', (p) => ({ content: `contents of ${p.arguments.path}` }));
    s.connection.sendNotification('host/didChangeModels', { models: [fake, own] });
  });

  after(async () => { if (s) assert.equal(await stopSidecar(s), 0); });

  beforeEach(async () => {
    asked.length = 0;
    await s.connection.sendRequest('router/set', { strategy: 'preferLocal', fallback: true });
  });

  /** Streams `parts` as host/delta, then answers with their count (what the extension does). */
  const streamed = (parts, extra = {}) => async (p) => {
    for (const d of parts) await s.connection.sendNotification('host/delta', { streamId: p.streamId, delta: d });
    return { deltas: parts.length, ...extra };
  };

  test('models/list shows VS Code\'s models under "host" with vendor and family, never EditorAssist\'s own', async () => {
    const { models } = await s.connection.sendRequest('models/list', { providerId: 'host' });
    assert.deepEqual(models.map((m) => m.ref), ['host/fakevendor/fake-1']);
    assert.deepEqual(models[0].host, { vendor: 'fakevendor', family: 'fake-family', version: '1.0', toolCalling: true });
    assert.equal(models[0].displayName, 'Fake One');
    assert.equal(models[0].contextLength, 8000);
    const host = (await s.connection.sendRequest('providers/list', {})).find((p) => p.id === 'host');
    assert.equal(host.displayName, 'VS Code');
    assert.equal(host.privacy, 'cloud');
    assert.equal(host.availability, 'readily');
    assert.ok(changed.includes('host'), 'providers/didChange {providerId: "host"} follows a new list');
  });

  test('a chat streams every delta in order, even when the answer overtakes the last ones', async () => {
    const parts = Array.from({ length: 400 }, (_, i) => `t${i} `);
    answer = streamed(parts);
    const deltas = [];
    const sub = s.connection.onNotification('chat/delta', (p) => { if (p.streamId === 'h1') deltas.push(p.delta); });
    const result = await s.connection.sendRequest('chat/send', { streamId: 'h1', model: 'host/fakevendor/fake-1', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }] });
    sub.dispose();
    assert.equal(result.content, parts.join(''));
    assert.deepEqual(deltas, parts);
    assert.equal(result.model, 'host/fakevendor/fake-1');
    assert.equal(result.privacy, 'cloud');
    assert.deepEqual(asked[0].model, { vendor: 'fakevendor', id: 'fake-1' });
    assert.deepEqual(asked[0].messages, [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }]);
    assert.equal(asked[0].tools, undefined);
  });

  test('Stop reaches the editor: host/chat is cancelled and chat/send answers -32800', async () => {
    let cancelled;
    const seen = new Promise((resolve) => { cancelled = resolve; });
    answer = async (p, token) => {
      await s.connection.sendNotification('host/delta', { streamId: p.streamId, delta: 'partial' });
      await new Promise((resolve) => token.onCancellationRequested(resolve));
      cancelled(true);
      throw new rpc.ResponseError(-32800, 'cancelled');
    };
    const source = new rpc.CancellationTokenSource();
    const first = new Promise((resolve) => {
      const sub = s.connection.onNotification('chat/delta', (p) => { if (p.streamId === 'h2') { sub.dispose(); resolve(); } });
    });
    const sent = s.connection.sendRequest('chat/send', { streamId: 'h2', model: 'host/fakevendor/fake-1', messages: [{ role: 'user', content: 'Go on' }] }, source.token);
    await first;
    source.cancel();
    await assert.rejects(sent, (e) => e.code === -32800);
    assert.equal(await seen, true);
  });

  test('local-only refuses a host model before the editor is asked', async () => {
    await s.connection.sendRequest('router/set', { strategy: 'localOnly' });
    answer = streamed(['never']);
    await assert.rejects(
      s.connection.sendRequest('chat/send', { streamId: 'h3', model: 'host/fakevendor/fake-1', messages: [{ role: 'user', content: 'x' }] }),
      (e) => e.code === 1013);
    assert.equal(asked.length, 0);
  });

  test('declined access (NoPermissions) is 1003 with the vendor named; hostFirst then moves on', async () => {
    answer = async () => { throw new rpc.ResponseError(1003, 'The user did not allow EditorAssist to use this model.', { cause: 'noPermissions' }); };
    await assert.rejects(
      s.connection.sendRequest('chat/send', { streamId: 'h4', model: 'host/fakevendor/fake-1', messages: [{ role: 'user', content: 'x' }] }),
      (e) => e.code === 1003 && /did not allow/.test(e.message) && /fakevendor/.test(e.message) && e.data.cause === 'noPermissions');
    // hostFirst with nothing else to ask: the host was tried first, and left behind.
    await s.connection.sendRequest('router/set', { strategy: 'hostFirst' });
    await assert.rejects(
      s.connection.sendRequest('chat/send', { streamId: 'h5', messages: [{ role: 'user', content: 'x' }] }),
      (e) => [1001, 1003].includes(e.code));
    assert.equal(asked.length, 2, 'hostFirst asked the editor first');
    assert.equal((await s.connection.sendRequest('router/get')).strategy, 'hostFirst');
  });

  test('tool calls pass through: LanguageModelToolCallPart out, LanguageModelToolResultPart back', async () => {
    let step = 0;
    answer = async (p) => {
      step++;
      if (step === 1) return { deltas: 0, toolCalls: [{ callId: 'c1', name: 'read_file', input: { path: 'a.txt' } }] };
      return streamed([`said: ${p.messages.at(-1).content}`])(p);
    };
    const result = await s.connection.sendRequest('chat/send', {
      streamId: 'h6', model: 'host/fakevendor/fake-1', messages: [{ role: 'user', content: 'Read a.txt' }],
      tools: [{ name: 'read_file', description: 'Reads a file', parameters: { type: 'object', properties: { path: { type: 'string' } } } }],
    });
    assert.equal(result.content, 'said: contents of a.txt');
    assert.equal(result.steps, 2);
    assert.deepEqual(asked[0].tools, [{ name: 'read_file', description: 'Reads a file', inputSchema: { type: 'object', properties: { path: { type: 'string' } } } }]);
    assert.equal(asked[0].toolMode, 'auto');
    assert.deepEqual(asked[1].messages.slice(-2), [
      { role: 'assistant', content: '', toolCalls: [{ callId: 'c1', name: 'read_file', input: { path: 'a.txt' } }] },
      { role: 'tool', content: 'contents of a.txt', toolCallId: 'c1' },
    ]);
  });

  test('an empty list makes the provider unavailable and its models disappear', async () => {
    await s.connection.sendNotification('host/didChangeModels', { models: [] });
    const { models } = await s.connection.sendRequest('models/list', { providerId: 'host' });
    assert.deepEqual(models, []);
    const host = (await s.connection.sendRequest('providers/list', {})).find((p) => p.id === 'host');
    assert.equal(host.availability, 'no');
    await assert.rejects(
      s.connection.sendRequest('chat/send', { streamId: 'h7', model: 'host/fakevendor/fake-1', messages: [{ role: 'user', content: 'x' }] }),
      (e) => e.code === 1003);
    s.connection.sendNotification('host/didChangeModels', { models: [fake] });
  });
});
