// The model's thinking in the chat (issue 16, item 2): the controller turns chat/delta.reasoning into
// assistantReasoning messages and never puts the thinking into the conversation it sends back; the
// webview (real bundle, real CSP, headless Chromium) shows it in a collapsed "Thinking" block that
// fills live, as text only.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { lib } from './support.mjs';
import { deliver, pieces, startWebviewHarness } from './webviewHarness.mjs';

const THOUGHT = 'The user says hi. <img src=x onerror="window.__pwned=1"> A short greeting fits.';

/** A transport whose chat/send streams thinking, then the answer; records what is sent. */
function thinkingTransport({ stored } = {}) {
  const sent = [];
  let deliverDelta;
  const transport = {
    request: async (def, params) => {
      sent.push({ method: def.method, params: structuredClone(params) });
      if (def.method === 'chat/session') return { session: { id: params.sessionId, title: 'q', createdAt: '', updatedAt: '', messageCount: 2 }, messages: stored };
      if (def.method !== 'chat/send') throw new Error(`unexpected ${def.method}`);
      for (const r of pieces(THOUGHT)) deliverDelta({ streamId: params.streamId, delta: '', reasoning: r });
      for (const d of ['Hello', ' there!']) deliverDelta({ streamId: params.streamId, delta: d });
      return { sessionId: 's1', content: 'Hello there!', reasoning: THOUGHT, finishReason: 'stop', timings: { ttftMs: 5, totalMs: 9, tokensPerSecond: 10 } };
    },
    onNotification: (method, handler) => { if (method === 'chat/delta') deliverDelta = handler; return { dispose() {} }; },
    methods: () => ['chat/send', 'chat/session'],
  };
  return { transport, sent };
}

describe('ChatController and the model\'s thinking', () => {
  it('streams thinking as assistantReasoning before the answer, and never sends it back to the model', async () => {
    const { transport, sent } = thinkingTransport();
    const posted = [];
    const controller = new lib.ChatController(transport, (m) => posted.push(m));
    await controller.handle({ type: 'send', text: 'hi' });
    const reasoning = posted.filter((m) => m.type === 'assistantReasoning');
    assert.equal(reasoning.map((m) => m.delta).join(''), THOUGHT);
    const answer = posted.filter((m) => m.type === 'assistantDelta');
    assert.equal(answer.map((m) => m.delta).join(''), 'Hello there!');
    assert.ok(answer.every((m) => m.delta !== ''), 'thinking-only notifications add no empty answer delta');
    assert.ok(posted.indexOf(reasoning.at(-1)) < posted.indexOf(answer[0]));
    assert.equal(new Set(posted.filter((m) => m.id).slice(1).map((m) => m.id)).size, 1, 'all belong to the one answer');

    await controller.handle({ type: 'send', text: 'again' });
    const second = sent.filter((s) => s.method === 'chat/send')[1].params;
    assert.deepEqual(second.messages, [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'Hello there!' }, { role: 'user', content: 'again' }]);
    assert.ok(!JSON.stringify(second).includes('user says hi'));
  });

  it('a stored answer shows its thinking again, and the conversation goes on without it', async () => {
    const { transport, sent } = thinkingTransport({
      stored: [
        { seq: 1, role: 'user', content: 'q1', createdAt: '' },
        { seq: 2, role: 'assistant', content: 'a1', reasoning: 'old thoughts', finishReason: 'stop', createdAt: '' },
      ],
    });
    const posted = [];
    const controller = new lib.ChatController(transport, (m) => posted.push(m));
    await controller.openSession('s1');
    assert.deepEqual(posted.map((m) => m.type), ['clear', 'userMessage', 'assistantStart', 'assistantReasoning', 'assistantDelta', 'assistantEnd']);
    assert.equal(posted[3].delta, 'old thoughts');
    await controller.handle({ type: 'send', text: 'q2' });
    const send = sent.find((s) => s.method === 'chat/send').params;
    assert.deepEqual(send.messages, [{ role: 'user', content: 'q1' }, { role: 'assistant', content: 'a1' }, { role: 'user', content: 'q2' }]);
  });

  it('a stored agent turn shows its tool cards again, as they ended', async () => {
    const { transport } = thinkingTransport({
      stored: [
        { seq: 1, role: 'user', content: 'fix it', createdAt: '' },
        { seq: 2, role: 'assistant', content: 'Done.', finishReason: 'stop', createdAt: '', toolCalls: [
          { id: 'c1', name: 'read_file', arguments: { path: 'a.ts' }, result: 'export {}', isError: false },
          { id: 'c2', name: 'run_command', arguments: { command: 'rm -rf /' }, result: 'denied by the user', isError: true },
          { id: 'c3', name: 'files__grep', arguments: '{broken', result: 'no such file', isError: true },
        ] },
      ],
    });
    const posted = [];
    const controller = new lib.ChatController(transport, (m) => posted.push(m));
    await controller.openSession('s1');
    assert.deepEqual(posted.map((m) => m.type), ['clear', 'userMessage', 'assistantStart', 'toolCall', 'toolCall', 'toolCall', 'assistantDelta', 'assistantEnd']);
    const cards = posted.filter((m) => m.type === 'toolCall');
    assert.deepEqual(cards.map((c) => [c.callId, c.name, c.state]), [['c1', 'read_file', 'done'], ['c2', 'run_command', 'denied'], ['c3', 'files__grep', 'failed']]);
    assert.deepEqual(JSON.parse(cards[0].args), { path: 'a.ts' });
    assert.equal(cards[2].args, '{broken');
    assert.equal(cards[0].result, 'export {}');
    assert.ok(cards.every((c) => c.id === posted[2].id), 'the cards belong to that answer');
  });
});

describe('the Thinking block in the chat webview (Chromium)', () => {
  let harness;
  before(async () => { harness = await startWebviewHarness(); });
  after(async () => { await harness?.close(); });

  it('streams live into a collapsed block above the answer, as text, and is kept in the view state', async () => {
    const { p, errors } = await harness.openChat();
    await deliver(p, [{ type: 'userMessage', id: 'u1', text: 'hi' }, { type: 'assistantStart', id: 'a1' },
      ...pieces(THOUGHT.slice(0, 30)).map((delta) => ({ type: 'assistantReasoning', id: 'a1', delta }))]);
    const block = p.locator('.msg.assistant details.thinking');
    assert.equal(await block.count(), 1);
    assert.equal(await block.evaluate((d) => d.open), false, 'folded away');
    assert.equal(await block.locator('summary').innerText(), 'Thinking…', 'says it is live');
    assert.equal(await block.locator('.thinking-text').textContent(), THOUGHT.slice(0, 30), 'filled while it streams');

    await deliver(p, [...pieces(THOUGHT.slice(30)).map((delta) => ({ type: 'assistantReasoning', id: 'a1', delta })),
      { type: 'assistantDelta', id: 'a1', delta: 'Hello **there**!' },
      { type: 'assistantEnd', id: 'a1', finishReason: 'stop' }]);
    assert.equal(await block.locator('summary').innerText(), 'Thinking');
    assert.equal(await block.locator('.thinking-text').textContent(), THOUGHT, 'shown literally');
    assert.equal(await p.locator('img').count(), 0, 'no element from the thinking');
    assert.equal(await p.evaluate(() => window.__pwned), undefined);
    // Above the answer, which is rendered as before (markdown), without the thinking in it.
    assert.equal(await p.locator('.msg.assistant > :nth-child(2)').evaluate((e) => e.className), 'thinking');
    assert.equal(await p.locator('.msg.assistant .body strong').innerText(), 'there');
    assert.ok(!(await p.locator('.msg.assistant .body').innerText()).includes('user says hi'));
    await block.locator('summary').click();
    assert.equal(await block.evaluate((d) => d.open), true, 'opens on click');

    // The saved view state (what a hidden view is restored from) keeps the thinking apart.
    const saved = await p.evaluate(() => window.__state);
    assert.equal(saved?.messages?.find((m) => m.id === 'a1')?.reasoning, THOUGHT);
    assert.deepEqual(errors, []);
    await p.close();
  });

  it('an answer without thinking has no block', async () => {
    const { p } = await harness.openChat();
    await deliver(p, [{ type: 'assistantStart', id: 'a2' }, { type: 'assistantDelta', id: 'a2', delta: 'Plain.' }, { type: 'assistantEnd', id: 'a2', finishReason: 'stop' }]);
    assert.equal(await p.locator('details.thinking').count(), 0);
    await p.close();
  });
});
