// The Performance view's content without VS Code: the table from metrics/get, escaping, the
// sparkline, the summary line. The panel itself runs in tests/e2e/cases/60-performance.mjs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lib } from './support.mjs';

const MiB = 2 ** 20;
const result = (models, over = {}) => ({
  since: '2026-12-04T12:00:00Z', enabled: true, process: { residentBytes: 300 * MiB },
  gpus: [{ name: 'Radeon', vramTotalBytes: 8192 * MiB, vramFreeBytes: 6144 * MiB }], models, ...over,
});

describe('performance view', () => {
  it('renders one row per model with its figures, memory and a sparkline', () => {
    const html = lib.renderPerformance(result([{
      ref: 'local/<b>tiny</b>', requests: 3, errors: 1, ttftMsP50: 42.4, ttftMsP95: 12_500, decodeTokensPerSecondP50: 31.25,
      promptTokensPerSecondP50: 812.6, recentTokensPerSecond: [30, 31, 33], lastLoadMs: 250,
      loaded: { backend: 'Vulkan', contextLength: 4096, gpuLayers: 33, totalLayers: 32, weightBytes: 900 * MiB, kvCacheBytes: 64 * MiB, gpuBytesEstimated: 1000 * MiB },
    }]), new Date('2026-12-04T12:05:00Z'));
    assert.match(html, /<th>Model<\/th><th>Requests<\/th>/);
    assert.match(html, /local\/&lt;b&gt;tiny&lt;\/b&gt;/, 'escaped');
    assert.doesNotMatch(html, /<b>tiny/);
    for (const cell of ['>3<', '>1<', '>42 ms<', '>12.5 s<', '>31.3<', '>813<', '>250 ms<']) assert.ok(html.includes(cell), cell);
    assert.match(html, /900 MiB weights \+ 64 MiB KV \(4,096 ctx\) · Vulkan · 32\/32 layers on GPU/);
    assert.match(html, /<svg class="spark"[^>]*><polyline [^>]*points="0\.0,[\d.]+ 60\.0,[\d.]+ 120\.0,1\.0"/);
    assert.match(html, /Sidecar memory 300 MiB · Radeon: 2\.0 GiB of 8\.0 GiB VRAM in use · since the sidecar started 5 min ago/);
    assert.doesNotMatch(html, /style=|on\w+=/, 'no inline style or handler: the CSP stays strict');
  });

  it('says how to get figures when there are none, and when recording is off', () => {
    const html = lib.renderPerformance(result([], { enabled: false, gpus: undefined }));
    assert.match(html, /No figures yet/);
    assert.match(html, /recording is off/);
    assert.equal(lib.sparkline([5]), '', 'one value draws no line');
    const m = { ref: 'openai/gpt-4o', requests: 1, errors: 0, recentTokensPerSecond: [] };
    assert.match(lib.renderPerformance(result([m])), /not loaded/);
    assert.match(lib.renderPerformance(result([m])), /<td class="c10">–<\/td>/, 'no completions: a dash');
  });

  it('shows a model\'s inline completions: count, cache hits, failures, superseded, latency', () => {
    const m = { ref: 'local/coder', requests: 0, errors: 0, recentTokensPerSecond: [],
      completion: { requests: 40, errors: 1, cancelled: 7, cacheHits: 12, msP50: 38.2, msP95: 120 } };
    const html = lib.renderPerformance(result([m]));
    assert.match(html, /<th>Completions<\/th>/);
    assert.match(html, /<td class="c10">40 \(12 cached, 1 failed, 7 superseded\) · 38 ms p50, 120 ms p95<\/td>/);
  });
});
