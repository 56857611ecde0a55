// chat/send with runTools: false, as EditorAssist's VS Code language-model provider uses it: the
// model's tool calls come back to the caller (pendingToolCalls, finish "toolCalls") instead of being
// run through chat/toolCall, and the caller sends the call and its result back in the next request's
// history (an assistant message with toolCalls, then a "tool" message). saveHistory: false keeps
// such turns out of EditorAssist's own chat history.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { lastToolResult, startFakeToolModels } from '../tools/fakeToolModels.mjs';
import { initialize, startSidecar, stopSidecar } from './sidecar.mjs';

const weather = {
  name: 'get_weather',
  description: 'The weather in a city.',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('tool calls returned to the caller (runTools: false)', () => {
  let fake, s;
  const toolCallRequests = [];

  before(async () => {
    fake = await startFakeToolModels();
    s = startSidecar({ args: [] });
    await initialize(s.connection);
    s.connection.onRequest('chat/toolCall', (p) => { toolCallRequests.push(p); return { content: 'must not run' }; });
    await s.connection.sendRequest('providers/configure', { providerId: 'vllm', baseUrl: fake.baseUrl });
    await s.connection.sendRequest('providers/configure', { providerId: 'anthropic', baseUrl: fake.root });
    await s.connection.sendRequest('providers/setApiKey', { providerId: 'anthropic', apiKey: 'sk-ant-fake-caller' });
  });

  after(async () => {
    if (s) assert.equal(await stopSidecar(s), 0);
    if (fake) await fake.close();
  });

  for (const [model, format] of [['vllm/tool-model', 'openai'], ['anthropic/tool-model', 'anthropic']]) {
    test(`${format}: the call is returned, not run; its result in the next request reaches the model`, async () => {
      fake.requests.length = 0;
      fake.nextArgs = { city: 'Paris' };
      const sessionsBefore = (await s.connection.sendRequest('chat/sessions')).length;
      const user = { role: 'user', content: 'Weather in Paris?' };
      const first = await s.connection.sendRequest('chat/send', {
        streamId: `c1-${format}`, model, messages: [user], tools: [weather], runTools: false, saveHistory: false,
      });
      assert.equal(first.finishReason, 'toolCalls');
      assert.equal(first.steps, 1);
      assert.equal(first.toolCalls, undefined, 'nothing ran');
      assert.equal(toolCallRequests.length, 0, 'no chat/toolCall was sent');
      assert.equal(first.pendingToolCalls.length, 1);
      const [call] = first.pendingToolCalls;
      assert.equal(call.name, 'get_weather');
      assert.deepEqual(call.arguments, { city: 'Paris' });
      assert.ok(call.id);

      const second = await s.connection.sendRequest('chat/send', {
        streamId: `c2-${format}`, model, tools: [weather], runTools: false, saveHistory: false,
        messages: [user, { role: 'assistant', content: '', toolCalls: [call] }, { role: 'tool', toolCallId: call.id, content: 'Sunny, 21 °C' }],
      });
      assert.equal(second.finishReason, 'stop');
      assert.equal(second.content, 'Tool said: Sunny, 21 °C');
      assert.equal(second.pendingToolCalls, undefined);
      const posts = fake.requests.filter((r) => r.method === 'POST');
      assert.equal(posts.length, 2);
      assert.equal(lastToolResult(format, posts[1].body), 'Sunny, 21 °C');
      // Neither turn went into EditorAssist's own history.
      assert.equal((await s.connection.sendRequest('chat/sessions')).length, sessionsBefore);
    });
  }

  test('a tool message that answers no earlier call, or a tool role elsewhere, answers -32602', async () => {
    await assert.rejects(s.connection.sendRequest('chat/send', {
      streamId: 'bad-1', model: 'vllm/tool-model', messages: [{ role: 'user', content: 'x' }, { role: 'tool', toolCallId: 'nope', content: 'r' }],
    }), (e) => e.code === -32602 && /toolCallId/.test(e.message));
    await assert.rejects(s.connection.sendRequest('chat/send', {
      streamId: 'bad-2', model: 'vllm/tool-model', messages: [{ role: 'user', content: 'x', toolCalls: [{ id: 'a', name: 'get_weather', arguments: {} }] }],
    }), (e) => e.code === -32602 && /toolCalls/.test(e.message));
  });

  test('without runTools: false the sidecar still runs the calls itself', async () => {
    fake.requests.length = 0;
    fake.nextArgs = { city: 'Oslo' };
    const result = await s.connection.sendRequest('chat/send', {
      streamId: 'run-1', model: 'vllm/tool-model', messages: [{ role: 'user', content: 'Weather in Oslo?' }], tools: [weather],
    });
    assert.equal(toolCallRequests.length, 1);
    assert.equal(result.pendingToolCalls, undefined);
    assert.equal(result.content, 'Tool said: must not run');
    toolCallRequests.length = 0;
  });
});
