// EditorAssist's models in VS Code's chat (src/lm), without VS Code: the feature check (no
// vscode.lm, or a registration that throws → nothing registered, nothing breaks), the model list
// (local-only hides cloud models, keyless providers stay out, tool calling per provider, no image
// input), the message mapping (tool calls and results both ways), and the provider against a fake
// sidecar (streamed text parts, returned tool calls, consent, 1013, Stop, the token estimate). One
// test runs the provider and the chat view's controller on one real supervisor: both get their own
// chat/delta notifications.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { describe, it } from 'node:test';
import { fakeSupervisorsStoppedAfterEach, lib } from './support.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const outfile = path.join(here, '..', 'out', 'test', 'lm.cjs');
esbuild.buildSync({
  stdin: { contents: "export * from './src/lm/register'; export * from './src/lm/provider'; export * from './src/lm/messages'; export * from './src/lm/models'; export * from './src/lm/tokenCounter';", resolveDir: path.join(here, '..'), loader: 'ts' },
  outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: 'inline', logLevel: 'error',
});
const lm = createRequire(import.meta.url)(outfile);

const log = () => { const lines = []; return { lines, info: (m) => lines.push(`info: ${m}`), warn: (m) => lines.push(`warn: ${m}`) }; };
const host = {
  textPart: (value) => ({ kind: 'text', value }),
  toolCallPart: (callId, name, input) => ({ kind: 'call', callId, name, input }),
  noPermissions: (m) => Object.assign(new Error(m), { code: 'NoPermissions' }),
  notFound: (m) => Object.assign(new Error(m), { code: 'NotFound' }),
};
const never = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) };
const provider = (id, over = {}) => ({ id, displayName: id, kind: 'remote', privacy: 'cloud', requiresApiKey: true, hasApiKey: true, availability: 'unknown',
  capabilities: { chat: true, fim: false, tools: true, json: true }, ...over });
const model = (ref, over = {}) => ({ ref, providerId: ref.split('/')[0], id: ref.slice(ref.indexOf('/') + 1), displayName: ref, roles: ['chat'], ...over });

const PROVIDERS = [
  provider('local', { kind: 'local', privacy: 'onDevice', requiresApiKey: false, hasApiKey: false, availability: 'readily' }),
  provider('vllm', { privacy: 'loopback', requiresApiKey: false, hasApiKey: false, availability: 'readily' }),
  provider('openai'),
  provider('anthropic', { hasApiKey: false }),
  provider('perplexity', { capabilities: { chat: true, fim: false, tools: false, json: false } }),
];
const MODELS = [
  model('local/tiny', { contextLength: 4096 }), model('local/coder', { roles: ['fim'] }), model('vllm/agent-model'),
  model('openai/gpt-4.1-mini', { contextLength: 1_000_000 }), model('anthropic/claude'), model('perplexity/sonar'),
];

/** A fake sidecar: answers by method; `deltas` are sent as chat/delta before chat/send answers. */
function fakeSidecar({ send, localOnly = false, countTokens } = {}) {
  const handlers = new Map();
  const sent = [];
  return {
    state: 'running', sent,
    onNotification: (method, h) => { handlers.set(method, h); return { dispose: () => handlers.delete(method) }; },
    notify: (method, p) => handlers.get(method)?.(p),
    async request(def, params, token) {
      sent.push({ method: def.method, params: structuredClone(params) });
      switch (def.method) {
        case 'providers/list': return PROVIDERS;
        case 'models/list': return { models: MODELS, source: 'api' };
        case 'router/get': return { strategy: localOnly ? 'localOnly' : 'preferLocal' };
        case 'chat/send': return send(params, (delta) => handlers.get('chat/delta')?.({ streamId: params.streamId, delta }), token);
        case 'models/countTokens': return countTokens(params);
        default: throw new Error(`unexpected ${def.method}`);
      }
    },
  };
}
const consent = (answer = true) => { const asked = []; return { asked, ensure: async (p) => { if (p.privacy !== 'cloud') return true; asked.push(p.id); return answer; } }; };
const user = (text) => ({ role: 1, content: [{ value: text }], name: undefined });

describe('the feature check', () => {
  it('without vscode.lm nothing is registered and nothing throws', () => {
    for (const api of [{}, { lm: {} }, { lm: { registerLanguageModelChatProvider: 'not a function' } }]) {
      const l = log();
      const r = lm.registerLmChatProvider(api, { sidecar: fakeSidecar(), host, consent: consent(), log: l });
      assert.equal(r.provider, undefined);
      assert.doesNotThrow(() => r.dispose());
      assert.match(l.lines.join('\n'), /no language-model provider API/);
    }
  });

  it('a registration that throws (vendor not contributed) leaves the feature off with a warning', () => {
    const l = log();
    const r = lm.registerLmChatProvider({ lm: { registerLanguageModelChatProvider: () => { throw new Error('vendor editorassist is not contributed'); } } },
      { sidecar: fakeSidecar(), host, consent: consent(), log: l });
    assert.equal(r.provider, undefined);
    assert.match(l.lines.join('\n'), /warn: .*not contributed/);
  });

  it('registers vendor "editorassist" and unregisters on dispose', () => {
    const calls = [];
    let disposed = 0;
    const r = lm.registerLmChatProvider({ lm: { registerLanguageModelChatProvider: (vendor, p) => { calls.push([vendor, p]); return { dispose: () => disposed++ }; } } },
      { sidecar: fakeSidecar(), host, consent: consent(), log: log() });
    assert.equal(calls.length, 1);
    assert.equal(calls[0][0], 'editorassist');
    assert.equal(calls[0][1], r.provider);
    for (const m of ['provideLanguageModelChatInformation', 'provideLanguageModelChatResponse', 'provideTokenCount']) assert.equal(typeof r.provider[m], 'function');
    r.dispose();
    assert.equal(disposed, 1);
  });
});

describe('the model list', () => {
  it('offers chat models of providers that can serve, with tool calling per provider and no image input', async () => {
    const p = new lm.EditorAssistLmProvider(fakeSidecar(), host, consent(), log());
    const list = await p.provideLanguageModelChatInformation({ silent: true }, never);
    assert.deepEqual(list.map((m) => m.id), ['local/tiny', 'vllm/agent-model', 'openai/gpt-4.1-mini', 'perplexity/sonar'],
      'no FIM-only model, no provider without its key');
    const tiny = list[0];
    assert.equal(tiny.family, 'local');
    assert.equal(tiny.version, 'tiny');
    assert.equal(tiny.detail, 'Local');
    assert.equal(tiny.maxInputTokens + tiny.maxOutputTokens, 4096);
    assert.deepEqual(tiny.capabilities, { toolCalling: true, imageInput: false });
    assert.equal(list[3].capabilities.toolCalling, false);
    assert.match(list[2].detail, /Cloud/);
    assert.match(list[2].tooltip, /Prompts and code are sent to openai/);
    assert.equal(list[1].maxInputTokens + list[1].maxOutputTokens, lm.DEFAULT_CONTEXT, 'an unknown context gets the default');
    assert.ok(p.lists('local/tiny') && !p.lists('local/coder'));
  });

  it('local-only mode leaves cloud models out; loopback servers stay', async () => {
    const p = new lm.EditorAssistLmProvider(fakeSidecar({ localOnly: true }), host, consent(), log());
    assert.deepEqual((await p.provideLanguageModelChatInformation({ silent: true }, never)).map((m) => m.id), ['local/tiny', 'vllm/agent-model']);
  });

  it('a stopped sidecar or a failed listing gives an empty list, not an error', async () => {
    const stopped = { ...fakeSidecar(), state: 'stopped' };
    assert.deepEqual(await new lm.EditorAssistLmProvider(stopped, host, consent(), log()).provideLanguageModelChatInformation({ silent: true }, never), []);
    const failing = { ...fakeSidecar(), request: async () => { throw new Error('boom'); } };
    const l = log();
    assert.deepEqual(await new lm.EditorAssistLmProvider(failing, host, consent(), l).provideLanguageModelChatInformation({ silent: true }, never), []);
    assert.match(l.lines.join('\n'), /warn: .*boom/);
  });

  it('listeners hear changed()', () => {
    const p = new lm.EditorAssistLmProvider(fakeSidecar(), host, consent(), log());
    let n = 0;
    const bag = [];
    p.onDidChangeLanguageModelChatInformation(() => n++, undefined, bag);
    p.changed();
    bag[0].dispose();
    p.changed();
    assert.equal(n, 1);
  });
});

describe('messages both ways', () => {
  it('tool calls and their results keep their structure; names are mapped to valid ones and back', () => {
    const names = new lm.ToolNames();
    const tools = lm.toSidecarTools([{ name: 'mcp.server/read file', description: 'd', inputSchema: { type: 'object', properties: { p: { type: 'string' } } } }, { name: 'plain' , description: 'e' }], names);
    assert.deepEqual(tools.map((t) => t.name), ['mcp_server_read_file', 'plain']);
    assert.deepEqual(tools[1].parameters, { type: 'object', properties: {} });
    assert.equal(names.original('mcp_server_read_file'), 'mcp.server/read file');
    const messages = lm.toSidecarMessages([
      { role: 3, content: [{ value: 'Be brief.' }] },
      user('Read it'),
      { role: 2, content: [{ value: 'Reading. ' }, { callId: 'c1', name: 'mcp.server/read file', input: { p: 'a.txt' } }] },
      { role: 1, content: [{ callId: 'c1', content: [{ value: 'file ' }, { value: 'text' }] }, { value: 'Now summarise.' }] },
      { role: 1, content: [{ callId: 'gone', content: [{ value: 'orphan' }] }] },
    ], names);
    assert.deepEqual(messages, [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Read it' },
      { role: 'assistant', content: 'Reading. ', toolCalls: [{ id: 'c1', name: 'mcp_server_read_file', arguments: { p: 'a.txt' } }] },
      { role: 'tool', toolCallId: 'c1', content: 'file text' },
      { role: 'user', content: 'Now summarise.' },
      { role: 'user', content: 'Result of tool call gone:\norphan' },
    ]);
  });

  it('returned arguments become an object; text that does not parse becomes {}', () => {
    assert.deepEqual(lm.callInput({ a: 1 }), { a: 1 });
    assert.deepEqual(lm.callInput('{"b":2}'), { b: 2 });
    assert.deepEqual(lm.callInput('not json'), {});
  });
});

describe('the provider', () => {
  const listed = async (sidecar, c = consent()) => {
    const p = new lm.EditorAssistLmProvider(sidecar, host, c, log(), () => 1000);
    const models = await p.provideLanguageModelChatInformation({ silent: true }, never);
    return { p, byId: (id) => models.find((m) => m.id === id) };
  };

  it('streams each chat/delta as a text part, then reports the model\'s tool calls under VS Code\'s tool names', async () => {
    const sidecar = fakeSidecar({
      send: async (params, delta) => {
        delta('Let me ');
        delta('check.');
        return { content: 'Let me check.', finishReason: 'toolCalls', pendingToolCalls: [{ id: 'call-7', name: params.tools[0].name, arguments: { city: 'Paris' } }] };
      },
    });
    const { p, byId } = await listed(sidecar);
    const parts = [];
    await p.provideLanguageModelChatResponse(byId('vllm/agent-model'), [user('Weather?')],
      { tools: [{ name: 'weather.get', description: 'Weather', inputSchema: { type: 'object' } }], toolMode: 2, modelOptions: { temperature: 0.2 } },
      { report: (x) => parts.push(x) }, never);
    assert.deepEqual(parts, [
      { kind: 'text', value: 'Let me ' }, { kind: 'text', value: 'check.' },
      { kind: 'call', callId: 'call-7', name: 'weather.get', input: { city: 'Paris' } },
    ]);
    const send = sidecar.sent.find((s) => s.method === 'chat/send').params;
    assert.equal(send.model, 'vllm/agent-model');
    assert.equal(send.runTools, false);
    assert.equal(send.saveHistory, false);
    assert.deepEqual(send.tools, [{ name: 'weather_get', description: 'Weather', parameters: { type: 'object' } }]);
    assert.deepEqual(send.toolChoice, { name: 'weather_get' }, 'Required with one tool forces it');
    assert.deepEqual(send.params, { maxTokens: 1000, temperature: 0.2 });
    assert.deepEqual(send.messages, [{ role: 'user', content: 'Weather?' }]);
  });

  it('deltas of another stream are not reported', async () => {
    const sidecar = fakeSidecar({ send: async (params) => { sidecar.notify('chat/delta', { streamId: 'someone-else', delta: 'x' }); return { content: '' }; } });
    const { p, byId } = await listed(sidecar);
    const parts = [];
    await p.provideLanguageModelChatResponse(byId('local/tiny'), [user('hi')], {}, { report: (x) => parts.push(x) }, never);
    assert.deepEqual(parts, []);
  });

  it('a cloud model asks the consent first; declined → NoPermissions and nothing is sent', async () => {
    const sidecar = fakeSidecar({ send: async () => ({ content: 'sent!' }) });
    const c = consent(false);
    const { p, byId } = await listed(sidecar, c);
    await assert.rejects(p.provideLanguageModelChatResponse(byId('openai/gpt-4.1-mini'), [user('secret code')], {}, { report() {} }, never),
      (e) => e.code === 'NoPermissions' && /openai/.test(e.message));
    assert.deepEqual(c.asked, ['openai']);
    assert.equal(sidecar.sent.filter((s) => s.method === 'chat/send').length, 0);
  });

  it('on-device and loopback models need no consent', async () => {
    const sidecar = fakeSidecar({ send: async () => ({ content: '' }) });
    const c = consent(false);
    const { p, byId } = await listed(sidecar, c);
    await p.provideLanguageModelChatResponse(byId('local/tiny'), [user('x')], {}, { report() {} }, never);
    await p.provideLanguageModelChatResponse(byId('vllm/agent-model'), [user('x')], {}, { report() {} }, never);
    assert.deepEqual(c.asked, []);
  });

  it('the sidecar\'s 1013 (local-only) becomes NoPermissions, 1001 NotFound; Stop ends quietly', async () => {
    const fail = (code) => fakeSidecar({ send: async () => { throw Object.assign(new Error(`code ${code}`), { code }); } });
    for (const [code, kind] of [[1013, 'NoPermissions'], [1001, 'NotFound']]) {
      const { p, byId } = await listed(fail(code));
      await assert.rejects(p.provideLanguageModelChatResponse(byId('local/tiny'), [user('x')], {}, { report() {} }, never), (e) => e.code === kind);
    }
    const { p, byId } = await listed(fail(-32800));
    await p.provideLanguageModelChatResponse(byId('local/tiny'), [user('x')], {}, { report() {} }, never);
  });

  it('a loaded local model counts with its tokenizer: one request per turn of the event loop, counts kept', async () => {
    let exact = true;
    const sidecar = fakeSidecar({ countTokens: async ({ texts }) => ({ counts: texts.map((t) => t.length), exact }) });
    const p = new lm.EditorAssistLmProvider(sidecar, host, consent(), log(), undefined, () => true);
    const models = await p.provideLanguageModelChatInformation({ silent: true }, never);
    const tiny = models.find((m) => m.id === 'local/tiny');
    const counts = () => sidecar.sent.filter((s) => s.method === 'models/countTokens').map((s) => s.params);
    assert.equal(await p.provideTokenCount(tiny, 'x'.repeat(30), never), 10, 'not loaded: the estimate, no request');
    assert.equal(counts().length, 0);
    p.runtimeState('local/tiny', 'ready');
    assert.deepEqual(await Promise.all([p.provideTokenCount(tiny, 'aaaa', never), p.provideTokenCount(tiny, 'bb', never), p.provideTokenCount(tiny, 'aaaa', never)]), [4, 2, 4]);
    assert.deepEqual(counts(), [{ ref: 'local/tiny', texts: ['aaaa', 'bb'] }], 'one request, each text once');
    assert.equal(await p.provideTokenCount(tiny, 'bb', never), 2);
    assert.equal(counts().length, 1, 'asked again: kept');
    const remote = models.find((m) => m.id === 'openai/gpt-4.1-mini');
    assert.equal(await p.provideTokenCount(remote, 'abcdef', never), 2, 'remote: the estimate');
    assert.equal(counts().length, 1);
    exact = false; // unloaded meanwhile: the sidecar estimates, and that is not kept
    assert.equal(await p.provideTokenCount(tiny, 'ccc', never), 3);
    assert.equal(await p.provideTokenCount(tiny, 'ccc', never), 3);
    assert.equal(counts().length, 3);
    p.runtimeState('local/tiny', 'idle');
    assert.equal(await p.provideTokenCount(tiny, 'aaaa', never), 2, 'unloaded: the estimate again');
    p.runtimeState('local/tiny', 'ready');
    exact = true;
    await p.provideTokenCount(tiny, 'aaaa', never);
    assert.equal(counts().length, 4, 'an unload forgot the kept counts');
  });

  it('a failed count falls back to the estimate; a sidecar without the method is never asked', async () => {
    const sidecar = fakeSidecar({ countTokens: async () => { throw new Error('restarting'); } });
    const p = new lm.EditorAssistLmProvider(sidecar, host, consent(), log(), undefined, () => true);
    const tiny = (await p.provideLanguageModelChatInformation({ silent: true }, never)).find((m) => m.id === 'local/tiny');
    p.runtimeState('local/tiny', 'ready');
    assert.equal(await p.provideTokenCount(tiny, 'x'.repeat(9), never), 3);
    const old = new lm.EditorAssistLmProvider(sidecar, host, consent(), log(), undefined, () => false);
    old.runtimeState('local/tiny', 'ready');
    const before = sidecar.sent.length;
    assert.equal(await old.provideTokenCount(tiny, 'x'.repeat(9), never), 3);
    assert.equal(sidecar.sent.length, before);
  });

  it('counts tokens locally, without a sidecar call', async () => {
    const sidecar = fakeSidecar();
    const { p, byId } = await listed(sidecar);
    const before = sidecar.sent.length;
    assert.equal(await p.provideTokenCount(byId('local/tiny'), 'x'.repeat(30), never), 10);
    assert.equal(await p.provideTokenCount(byId('local/tiny'), '', never), 0);
    assert.equal(await p.provideTokenCount(byId('local/tiny'), { role: 2, content: [{ value: 'abc' }, { callId: 'c', name: 'n', input: {} }] }, never), 2);
    assert.equal(sidecar.sent.length, before);
  });
});

describe('one supervisor, two listeners of chat/delta', () => {
  const supervisor = fakeSupervisorsStoppedAfterEach();
  it('the provider and the chat view each get their own stream\'s deltas', async () => {
    const { sup } = supervisor('chat');
    await sup.start();
    const posted = [];
    const controller = new lib.ChatController({
      request: (def, params, token) => sup.request(def, params, token),
      onNotification: (m, h) => sup.onNotification(m, h),
      methods: () => sup.serverInfo?.capabilities?.methods,
    }, (m) => posted.push(m), () => undefined, () => ({}), () => undefined);
    const p = new lm.EditorAssistLmProvider(sup, host, consent(), log());
    const parts = [];
    await Promise.all([
      controller.handle({ type: 'send', text: 'from the view' }),
      p.provideLanguageModelChatResponse({ id: 'local/echo', ref: 'local/echo', providerId: 'local' }, [user('from vscode.lm')], {}, { report: (x) => parts.push(x) }, never),
    ]);
    assert.equal(parts.map((x) => x.value).join(''), 'You said: from vscode.lm');
    const viewText = posted.filter((m) => m.type === 'assistantDelta').map((m) => m.delta).join('');
    assert.match(viewText, /You said: from the view/);
    assert.doesNotMatch(viewText, /vscode\.lm/);
    controller.dispose();
    p.dispose();
  });
});

describe('privacy after a change', () => {
  it('a provider that moved to the cloud after the listing asks the consent (the cache is dropped on changed())', async () => {
    const sidecar = fakeSidecar({ send: async () => ({ content: '' }) });
    const c = consent(false);
    const p = new lm.EditorAssistLmProvider(sidecar, host, c, log());
    const [, vllm] = await p.provideLanguageModelChatInformation({ silent: true }, never);
    assert.equal(vllm.id, 'vllm/agent-model');
    const loopback = PROVIDERS[1];
    PROVIDERS[1] = { ...loopback, privacy: 'cloud' };
    try {
      p.changed();
      await assert.rejects(p.provideLanguageModelChatResponse(vllm, [user('x')], {}, { report() {} }, never), (e) => e.code === 'NoPermissions');
      assert.deepEqual(c.asked, ['vllm']);
    } finally {
      PROVIDERS[1] = loopback;
    }
  });
});
