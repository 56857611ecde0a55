// Turns `system/info` into the text the "Show System Info" command shows, plus the small size and
// time formats the other views share. Pure: unit-tested.
import type { SystemInfo } from '../protocol';

const GiB = 1024 ** 3;

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return 'unknown';
  if (bytes >= GiB) return `${(bytes / GiB).toFixed(1)} GiB`;
  if (bytes < 1024 ** 2) return bytes < 1024 ? `${bytes} B` : `${Math.round(bytes / 1024)} KiB`;
  return `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
}

/** One line for a notification. */
/** "just now", "7 min ago", "3 h ago", "5 days ago", then the date (YYYY-MM-DD); undefined for a bad time. */
export function timeAgo(then: Date, now: Date): string | undefined {
  const t = then.getTime();
  if (!Number.isFinite(t)) return undefined;
  const min = Math.max(0, Math.round((now.getTime() - t) / 60_000));
  if (min < 1) return 'just now';
  if (min < 60) return `${min} min ago`;
  const h = Math.round(min / 60);
  if (h < 24) return `${h} h ago`;
  const days = Math.round(h / 24);
  if (days < 31) return `${days} day${days === 1 ? '' : 's'} ago`;
  return then.toISOString().slice(0, 10);
}

export function summarizeSystemInfo(info: SystemInfo): string {
  const gpus = info.gpus.length === 0 ? 'no GPU detected' : info.gpus.map((g) => `${g.name} (${g.backend})`).join(', ');
  return `${info.os} ${info.arch} · ${info.cpu.name} · ${info.cpu.cores} cores · ` +
    `RAM ${formatBytes(info.ramTotalBytes)} (${formatBytes(info.ramFreeBytes)} free) · ${gpus}`;
}

/** A Markdown-free plain-text report, one fact per line, for the log and a document. */
export function formatSystemInfo(info: SystemInfo, serverVersion?: string): string {
  const lines = [
    'EditorAssist system information',
    '',
    `OS:           ${info.os}`,
    `Architecture: ${info.arch}`,
    `CPU:          ${info.cpu.name}`,
    `CPU cores:    ${info.cpu.cores}`,
    `RAM total:    ${formatBytes(info.ramTotalBytes)}`,
    `RAM free:     ${formatBytes(info.ramFreeBytes)}`,
  ];
  if (info.gpus.length === 0) lines.push('GPUs:         none detected');
  for (const [i, g] of info.gpus.entries()) {
    const vram = g.vramTotalBytes ? `, ${formatBytes(g.vramTotalBytes)} VRAM` : '';
    lines.push(`GPU ${i}:        ${g.name} (${g.backend}${vram})`);
  }
  const rt = info.runtime ?? {};
  lines.push(`Runtime:      ${JSON.stringify(rt)}`);
  if (serverVersion) lines.push(`Sidecar:      ${serverVersion}`);
  return lines.join('\n') + '\n';
}
