// The tool loop through the real sidecar, driven by vscode-jsonrpc as the extension drives it: a
// scripted model server (tests/tools/fakeToolModels.mjs) speaks OpenAI's streamed tool_calls (arguments
// in fragments), Ollama's whole-call chunks and Anthropic's tool_use blocks; the sidecar asks this
// client to run each call with chat/toolCall and reports chat/toolStatus.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { lastToolResult, startFakeToolModels } from '../tools/fakeToolModels.mjs';
import { initialize, rpc, startSidecar, stopSidecar } from './sidecar.mjs';

const readFile = {
  name: 'read_file',
  description: 'Reads a file of the workspace.',
  parameters: { type: 'object', properties: { path: { type: 'string' }, startLine: { type: 'integer' } }, required: ['path'] },
};

describe('tool calling through the real sidecar', () => {
  let fake, s;
  const statuses = [];
  const calls = [];
  /** How this client answers chat/toolCall; tests replace it. */
  let answer = async (p) => ({ content: `contents of ${p.arguments.path}` });

  before(async () => {
    fake = await startFakeToolModels();
    s = startSidecar({ args: [] });
    await initialize(s.connection);
    s.connection.onNotification('chat/toolStatus', (p) => statuses.push(p));
    s.connection.onRequest('chat/toolCall', (p, token) => { calls.push(p); return answer(p, token); });
    await s.connection.sendRequest('providers/configure', { providerId: 'vllm', baseUrl: fake.baseUrl });
    await s.connection.sendRequest('providers/configure', { providerId: 'ollama', baseUrl: fake.root });
    await s.connection.sendRequest('providers/configure', { providerId: 'anthropic', baseUrl: fake.root });
    await s.connection.sendRequest('providers/setApiKey', { providerId: 'anthropic', apiKey: 'sk-ant-fake-tools' });
  });

  after(async () => {
    if (s) assert.equal(await stopSidecar(s), 0);
    if (fake) await fake.close();
  });

  const reset = () => { statuses.length = 0; calls.length = 0; fake.requests.length = 0; fake.nextArgs = undefined; fake.openAiFormat = undefined; };

  for (const [label, model, format] of [
    ['OpenAI (streamed argument fragments)', 'vllm/tool-model', 'openai'],
    ['Ollama (whole calls)', 'ollama/tool-model', 'ollama'],
    ['Anthropic (tool_use blocks)', 'anthropic/tool-model', 'anthropic'],
  ]) {
    test(`${label}: the call runs in the client and its result goes back to the model`, async () => {
      reset();
      fake.openAiFormat = format === 'anthropic' ? undefined : format;
      fake.nextArgs = { path: 'src/ünïcode "quoted".ts', startLine: 3 };
      const result = await s.connection.sendRequest('chat/send', {
        streamId: `t-${format}`, model, messages: [{ role: 'user', content: 'Read the file.' }], tools: [readFile],
      });
      // The client got the reassembled arguments as an object.
      assert.equal(calls.length, 1);
      assert.equal(calls[0].streamId, `t-${format}`);
      assert.equal(calls[0].name, 'read_file');
      assert.deepEqual(calls[0].arguments, fake.nextArgs);
      assert.ok(calls[0].callId);
      assert.deepEqual(statuses.map((x) => x.state), ['requested', 'running', 'done']);
      assert.ok(statuses.every((x) => x.callId === calls[0].callId && x.name === 'read_file'));
      assert.deepEqual(statuses[0].arguments, fake.nextArgs);
      // The answer of the second step quotes the tool result: it reached the model in its own format.
      assert.equal(result.content, 'Tool said: contents of src/ünïcode "quoted".ts');
      assert.equal(result.steps, 2);
      assert.equal(result.finishReason, 'stop');
      assert.deepEqual(result.toolCalls, [{ id: calls[0].callId, name: 'read_file', arguments: fake.nextArgs, result: 'contents of src/ünïcode "quoted".ts', isError: false }]);
      assert.deepEqual(result.usage, { promptTokens: 20, completionTokens: format === 'anthropic' ? 10 : 10, cachedTokens: 0 });
      // The history keeps the calls with the answer (migration 6): a reopened chat can show them.
      const stored = await s.connection.sendRequest('chat/session', { sessionId: result.sessionId });
      const answer = stored.messages.find((m) => m.role === 'assistant');
      assert.deepEqual(answer.toolCalls, result.toolCalls);
      assert.equal(stored.messages.find((m) => m.role === 'user').toolCalls, undefined);
      // What went upstream: the tool definitions, then the call and its result in the provider's shape.
      const [first, second] = fake.requests.filter((r) => r.method === 'POST').map((r) => r.body);
      if (format === 'anthropic') {
        assert.deepEqual(first.tools, [{ name: 'read_file', description: readFile.description, input_schema: readFile.parameters }]);
        assert.deepEqual(first.tool_choice, { type: 'auto' });
        const use = second.messages.at(-2).content.find((b) => b.type === 'tool_use');
        assert.deepEqual(use, { type: 'tool_use', id: calls[0].callId, name: 'read_file', input: fake.nextArgs });
        assert.deepEqual(second.messages.at(-1), { role: 'user', content: [{ type: 'tool_result', tool_use_id: calls[0].callId, content: 'contents of src/ünïcode "quoted".ts' }] });
      } else {
        assert.deepEqual(first.tools, [{ type: 'function', function: { name: 'read_file', description: readFile.description, parameters: readFile.parameters } }]);
        const assistant = second.messages.at(-2);
        assert.equal(assistant.role, 'assistant');
        assert.deepEqual(JSON.parse(assistant.tool_calls[0].function.arguments), fake.nextArgs);
        assert.equal(assistant.tool_calls[0].id, calls[0].callId);
        assert.deepEqual(second.messages.at(-1), { role: 'tool', tool_call_id: calls[0].callId, content: 'contents of src/ünïcode "quoted".ts' });
      }
    });
  }

  test('Azure OpenAI: deployment path, api-version and api-key header; the tool call round-trips like OpenAI', async () => {
    reset();
    await s.connection.sendRequest('providers/configure', { providerId: 'azure', baseUrl: fake.root });
    await s.connection.sendRequest('providers/setApiKey', { providerId: 'azure', apiKey: 'azure-fake-key-123' });
    fake.nextArgs = { path: 'README.md' };
    const result = await s.connection.sendRequest('chat/send', {
      streamId: 't-azure', model: 'azure/my-deployment', messages: [{ role: 'user', content: 'Read it.' }], tools: [readFile],
    });
    assert.equal(result.content, 'Tool said: contents of README.md');
    assert.equal(calls.length, 1);
    const posts = fake.requests.filter((r) => r.method === 'POST');
    assert.equal(posts.length, 2);
    for (const r of posts) {
      assert.equal(r.url, '/openai/deployments/my-deployment/chat/completions?api-version=2024-10-21');
      assert.equal(r.headers['api-key'], 'azure-fake-key-123');
      assert.equal(r.headers.authorization, undefined);
    }
    assert.deepEqual(posts[0].body.tools[0].function.name, 'read_file');
    assert.equal(posts[1].body.messages.at(-1).role, 'tool');
  });

  test('a denial is reported as "denied" and the model is told', async () => {
    reset();
    fake.nextArgs = { path: 'a.txt' };
    answer = async () => ({ content: 'denied by the user', isError: true });
    try {
      const result = await s.connection.sendRequest('chat/send', {
        streamId: 'deny', model: 'vllm/tool-model', messages: [{ role: 'user', content: 'Edit it.' }], tools: [readFile],
      });
      assert.deepEqual(statuses.map((x) => x.state), ['requested', 'running', 'denied']);
      assert.equal(result.toolCalls[0].isError, true);
      assert.equal(result.content, 'Tool said: denied by the user');
      assert.equal(lastToolResult('openai', fake.requests.at(-1).body), 'denied by the user');
    } finally {
      answer = async (p) => ({ content: `contents of ${p.arguments.path}` });
    }
  });

  test('arguments that are not JSON never reach the client; the model is asked again', async () => {
    reset();
    fake.nextArgs = '{"path": "a.txt"'; // cut short
    const result = await s.connection.sendRequest('chat/send', {
      streamId: 'bad-args', model: 'vllm/tool-model', messages: [{ role: 'user', content: 'Go.' }], tools: [readFile],
    });
    assert.equal(calls.length, 0);
    assert.deepEqual(statuses.map((x) => x.state), ['requested', 'failed']);
    assert.match(result.content, /not a valid JSON object/);
    assert.equal(result.toolCalls[0].arguments, '{"path": "a.txt"');
  });

  test('a tool the client did not offer is refused without a round trip', async () => {
    reset();
    fake.nextTool = 'delete_everything';
    try {
      const result = await s.connection.sendRequest('chat/send', {
        streamId: 'unknown', model: 'vllm/tool-model', messages: [{ role: 'user', content: 'Go.' }], tools: [readFile],
      });
      assert.equal(calls.length, 0);
      assert.match(result.content, /no tool named 'delete_everything'/);
    } finally {
      fake.nextTool = undefined;
    }
  });

  test('the step limit ends a turn whose model keeps calling tools', async () => {
    reset();
    const original = fake.script;
    fake.script = () => ({ calls: [{ name: 'read_file', arguments: { path: 'loop.txt' } }] });
    try {
      const result = await s.connection.sendRequest('chat/send', {
        streamId: 'limit', model: 'vllm/tool-model', messages: [{ role: 'user', content: 'Loop.' }], tools: [readFile], maxSteps: 3,
      });
      assert.equal(result.finishReason, 'stepLimit');
      assert.equal(result.steps, 3);
      assert.equal(calls.length, 2, 'the calls of the last step are not run');
      assert.equal(statuses.at(-1).state, 'failed');
      assert.match(statuses.at(-1).result, /step limit/);
    } finally {
      fake.script = original;
    }
  });

  test('toolChoice "none" sends no tools; a forced tool is forced on the first step only', async () => {
    reset();
    let result = await s.connection.sendRequest('chat/send', {
      streamId: 'none', model: 'vllm/tool-model', messages: [{ role: 'user', content: 'Hi.' }], tools: [readFile], toolChoice: 'none',
    });
    assert.equal(result.content, 'No tools.');
    assert.equal(fake.requests.at(-1).body.tools, undefined);
    reset();
    fake.nextArgs = { path: 'x' };
    result = await s.connection.sendRequest('chat/send', {
      streamId: 'forced', model: 'vllm/tool-model', messages: [{ role: 'user', content: 'Hi.' }], tools: [readFile], toolChoice: { name: 'read_file' },
    });
    const [first, second] = fake.requests.filter((r) => r.method === 'POST').map((r) => r.body);
    assert.deepEqual(first.tool_choice, { type: 'function', function: { name: 'read_file' } });
    assert.equal(second.tool_choice, 'auto');
    assert.equal(result.steps, 2);
  });

  test('invalid tool params answer -32602', async () => {
    for (const bad of [
      { tools: [readFile], toolChoice: { name: 'nope' } },
      { tools: [{ ...readFile, name: 'has space' }] },
      { tools: [readFile, readFile] },
      { tools: [{ ...readFile, parameters: 'a string' }] },
      { tools: [readFile], toolChoice: 'always' },
      { tools: [readFile], maxSteps: 0 },
    ]) {
      await assert.rejects(s.connection.sendRequest('chat/send', {
        streamId: 'invalid', model: 'vllm/tool-model', messages: [{ role: 'user', content: 'x' }], ...bad,
      }), (e) => e.code === -32602, JSON.stringify(bad));
    }
  });

  test('Stop while a tool runs cancels the tool and answers -32800', async () => {
    reset();
    fake.nextArgs = { path: 'slow' };
    let toolCancelled;
    const cancelled = new Promise((resolve) => { toolCancelled = resolve; });
    let toolStarted;
    const started = new Promise((resolve) => { toolStarted = resolve; });
    answer = (_p, token) => new Promise((resolve) => {
      toolStarted();
      token.onCancellationRequested(() => { toolCancelled(true); resolve({ content: 'too late' }); });
    });
    try {
      const source = new rpc.CancellationTokenSource();
      const pending = s.connection.sendRequest('chat/send', {
        streamId: 'stop', model: 'vllm/tool-model', messages: [{ role: 'user', content: 'Go.' }], tools: [readFile],
      }, source.token);
      await started;
      source.cancel();
      await assert.rejects(pending, (e) => e.code === -32800);
      assert.equal(await cancelled, true, 'the client was told to cancel the running tool');
      assert.equal(fake.requests.filter((r) => r.method === 'POST').length, 1, 'no step after Stop');
    } finally {
      answer = async (p) => ({ content: `contents of ${p.arguments.path}` });
    }
  });
});
