// Maps the sidecar's `$/progress` download values onto VS Code's withProgress reports, which
// take increments (not totals) of a 0–100 scale and a message.
import type { DownloadProgress } from '../protocol';
import { formatBytes } from '../system/format';

export interface ProgressStep {
  increment?: number;
  message: string;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export class DownloadProgressMapper {
  private reported = 0; // percent already reported

  map(v: DownloadProgress): ProgressStep {
    if (v.phase === 'verifying') return { increment: this.advanceTo(100), message: 'Verifying checksum…' };
    if (v.kind === 'end') return { increment: this.advanceTo(100), message: 'Done.' };
    const parts: string[] = [];
    let increment: number | undefined;
    if (v.bytes !== undefined && v.totalBytes) {
      parts.push(`${formatBytes(v.bytes)} of ${formatBytes(v.totalBytes)}`);
      increment = this.advanceTo(Math.min(100, (100 * v.bytes) / v.totalBytes));
    } else if (v.bytes !== undefined) {
      parts.push(formatBytes(v.bytes));
    }
    if (v.bytesPerSecond) parts.push(`${formatBytes(v.bytesPerSecond)}/s`);
    if (v.etaSeconds !== undefined && v.etaSeconds > 0) parts.push(`${formatDuration(v.etaSeconds)} left`);
    return { increment, message: parts.join(' · ') || 'Starting…' };
  }

  /** Never goes backwards (a resumed download may report fewer bytes for a moment). */
  private advanceTo(percent: number): number | undefined {
    if (percent <= this.reported) return undefined;
    const inc = percent - this.reported;
    this.reported = percent;
    return inc;
  }
}
