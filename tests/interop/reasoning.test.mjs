// Reasoning (issue 16, item 2) through the real sidecar: a loopback server streams thinking in
// OpenAI-compatible `reasoning_content` / `reasoning` deltas and as Anthropic's signed thinking blocks
// (tests/tools/fakeToolModels.mjs); a generated local GGUF whose chat template opens a think span.
// The thinking arrives in chat/delta's `reasoning`, apart from the answer; chat/send and the stored
// history carry it separately; the next turn's request body (what the fake server received) holds none
// of it. Anthropic's signed block goes back only within the same tool loop, as the API requires.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { writeTestModel } from '../tools/common.mjs';
import { startFakeToolModels } from '../tools/fakeToolModels.mjs';
import { initialize, startSidecar, stopSidecar, tempDir } from './sidecar.mjs';

const THOUGHT = 'The user greets me. A short, friendly reply fits; no tools needed.';
const ANSWER = 'Hello there!';

describe('reasoning from remote providers', () => {
  let fake, s;
  const deltas = [];
  let turn = { reasoning: THOUGHT, text: ANSWER };

  before(async () => {
    fake = await startFakeToolModels({ models: ['thinker'], script: () => turn });
    s = startSidecar({ args: [] });
    await initialize(s.connection, tempDir());
    s.connection.onNotification('chat/delta', (p) => deltas.push(p));
    s.connection.onRequest('chat/toolCall', (p) => ({ content: `contents of ${p.arguments.path}` }));
    await s.connection.sendRequest('providers/configure', { providerId: 'vllm', baseUrl: fake.baseUrl });
    await s.connection.sendRequest('providers/configure', { providerId: 'ollama', baseUrl: fake.root });
    await s.connection.sendRequest('providers/configure', { providerId: 'anthropic', baseUrl: fake.root });
    await s.connection.sendRequest('providers/setApiKey', { providerId: 'anthropic', apiKey: 'sk-ant-fake-thinking' });
  });

  after(async () => {
    if (s) assert.equal(await stopSidecar(s), 0);
    if (fake) await fake.close();
  });

  const posts = () => fake.requests.filter((r) => r.method === 'POST').map((r) => r.body);

  /** One turn, then a follow-up with the history as the extension sends it (role + content only). */
  async function twoTurns(model, streamId) {
    deltas.length = 0;
    fake.requests.length = 0;
    const first = await s.connection.sendRequest('chat/send', { streamId, model, messages: [{ role: 'user', content: 'Hi!' }] });
    const streamed = deltas.filter((d) => d.streamId === streamId);
    const second = await s.connection.sendRequest('chat/send', {
      streamId: `${streamId}-2`, model, sessionId: first.sessionId,
      messages: [{ role: 'user', content: 'Hi!' }, { role: 'assistant', content: first.content }, { role: 'user', content: 'And now?' }],
    });
    return { first, second, streamed, bodies: posts() };
  }

  for (const [label, model, format, field] of [
    ['OpenAI-compatible reasoning_content (vLLM, DeepSeek, llama-server)', 'vllm/thinker', 'openai', 'reasoning_content'],
    ['OpenAI-compatible reasoning (Ollama /v1, OpenRouter)', 'ollama/thinker', 'ollama', 'reasoning'],
    ['a <think> span in the content (a server without a reasoning parser)', 'vllm/thinker', 'openai', 'inline'],
  ]) {
    test(`${label}: thinking arrives apart from the answer and is not sent back`, async () => {
      fake.openAiFormat = format;
      turn = { reasoning: THOUGHT, reasoningField: field, text: ANSWER };
      const { first, second, streamed, bodies } = await twoTurns(model, `oa-${format}-${field}`);
      // Thinking deltas first (delta "" so clients that only append deltas still work), then the answer.
      const thinking = streamed.filter((d) => d.reasoning !== undefined);
      assert.ok(thinking.length >= 2, 'the thinking streamed in pieces');
      assert.ok(thinking.every((d) => d.delta === ''));
      assert.equal(thinking.map((d) => d.reasoning).join(''), THOUGHT);
      assert.equal(streamed.filter((d) => d.reasoning === undefined).map((d) => d.delta).join(''), ANSWER);
      assert.ok(streamed.findIndex((d) => d.reasoning === undefined) > streamed.findLastIndex((d) => d.reasoning !== undefined));
      assert.equal(first.content, ANSWER);
      assert.equal(first.reasoning, THOUGHT);
      assert.equal(second.reasoning, THOUGHT);
      // The follow-up's body (what the server received) has the answer but none of the thinking.
      assert.equal(bodies.length, 2);
      assert.ok(JSON.stringify(bodies[1]).includes(ANSWER));
      assert.ok(!JSON.stringify(bodies[1]).includes('user greets me'), 'the reasoning went back to the model');
      assert.ok(!JSON.stringify(bodies[1]).includes('reasoning'));
      assert.ok(!JSON.stringify(bodies[1]).includes('<think>'));
      // History keeps it apart from the answer.
      const session = await s.connection.sendRequest('chat/session', { sessionId: first.sessionId });
      const answers = session.messages.filter((m) => m.role === 'assistant');
      assert.deepEqual(answers.map((m) => [m.content, m.reasoning]), [[ANSWER, THOUGHT], [ANSWER, THOUGHT]]);
      assert.equal(session.messages.find((m) => m.role === 'user').reasoning, undefined);
    });
  }

  test('an answer without thinking has no reasoning field anywhere', async () => {
    fake.openAiFormat = 'openai';
    turn = { text: ANSWER };
    deltas.length = 0;
    const r = await s.connection.sendRequest('chat/send', { streamId: 'plain', model: 'vllm/thinker', messages: [{ role: 'user', content: 'Hi!' }] });
    assert.equal(r.reasoning, undefined);
    assert.ok(deltas.every((d) => d.reasoning === undefined));
    const session = await s.connection.sendRequest('chat/session', { sessionId: r.sessionId });
    assert.ok(session.messages.every((m) => m.reasoning === undefined));
  });

  test('Anthropic: thinking is asked for by the model setting, streamed apart, and not sent back next turn', async () => {
    fake.openAiFormat = undefined;
    const configured = await s.connection.sendRequest('models/configure', {
      ref: 'anthropic/thinker', params: { thinking: true, reasoningBudget: 2048, temperature: 0.3, maxTokens: 1000 },
    });
    assert.deepEqual(configured.params, { thinking: true, reasoningBudget: 2048, temperature: 0.3, maxTokens: 1000 });
    turn = { reasoning: THOUGHT, text: ANSWER, signature: 'sig-turn-1' };
    const { first, second, streamed, bodies } = await twoTurns('anthropic/thinker', 'an');
    assert.equal(streamed.filter((d) => d.reasoning !== undefined).map((d) => d.reasoning).join(''), THOUGHT);
    assert.equal(streamed.filter((d) => d.reasoning === undefined).map((d) => d.delta).join(''), ANSWER);
    assert.equal(first.content, ANSWER);
    assert.equal(first.reasoning, THOUGHT);
    assert.equal(second.content, ANSWER);
    // The request asked for thinking: the budget, max_tokens with room for the answer on top, and no
    // temperature (the API refuses it together with thinking).
    assert.deepEqual(bodies[0].thinking, { type: 'enabled', budget_tokens: 2048 });
    assert.equal(bodies[0].max_tokens, 1000 + 2048);
    assert.equal(bodies[0].temperature, undefined);
    // The next turn sends the earlier answer as plain text: no thinking block, no signature, no thought.
    const text = JSON.stringify(bodies[1]);
    assert.ok(text.includes(ANSWER));
    assert.ok(!text.includes('user greets me') && !text.includes('sig-turn-1') && !text.includes('"type":"thinking"'), text);
    await s.connection.sendRequest('models/configure', { ref: 'anthropic/thinker', params: { thinking: null, reasoningBudget: null, temperature: null, maxTokens: null } });
  });

  test('Anthropic with tools: the signed thinking block goes back with the tool result, within the loop only', async () => {
    fake.openAiFormat = undefined;
    fake.requests.length = 0;
    deltas.length = 0;
    // Step 1 thinks and calls the tool; step 2 thinks again and answers.
    fake.script = ({ body }) => {
      const sawResult = body.messages.some((m) => Array.isArray(m.content) && m.content.some((b) => b.type === 'tool_result'));
      return sawResult
        ? { reasoning: 'The file says enough.', text: 'Done.', signature: 'sig-step-2' }
        : { reasoning: 'I should read the file first.', calls: [{ name: 'read_file', arguments: { path: 'a.txt' } }], signature: 'sig-step-1' };
    };
    try {
      const r = await s.connection.sendRequest('chat/send', {
        streamId: 'an-tools', model: 'anthropic/thinker', params: { thinking: true },
        messages: [{ role: 'user', content: 'Read a.txt' }],
        tools: [{ name: 'read_file', description: 'Reads a file.', parameters: { type: 'object', properties: { path: { type: 'string' } } } }],
      });
      assert.equal(r.steps, 2);
      assert.equal(r.content, 'Done.');
      assert.equal(r.reasoning, 'I should read the file first.The file says enough.');
      const [step1, step2] = posts();
      // Thinking on without a budget: the API's default of ours (4096), above its minimum of 1024.
      assert.equal(step1.thinking.type, 'enabled');
      assert.ok(step1.thinking.budget_tokens >= 1024);
      // Step 2 carries step 1's thinking block, signed, before the tool_use it led to.
      const assistant = step2.messages.at(-2);
      assert.equal(assistant.role, 'assistant');
      assert.deepEqual(assistant.content[0], { type: 'thinking', thinking: 'I should read the file first.', signature: 'sig-step-1' });
      assert.equal(assistant.content[1].type, 'tool_use');
    } finally {
      fake.script = () => turn;
    }
  });

  test('a reasoning budget below the API minimum is refused with -32602', async () => {
    await assert.rejects(
      s.connection.sendRequest('models/configure', { ref: 'anthropic/thinker', params: { reasoningBudget: 100 } }),
      (e) => e.code === -32602 && /reasoningBudget/.test(e.message));
    await assert.rejects(
      s.connection.sendRequest('chat/send', { streamId: 'bad', model: 'anthropic/thinker', params: { reasoningBudget: 10 }, messages: [{ role: 'user', content: 'x' }] }),
      (e) => e.code === -32602 && /reasoningBudget/.test(e.message));
  });
});

describe('reasoning from a local model', () => {
  const dir = tempDir();
  // A generated model whose chat template's generation prompt opens a think span (as QwQ's and
  // DeepSeek-R1's do): the runtime puts "<think>\n" after the assistant prefix (libllama renders the
  // template family and drops it), so everything the model writes until "</think>" is thinking. The
  // random weights never write "</think>", so the whole answer is thinking: deterministic, and the
  // splitter's other paths (tag across pieces, answer after the span) are unit-tested on token streams.
  const thinking = writeTestModel(path.join(dir, 'tiny-thinking.gguf'), 'tiny-thinking');
  const plain = writeTestModel(path.join(dir, 'tiny-plain.gguf'));
  const s = startSidecar();
  const deltas = [];
  s.connection.onNotification('chat/delta', (p) => deltas.push(p));
  const ready = initialize(s.connection, path.join(dir, 'storage'), { settings: { 'local.allowGpu': false } });
  after(async () => { await ready; assert.equal(await stopSidecar(s), 0); });

  test('a template that opens the think span: the output streams as reasoning, the answer stays empty', async () => {
    await ready;
    const { ref } = await s.connection.sendRequest('models/load', { path: thinking });
    deltas.length = 0;
    const r = await s.connection.sendRequest('chat/send', { streamId: 'lt', model: ref, messages: [{ role: 'user', content: 'Hi!' }], params: { maxTokens: 24, temperature: 0 } });
    assert.ok(r.usage.completionTokens > 0);
    const mine = deltas.filter((d) => d.streamId === 'lt');
    assert.ok(mine.length > 0 && mine.every((d) => d.delta === '' && typeof d.reasoning === 'string'), JSON.stringify(mine.slice(0, 3)));
    assert.equal(mine.map((d) => d.reasoning).join(''), r.reasoning);
    assert.ok(r.reasoning.length > 0);
    assert.equal(r.content, '');
    const session = await s.connection.sendRequest('chat/session', { sessionId: r.sessionId });
    assert.deepEqual(session.messages.map((m) => [m.role, m.content, m.reasoning]), [['user', 'Hi!', undefined], ['assistant', '', r.reasoning]]);
  });

  test('the next turn\'s prompt holds none of the thinking (counted in the prompt the model evaluates)', async () => {
    await ready;
    const { ref } = await s.connection.sendRequest('models/load', { path: thinking });
    const params = { maxTokens: 8, temperature: 0 };
    const first = await s.connection.sendRequest('chat/send', { streamId: 'ln1', model: ref, messages: [{ role: 'user', content: 'Hi!' }], params: { maxTokens: 24, temperature: 0 } });
    assert.ok(first.reasoning.length > 0);
    const history = [{ role: 'user', content: 'Hi!' }, { role: 'assistant', content: first.content }, { role: 'user', content: 'And now?' }];
    // Continuing the stored session (where the thinking is kept) and the same messages in a new one: the
    // model evaluates the same prompt; with the thinking pasted into the answer it would be longer.
    const continued = await s.connection.sendRequest('chat/send', { streamId: 'ln2', model: ref, sessionId: first.sessionId, messages: history, params });
    const fresh = await s.connection.sendRequest('chat/send', { streamId: 'ln3', model: ref, messages: history, params });
    const leaked = await s.connection.sendRequest('chat/send', { streamId: 'ln4', model: ref, params,
      messages: [history[0], { role: 'assistant', content: `<think>${first.reasoning}</think>${first.content}` }, history[2]] });
    assert.equal(continued.usage.promptTokens, fresh.usage.promptTokens);
    assert.ok(leaked.usage.promptTokens > continued.usage.promptTokens + 4, `${leaked.usage.promptTokens} vs ${continued.usage.promptTokens}`);
  });

  test('a template without think tags streams as before: no reasoning', async () => {
    await ready;
    const { ref } = await s.connection.sendRequest('models/load', { path: plain });
    deltas.length = 0;
    const r = await s.connection.sendRequest('chat/send', { streamId: 'lp', model: ref, messages: [{ role: 'user', content: 'Hi!' }], params: { maxTokens: 16, temperature: 0 } });
    assert.equal(r.reasoning, undefined);
    assert.ok(deltas.filter((d) => d.streamId === 'lp').every((d) => d.reasoning === undefined));
    assert.equal(deltas.filter((d) => d.streamId === 'lp').map((d) => d.delta).join(''), r.content);
  });
});
