// Select Model, API keys and progress routing against the fake sidecar (the vscode-free parts;
// the QuickPick itself is exercised end to end in tests/e2e/cases/30-models.mjs).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeSupervisorsStoppedAfterEach, lib } from './support.mjs';

const start = fakeSupervisorsStoppedAfterEach();

function memorySecrets(initial) {
  const data = new Map(Object.entries(initial));
  return { data, get: async (k) => data.get(k), store: async (k, v) => { data.set(k, v); }, delete: async (k) => { data.delete(k); } };
}

describe('API keys', () => {
  it('pushes every stored key on start and again after a restart, and never logs a key', async () => {
    const { sup, log, events } = start('models');
    const secrets = memorySecrets({
      [lib.secretKeyFor('openai')]: 'sk-openai-secret-1234',
      [lib.secretKeyFor('anthropic')]: 'sk-ant-secret-99',
      [lib.secretKeyFor('gone')]: 'sk-of-a-provider-that-no-longer-exists',
    });
    const keys = new lib.ApiKeys(secrets, sup, log);
    const pushes = [];
    sup.onDidStart(() => pushes.push(keys.pushAll()));
    await sup.start();
    assert.deepEqual((await pushes[0]).sort(), ['anthropic', 'openai']);
    await sup.restart();
    assert.equal(pushes.length, 2, 'pushed again after the restart');
    assert.deepEqual((await pushes[1]).sort(), ['anthropic', 'openai']);
    const sets = events().filter((e) => e.startsWith('setApiKey'));
    assert.deepEqual(sets.sort(), ['setApiKey anthropic 16', 'setApiKey anthropic 16', 'setApiKey openai 21', 'setApiKey openai 21']);
    assert.doesNotMatch(log.text(), /sk-/);
    const listed = await sup.request(lib.protocol.Requests.providersList, {});
    assert.equal(listed.find((p) => p.id === 'openai').hasApiKey, true);
  });

  it('set stores and sends a key; remove forgets it in both places', async () => {
    const { sup, log, events } = start('models');
    await sup.start();
    const secrets = memorySecrets({});
    const keys = new lib.ApiKeys(secrets, sup, log);
    await keys.set('anthropic', 'abc');
    assert.equal(secrets.data.get(lib.secretKeyFor('anthropic')), 'abc');
    assert.equal(await keys.has('anthropic'), true);
    await keys.remove('anthropic');
    assert.equal(await keys.has('anthropic'), false);
    assert.deepEqual(events().filter((e) => e.startsWith('setApiKey')), ['setApiKey anthropic 3', 'setApiKey anthropic null']);
  });

  it('the Hugging Face token is kept like a key and reaches the sidecar through models/setHuggingFaceToken, at start too', async () => {
    const { sup, log, events } = start('models');
    const secrets = memorySecrets({ [lib.secretKeyFor(lib.HUGGING_FACE.id)]: 'hf_stored_token_0123' });
    const keys = new lib.ApiKeys(secrets, sup, log);
    const pushes = [];
    sup.onDidStart(() => pushes.push(keys.pushAll()));
    await sup.start();
    assert.deepEqual(await pushes[0], ['huggingface']);
    await keys.set(lib.HUGGING_FACE.id, 'hf_new');
    await keys.remove(lib.HUGGING_FACE.id);
    assert.deepEqual(events().filter((e) => /^set(ApiKey|HuggingFaceToken)/.test(e)), ['setHuggingFaceToken 20', 'setHuggingFaceToken 6', 'setHuggingFaceToken null'],
      'never sent as a provider key');
    assert.equal(secrets.data.size, 0);
    assert.doesNotMatch(log.text(), /hf_/);
  });
});

describe('provider base URLs (editorAssist.providers.baseUrls)', () => {
  const providers = [
    { id: 'local', displayName: 'On this machine', kind: 'local', baseUrl: undefined },
    { id: 'vllm', displayName: 'vLLM', kind: 'remote', baseUrl: 'http://localhost:8000/v1' },
    { id: 'openai', displayName: 'OpenAI', kind: 'remote', baseUrl: 'https://api.openai.com/v1' },
  ];

  it('configures what differs, leaves what matches, and resets only providers it configured before', () => {
    const plan = lib.planBaseUrls(providers, { vllm: ' http://gpu-box:8000/v1/ ', openai: 'https://api.openai.com/v1' }, ['openai', 'anthropic']);
    assert.deepEqual(plan.configure, [{ providerId: 'vllm', baseUrl: 'http://gpu-box:8000/v1' }], 'openai already matches; anthropic is unknown');
    assert.deepEqual(plan.managed, ['vllm', 'openai']);
    assert.deepEqual(plan.problems, []);
    assert.match(plan.notices.join(), /vLLM at gpu-box:8000 is reached over plain http/);
    const removed = lib.planBaseUrls(providers, { vllm: '' }, ['vllm', 'openai']);
    assert.deepEqual(removed.configure, [{ providerId: 'vllm', baseUrl: '' }, { providerId: 'openai', baseUrl: '' }]);
    assert.deepEqual(removed.managed, []);
    assert.deepEqual(lib.planBaseUrls(providers, { vllm: 'http://127.0.0.1:9000/v1' }, []).notices, [], 'http on this machine needs no word');
  });

  it('says why an entry is ignored', () => {
    const plan = lib.planBaseUrls(providers, {
      nope: 'https://x.example', local: 'http://127.0.0.1:1', openai: 'api.openai.com', vllm: 'ftp://gpu-box/v1',
    }, []);
    assert.deepEqual(plan.configure, []);
    assert.equal(plan.problems.length, 4, plan.problems.join('\n'));
    assert.match(plan.problems[0], /"nope" is not a provider \(known: vllm, openai\)/);
    assert.match(plan.problems[1], /has no base URL/);
    assert.match(plan.problems[2], /not an absolute URL/);
    assert.match(plan.problems[3], /neither http nor https/);
    assert.match(lib.planBaseUrls(providers, { openai: 'https://user:pw@proxy.example/v1' }, []).problems[0], /must not carry credentials/);
    assert.deepEqual(lib.planBaseUrls(providers, 'not an object', []).configure, []);
  });

  it('applies the setting to the sidecar, remembers what it configured, and resets it when the entry goes', async () => {
    const { sup, log, events } = start('models');
    await sup.start();
    const memento = new Map();
    const store = { get: (k) => memento.get(k), update: async (k, v) => { memento.set(k, v); } };
    const first = await lib.applyBaseUrls(sup, { openai: 'http://192.0.2.7:8080/v1' }, store, log);
    assert.deepEqual(first.changed, ['openai']);
    const openai = (await sup.request(lib.protocol.Requests.providersList, {})).find((p) => p.id === 'openai');
    assert.equal(openai.baseUrl, 'http://192.0.2.7:8080/v1');
    assert.equal(openai.privacy, 'cloud', 'another machine is not loopback');
    assert.deepEqual((await lib.applyBaseUrls(sup, { openai: 'http://192.0.2.7:8080/v1' }, store, log)).changed, [], 'nothing to do the second time');
    assert.deepEqual((await lib.applyBaseUrls(sup, {}, store, log)).changed, ['openai']);
    const withProblem = await lib.applyBaseUrls(sup, { local: 'http://127.0.0.1:1' }, store, log);
    assert.match(withProblem.problems.join(), /has no base URL/);
    assert.deepEqual(events().filter((e) => e.startsWith('configure')), ['configure openai http://192.0.2.7:8080/v1', 'configure openai ']);
    assert.deepEqual(memento.get('editorAssist.providers.managedBaseUrls'), []);
  });

  it('a stopped sidecar is left alone (the next start applies the setting)', async () => {
    const { sup, log } = start('models');
    const store = { get: () => undefined, update: async () => assert.fail('nothing to remember') };
    assert.deepEqual(await lib.applyBaseUrls(sup, { openai: 'https://proxy.example/v1' }, store, log), { changed: [], problems: [], notices: [] });
  });
});

describe('Select Model data', () => {
  it('groups what the sidecar reports; downloaded catalog entries are not offered again', async () => {
    const { sup } = start('models');
    await sup.start();
    const input = await lib.loadPickerInput(sup, 'local/tiny');
    assert.equal(input.localOnly, false);
    const entries = lib.buildModelPicker(input);
    assert.deepEqual(entries.filter((e) => e.kind === 'separator').map((e) => e.label),
      ['Local', 'Available to download', 'Ollama', 'OpenAI · needs an API key · Cloud'], 'Anthropic lists no models: no group');
    const items = entries.filter((e) => e.kind === 'item');
    assert.deepEqual(items.map((i) => i.action), [
      { type: 'use', ref: 'local/tiny' },
      { type: 'download', catalogId: 'qwen-small' },
      { type: 'use', ref: 'ollama/llama3.2:3b' },
      { type: 'setKeyThenUse', providerId: 'openai', ref: 'openai/gpt-4.1-mini' },
    ]);
    assert.equal(items[0].picked, true);
    assert.equal(items[1].description, '1.0 GiB · Q4_K_M · CPU only');
    assert.equal(lib.providerOf('openai/gpt-4.1-mini', input.providers).privacy, 'cloud');
    const small = lib.buildModelPicker({ ...input, models: [{ ...input.models[0], local: { ...input.models[0].local, sizeBytes: 300 * 1024 } }] });
    assert.equal(small.find((e) => e.kind === 'item').description, '300 KiB · Q8_0', 'a small test model does not read "0 MiB"');
  });

  it('a key set through ApiKeys turns "needs an API key" into "API key set"', async () => {
    const { sup, log } = start('models');
    await sup.start();
    await new lib.ApiKeys(memorySecrets({}), sup, log).set('openai', 'k');
    const entries = lib.buildModelPicker(await lib.loadPickerInput(sup, undefined));
    assert.ok(entries.some((e) => e.label === 'OpenAI · API key set · Cloud'));
    assert.deepEqual(entries.find((e) => e.label === 'GPT-4.1 mini').action, { type: 'use', ref: 'openai/gpt-4.1-mini' });
  });

  it('local-only mode (router/get) hides cloud models', async () => {
    const { sup } = start('models,local-only');
    await sup.start();
    const input = await lib.loadPickerInput(sup, undefined);
    assert.equal(input.localOnly, true);
    const labels = lib.buildModelPicker(input).map((e) => e.label).join('|');
    assert.match(labels, /tiny/);
    assert.match(labels, /Ollama/);
    assert.doesNotMatch(labels, /OpenAI|GPT/);
  });
});

describe('ProgressHub', () => {
  it('routes $/progress of a models/load to the token that asked for it, and only to it', async () => {
    const { sup } = start('models');
    await sup.start();
    const hub = new lib.ProgressHub(sup);
    const mine = [];
    const other = [];
    const a = hub.track((v) => mine.push(v));
    const b = hub.track((v) => other.push(v));
    assert.notEqual(a.token, b.token);
    await sup.request(lib.protocol.Requests.modelsLoad, { ref: 'local/tiny', workDoneToken: a.token });
    assert.deepEqual(mine.map((v) => v.percentage ?? v.kind), ['begin', 25, 50, 100, 'end']);
    assert.deepEqual(other, []);
    a.dispose();
    await sup.request(lib.protocol.Requests.modelsLoad, { ref: 'local/tiny', workDoneToken: a.token });
    assert.equal(mine.length, 5, 'nothing after dispose');
    hub.dispose();
  });
});

describe('choosing a Select Model entry', () => {
  const providers = [
    { id: 'local', displayName: 'On this machine', kind: 'local', privacy: 'onDevice', requiresApiKey: false, hasApiKey: false },
    { id: 'ollama', displayName: 'Ollama', kind: 'remote', privacy: 'loopback', requiresApiKey: false, hasApiKey: false },
    { id: 'openai', displayName: 'OpenAI', kind: 'remote', privacy: 'cloud', requiresApiKey: true, hasApiKey: false },
  ];
  function steps({ consentAnswer = true, key = true, loadOk = true, downloadOk = true } = {}) {
    const calls = [];
    const data = new Map();
    const consent = new lib.CloudConsent({ get: (k) => data.get(k), update: async (k, v) => { data.set(k, v); } },
      async (p) => { calls.push(`consent ${p.id}`); return consentAnswer; });
    return {
      calls,
      s: {
        consent: (p) => consent.ensure(p),
        askKey: async (p) => { calls.push(`askKey ${p.id}`); return key; },
        load: async (ref) => { calls.push(`load ${ref}`); return loadOk ? ref : undefined; },
        download: async (id) => { calls.push(`download ${id}`); return downloadOk ? `local/${id}` : undefined; },
        setActive: async (ref) => { calls.push(`active ${ref}`); },
        warn: (m) => calls.push(`warn ${m}`),
      },
    };
  }

  it('a local model is loaded, then becomes the chat model; a failed load changes nothing', async () => {
    let t = steps();
    assert.equal(await lib.chooseModel({ type: 'use', ref: 'local/tiny' }, providers, false, t.s), 'local/tiny');
    assert.deepEqual(t.calls, ['load local/tiny', 'active local/tiny']);
    t = steps({ loadOk: false });
    assert.equal(await lib.chooseModel({ type: 'use', ref: 'local/tiny' }, providers, false, t.s), undefined);
    assert.deepEqual(t.calls, ['load local/tiny']);
  });

  it('a downloadable model is downloaded, loaded and made the chat model; a cancelled download stops there', async () => {
    let t = steps();
    assert.equal(await lib.chooseModel({ type: 'download', catalogId: 'qwen' }, providers, false, t.s), 'local/qwen');
    assert.deepEqual(t.calls, ['download qwen', 'load local/qwen', 'active local/qwen']);
    t = steps({ downloadOk: false });
    await lib.chooseModel({ type: 'download', catalogId: 'qwen' }, providers, false, t.s);
    assert.deepEqual(t.calls, ['download qwen']);
  });

  it('a cloud model asks consent once, then the key when missing; a refusal or no key changes nothing', async () => {
    const action = { type: 'setKeyThenUse', providerId: 'openai', ref: 'openai/gpt-4.1-mini' };
    let t = steps();
    assert.equal(await lib.chooseModel(action, providers, false, t.s), 'openai/gpt-4.1-mini');
    await lib.chooseModel({ type: 'use', ref: 'openai/gpt-4.1' }, providers, false, t.s);
    assert.deepEqual(t.calls, ['consent openai', 'askKey openai', 'active openai/gpt-4.1-mini', 'active openai/gpt-4.1'], 'consent asked once');
    t = steps({ consentAnswer: false });
    assert.equal(await lib.chooseModel(action, providers, false, t.s), undefined);
    assert.deepEqual(t.calls, ['consent openai']);
    t = steps({ key: false });
    assert.equal(await lib.chooseModel(action, providers, false, t.s), undefined);
    assert.deepEqual(t.calls, ['consent openai', 'askKey openai']);
  });

  it('a loopback model needs no consent; local-only mode refuses a cloud one', async () => {
    let t = steps();
    await lib.chooseModel({ type: 'use', ref: 'ollama/llama3.2:3b' }, providers, false, t.s);
    assert.deepEqual(t.calls, ['active ollama/llama3.2:3b']);
    t = steps();
    assert.equal(await lib.chooseModel({ type: 'use', ref: 'openai/gpt-4.1' }, providers, true, t.s), undefined);
    assert.deepEqual(t.calls, ['warn Local-only mode is on; OpenAI is a cloud service.']);
  });
});

describe('downloads from Select Model', () => {
  const quietLog = { info() {}, warn() {} };

  it('reports progress as increments that reach 100 with bytes and ETA, and resolves with the local ref', async () => {
    const { sup } = start('models');
    await sup.start();
    const hub = new lib.ProgressHub(sup);
    const steps = [];
    const never = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) };
    const result = await lib.runDownload(sup, hub, 'qwen-small', (s) => steps.push(s), never, quietLog);
    assert.equal(result.ref, 'local/qwen-small');
    assert.equal(steps.reduce((a, s) => a + (s.increment ?? 0), 0), 100);
    assert.ok(steps.some((s) => /of .* · .*\/s · \d+ s left/.test(s.message)), JSON.stringify(steps));
    assert.equal(steps.at(-1).message, 'Done.');
    hub.dispose();
  });

  it('Cancel stops the job in the sidecar (models/cancelDownload), and the request ends', async () => {
    const { sup, events } = start('models,download-slow');
    await sup.start();
    const hub = new lib.ProgressHub(sup);
    const cts = new (await import('vscode-jsonrpc')).CancellationTokenSource();
    const steps = [];
    const running = lib.runDownload(sup, hub, 'qwen-small', (s) => { steps.push(s); if (steps.length === 3) cts.cancel(); }, cts.token, quietLog);
    await assert.rejects(running, (e) => e.code === -32800 || e.code === 1010);
    assert.ok(events().includes('cancelDownload job-1'), events().join(','));
    const jobs = await sup.request(lib.protocol.Requests.modelsDownloads, undefined);
    assert.equal(jobs[0].state, 'cancelled');
    hub.dispose();
  });
});
