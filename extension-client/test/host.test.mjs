// The host provider's extension side (src/host/): VS Code's models reported to the sidecar, host/chat
// answered from vscode.lm, Stop passed on, errors mapped, and nothing at all where vscode.lm is missing.
// vscode.lm is faked here; the real one is exercised end to end in tests/e2e/cases/70-host-models.mjs.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import * as esbuild from 'esbuild';
import { lib } from './support.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const outfile = path.join(here, '..', 'out', 'test', 'host.cjs');
esbuild.buildSync({
  entryPoints: [path.join(here, '..', 'src', 'host', 'index.ts')],
  outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error',
});
const host = createRequire(import.meta.url)(outfile);

class TextPart { constructor(value) { this.value = value; } }
class ToolCallPart { constructor(callId, name, input) { Object.assign(this, { callId, name, input }); } }
class ToolResultPart { constructor(callId, content) { Object.assign(this, { callId, content }); } }
class TokenSource {
  constructor() {
    const listeners = [];
    this.token = { isCancellationRequested: false, onCancellationRequested: (l) => { listeners.push(l); return { dispose() {} }; } };
    this.cancel = () => { if (!this.token.isCancellationRequested) { this.token.isCancellationRequested = true; for (const l of listeners) l(); } };
  }
  dispose() {}
}
class LmError extends Error { constructor(message, code) { super(message); this.code = code; } }

/** A fake `vscode` namespace: models answer with `script(messages, options, token)` (an async generator of parts). */
function fakeVscode(models) {
  const changed = [];
  return {
    changed: () => { for (const l of changed) l(); },
    lm: {
      selectChatModels: async (sel) => models.filter((m) => (!sel?.vendor || m.vendor === sel.vendor) && (!sel?.id || m.id === sel.id)),
      onDidChangeChatModels: (l) => { changed.push(l); return { dispose() {} }; },
    },
    LanguageModelChatMessage: { User: (content) => ({ role: 'user', content }), Assistant: (content) => ({ role: 'assistant', content }) },
    LanguageModelTextPart: TextPart,
    LanguageModelToolCallPart: ToolCallPart,
    LanguageModelToolResultPart: ToolResultPart,
    LanguageModelChatToolMode: { Auto: 1, Required: 2 },
    CancellationTokenSource: TokenSource,
  };
}

function model(over, script) {
  const sent = [];
  return {
    sent, id: 'fake-1', name: 'Fake One', vendor: 'fakevendor', family: 'fake-family', version: '1.0', maxInputTokens: 8000,
    capabilities: { supportsToolCalling: true },
    sendRequest: async (messages, options, token) => { sent.push({ messages, options, token }); return { stream: script(messages, options, token) }; },
    ...over,
  };
}

function fakeSidecar() {
  const handlers = new Map();
  const started = [];
  const sent = [];
  return {
    sent, handlers,
    start: () => { for (const l of started) l(); },
    onDidStart: (l) => { started.push(l); return { dispose() {} }; },
    onRequest: (method, h) => { handlers.set(method, h); return { dispose: () => handlers.delete(method) }; },
    notify: (def, params) => sent.push({ method: def.method, params }),
  };
}
const log = () => { const lines = []; return { lines, info: (m) => lines.push(m), warn: (m) => lines.push(m) }; };
const token = () => new TokenSource();
const flush = () => new Promise((r) => setImmediate(r));

describe('the feature check (vscode.lm missing: the feature hides itself)', () => {
  it('accepts a namespace with the language model API and refuses any that lacks part of it', () => {
    const full = fakeVscode([]);
    assert.ok(host.hostModelsApi(full));
    assert.equal(host.hostModelsApi(undefined), undefined);
    assert.equal(host.hostModelsApi({}), undefined, 'an older editor: no vscode.lm');
    assert.equal(host.hostModelsApi({ ...full, lm: { selectChatModels: full.lm.selectChatModels } }), undefined, 'no onDidChangeChatModels');
    assert.equal(host.hostModelsApi({ ...full, LanguageModelChatMessage: undefined }), undefined);
    assert.equal(host.hostModelsApi({ ...full, LanguageModelTextPart: undefined }), undefined);
    const noTools = { ...full, LanguageModelToolCallPart: undefined };
    assert.ok(host.hostModelsApi(noTools), 'tool parts are optional');
    assert.equal(host.supportsToolParts(noTools), false);
    assert.equal(host.supportsToolParts(full), true);
  });

  it('registers nothing with the sidecar when the API is missing, and says so once in the log', () => {
    const sidecar = fakeSidecar();
    const l = log();
    const d = host.registerHostModels({ version: '1.80.0' }, sidecar, l);
    sidecar.start();
    assert.equal(sidecar.handlers.size, 0);
    assert.deepEqual(sidecar.sent, []);
    assert.match(l.lines.join('\n'), /no language model API/);
    d.dispose();
  });
});

describe('the host bridge', () => {
  it('reports VS Code\'s models at every sidecar start and on every change, never EditorAssist\'s own', async () => {
    const models = [model({}, async function* () {}), model({ vendor: 'editorassist', id: 'local/tiny', name: 'Tiny' }, async function* () {})];
    const vscode = fakeVscode(models);
    const sidecar = fakeSidecar();
    const bridge = host.registerHostModels(vscode, sidecar, log());
    sidecar.start();
    await flush();
    models.push(model({ id: 'fake-2', name: 'Fake Two', capabilities: undefined, maxInputTokens: 0 }, async function* () {}));
    vscode.changed();
    await flush();
    const pushes = sidecar.sent.filter((s) => s.method === 'host/didChangeModels').map((s) => s.params.models);
    assert.equal(pushes.length, 2);
    assert.deepEqual(pushes[0], [{ vendor: 'fakevendor', id: 'fake-1', name: 'Fake One', family: 'fake-family', version: '1.0', maxInputTokens: 8000, toolCalling: true }]);
    assert.deepEqual(pushes[1].map((m) => m.id), ['fake-1', 'fake-2']);
    assert.equal(pushes[1][1].toolCalling, undefined, 'unknown when VS Code does not say');
    assert.equal(pushes[1][1].maxInputTokens, undefined);
    bridge.dispose();
    assert.equal(sidecar.handlers.size, 0);
  });

  it('streams text parts as host/delta and answers with their count; tool calls come back whole', async () => {
    const m = model({}, async function* () {
      yield new TextPart('Hel');
      yield new TextPart('');
      yield { unknownPart: true };
      yield new TextPart('lo');
      yield new ToolCallPart('c1', 'read_file', { path: 'a.txt' });
    });
    const sidecar = fakeSidecar();
    host.registerHostModels(fakeVscode([m]), sidecar, log());
    const result = await sidecar.handlers.get('host/chat')({
      streamId: 's1', model: { vendor: 'fakevendor', id: 'fake-1' },
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Read a.txt' },
        { role: 'assistant', content: '', toolCalls: [{ callId: 'c0', name: 'read_file', input: { path: 'b.txt' } }, { callId: 'c00', name: 'read_file', input: { path: 'c.txt' } }] },
        { role: 'tool', content: 'B', toolCallId: 'c0' },
        { role: 'tool', content: 'C', toolCallId: 'c00', isError: true },
      ],
      tools: [{ name: 'read_file', description: 'Reads', inputSchema: { type: 'object' } }], toolMode: 'auto',
    }, token().token);
    assert.deepEqual(sidecar.sent.map((s) => s.params.delta), ['Hel', 'lo']);
    assert.ok(sidecar.sent.every((s) => s.method === 'host/delta' && s.params.streamId === 's1'));
    assert.deepEqual(result, { deltas: 2, finishReason: 'toolCalls', toolCalls: [{ callId: 'c1', name: 'read_file', input: { path: 'a.txt' } }] });
    const { messages, options } = m.sent[0];
    assert.deepEqual(options.tools, [{ name: 'read_file', description: 'Reads', inputSchema: { type: 'object' } }]);
    assert.equal(options.toolMode, 1);
    assert.match(options.justification, /EditorAssist/);
    // system → user; the assistant's calls as ToolCallParts; both results merged into one user message.
    assert.deepEqual(messages.map((x) => x.role), ['user', 'user', 'assistant', 'user']);
    assert.equal(messages[0].content, 'Be brief.');
    assert.deepEqual(messages[2].content.map((p) => p.constructor.name), ['ToolCallPart', 'ToolCallPart']);
    assert.deepEqual(messages[3].content.map((p) => [p.constructor.name, p.callId, p.content[0].value]), [['ToolResultPart', 'c0', 'B'], ['ToolResultPart', 'c00', 'C']]);
  });

  it('a forced tool is toolMode Required; an editor without tool parts gets no tools', async () => {
    const m = model({}, async function* () { yield new TextPart('ok'); });
    const sidecar = fakeSidecar();
    host.registerHostModels(fakeVscode([m]), sidecar, log());
    const p = { streamId: 's', model: { vendor: 'fakevendor', id: 'fake-1' }, messages: [{ role: 'user', content: 'x' }], tools: [{ name: 't', description: '', inputSchema: {} }], toolMode: 'required' };
    await sidecar.handlers.get('host/chat')(p, token().token);
    assert.equal(m.sent[0].options.toolMode, 2);

    const older = fakeSidecar();
    host.registerHostModels({ ...fakeVscode([m]), LanguageModelToolCallPart: undefined }, older, log());
    await older.handlers.get('host/chat')(p, token().token);
    assert.equal(m.sent[1].options.tools, undefined);
  });

  it('Stop: the sidecar\'s cancel trips the vscode.lm request\'s own token', async () => {
    let reached;
    const waiting = new Promise((r) => { reached = r; });
    const m = model({}, async function* (_msgs, _opts, t) {
      yield new TextPart('partial');
      await new Promise((resolve) => { reached(); t.onCancellationRequested(resolve); });
      throw new Error('Canceled');
    });
    const sidecar = fakeSidecar();
    host.registerHostModels(fakeVscode([m]), sidecar, log());
    const cts = token();
    const answer = sidecar.handlers.get('host/chat')({ streamId: 's', model: { vendor: 'fakevendor', id: 'fake-1' }, messages: [{ role: 'user', content: 'x' }] }, cts.token);
    await waiting;
    assert.equal(m.sent[0].token.isCancellationRequested, false);
    cts.cancel();
    await assert.rejects(answer, (e) => e.code === -32800);
    assert.equal(m.sent[0].token.isCancellationRequested, true);
  });

  it('maps vscode.lm errors to codes the sidecar can fall back on', async () => {
    const cases = [['NoPermissions', 1003, 'noPermissions'], ['Blocked', 1006, 'blocked'], ['NotFound', 1003, 'notFound'], [undefined, 1003, 'error']];
    for (const [code, expected, cause] of cases) {
      const m = model({}, async function* () {});
      m.sendRequest = async () => { throw new LmError(`refused (${code})`, code); };
      const sidecar = fakeSidecar();
      host.registerHostModels(fakeVscode([m]), sidecar, log());
      await assert.rejects(
        sidecar.handlers.get('host/chat')({ streamId: 's', model: { vendor: 'fakevendor', id: 'fake-1' }, messages: [{ role: 'user', content: 'x' }] }, token().token),
        (e) => e.code === expected && e.data.cause === cause && e.message.includes('Fake One') && e.message.includes('fakevendor'));
    }
    const sidecar = fakeSidecar();
    host.registerHostModels(fakeVscode([]), sidecar, log());
    await assert.rejects(
      sidecar.handlers.get('host/chat')({ streamId: 's', model: { vendor: 'fakevendor', id: 'gone' }, messages: [] }, token().token),
      (e) => e.code === 1003 && e.data.cause === 'hostModelGone');
  });
});

describe('Select Model with VS Code\'s models', () => {
  const hostProvider = { id: 'host', displayName: 'VS Code', kind: 'remote', privacy: 'cloud', requiresApiKey: false, hasApiKey: false, availability: 'readily', capabilities: { chat: true, fim: false, tools: true, json: false } };
  const hostModel = { ref: 'host/fakevendor/fake-1', providerId: 'host', id: 'fakevendor/fake-1', displayName: 'Fake One', roles: ['chat'], host: { vendor: 'fakevendor', family: 'fake-family' } };

  it('lists them under "VS Code · Cloud" with vendor and family, and hides them in local-only mode', () => {
    const entries = lib.buildModelPicker({ providers: [hostProvider], models: [hostModel], catalog: [], localOnly: false });
    assert.deepEqual(entries[0], { kind: 'separator', label: 'VS Code · Cloud' });
    assert.equal(entries[1].label, 'Fake One');
    assert.equal(entries[1].description, 'fakevendor · fake-family');
    assert.match(entries[1].detail, /fakevendor/);
    assert.deepEqual(lib.buildModelPicker({ providers: [hostProvider], models: [hostModel], catalog: [], localOnly: true }), []);
  });

  it('asks consent once per vendor, not once for VS Code', async () => {
    const asked = [];
    const store = new Map();
    const consent = new lib.CloudConsent({ get: (k) => store.get(k), update: async (k, v) => { store.set(k, v); } }, async (p) => { asked.push(p.displayName); return true; });
    const steps = (set) => ({ consent: (p) => consent.ensure(p), askKey: async () => true, load: async () => undefined, download: async () => undefined, setActive: async (r) => set.push(r), warn: () => undefined });
    const set = [];
    for (const ref of ['host/fakevendor/fake-1', 'host/fakevendor/fake-2', 'host/othervendor/x']) {
      assert.equal(await lib.chooseModel({ type: 'use', ref }, [hostProvider], false, steps(set)), ref);
    }
    assert.deepEqual(asked, ['fakevendor (a VS Code model)', 'othervendor (a VS Code model)']);
    assert.deepEqual(set, ['host/fakevendor/fake-1', 'host/fakevendor/fake-2', 'host/othervendor/x']);
    const warned = [];
    assert.equal(await lib.chooseModel({ type: 'use', ref: 'host/fakevendor/fake-1' }, [hostProvider], true, { ...steps([]), warn: (m) => warned.push(m) }), undefined);
    assert.match(warned[0], /Local-only/);
  });
});

describe('Choose Routing Strategy', () => {
  const hostProvider = { id: 'host', displayName: 'VS Code', kind: 'remote', privacy: 'cloud', requiresApiKey: false, hasApiKey: false, availability: 'readily', capabilities: { chat: true, fim: false, tools: true, json: false } };
  const models = ['host/copilot/gpt-4o', 'host/copilot/claude', 'host/fakevendor/fake-1'].map((ref) => ({ ref, providerId: 'host', id: ref.slice(5), displayName: ref, roles: ['chat'] }));
  function steps(pick, answer) {
    const sets = [];
    const asked = [];
    return {
      sets, asked,
      pick: async (choices, current) => { assert.deepEqual(choices.map((c) => c.strategy), ['preferLocal', 'hostFirst', 'cloudFirst', 'localOnly']); assert.equal(current, 'preferLocal'); return pick; },
      consent: async (p) => { asked.push(p.id); return answer(p); },
      request: async (def, params) => {
        if (def.method === 'router/get') return { strategy: 'preferLocal', fallback: true, order: [] };
        if (def.method === 'providers/list') return [hostProvider];
        if (def.method === 'models/list') { assert.deepEqual(params, { providerId: 'host' }); return { models, source: 'api' }; }
        if (def.method === 'router/set') { sets.push(params.strategy); return { strategy: params.strategy, fallback: true, order: [] }; }
        throw new Error(def.method);
      },
    };
  }

  it('hostFirst asks each VS Code vendor\'s consent once, then sets the strategy', async () => {
    const s = steps('hostFirst', () => true);
    assert.equal(await host.chooseRouting(s), 'hostFirst');
    assert.deepEqual(s.asked, ['host:copilot', 'host:fakevendor']);
    assert.deepEqual(s.sets, ['hostFirst']);
  });

  it('a vendor refused keeps the current strategy; the same choice or none changes nothing', async () => {
    const refused = steps('hostFirst', (p) => p.id !== 'host:fakevendor');
    assert.equal(await host.chooseRouting(refused), undefined);
    assert.deepEqual(refused.sets, []);
    for (const pick of [undefined, 'preferLocal']) {
      const s = steps(pick, () => true);
      assert.equal(await host.chooseRouting(s), undefined);
      assert.deepEqual(s.sets, []);
    }
    const cloud = steps('cloudFirst', () => { throw new Error('no consent is asked for other strategies'); });
    assert.equal(await host.chooseRouting(cloud), 'cloudFirst');
  });
});
