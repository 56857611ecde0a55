// The Performance view's content without VS Code: metrics/get turned into a small HTML table (one
// row per model, a sparkline of recent decode speed) and a summary line. Everything from the
// sidecar is escaped; no inline style or handler, so the view's CSP stays strict. Unit-tested.
import type { MetricsResult, ModelMetrics } from '../protocol';
import { formatBytes, timeAgo } from '../system/format';

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const num = (v: number | undefined, digits = 1): string => v === undefined || v === null ? '–' : v.toLocaleString('en-US', { maximumFractionDigits: digits });
const ms = (v: number | undefined): string => v === undefined || v === null ? '–' : v >= 10_000 ? `${num(v / 1000)} s` : `${num(v, 0)} ms`;

/** An SVG polyline of the last `points` values, scaled to the largest; empty text without two values. */
export function sparkline(values: readonly number[], width = 120, height = 24, points = 32): string {
  const v = values.slice(-points);
  if (v.length < 2) return '';
  const max = Math.max(...v, 1e-9);
  const step = width / (v.length - 1);
  const coords = v.map((x, i) => `${(i * step).toFixed(1)},${(height - 1 - (x / max) * (height - 2)).toFixed(1)}`).join(' ');
  return `<svg class="spark" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="recent tokens per second, last ${v.length} answers">`
    + `<polyline fill="none" stroke="currentColor" stroke-width="1.5" points="${coords}"/></svg>`;
}

export const PERFORMANCE_COLUMNS = ['Model', 'Requests', 'Errors', 'TTFT p50', 'TTFT p95', 'Decode tok/s p50', 'Prompt tok/s p50', 'Recent tok/s', 'Last load', 'Memory', 'Completions'] as const;

/** Inline completion with the model: how many, cache hits and failures, latency p50/p95; '–' when none. */
function completions(m: ModelMetrics): string {
  const c = m.completion;
  if (!c) return '–';
  const extra = [c.cacheHits ? `${num(c.cacheHits, 0)} cached` : '', c.errors ? `${num(c.errors, 0)} failed` : '', c.cancelled ? `${num(c.cancelled, 0)} superseded` : '']
    .filter(Boolean).join(', ');
  const latency = c.msP50 === undefined ? '' : ` · ${ms(c.msP50)} p50, ${ms(c.msP95)} p95`;
  return `${num(c.requests, 0)}${extra ? ` (${extra})` : ''}${latency}`;
}

function memory(m: ModelMetrics): string {
  const l = m.loaded;
  if (!l) return 'not loaded';
  const gpu = l.gpuLayers > 0 ? ` · ${Math.min(l.gpuLayers, l.totalLayers)}/${l.totalLayers} layers on GPU (~${formatBytes(l.gpuBytesEstimated)})` : '';
  return `${formatBytes(l.weightBytes)} weights + ${formatBytes(l.kvCacheBytes)} KV (${num(l.contextLength, 0)} ctx) · ${l.backend}${gpu}`;
}

function row(m: ModelMetrics): string {
  const cells = [
    escapeHtml(m.ref), num(m.requests, 0), num(m.errors, 0), ms(m.ttftMsP50), ms(m.ttftMsP95),
    num(m.decodeTokensPerSecondP50), num(m.promptTokensPerSecondP50, 0), sparkline(m.recentTokensPerSecond) || '–',
    ms(m.lastLoadMs), escapeHtml(memory(m)), escapeHtml(completions(m)),
  ];
  return `<tr>${cells.map((c, i) => `<td class="c${i}">${c}</td>`).join('')}</tr>`;
}

/** The summary line: process memory, GPUs, and since when the figures count. */
export function summary(r: MetricsResult, now = new Date()): string {
  const parts = [`Sidecar memory ${formatBytes(r.process.residentBytes)}`];
  for (const g of r.gpus ?? []) parts.push(`${g.name}: ${formatBytes(g.vramTotalBytes - g.vramFreeBytes)} of ${formatBytes(g.vramTotalBytes)} VRAM in use`);
  parts.push(`since the sidecar started ${timeAgo(new Date(r.since), now) ?? ''}`.trim());
  if (!r.enabled) parts.push('recording is off (--no-metrics)');
  return parts.join(' · ');
}

/** The whole body: summary and table, or a hint when no model has figures yet. */
export function renderPerformance(r: MetricsResult, now = new Date()): string {
  const head = `<p id="summary">${escapeHtml(summary(r, now))}</p>`;
  if (r.models.length === 0) return `${head}<p id="empty">No figures yet: chat with a model and they appear here.</p>`;
  return `${head}<table id="metrics"><thead><tr>${PERFORMANCE_COLUMNS.map((c) => `<th>${c}</th>`).join('')}</tr></thead>`
    + `<tbody>${r.models.map(row).join('')}</tbody></table>`;
}
