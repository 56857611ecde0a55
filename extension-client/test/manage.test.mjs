// Download Model and Manage Models without VS Code: the pick built from catalog + fit, the
// Hugging Face input, the manage list (disk use, downloads with their actions, models), delete
// and free-up-space against the fake sidecar, and the settings the sidecar reads. The QuickPicks
// themselves run end to end in tests/e2e/cases/50-downloads.mjs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeSupervisorsStoppedAfterEach, lib } from './support.mjs';

const start = fakeSupervisorsStoppedAfterEach();

const GiB = 2 ** 30;
const entry = (id, fit, over = {}) => ({
  id, ref: `local/${id}`, displayName: id.toUpperCase(), repo: `org/${id}-GGUF`, file: `${id}.gguf`, revision: 'main',
  sizeBytes: GiB, sizeApproximate: true, quant: 'Q4_K_M', parameters: 1e9, contextLength: 4096, roles: ['chat'], license: 'mit',
  fit, downloaded: false, ...over,
});

describe('Download Model pick', () => {
  const catalog = [
    entry('huge', { verdict: 'tooLarge', gpuLayers: 0, estimatedBytes: 40 * GiB }),
    entry('coder', { verdict: 'partialGpu', gpuLayers: 20, estimatedBytes: 3 * GiB }, { roles: ['chat', 'fim'], quant: 'Q8_0' }),
    entry('have', { verdict: 'fullGpu', gpuLayers: 99, estimatedBytes: GiB }, { downloaded: true }),
    entry('cpu', { verdict: 'cpuOnly', gpuLayers: 0, estimatedBytes: 2 * GiB }),
    entry('gpu', { verdict: 'fullGpu', gpuLayers: 99, estimatedBytes: GiB }, { sizeApproximate: false }),
  ];

  it('offers what is not downloaded, fitting ones first, with size, quantization, roles and the fit verdict; then the Hugging Face item', () => {
    const items = lib.buildDownloadPick(catalog);
    assert.deepEqual(items.map((i) => i.action.type === 'catalog' ? i.action.entry.id : i.action.type), ['gpu', 'coder', 'cpu', 'huge', 'huggingFace']);
    const [gpu, coder, cpu, huge, hf] = items;
    assert.equal(gpu.description, '1.0 GiB · Q4_K_M · chat', 'an exact size has no ~');
    assert.equal(coder.description, '~1.0 GiB · Q8_0 · chat, code completion');
    assert.match(gpu.detail, /^fits on the GPU · org\/gpu-GGUF · mit$/);
    assert.match(coder.detail, /^partly on the GPU \(20 layers\), the rest on the CPU · /);
    assert.match(cpu.detail, /^runs on the CPU · /);
    assert.equal(gpu.action.confirmTooLarge, false);
  });

  it('marks a too-large entry with a warning and asks for confirmation before its download', () => {
    const huge = lib.buildDownloadPick(catalog).find((i) => i.action.entry?.id === 'huge');
    assert.equal(huge.label, '$(warning) HUGE');
    assert.match(huge.detail, /^too large for this machine \(needs about 40\.0 GiB of memory\)/);
    assert.equal(huge.action.confirmTooLarge, true);
  });

  it('shows an entry whose download is running or paused with its progress', () => {
    const items = lib.buildDownloadPick(catalog, [
      { id: 'j1', ref: 'local/cpu', fileName: 'cpu.gguf', state: 'running', bytes: GiB / 4, totalBytes: GiB, catalogId: 'cpu' },
      { id: 'j2', ref: 'local/gpu', fileName: 'gpu.gguf', state: 'paused', bytes: 0, totalBytes: GiB, catalogId: 'gpu' },
      { id: 'j3', ref: 'local/coder', fileName: 'coder.gguf', state: 'done', bytes: GiB, totalBytes: GiB, catalogId: 'coder' },
    ]);
    assert.match(items.find((i) => i.action.entry?.id === 'cpu').description, / · downloading 25 %$/);
    assert.match(items.find((i) => i.action.entry?.id === 'gpu').description, / · paused 0 %$/);
    assert.doesNotMatch(items.find((i) => i.action.entry?.id === 'coder').description, /downloading|paused/);
  });

  it('an empty catalog still offers the Hugging Face item', () => {
    assert.deepEqual(lib.buildDownloadPick([]).map((i) => i.label), [`$(cloud-download) ${lib.HF_ITEM_LABEL}`]);
  });

  it('offers completion after a download only when the catalog says the model does fill-in-the-middle', () => {
    assert.deepEqual(lib.usesAfterDownload(['chat', 'fim']), ['chat', 'completion']);
    assert.deepEqual(lib.usesAfterDownload(['chat']), ['chat']);
    assert.deepEqual(lib.usesAfterDownload(undefined), ['chat']);
  });
});

describe('Hugging Face file or URL', () => {
  const ok = (text) => {
    const p = lib.parseModelInput(text);
    assert.equal(p.ok, true, `${text}: ${p.error}`);
    return p.target;
  };
  const bad = (text, re) => {
    const p = lib.parseModelInput(text);
    assert.equal(p.ok, false, `${text} should be refused`);
    assert.match(p.error, re);
  };

  it('reads owner/repo/file.gguf, files in folders, @revision and hf:// paths as repo + file', () => {
    assert.deepEqual(ok('  Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF/qwen2.5-coder-0.5b-instruct-q8_0.gguf '),
      { repo: 'Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF', file: 'qwen2.5-coder-0.5b-instruct-q8_0.gguf' });
    assert.deepEqual(ok('owner/repo/sub/dir/Model.Q4.GGUF'), { repo: 'owner/repo', file: 'sub/dir/Model.Q4.GGUF' });
    assert.deepEqual(ok('hf://owner/repo@v1.0/m.gguf'), { repo: 'owner/repo', file: 'm.gguf', revision: 'v1.0' });
    assert.deepEqual(ok('HF://owner/repo/m.gguf'), { repo: 'owner/repo', file: 'm.gguf' });
  });

  it('reads a huggingface.co resolve or page link as repo + file (so a mirror serves it); other URLs stay URLs', () => {
    assert.deepEqual(ok('https://huggingface.co/owner/repo/resolve/main/m.gguf?download=true'), { repo: 'owner/repo', file: 'm.gguf' });
    assert.deepEqual(ok('https://huggingface.co/owner/repo/blob/abc123/dir/m.gguf'), { repo: 'owner/repo', file: 'dir/m.gguf', revision: 'abc123' });
    assert.deepEqual(ok('https://example.com/files/my%20model.gguf'), { url: 'https://example.com/files/my%20model.gguf' });
    assert.deepEqual(ok('http://127.0.0.1:8080/m.gguf'), { url: 'http://127.0.0.1:8080/m.gguf' });
    assert.deepEqual(ok('http://localhost/m.gguf'), { url: 'http://localhost/m.gguf' });
  });

  it('refuses what the sidecar would refuse or cannot be a model file, saying why', () => {
    bad('', /Enter owner\/repo\/file\.gguf/);
    bad('owner/repo', /Expected owner\/repo\/file\.gguf/);
    bad('owner//m.gguf', /Expected owner\/repo\/file\.gguf/);
    bad('owner/repo/readme.md', /must be a GGUF model/);
    bad('owner/repo/../../etc/passwd.gguf', /"\." or "\.\."/);
    bad('-bad/repo/m.gguf', /not a Hugging Face repository name/);
    bad('owner/re po/m.gguf', /not a Hugging Face repository name/);
    bad('hf://datasets/owner/data/m.gguf', /Only model repositories/);
    bad('http://example.com/m.gguf', /Only https URLs/);
    bad('ftp://example.com/m.gguf', /Only https URLs/);
    bad('https://user:pw@example.com/m.gguf', /credentials/);
    bad('https://example.com/model.bin', /must be a GGUF model/);
    bad('https://huggingface.co/owner/repo', /must point at a file/);
  });

  it('names a target in messages', () => {
    assert.equal(lib.describeTarget({ catalogId: 'qwen' }), 'qwen');
    assert.equal(lib.describeTarget({ repo: 'o/r', file: 'm.gguf' }), 'o/r/m.gguf');
    assert.equal(lib.describeTarget({ repo: 'o/r', file: 'm.gguf', revision: 'v2' }), 'o/r/m.gguf @ v2');
  });

  it('runDownload sends repo + file and Cancel finds the job by the ref the sidecar announced', async () => {
    const { sup, events } = start('models');
    await sup.start();
    const hub = new lib.ProgressHub(sup);
    const never = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) };
    const result = await lib.runDownload(sup, hub, { repo: 'o/r', file: 'dir/My-Model.gguf' }, () => {}, never, { info() {}, warn() {} });
    assert.equal(result.ref, 'local/my-model');
    assert.ok(events().includes('download o/r/dir/My-Model.gguf'), events().join(','));
    hub.dispose();

    const slow = start('models,download-slow');
    await slow.sup.start();
    const hub2 = new lib.ProgressHub(slow.sup);
    const cts = new (await import('vscode-jsonrpc')).CancellationTokenSource();
    let n = 0;
    const pending = lib.runDownload(slow.sup, hub2, { url: 'https://example.com/x.gguf' }, () => { if (++n === 3) cts.cancel(); }, cts.token, { info() {}, warn() {} });
    await assert.rejects(pending, (e) => e.code === -32800 || e.code === 1010);
    assert.ok(slow.events().includes('cancelDownload job-1'), slow.events().join(','));
    hub2.dispose();
  });
});

describe('Manage Models list', () => {
  const now = new Date('2025-06-01T12:00:00Z');

  it('shows disk use, the downloads with Pause/Resume/Cancel, the models with size, last use, loaded flag and actions', async () => {
    const { sup } = start('models,storage');
    await sup.start();
    const input = await lib.loadManageInput(sup);
    const list = lib.buildManageList({ ...input, chatRef: 'local/tiny', completionRef: undefined }); // the fake's tiny was used 5 min ago
    const items = list.filter((e) => e.kind === 'item');
    assert.deepEqual(list.filter((e) => e.kind === 'separator').map((e) => e.label), ['Downloads', 'Downloaded models', '']);

    const header = items[0];
    assert.equal(header.action.type, 'storage');
    assert.equal(header.label, '$(warning) Models use 3.5 GiB', 'over its 3 GiB quota');
    assert.equal(header.description, 'quota 3.0 GiB (over) · 10.0 GiB free on disk');
    assert.equal(header.detail, '/m');

    const downloads = items.filter((i) => i.action.type === 'download');
    assert.deepEqual(downloads.map((d) => [d.label, d.description, d.action.ops]), [
      ['$(sync~spin) coder.gguf', '25 % · 512 MiB of 2.0 GiB · running', ['pause', 'cancel']],
      ['$(debug-pause) mirror-file.gguf', '1 KiB · paused', ['resume', 'cancel']],
    ]);

    const models = items.filter((i) => i.action.type === 'model');
    assert.deepEqual(models.map((m) => m.label), ['tiny', 'old-chat', 'never'], 'loaded first, then by last use');
    const [tiny, old, never] = models;
    assert.equal(tiny.description, '300 KiB · used 5 min ago · loaded · chat model');
    assert.deepEqual(tiny.action.ops, ['useForCompletion', 'unload', 'settings', 'delete'], 'already the chat model; loaded so it can be unloaded');
    assert.equal(old.description, '2.0 GiB · used 2020-01-02');
    assert.equal(never.description, '1.0 GiB · never used');
    assert.deepEqual(never.action.ops, ['useForChat', 'useForCompletion', 'settings', 'delete']);

    assert.deepEqual(items.slice(-4).map((i) => i.action.type), ['freeUpSpace', 'downloadNew', 'modelSettings', 'performance']);
    assert.equal(items.at(-4).label, '$(trash) Free up space…');
  });

  it('uses the catalog for names and roles: no completion for a chat-only catalog model', () => {
    const storage = { modelsDir: '/m', usedBytes: GiB, diskFreeBytes: GiB, models: [
      { ref: 'local/chatty', fileName: 'chatty.gguf', sizeBytes: GiB, loaded: false },
      { ref: 'local/coder', fileName: 'coder.gguf', sizeBytes: GiB, loaded: false },
    ] };
    const catalog = [entry('chatty', { verdict: 'fullGpu', gpuLayers: 1, estimatedBytes: 1 }), entry('coder', { verdict: 'fullGpu', gpuLayers: 1, estimatedBytes: 1 }, { roles: ['chat', 'fim'] })];
    const list = lib.buildManageList({ storage, downloads: [], catalog, completionRef: 'local/coder', now });
    const [chatty, coder] = list.filter((e) => e.action?.type === 'model');
    assert.equal(chatty.detail, 'CHATTY · chat');
    assert.deepEqual(chatty.action.ops, ['useForChat', 'settings', 'delete']);
    assert.equal(coder.detail, 'CODER · chat, code completion');
    assert.match(coder.description, /completion model$/);
    assert.equal(list[0].description, 'no quota · 1.0 GiB free on disk');
    assert.equal(list.find((e) => e.kind === 'separator').label, 'Downloaded models');
    assert.equal(lib.buildManageList({ storage: { ...storage, models: [] }, downloads: [], catalog: [], now })
      .find((e) => e.kind === 'separator').label, 'No models downloaded yet');
  });

  it('describes last use relative to now', () => {
    const ago = (ms) => lib.describeLastUse(new Date(now.getTime() - ms).toISOString(), now);
    assert.equal(lib.describeLastUse(null, now), 'never used');
    assert.equal(ago(10_000), 'used just now');
    assert.equal(ago(7 * 60_000), 'used 7 min ago');
    assert.equal(ago(3 * 3600_000), 'used 3 h ago');
    assert.equal(ago(24 * 3600_000), 'used 1 day ago');
    assert.equal(ago(5 * 24 * 3600_000), 'used 5 days ago');
  });
});

describe('Manage Models operations', () => {
  it('deleting a loaded model surfaces the sidecar\'s error and deletes nothing; after unloading it goes', async () => {
    const { sup, events } = start('models,storage');
    await sup.start();
    const refused = await lib.deleteModel(sup, 'local/tiny');
    assert.deepEqual(refused, { ok: false, loaded: true, message: "'local/tiny' is loaded; unload it before deleting it." });
    assert.ok((await sup.request(lib.protocol.Requests.storageInfo, undefined)).models.some((m) => m.ref === 'local/tiny'));
    await sup.request(lib.protocol.Requests.modelsUnload, { ref: 'local/tiny' });
    assert.deepEqual(await lib.deleteModel(sup, 'local/tiny'), { ok: true, freedBytes: 300 * 1024 });
    assert.deepEqual(await lib.deleteModel(sup, 'local/tiny'), { ok: false, loaded: false, message: "There is no local model 'local/tiny'." });
    assert.deepEqual(events().filter((e) => /^(delete|unload) /.test(e)), ['delete local/tiny', 'unload local/tiny', 'delete local/tiny', 'delete local/tiny']);
  });

  it('pause, resume and cancel reach the sidecar for the chosen job', async () => {
    const { sup, events } = start('models,storage');
    await sup.start();
    await lib.runDownloadOp(sup, 'job-r', 'pause');
    await lib.runDownloadOp(sup, 'job-p', 'resume');
    await lib.runDownloadOp(sup, 'job-r', 'cancel');
    assert.deepEqual(events().filter((e) => /job-/.test(e)), ['paused job-r', 'running job-p', 'cancelDownload job-r']);
    const list = lib.buildManageList({ ...(await lib.loadManageInput(sup)) });
    assert.deepEqual(list.filter((e) => e.action?.type === 'download').map((e) => [e.action.job.id, e.action.ops]), [['job-p', ['pause', 'cancel']]],
      'a cancelled job leaves the list; a resumed one can be paused');
  });

  it('free up space: shows the dry run, removes the least recently used unloaded models, and says what went', async () => {
    const { sup, events } = start('models,storage');
    await sup.start();
    let plan;
    const outcome = await lib.freeUpSpace(sup, 2.5 * GiB, async (p) => { plan = p; return true; });
    assert.deepEqual(plan.map((e) => e.ref), ['local/never', 'local/old-chat'], 'never used first, then the oldest; the loaded one stays');
    assert.deepEqual(outcome.evicted, plan);
    assert.equal(outcome.freedBytes, 3 * GiB);
    assert.equal(lib.describeEviction(outcome), 'Removed local/never (1.0 GiB), local/old-chat (2.0 GiB): 3.0 GiB freed.');
    assert.deepEqual(events().filter((e) => e.startsWith('evict')), [`evict ${12.5 * GiB} dry`, `evict ${12.5 * GiB} real`],
      'the target is today\'s free space plus what was asked');
    assert.deepEqual((await sup.request(lib.protocol.Requests.storageInfo, undefined)).models.map((m) => m.ref), ['local/tiny']);

    const again = await lib.freeUpSpace(sup, GiB, async () => assert.fail('nothing to confirm'));
    assert.equal(lib.describeEviction(again), 'Nothing could be removed: the models left are loaded, or there are none.');
  });

  it('free up space: a declined plan removes nothing; a partial one says it fell short', async () => {
    const { sup, events } = start('models,storage');
    await sup.start();
    const declined = await lib.freeUpSpace(sup, GiB, async () => false);
    assert.equal(lib.describeEviction(declined), 'Nothing was removed.');
    assert.ok(!events().some((e) => e.endsWith(' real')));
    const short = await lib.freeUpSpace(sup, 100 * GiB, async () => true);
    assert.match(lib.describeEviction(short), /3\.0 GiB freed\. That is less than the 100\.0 GiB asked for: loaded models are kept\.$/);
  });

  it('reads the amount to free; suggests what the folder is over its quota', () => {
    assert.deepEqual(lib.parseSpace('2'), { ok: true, bytes: 2 * GiB });
    assert.deepEqual(lib.parseSpace(' 1,5 GB'), { ok: true, bytes: 1.5 * GiB });
    assert.deepEqual(lib.parseSpace('512 MiB'), { ok: true, bytes: 512 * 2 ** 20 });
    assert.equal(lib.parseSpace('0').ok, false);
    assert.equal(lib.parseSpace('lots').ok, false);
    assert.equal(lib.suggestedSpace({ usedBytes: 3.5 * GiB, quotaBytes: 3 * GiB }), '0.5');
    assert.equal(lib.suggestedSpace({ usedBytes: GiB, quotaBytes: null }), '1');
  });
});

describe('interrupted downloads continue at the next start', () => {
  const job = (id, over) => ({ id, ref: `local/${id}`, fileName: `${id}.gguf`, state: 'paused', bytes: 10, totalBytes: 100, catalogId: null, url: null, ...over });

  it('continues paused jobs the user did not pause, by catalog entry or URL; leaves the rest alone', () => {
    const jobs = [
      job('a', { catalogId: 'qwen-small', url: 'https://huggingface.co/org/a/resolve/main/a.gguf' }),
      job('b', { url: 'https://mirror.example/b.gguf' }),
      job('c', { url: 'https://mirror.example/c.gguf' }),
      job('d', { state: 'running', url: 'https://mirror.example/d.gguf' }),
      job('e', { state: 'failed', url: 'https://mirror.example/e.gguf' }),
      job('f', {}),
    ];
    const out = lib.interruptedDownloads(jobs, new Set(['c']));
    assert.deepEqual(out.map((o) => [o.job.id, o.target]), [['a', { catalogId: 'qwen-small' }], ['b', { url: 'https://mirror.example/b.gguf' }]],
      'c was paused by the user; d runs; e failed (the user decides); f has nothing to ask for');
    assert.equal(lib.targetOf({ catalogId: null, url: null }), undefined);
  });

  it('remembers what the user paused until resumed or cancelled, and forgets jobs the sidecar no longer has', async () => {
    const memento = new Map();
    const paused = new lib.PausedByUser({ get: (k) => memento.get(k), update: async (k, v) => { memento.set(k, v); } });
    await paused.set('a', true);
    await paused.set('b', true);
    await paused.set('a', false);
    assert.deepEqual([...paused.ids()], ['b']);
    await paused.set('c', true);
    await paused.prune([job('c')]);
    assert.deepEqual([...paused.ids()], ['c'], 'b finished or was cancelled elsewhere');
  });
});

describe('settings the sidecar reads', () => {
  const NONE = {
    'downloads.huggingFaceEndpoint': null, 'storage.quotaBytes': null, 'downloads.maxParallel': null,
    'local.allowGpu': null, 'local.idleUnloadMinutes': null, 'local.threads': null,
  };

  it('maps the runtime and download settings; 0 threads is automatic, 0 minutes is never; some apply only at the next start', () => {
    const values = { 'local.useGpu': false, 'local.threads': 0, 'local.idleUnloadMinutes': 0, 'downloads.maxParallel': 3 };
    assert.deepEqual(lib.sidecarSettings((k) => values[k]), {
      ...NONE, 'local.allowGpu': false, 'local.threads': null, 'local.idleUnloadMinutes': 0, 'downloads.maxParallel': 3,
    });
    assert.equal(lib.sidecarSettings((k) => (k === 'local.threads' ? 2.5 : undefined))['local.threads'], null, 'not a whole number');
    const change = (sections) => ({ affectsConfiguration: (s) => sections.includes(s) });
    assert.deepEqual(lib.changedAtStartSettings(change(['editorAssist.local.useGpu', 'editorAssist.local.threads', 'editorAssist.storage.quotaGiB'])), ['local.useGpu']);
  });

  it('maps editorAssist.downloads.huggingFaceEndpoint to the sidecar key; empty removes it (sidecar default)', () => {
    assert.deepEqual(lib.sidecarSettings((k) => ({ 'downloads.huggingFaceEndpoint': ' http://127.0.0.1:9/ ' })[k]),
      { ...NONE, 'downloads.huggingFaceEndpoint': 'http://127.0.0.1:9/' });
    assert.deepEqual(lib.sidecarSettings(() => ''), NONE);
    assert.deepEqual(lib.sidecarSettings(() => undefined), NONE);
    const change = (sections) => ({ affectsConfiguration: (s) => sections.some((x) => x === s || x.startsWith(`${s}.`)) });
    assert.equal(lib.affectsSidecarSettings(change(['editorAssist.downloads.huggingFaceEndpoint'])), true);
    assert.equal(lib.affectsSidecarSettings(change(['editorAssist.chat.maxTokens'])), false);
  });

  it('maps the quota in GiB to whole bytes; 0 or a non-number is no quota', () => {
    const quota = (v) => lib.sidecarSettings((k) => (k === 'storage.quotaGiB' ? v : undefined))['storage.quotaBytes'];
    assert.equal(quota(20), 20 * 1024 ** 3);
    assert.equal(quota(0.5), 512 * 1024 ** 2);
    assert.equal(quota(0), null);
    assert.equal(quota(-3), null);
    assert.equal(quota('20'), null);
    const change = (sections) => ({ affectsConfiguration: (s) => sections.includes(s) });
    assert.equal(lib.affectsSidecarSettings(change(['editorAssist.storage.quotaGiB'])), true);
  });

  it('a change reaches a running sidecar through settings/update; a stopped one gets it at its next initialize', async () => {
    const { sup, events, log } = start('');
    const settings = { 'downloads.huggingFaceEndpoint': 'http://127.0.0.1:9' };
    assert.equal(await lib.pushSidecarSettings(sup, settings, log), false, 'not running yet');
    await sup.start();
    assert.equal(await lib.pushSidecarSettings(sup, settings, log), true);
    assert.deepEqual(events().filter((e) => e.startsWith('settings/')), ['settings/update {"downloads.huggingFaceEndpoint":"http://127.0.0.1:9"}']);
  });

  it('tells a refused (gated) download from other failures, by code and status, never by text', () => {
    const err = (code, data) => Object.assign(new Error('The server refused access'), { code, data });
    assert.equal(lib.isAccessRefused(err(1010, { status: 401 })), true);
    assert.equal(lib.isAccessRefused(err(1010, { status: 403 })), true);
    assert.equal(lib.isAccessRefused(err(1010, { status: 404 })), false);
    assert.equal(lib.isAccessRefused(err(1011, { status: 401 })), false, 'a checksum error is not about access');
    assert.equal(lib.isAccessRefused(err(1010)), false);
    assert.equal(lib.isAccessRefused(undefined), false);
  });

  it('tells a download interrupted by the sidecar going away from a failed one', () => {
    const err = (code, data) => Object.assign(new Error('x'), { code, data });
    assert.equal(lib.isInterruptedDownload(err(1010, { interrupted: true })), true, 'the sidecar said it is stopping');
    assert.equal(lib.isInterruptedDownload(new lib.SidecarError('crashed', 'gone')), true, 'the process went before answering');
    assert.equal(lib.isInterruptedDownload(new lib.SidecarError('notRunning', 'not running')), false);
    assert.equal(lib.isInterruptedDownload(err(1010, { status: 503 })), false);
    assert.equal(lib.isInterruptedDownload(err(-32800)), false, 'a cancel is the user\'s');
  });

  it('says why an endpoint would be ignored', () => {
    assert.equal(lib.checkHuggingFaceEndpoint(''), undefined);
    assert.equal(lib.checkHuggingFaceEndpoint('https://hf-mirror.example.com'), undefined);
    assert.equal(lib.checkHuggingFaceEndpoint('http://127.0.0.1:8080'), undefined);
    assert.equal(lib.checkHuggingFaceEndpoint('http://localhost:8080'), undefined);
    assert.match(lib.checkHuggingFaceEndpoint('http://mirror.example.com'), /neither https nor http on this machine/);
    assert.match(lib.checkHuggingFaceEndpoint('mirror'), /not an absolute URL/);
  });
});
