import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, it } from 'node:test';
import * as esbuild from 'esbuild';
import { fakeSupervisor, lib, manualTimers } from './support.mjs';

const clientRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outfile = path.join(clientRoot, 'out', 'test', 'completion.cjs');
esbuild.buildSync({
  entryPoints: [path.join(clientRoot, 'src', 'completion', 'index.ts')],
  outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: 'inline', logLevel: 'error',
});
const { AdaptiveDebounce, CompletionEngine, ContextRing, cursorWindow, chunkAround } = createRequire(import.meta.url)(outfile);

describe('AdaptiveDebounce', () => {
  it('starts at 75 ms, grows when superseded or slow, shrinks when fast, within bounds', () => {
    const d = new AdaptiveDebounce();
    assert.equal(d.delayMs, 75);
    d.record('superseded', 10);
    assert.equal(d.delayMs, 113);
    d.record('answered', 900); // slow
    assert.equal(d.delayMs, 169);
    d.record('answered', 250); // neither slow nor fast: unchanged
    assert.equal(d.delayMs, 169);
    d.record('answered', 40); // fast
    assert.equal(d.delayMs, 135);
    for (let i = 0; i < 50; i++) d.record('superseded', 0);
    assert.equal(d.delayMs, 500, 'capped at maxMs');
    for (let i = 0; i < 50; i++) d.record('answered', 1);
    assert.equal(d.delayMs, 25, 'floored at minMs');
  });
  it('honours its options', () => {
    const d = new AdaptiveDebounce({ initialMs: 1000, minMs: 0, maxMs: 200 });
    assert.equal(d.delayMs, 200);
    d.record('answered', 1);
    assert.equal(d.delayMs, 160);
  });
});

describe('cursor window and context ring', () => {
  const doc = (text) => { const l = text.split('\n'); return { lineCount: l.length, lineAt: (i) => l[i] }; };
  it('splits at the cursor and caps each side by lines and characters', () => {
    const d = doc(Array.from({ length: 1000 }, (_, i) => `line ${i}`).join('\n'));
    const w = cursorWindow(d, 500, 4, 200, 50);
    assert.ok(w.prefix.startsWith('line 301\n'), w.prefix.slice(0, 20));
    assert.ok(w.prefix.endsWith('line 499\nline'));
    assert.ok(w.suffix.startsWith(' 500\nline 501'));
    assert.ok(w.suffix.endsWith('line 549\n'), 'the last line keeps its newline when more lines follow');
    assert.equal(w.prefix.split('\n').length, 200, 'prefixLines counts the cursor line');
    assert.equal(w.suffix.split('\n').length - 1, 50, 'suffixLines counts the cursor line');
    // The defaults are the protocol's window, the one the sidecar keeps (80 and 25 lines).
    const byDefault = cursorWindow(d, 500, 4);
    assert.equal(byDefault.prefix.split('\n').length, 80);
    assert.equal(byDefault.suffix.split('\n').length - 1, 25);
    assert.equal(cursorWindow(d, 990, 0).suffix.split('\n').length, 10, 'the end of the file: no newline after the last line');
    const long = cursorWindow(doc('x'.repeat(50_000)), 0, 25_000, 200, 200, 1000);
    assert.equal(long.prefix.length, 1000);
    assert.equal(long.suffix.length, 1000);
    assert.deepEqual(cursorWindow(doc('ab'), 0, 1), { prefix: 'a', suffix: 'b' });
  });
  it('keeps the newest chunks, replaces overlapping ones of the same file, drops duplicates and the current file', () => {
    const ring = new ContextRing(3);
    const d = doc(Array.from({ length: 100 }, (_, i) => `l${i}`).join('\n'));
    ring.add(chunkAround(d, 'a', 10, 10));
    ring.add(chunkAround(d, 'a', 12, 10)); // overlaps the first: replaces it
    assert.equal(ring.size, 1);
    ring.add(chunkAround(d, 'b', 12, 10)); // same text, other file: a duplicate
    assert.equal(ring.size, 1);
    ring.add(chunkAround(d, 'b', 80, 10));
    ring.add({ uri: 'c', startLine: 0, endLine: 0, text: '  \n ' }); // whitespace only
    ring.add({ uri: 'c', startLine: 0, endLine: 0, text: 'c0' });
    ring.add({ uri: 'd', startLine: 0, endLine: 0, text: 'd0' });
    assert.deepEqual(ring.chunks('none', 10).map((c) => c.uri), ['d', 'c', 'b'], 'newest first, capacity 3');
    assert.deepEqual(ring.chunks('c').map((c) => c.uri), ['d', 'b']);
    ring.forget('d');
    assert.deepEqual(ring.chunks('x').map((c) => c.uri), ['c', 'b']);
    assert.equal(chunkAround(d, 'a', 0, 10).startLine, 0);
    assert.equal(chunkAround(d, 'a', 99, 10).endLine, 99);
  });
});

// A failed assertion must not leave a fake sidecar running (node --test would wait on it).
const running = [];
afterEach(async () => { for (const sup of running.splice(0)) await sup.stop(); });

/** An engine over a supervisor running the fake sidecar in "complete" mode. */
async function engineOver(settings = {}, chatModel = undefined, debounce = { initialMs: 0, minMs: 0 }, timers = undefined) {
  const { sup, events, log } = fakeSupervisor('complete');
  running.push(sup);
  await sup.start();
  const reports = [];
  const logs = [];
  const sent = [];
  const host = {
    settings: () => ({ enabled: true, maxTokens: 16, ...settings }),
    chatModel: () => chatModel,
    report: (m) => reports.push(m),
    log: (m) => logs.push(m),
  };
  const engine = new CompletionEngine({
    request: (def, params, token) => { sent.push(structuredClone(params)); return sup.request(def, params, token); },
  }, host, new AdaptiveDebounce(debounce), timers);
  return { sup, events, log, engine, reports, logs, sent, host };
}

const req = (prefix) => ({ uri: 'file:///w/a.py', languageId: 'python', prefix, suffix: '\n' });
/** A token the test cancels by hand, shaped like VS Code's. */
function tokenSource() {
  const listeners = new Set();
  const token = { isCancellationRequested: false, onCancellationRequested: (l) => { listeners.add(l); return { dispose: () => listeners.delete(l) }; } };
  return { token, cancel: () => { token.isCancellationRequested = true; for (const l of listeners) l(); } };
}
const until = async (pred, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!pred()) { if (Date.now() > deadline) throw new Error('condition not met'); await new Promise((r) => setTimeout(r, 5)); }
};

describe('CompletionEngine over a fake sidecar', () => {
  it('sends prefix, suffix, model and maxTokens and returns the items', async () => {
    const { sup, engine, sent } = await engineOver({ model: 'local/coder' });
    const r = await engine.complete(req('def hel'));
    assert.deepEqual(r.items, [{ text: 'hel()' }]);
    assert.deepEqual(sent[0], { ...req('def hel'), model: 'local/coder', maxTokens: 16 });
    assert.equal(engine.stats.answered, 1);
    await sup.stop();
  });

  it('falls back to the chat model only when it is local', async () => {
    let o = await engineOver({}, 'local/chat-coder');
    await o.engine.complete(req('x'));
    assert.equal(o.sent[0].model, 'local/chat-coder');
    await o.sup.stop();
    o = await engineOver({}, 'openai/gpt-4o');
    await o.engine.complete(req('x'));
    assert.equal('model' in o.sent[0], false, 'a cloud chat model is not used for completion');
    await o.sup.stop();
  });

  it('a newer request cancels the older one ($/cancelRequest reaches the sidecar); the older yields nothing, silently', async () => {
    // The engine's clock stands still unless advanced: the debounce waits end when the test says,
    // and every answer takes 0 ms, so the debounce's adaptation is exact however busy the machine.
    const timers = manualTimers();
    const { sup, engine, log, reports, logs } = await engineOver({ model: 'local/coder' }, undefined, { initialMs: 10, minMs: 0 }, timers);
    const busy = [];
    engine.onDidChangeBusy((b) => busy.push(b));
    const older = engine.complete(req('first slow'));
    await timers.waitForTimer(10);
    timers.advance(10);
    await log.waitForLine(/event completion\/inline local\/coder .*first_slow/);
    const newerAnswer = engine.complete(req('second'));
    await timers.waitForTimer();
    timers.advance(1000);
    const newer = await newerAnswer;
    assert.equal(await older, undefined);
    assert.deepEqual(newer.items, [{ text: 'second()' }]);
    await log.waitForLine(/event completion\/cancelled/);
    assert.equal(engine.stats.superseded, 1);
    assert.deepEqual(reports, []);
    assert.deepEqual(logs, []);
    assert.equal(busy[0], true);
    assert.equal(busy.at(-1), false, 'not busy once both ended');
    assert.equal(engine.busy, false);
    assert.equal(engine.debounce.delayMs, 12, 'superseded: 10 → 15 ms; then a fast answer: → 12 ms');
    await sup.stop();
  });

  it('-32800 from the sidecar (superseded server-side) yields no items and no error', async () => {
    const { sup, engine, events, log, reports, logs, sent } = await engineOver({ model: 'local/coder' });
    // Straight to the sidecar, bypassing the engine, so the engine itself does not cancel.
    const slow = engine.complete(req('mine slow'));
    await log.waitForLine(/event completion\/inline local\/coder .*mine_slow/);
    await sup.request({ method: 'completion/inline' }, { ...req('other'), model: 'local/coder' });
    assert.equal(await slow, undefined);
    assert.ok(events().includes('completion/superseded'));
    assert.equal(sent.length, 1);
    assert.deepEqual(reports, []);
    assert.deepEqual(logs, []);
    await sup.stop();
  });

  it('cancelling the caller\'s token during the debounce sends nothing', async () => {
    const o = await engineOver({ model: 'local/coder' });
    const engine = new CompletionEngine({ request: (d, p, t) => { o.sent.push(p); return o.sup.request(d, p, t); } }, o.host, new AdaptiveDebounce({ initialMs: 200 }));
    const src = tokenSource();
    const p = engine.complete(req('typing'), src.token);
    src.cancel();
    assert.equal(await p, undefined);
    assert.equal(o.sent.length, 0);
    await o.sup.stop();
  });

  it('waits the debounce before asking, except when invoked explicitly (Alt+\\)', async () => {
    const timers = manualTimers();
    const { sup, engine, sent } = await engineOver({ model: 'local/coder' }, undefined, { initialMs: 300, minMs: 300 }, timers);
    const first = engine.complete(req('a'));
    await timers.waitForTimer(300);
    timers.advance(299);
    assert.equal(sent.length, 0, 'nothing is asked before the debounce has passed');
    timers.advance(1);
    await first;
    assert.equal(sent.length, 1);
    await engine.complete(req('b'), undefined, { immediate: true });
    assert.equal(sent.length, 2, 'an explicit request is sent without a debounce');
    assert.equal(timers.pendingCount, 0);
    await sup.stop();
  });

  it('a model without FIM (1017) is reported once and then not asked again', async () => {
    const { sup, engine, reports, sent } = await engineOver({ model: 'local/nofim' });
    for (const p of ['a', 'ab', 'abc']) assert.equal(await engine.complete(req(p)), undefined);
    assert.equal(reports.length, 1);
    assert.match(reports[0], /local\/nofim has no fill-in-the-middle support/);
    assert.match(reports[0], /editorAssist\.completion\.model/);
    assert.equal(sent.length, 1, 'no flood of failing requests');
    engine.reset(); // settings or model changed
    await engine.complete(req('abcd'));
    assert.equal(sent.length, 2);
    assert.equal(reports.length, 2);
    await sup.stop();
  });

  it('a cloud model refused by local-only mode (1013) is reported once with what to do', async () => {
    const { sup, engine, reports, sent } = await engineOver({ model: 'cloud/x' });
    await engine.complete(req('a'));
    await engine.complete(req('b'));
    assert.equal(reports.length, 1);
    assert.match(reports[0], /local-only mode is on and cloud\/x is a cloud model/);
    assert.equal(sent.length, 1);
    await sup.stop();
  });

  it('a remote server that is down (1003) is logged, not reported, and asked again on the next keystroke', async () => {
    const { sup, engine, reports, logs, sent } = await engineOver({ model: 'remote/x' });
    await engine.complete(req('a'));
    await engine.complete(req('b'));
    assert.deepEqual(reports, []);
    assert.equal(sent.length, 2);
    assert.equal(logs.length, 2);
    assert.match(logs[0], /Is vLLM running\? \(code 1003\)/);
    await sup.stop();
  });

  it('disabled: no request at all', async () => {
    const { sup, engine, sent, events } = await engineOver({ enabled: false, model: 'local/coder' });
    assert.equal(await engine.complete(req('a')), undefined);
    assert.equal(await engine.complete(req('b'), undefined, { immediate: true }), undefined);
    assert.equal(sent.length, 0);
    assert.equal(events().filter((e) => e.startsWith('completion/')).length, 0);
    await sup.stop();
  });

  it('a stopped sidecar is logged, not reported', async () => {
    const { sup, engine, reports, logs } = await engineOver({ model: 'local/coder' });
    await sup.stop();
    assert.equal(await engine.complete(req('a')), undefined);
    assert.deepEqual(reports, []);
    assert.equal(logs.length, 1);
  });
});

describe('inline completion and cloud providers', () => {
  const providers = [
    { id: 'local', displayName: 'On this machine', kind: 'local', privacy: 'onDevice' },
    { id: 'ollama', displayName: 'Ollama', kind: 'remote', privacy: 'loopback' },
    { id: 'mistral', displayName: 'Mistral AI', kind: 'remote', privacy: 'cloud' },
  ];
  const consentStore = () => {
    const data = new Map();
    return new lib.CloudConsent({ get: (k) => data.get(k), update: async (k, v) => { data.set(k, v); } }, async () => assert.fail('the gate never opens the modal'));
  };

  it('sends nothing to a cloud provider before the user allows it, offers once, then lets completion through', async () => {
    const consent = consentStore();
    const offers = [];
    let answer;
    const gate = new lib.CompletionCloudGate(consent, async () => providers, (p, model) => {
      offers.push(`${p.id} ${model}`);
      return new Promise((resolve) => { answer = resolve; });
    });
    assert.equal(await gate.allows('local/qwen'), true);
    assert.equal(await gate.allows('ollama/qwen2.5-coder'), true, 'a server on this machine needs no consent');
    assert.equal(await gate.allows('mistral/codestral-latest'), false);
    assert.equal(await gate.allows('mistral/codestral-latest'), false, 'still no: the user has not answered');
    assert.deepEqual(offers, ['mistral mistral/codestral-latest'], 'offered once, not on every keystroke');
    answer(true);
    await until(() => consent.given('mistral'));
    assert.equal(await gate.allows('mistral/codestral-latest'), true);
  });

  it('a model the gate refuses is never asked: no completion/inline goes out', async () => {
    const { engine, sent, host } = await engineOver({ model: 'cloud/fim-model' });
    const asked = [];
    host.allows = async (model) => { asked.push(model); return false; };
    assert.equal(await engine.complete(req('def f(')), undefined);
    assert.deepEqual(asked, ['cloud/fim-model']);
    assert.deepEqual(sent, [], 'nothing was sent to the sidecar');
    host.allows = async () => true;
    const result = await engine.complete(req('def f('));
    assert.ok(result === undefined || Array.isArray(result.items));
    assert.equal(sent.length, 1, 'allowed: the request goes out');
  });
});
