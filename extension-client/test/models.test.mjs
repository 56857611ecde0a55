import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lib } from './support.mjs';

const GiB = 2 ** 30;
const provider = (id, over = {}) => ({ id, displayName: id, kind: 'remote', privacy: 'cloud', requiresApiKey: true, hasApiKey: false,
  availability: 'readily', capabilities: { chat: true, fim: false, tools: true, json: true }, ...over });
const providers = [
  provider('local', { displayName: 'On this machine', kind: 'local', privacy: 'onDevice', requiresApiKey: false }),
  provider('ollama', { displayName: 'Ollama', kind: 'remote', privacy: 'loopback', requiresApiKey: false }),
  provider('openai', { displayName: 'OpenAI', hasApiKey: true }),
  provider('anthropic', { displayName: 'Anthropic' }),
];
const models = [
  { ref: 'local/a', providerId: 'local', id: 'a', displayName: 'Model A', roles: ['chat'], local: { path: '/m/a', sizeBytes: 2 * GiB, quant: 'Q4_K_M', lastUsed: '2026-11-01', loaded: false } },
  { ref: 'local/b', providerId: 'local', id: 'b', displayName: 'Model B', roles: ['chat', 'fim'], local: { path: '/m/b', sizeBytes: GiB, quant: 'Q8_0', lastUsed: '2026-10-01', loaded: true } },
  { ref: 'ollama/llama3.2:3b', providerId: 'ollama', id: 'llama3.2:3b', displayName: 'llama3.2:3b', roles: ['chat'] },
  { ref: 'openai/gpt-4.1-mini', providerId: 'openai', id: 'gpt-4.1-mini', displayName: 'GPT-4.1 mini', roles: ['chat'] },
  { ref: 'anthropic/claude', providerId: 'anthropic', id: 'claude', displayName: 'Claude', roles: ['chat'] },
];
const catalog = [
  { id: 'a', displayName: 'Model A', repo: 'org/a', file: 'a.gguf', revision: 'r', sizeBytes: 2 * GiB, quant: 'Q4_K_M', parameters: '3B', contextLength: 4096, roles: ['chat'], license: 'apache-2.0', fit: { verdict: 'fullGpu', gpuLayers: 99, estimatedBytes: 1 } },
  { id: 'c', displayName: 'Model C', repo: 'org/c', file: 'c.gguf', revision: 'r', sizeBytes: 8 * GiB, quant: 'Q4_K_M', parameters: '14B', contextLength: 8192, roles: ['chat'], license: 'mit', fit: { verdict: 'cpuOnly', gpuLayers: 0, estimatedBytes: 1 } },
];

describe('buildModelPicker', () => {
  it('groups Local, Available to download, then each API provider with key status', () => {
    const entries = lib.buildModelPicker({ providers, models, catalog, localOnly: false, activeRef: 'local/b' });
    const seps = entries.filter((e) => e.kind === 'separator').map((e) => e.label);
    assert.deepEqual(seps, ['Local', 'Available to download', 'Ollama', 'OpenAI · API key set · Cloud', 'Anthropic · needs an API key · Cloud']);
    const items = entries.filter((e) => e.kind === 'item');
    assert.deepEqual(items.slice(0, 2).map((i) => i.label), ['Model B', 'Model A'], 'loaded first');
    assert.equal(items[0].description, '1.0 GiB · Q8_0 · loaded');
    assert.equal(items[0].picked, true);
    const c = items.find((i) => i.label === 'Model C');
    assert.equal(c.description, '8.0 GiB · Q4_K_M · CPU only');
    assert.deepEqual(c.action, { type: 'download', catalogId: 'c' });
    assert.ok(!items.some((i) => i.action.type === 'download' && i.action.catalogId === 'a'), 'downloaded models are not offered again');
    assert.deepEqual(items.find((i) => i.label === 'Claude').action, { type: 'setKeyThenUse', providerId: 'anthropic', ref: 'anthropic/claude' });
    assert.deepEqual(items.find((i) => i.label === 'GPT-4.1 mini').action, { type: 'use', ref: 'openai/gpt-4.1-mini' });
    assert.match(items.find((i) => i.label === 'GPT-4.1 mini').detail, /sent to OpenAI/);
  });

  it('hides cloud providers in local-only mode but keeps on-device and loopback ones', () => {
    const entries = lib.buildModelPicker({ providers, models, catalog, localOnly: true });
    const labels = entries.map((e) => e.label).join('|');
    assert.ok(labels.includes('Ollama'));
    assert.ok(!/OpenAI|Anthropic|GPT|Claude/.test(labels), labels);
  });
});

describe('privacy', () => {
  it('warns only for cloud providers', () => {
    assert.deepEqual(lib.describePrivacy('onDevice', 'x'), { warn: false, text: 'Runs on this machine: nothing leaves it.' });
    assert.equal(lib.describePrivacy('loopback', 'Ollama').warn, false);
    assert.deepEqual(lib.describePrivacy('cloud', 'OpenAI'), { badge: 'Cloud', warn: true, text: 'Prompts and code are sent to OpenAI.' });
  });

  it('asks once per cloud provider, remembers a yes, never asks for local ones', async () => {
    const data = new Map();
    const store = { get: (k) => data.get(k), update: async (k, v) => { data.set(k, v); } };
    const asked = [];
    let answer = false;
    const consent = new lib.CloudConsent(store, async (p) => { asked.push(p.id); return answer; });
    assert.equal(await consent.ensure(providers[0]), true);
    assert.equal(await consent.ensure(providers[1]), true);
    assert.equal(await consent.ensure(providers[2]), false, 'a no is not remembered');
    answer = true;
    assert.equal(await consent.ensure(providers[2]), true);
    assert.equal(await consent.ensure(providers[2]), true);
    assert.equal(await consent.ensure(providers[3]), true);
    assert.deepEqual(asked, ['openai', 'openai', 'anthropic']);
  });
});

describe('DownloadProgressMapper', () => {
  it('turns byte counts into increments that add up to 100, with speed and ETA', () => {
    const m = new lib.DownloadProgressMapper();
    const steps = [
      m.map({ kind: 'begin', phase: 'downloading', bytes: 0, totalBytes: 4 * GiB }),
      m.map({ kind: 'report', phase: 'downloading', bytes: GiB, totalBytes: 4 * GiB, bytesPerSecond: 50 * 2 ** 20, etaSeconds: 62 }),
      m.map({ kind: 'report', phase: 'downloading', bytes: GiB / 2, totalBytes: 4 * GiB }), // resumed: never backwards
      m.map({ kind: 'report', phase: 'downloading', bytes: 4 * GiB, totalBytes: 4 * GiB }),
      m.map({ kind: 'report', phase: 'verifying' }),
      m.map({ kind: 'end' }),
    ];
    assert.equal(steps[1].message, '1.0 GiB of 4.0 GiB · 50 MiB/s · 1 min 2 s left');
    assert.equal(steps[1].increment, 25);
    assert.equal(steps[2].increment, undefined);
    assert.equal(steps[4].message, 'Verifying checksum…');
    const total = steps.reduce((a, s) => a + (s.increment ?? 0), 0);
    assert.equal(total, 100);
  });

  it('formats durations', () => {
    assert.equal(lib.formatDuration(5), '5 s');
    assert.equal(lib.formatDuration(3725), '1 h 2 min');
    assert.equal(lib.formatDuration(Number.NaN), '');
  });
});
