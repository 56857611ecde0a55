import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeSupervisor, lib, waitFor } from './support.mjs';

/** A controller over a supervisor running the fake sidecar; `posted` collects webview messages. */
async function chatOver(mode, context, log = () => undefined, activity = undefined) {
  const { sup, events } = fakeSupervisor(mode);
  await sup.start();
  const posted = [];
  let notify;
  const changed = (listener) => { notify = listener; return { dispose() {} }; };
  const sent = [];
  const controller = new lib.ChatController({
    request: (def, params, token) => { sent.push(structuredClone(params)); return sup.request(def, params, token); },
    onNotification: (m, h) => sup.onNotification(m, h),
    methods: () => sup.serverInfo?.capabilities?.methods,
  }, (m) => { posted.push(m); notify?.(m); }, () => context, () => ({}), log, activity);
  return { sup, events, controller, posted, sent, onPost: changed };
}

describe('model activity (the status bar\'s state and tokens/s)', () => {
  it('a chat shows generating while it runs, then ready with the answer\'s tokens/s', async () => {
    const activity = new lib.ModelActivity();
    const seen = [];
    activity.onDidChange(() => seen.push(lib.describeStatus(activity.status('local/echo')).suffix));
    const { sup, controller } = await chatOver('chat', undefined, () => undefined, activity);
    await controller.handle({ type: 'send', text: 'hello' });
    assert.deepEqual(seen, [' · generating', ' · 42.0 tok/s'], 'the chat asked for no model: any chat model counts as generating');
    assert.deepEqual(activity.status('local/echo'), { state: 'ready', tokensPerSecond: 42 });
    assert.deepEqual(activity.status('local/other'), {}, 'nothing known about another model');
    await sup.stop();
  });

  it('follows the local runtime: loading, generating, unloaded (idle), error with its reason; a restart forgets it', () => {
    const activity = new lib.ModelActivity();
    const ref = 'local/qwen';
    const at = (state, detail) => { activity.runtimeChanged({ ref, state, detail }); return lib.describeStatus(activity.status(ref)); };
    assert.equal(at('loading').suffix, ' · loading');
    assert.equal(at('loading').icon, '$(sync~spin)');
    assert.equal(at('ready').suffix, '');
    let fired = 0;
    activity.onDidChange(() => fired++);
    assert.equal(at('generating').suffix, '', 'an inline completion keystroke does not make the chat model look busy');
    assert.equal(at('ready').suffix, '');
    assert.equal(fired, 0, 'nothing changed, nothing to render');
    activity.chatStarted(ref);
    assert.equal(lib.describeStatus(activity.status(ref)).suffix, ' · generating', 'a chat does');
    activity.chatEnded(ref, ref, 12.345);
    assert.equal(lib.describeStatus(activity.status(ref)).suffix, ' · 12.3 tok/s');
    assert.equal(at('idle').suffix, ' · unloaded');
    const error = at('error', 'out of memory');
    assert.equal(error.suffix, ' · error');
    assert.match(error.tooltip, /out of memory/);
    activity.reset();
    assert.deepEqual(activity.status(ref), { state: 'ready', tokensPerSecond: 12.345 }, 'the speed is kept, the runtime state is not');
    activity.chatStarted(ref);
    activity.chatStarted(ref);
    activity.chatEnded(ref);
    assert.equal(activity.status(ref).state, 'generating', 'one of two chats still runs');
    activity.chatEnded(ref);
    assert.equal(activity.status(ref).state, 'ready');
  });
});

describe('ChatController', () => {
  it('a question asked while the sidecar starts waits for it instead of saying it is not running', async () => {
    const { sup } = fakeSupervisor('chat');
    const posted = [];
    const controller = new lib.ChatController({
      request: (def, params, token) => sup.request(def, params, token),
      onNotification: (m, h) => sup.onNotification(m, h),
      methods: () => (sup.state === 'running' ? sup.serverInfo?.capabilities?.methods : undefined),
      starting: () => sup.state === 'starting',
    }, (m) => posted.push(m));
    assert.deepEqual(controller.availability(), { available: false, reason: 'The EditorAssist sidecar is not running.' });
    const started = sup.start();
    assert.equal(sup.state, 'starting');
    assert.deepEqual(controller.availability(), { available: true });
    await controller.handle({ type: 'send', text: 'early' });
    await started;
    assert.equal(posted.some((m) => m.type === 'notice'), false, JSON.stringify(posted));
    assert.equal(posted.at(-1).finishReason, 'stop');
    assert.equal(posted.filter((m) => m.type === 'assistantDelta').map((m) => m.delta).join(''), 'You said: early');
    await sup.stop();
  });

  it('streams deltas in order and ends with the finish reason and speed', async () => {
    const { sup, controller, posted } = await chatOver('chat');
    await controller.handle({ type: 'send', text: 'hello' });
    const types = posted.map((m) => m.type);
    assert.deepEqual(types, ['userMessage', 'assistantStart', 'assistantDelta', 'assistantDelta', 'assistantDelta', 'assistantEnd']);
    assert.equal(posted.filter((m) => m.type === 'assistantDelta').map((m) => m.delta).join(''), 'You said: hello');
    const end = posted.at(-1);
    assert.equal(end.finishReason, 'stop');
    assert.equal(end.tokensPerSecond, 42);
    assert.equal(new Set(posted.slice(1).map((m) => m.id)).size, 1, 'all assistant messages share one id');
    await sup.stop();
  });

  it('Stop cancels the request in the sidecar', async () => {
    const { sup, controller, posted, onPost, events } = await chatOver('chat-slow');
    const sending = controller.handle({ type: 'send', text: 'go on forever' });
    await waitFor(onPost, (m) => m.type === 'assistantDelta');
    await controller.handle({ type: 'stop' });
    await sending;
    assert.equal(posted.at(-1).type, 'assistantEnd');
    assert.equal(posted.at(-1).finishReason, 'cancelled');
    assert.ok(events().includes('chat/cancelled'), 'the sidecar saw $/cancelRequest');
    await sup.stop();
  });

  it('says chat is unavailable when the sidecar does not offer chat/send', async () => {
    const { sup, controller, posted } = await chatOver('');
    await controller.handle({ type: 'ready' });
    assert.equal(posted[0].type, 'state');
    assert.equal(posted[0].available, false);
    await controller.handle({ type: 'send', text: 'hi' });
    assert.equal(posted[1].type, 'notice');
    assert.match(posted[1].text, /chat\/send/);
    await sup.stop();
  });

  it('ends the answer with an error when the sidecar dies mid-stream', async () => {
    const { sup, controller, posted, onPost } = await chatOver('chat-slow');
    const sending = controller.handle({ type: 'send', text: 'x' });
    await waitFor(onPost, (m) => m.type === 'assistantDelta');
    process.kill(sup.pid, 'SIGKILL');
    await sending;
    const end = posted.at(-1);
    assert.equal(end.finishReason, 'error');
    assert.match(end.error, /sidecar stopped .* while handling "chat\/send"/);
    await sup.stop();
  });
});

describe('ChatController conversation', () => {
  it('regenerate drops the last answer and asks again with the same history', async () => {
    const { sup, controller, posted, sent } = await chatOver('chat');
    await controller.handle({ type: 'send', text: 'first' });
    const firstId = posted.find((m) => m.type === 'assistantStart').id;
    await controller.handle({ type: 'regenerate' });
    assert.deepEqual(posted.find((m) => m.type === 'removeMessage'), { type: 'removeMessage', id: firstId });
    assert.deepEqual(sent[1].messages, [{ role: 'user', content: 'first' }]);
    await controller.handle({ type: 'send', text: 'second' });
    assert.deepEqual(sent[2].messages.map((m) => m.role), ['user', 'assistant', 'user']);
    assert.equal(sent[2].messages[1].content, 'You said: first');
    assert.equal(sent[2].sessionId, 's1', 'the session id from the first answer is reused');
    await sup.stop();
  });

  it('sends the selection along only when asked, fenced with its language', async () => {
    const { sup, controller, sent } = await chatOver('chat', { path: 'src/a.py', languageId: 'python', text: 'def f():\n    return 1' });
    await controller.handle({ type: 'send', text: 'plain' });
    await controller.handle({ type: 'send', text: 'explain', includeSelection: true });
    assert.equal(sent[0].messages.at(-1).content, 'plain');
    assert.equal(sent[1].messages.at(-1).content, 'explain\n\nContext from src/a.py:\n```python\ndef f():\n    return 1\n```');
    await sup.stop();
  });

  it('keeps a stopped partial answer in the conversation', async () => {
    const { sup, controller, sent, onPost } = await chatOver('chat-slow');
    const sending = controller.handle({ type: 'send', text: 'long' });
    await waitFor(onPost, (m) => m.type === 'assistantDelta');
    await controller.handle({ type: 'stop' });
    await sending;
    const slow = controller.handle({ type: 'send', text: 'next' });
    await waitFor(onPost, (m) => m.type === 'assistantDelta');
    await controller.handle({ type: 'stop' });
    await slow;
    assert.deepEqual(sent[1].messages.map((m) => m.role), ['user', 'assistant', 'user']);
    assert.match(sent[1].messages[1].content, /^tick 0 /);
    await sup.stop();
  });
});

describe('ChatController first-token timing', () => {
  it('logs the webview\'s Enter → first paint next to the sidecar\'s time to first token, once', async () => {
    const lines = [];
    const { sup, controller, posted, onPost } = await chatOver('chat', undefined, (l) => lines.push(l));
    // The paint report can come after the answer (the usual order for a fast model)…
    await controller.handle({ type: 'send', text: 'one' });
    const first = posted.find((m) => m.type === 'assistantStart').id;
    assert.deepEqual(lines, [], 'nothing before the webview reports its paint');
    await controller.handle({ type: 'firstTokenPainted', id: first, ms: 41.26, deltaToPaintMs: 9.04 });
    await controller.handle({ type: 'firstTokenPainted', id: first, ms: 99 }); // a repeat is ignored
    assert.equal(lines.length, 1);
    // The fake sidecar reports ttftMs 1; the extension host times request → first delta itself.
    const line = /^Chat first token painted 41\.3 ms after Enter \(sidecar time to first token 1 ms; extension host request → first delta ([\d.]+) ms; webview first delta → painted 9 ms\)$/.exec(lines[0]);
    assert.ok(line, lines[0]);
    assert.ok(Number(line[1]) < 10_000);
    // …or before it, while the answer still streams.
    let paintedEarly;
    onPost((m) => {
      if (m.type === 'assistantDelta' && !paintedEarly) paintedEarly = controller.handle({ type: 'firstTokenPainted', id: m.id, ms: 7 });
    });
    await controller.handle({ type: 'send', text: 'two' });
    await paintedEarly;
    assert.equal(lines.length, 2);
    assert.match(lines[1], /^Chat first token painted 7 ms after Enter \(sidecar time to first token 1 ms; extension host request → first delta [\d.]+ ms\)$/);
    await sup.stop();
  });

  it('ignores paint reports for answers it did not ask for, and says when the sidecar reported no time', async () => {
    const lines = [];
    const { sup, controller, posted, onPost } = await chatOver('chat-slow', undefined, (l) => lines.push(l));
    await controller.handle({ type: 'firstTokenPainted', id: 'a999-forged', ms: 5 });
    const sending = controller.handle({ type: 'send', text: 'long' });
    const delta = await waitFor(onPost, (m) => m.type === 'assistantDelta');
    await controller.handle({ type: 'firstTokenPainted', id: delta.id, ms: 12 });
    await controller.handle({ type: 'stop' });
    await sending;
    assert.equal(posted.at(-1).finishReason, 'cancelled');
    assert.equal(lines.length, 1);
    assert.match(lines[0], /^Chat first token painted 12 ms after Enter \(sidecar time to first token not reported; extension host request → first delta [\d.]+ ms\)$/);
    await sup.stop();
  });
});

describe('webview messages', () => {
  it('accepts well-formed messages and drops everything else', () => {
    assert.deepEqual(lib.parseFromWebview({ type: 'send', text: 'hi', extra: 1 }), { type: 'send', text: 'hi' });
    assert.deepEqual(lib.parseFromWebview({ type: 'runCommand', command: 'loadModelFile' }), { type: 'runCommand', command: 'loadModelFile' });
    assert.equal(lib.parseFromWebview({ type: 'runCommand', command: 'workbench.action.terminal.new' }), undefined, 'only the model commands');
    assert.equal(lib.parseFromWebview({ type: 'runCommand', command: 'toString' }), undefined);
    assert.deepEqual(lib.parseFromWebview({ type: 'send', text: 'hi', includeSelection: 'yes' }), { type: 'send', text: 'hi' });
    assert.deepEqual(lib.parseFromWebview({ type: 'send', text: 'hi', includeSelection: true }), { type: 'send', text: 'hi', includeSelection: true });
    assert.deepEqual(lib.parseFromWebview({ type: 'regenerate' }), { type: 'regenerate' });
    assert.deepEqual(lib.parseFromWebview({ type: 'newFile', code: 'x', language: 'python' }), { type: 'newFile', code: 'x', language: 'python' });
    assert.deepEqual(lib.parseFromWebview({ type: 'firstTokenPainted', id: 'a1-x', ms: 12.5, extra: 1 }), { type: 'firstTokenPainted', id: 'a1-x', ms: 12.5 });
    assert.deepEqual(lib.parseFromWebview({ type: 'firstTokenPainted', id: 'a1', ms: 12.5, deltaToPaintMs: 3 }), { type: 'firstTokenPainted', id: 'a1', ms: 12.5, deltaToPaintMs: 3 });
    assert.deepEqual(lib.parseFromWebview({ type: 'firstTokenPainted', id: 'a1', ms: 12.5, deltaToPaintMs: -3 }), { type: 'firstTokenPainted', id: 'a1', ms: 12.5 });
    for (const bad of [{ type: 'firstTokenPainted', id: 'a1', ms: -1 }, { type: 'firstTokenPainted', id: 'a1', ms: Number.NaN },
      { type: 'firstTokenPainted', id: 'a1', ms: '12' }, { type: 'firstTokenPainted', ms: 3 }, { type: 'firstTokenPainted', id: 'x'.repeat(200), ms: 3 }]) {
      assert.equal(lib.parseFromWebview(bad), undefined, JSON.stringify(bad));
    }
    for (const bad of [null, 'send', {}, { type: 'send' }, { type: 'send', text: '   ' }, { type: 'send', text: 5 },
      { type: 'newFile', code: 'x', language: '"><script>' }, { type: 'eval', code: '1' }, { type: 'openLink' }]) {
      assert.equal(lib.parseFromWebview(bad), undefined, JSON.stringify(bad));
    }
  });
  it('opens only web and mail links', () => {
    assert.ok(lib.isOpenableUrl('https://example.com/a?b=c'));
    assert.ok(lib.isOpenableUrl('mailto:a@b.c'));
    for (const u of ['javascript:alert(1)', 'data:text/html,<script>', 'file:///etc/passwd', 'command:workbench.action.quit', 'vscode://x', 'not a url']) {
      assert.equal(lib.isOpenableUrl(u), false, u);
    }
  });
});

describe('Chat history', () => {
  /** A transport whose sidecar holds one stored conversation; records what is asked of it. */
  function storedTransport() {
    const asked = [];
    const transport = {
      request: async (def, params) => {
        asked.push({ method: def.method, params: structuredClone(params) });
        if (def.method === 'chat/session') {
          return {
            session: { id: params.sessionId, title: 'q1', createdAt: '2026-11-21T08:00:00Z', updatedAt: '2026-11-21T08:01:00Z', messageCount: 3 },
            messages: [
              { seq: 1, role: 'system', content: 'be brief', createdAt: '2026-11-21T08:00:00Z' },
              { seq: 2, role: 'user', content: 'q1', createdAt: '2026-11-21T08:00:00Z' },
              { seq: 3, role: 'assistant', content: 'a1 (partial)', finishReason: 'cancelled', model: 'local/m', createdAt: '2026-11-21T08:01:00Z' },
            ],
          };
        }
        if (def.method === 'chat/deleteSession') return { deleted: true };
        if (def.method === 'chat/send') return { sessionId: params.sessionId ?? 'new', content: 'a2', finishReason: 'stop' };
        throw new Error(`unexpected ${def.method}`);
      },
      onNotification: () => ({ dispose() {} }),
      methods: () => ['chat/send', 'chat/session', 'chat/sessions', 'chat/deleteSession'],
    };
    return { transport, asked };
  }

  it('opening a stored conversation shows it and the next question continues that session', async () => {
    const { transport, asked } = storedTransport();
    const posted = [];
    const controller = new lib.ChatController(transport, (m) => posted.push(m));
    await controller.openSession('s-42');
    assert.deepEqual(posted.map((m) => m.type), ['clear', 'userMessage', 'assistantStart', 'assistantDelta', 'assistantEnd']);
    assert.equal(posted[1].text, 'q1');
    assert.equal(posted[3].delta, 'a1 (partial)');
    assert.equal(posted[4].finishReason, 'cancelled');
    assert.equal(controller.currentSessionId, 's-42');

    await controller.handle({ type: 'send', text: 'q2' });
    const send = asked.find((a) => a.method === 'chat/send').params;
    assert.equal(send.sessionId, 's-42');
    assert.deepEqual(send.messages, [
      { role: 'user', content: 'q1' }, { role: 'assistant', content: 'a1 (partial)' }, { role: 'user', content: 'q2' }]);
  });

  it('deleting the open conversation clears the view; deleting another leaves it', async () => {
    const { transport } = storedTransport();
    const posted = [];
    const controller = new lib.ChatController(transport, (m) => posted.push(m));
    await controller.openSession('s-1');
    posted.length = 0;
    await controller.deleteSession('s-other');
    assert.deepEqual(posted, []);
    assert.equal(controller.currentSessionId, 's-1');
    await controller.deleteSession('s-1');
    assert.deepEqual(posted.map((m) => m.type), ['clear']);
    assert.equal(controller.currentSessionId, undefined);
  });

  it('history rows: titles, counts, model, relative time, the open one marked', () => {
    const now = new Date('2026-11-21T12:00:00Z');
    const rows = lib.historyRows([
      { id: 'a', title: 'Fix the parser', model: 'local/qwen', createdAt: '2026-11-21T11:00:00Z', updatedAt: '2026-11-21T11:55:00Z', messageCount: 4 },
      { id: 'b', title: '  ', createdAt: '2026-11-18T11:00:00Z', updatedAt: '2026-11-19T12:00:00Z', messageCount: 1 },
      { id: 'c', title: 'Old', createdAt: '2026-10-01T00:00:00Z', updatedAt: '2026-10-01T00:00:00Z', messageCount: 2 },
    ], 'a', now);
    assert.deepEqual(rows.map((r) => r.label), ['$(comment-discussion) Fix the parser', 'Untitled conversation', 'Old']);
    assert.deepEqual(rows.map((r) => r.description), ['local/qwen · 4 messages', '1 message', '2 messages']);
    assert.deepEqual(rows.map((r) => r.detail), ['Open now · last message 5 min ago', 'last message 2 days ago', 'last message 2026-10-01']);
    assert.deepEqual(rows.map((r) => r.current), [true, false, false]);
  });
});
