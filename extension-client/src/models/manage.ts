// "EditorAssist: Manage Models" without VS Code: the list (disk use, downloads with their
// actions, downloaded models with size, last use and loaded state) built from storage/info,
// models/downloads and models/catalog, and the sidecar operations behind it (delete, evict,
// pause/resume/cancel). The QuickPicks in manageModels.ts only render this; it is unit-tested.
import { ErrorCodes, Requests, type CatalogEntry, type DownloadInfo, type EvictResult, type StorageInfo, type StorageModel } from '../protocol';
import { formatBytes, timeAgo } from '../system/format';
import { describeRoles } from './downloadPick';
import type { SidecarConnection } from '../sidecar/connection';

export type ManageSidecar = Pick<SidecarConnection, 'request'>;

export type ModelOp = 'useForChat' | 'useForCompletion' | 'unload' | 'settings' | 'delete';
export type DownloadOp = 'pause' | 'resume' | 'cancel';

export type ManageAction =
  | { type: 'model'; model: StorageModel; ops: ModelOp[] }
  | { type: 'download'; job: DownloadInfo; ops: DownloadOp[] }
  | { type: 'freeUpSpace' }
  | { type: 'downloadNew' }
  | { type: 'modelSettings' }
  | { type: 'performance' }
  | { type: 'storage' };

export type ManageEntry =
  | { kind: 'separator'; label: string }
  | { kind: 'item'; label: string; description?: string; detail?: string; action: ManageAction };

export interface ManageInput {
  storage: StorageInfo;
  downloads: DownloadInfo[];
  catalog: CatalogEntry[];
  /** The chat model and the completion model, marked in the list. */
  chatRef?: string;
  completionRef?: string;
  now?: Date;
}

export async function loadManageInput(sidecar: ManageSidecar): Promise<Omit<ManageInput, 'chatRef' | 'completionRef'>> {
  // The catalog only adds names and roles: the list still shows without it.
  const catalog = sidecar.request(Requests.modelsCatalog, undefined).catch(() => [] as CatalogEntry[]);
  const [storage, downloads, cat] = await Promise.all([
    sidecar.request(Requests.storageInfo, undefined),
    sidecar.request(Requests.modelsDownloads, undefined),
    catalog,
  ]);
  return { storage, downloads, catalog: cat };
}

export const FREE_UP_LABEL = 'Free up space…';
export const DOWNLOAD_NEW_LABEL = 'Download a model…';
export const MODEL_SETTINGS_LABEL = 'Model settings…';
export const PERFORMANCE_LABEL = 'Performance';

export function describeStorage(s: StorageInfo): { label: string; description: string } {
  const over = s.quotaBytes ? s.usedBytes > s.quotaBytes : false;
  return {
    label: `${over ? '$(warning)' : '$(database)'} Models use ${formatBytes(s.usedBytes)}`,
    description: [s.quotaBytes ? `quota ${formatBytes(s.quotaBytes)}${over ? ' (over)' : ''}` : 'no quota', `${formatBytes(s.diskFreeBytes)} free on disk`].join(' · '),
  };
}

export function buildManageList({ storage, downloads, catalog, chatRef, completionRef, now = new Date() }: ManageInput): ManageEntry[] {
  const out: ManageEntry[] = [];
  out.push({ kind: 'item', ...describeStorage(storage), detail: storage.modelsDir, action: { type: 'storage' } });

  const active = downloads.filter((d) => d.state !== 'done' && d.state !== 'cancelled');
  if (active.length) {
    out.push({ kind: 'separator', label: 'Downloads' });
    for (const d of active) {
      const ops = downloadOps(d);
      out.push({
        kind: 'item',
        label: `${DOWNLOAD_ICON[d.state] ?? '$(cloud-download)'} ${d.fileName}`,
        description: [progressText(d), d.state].filter(Boolean).join(' · '),
        detail: d.state === 'failed' && d.error ? d.error : undefined,
        action: { type: 'download', job: d, ops },
      });
    }
  }

  const byRef = new Map(catalog.map((c) => [c.ref ?? `local/${c.id}`, c]));
  const models = [...storage.models].sort((a, b) => Number(b.loaded) - Number(a.loaded)
    || (b.lastUsed ?? '').localeCompare(a.lastUsed ?? '') || a.ref.localeCompare(b.ref));
  out.push({ kind: 'separator', label: models.length ? 'Downloaded models' : 'No models downloaded yet' });
  for (const m of models) {
    const entry = byRef.get(m.ref);
    const marks = [m.ref === chatRef ? 'chat model' : '', m.ref === completionRef ? 'completion model' : ''];
    out.push({
      kind: 'item',
      label: m.ref.startsWith('local/') ? m.ref.slice('local/'.length) : m.ref,
      description: [formatBytes(m.sizeBytes), describeLastUse(m.lastUsed, now), m.loaded ? 'loaded' : '', ...marks].filter(Boolean).join(' · '),
      detail: entry ? `${entry.displayName} · ${describeRoles(entry.roles)}` : m.fileName,
      action: { type: 'model', model: m, ops: modelOps(m, entry, { chatRef, completionRef }) },
    });
  }

  out.push({ kind: 'separator', label: '' });
  out.push({ kind: 'item', label: `$(trash) ${FREE_UP_LABEL}`, description: 'remove the least recently used models (never a loaded one)', action: { type: 'freeUpSpace' } });
  out.push({ kind: 'item', label: `$(cloud-download) ${DOWNLOAD_NEW_LABEL}`, action: { type: 'downloadNew' } });
  out.push({ kind: 'item', label: `$(settings-gear) ${MODEL_SETTINGS_LABEL}`, description: 'context length, temperature, stop sequences… of any model, local or remote', action: { type: 'modelSettings' } });
  out.push({ kind: 'item', label: `$(pulse) ${PERFORMANCE_LABEL}`, description: 'speed, latency and memory per model', action: { type: 'performance' } });
  return out;
}

const DOWNLOAD_ICON: Record<string, string> = {
  running: '$(sync~spin)', queued: '$(clock)', paused: '$(debug-pause)', failed: '$(error)',
};

export function downloadOps(d: DownloadInfo): DownloadOp[] {
  if (d.state === 'running' || d.state === 'queued') return ['pause', 'cancel'];
  if (d.state === 'paused' || d.state === 'failed') return ['resume', 'cancel'];
  return [];
}

/** Completion is offered unless the catalog knows the model has no fill-in-the-middle role; Unload only while loaded. */
export function modelOps(m: StorageModel, entry: CatalogEntry | undefined, current: { chatRef?: string; completionRef?: string }): ModelOp[] {
  const ops: ModelOp[] = [];
  if (m.ref !== current.chatRef) ops.push('useForChat');
  if (m.ref !== current.completionRef && (!entry || entry.roles.includes('fim'))) ops.push('useForCompletion');
  if (m.loaded) ops.push('unload');
  ops.push('settings', 'delete');
  return ops;
}

function progressText(d: DownloadInfo): string {
  if (d.totalBytes) return `${Math.floor((100 * d.bytes) / d.totalBytes)} % · ${formatBytes(d.bytes)} of ${formatBytes(d.totalBytes)}`;
  return d.bytes > 0 ? formatBytes(d.bytes) : '';
}

export function describeLastUse(lastUsed: string | null | undefined, now: Date): string {
  const ago = lastUsed ? timeAgo(new Date(lastUsed), now) : undefined;
  return ago ? `used ${ago}` : 'never used';
}

// ---- operations ---------------------------------------------------------------------------

export type DeleteOutcome =
  | { ok: true; freedBytes: number }
  | { ok: false; loaded: boolean; message: string };

/** models/delete; a loaded model (1015) or any other refusal comes back as the sidecar's own message. */
export async function deleteModel(sidecar: ManageSidecar, ref: string): Promise<DeleteOutcome> {
  try {
    const r = await sidecar.request(Requests.modelsDelete, { ref });
    return { ok: true, freedBytes: r.freedBytes };
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    return { ok: false, loaded: code === ErrorCodes.ModelBusy, message: (e as Error).message ?? String(e) };
  }
}

export async function runDownloadOp(sidecar: ManageSidecar, id: string, op: DownloadOp): Promise<void> {
  const def = op === 'pause' ? Requests.modelsPauseDownload : op === 'resume' ? Requests.modelsResumeDownload : Requests.modelsCancelDownload;
  await sidecar.request(def, { id });
}

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** "2", "1.5", "1,5 GB", "500 MiB" → bytes (GB and GiB both read as GiB, as the sizes are shown). */
export function parseSpace(text: string): { ok: true; bytes: number } | { ok: false; error: string } {
  const m = /^\s*(\d+(?:[.,]\d+)?)\s*(gib|gb|g|mib|mb|m)?\s*$/i.exec(text);
  if (!m) return { ok: false, error: 'Enter an amount in GiB, e.g. 2 or 1.5 (or 500 MiB).' };
  const n = Number(m[1].replace(',', '.'));
  const unit = (m[2] ?? 'g').toLowerCase().startsWith('m') ? MiB : GiB;
  const bytes = Math.round(n * unit);
  return bytes > 0 ? { ok: true, bytes } : { ok: false, error: 'Enter more than zero.' };
}

/** The amount to suggest: what the folder is over its quota, else 1 GiB. */
export function suggestedSpace(s: StorageInfo): string {
  if (s.quotaBytes && s.usedBytes > s.quotaBytes) return String(Math.ceil(((s.usedBytes - s.quotaBytes) / GiB) * 10) / 10);
  return '1';
}

export interface EvictionOutcome {
  requestedBytes: number;
  evicted: EvictResult['evicted'];
  freedBytes: number;
  /** The user declined after seeing what would go. */
  declined: boolean;
}

/**
 * Frees `bytes` of disk through storage/evict (least recently used first, never a loaded model):
 * a dry run says what would go, `confirm` sees that list, then the real run removes it.
 */
export async function freeUpSpace(
  sidecar: ManageSidecar, bytes: number, confirm: (plan: EvictResult['evicted']) => Promise<boolean>,
): Promise<EvictionOutcome> {
  const info = await sidecar.request(Requests.storageInfo, undefined);
  const targetFreeBytes = info.diskFreeBytes + bytes;
  const plan = await sidecar.request(Requests.storageEvict, { targetFreeBytes, dryRun: true });
  const none = { requestedBytes: bytes, evicted: [], freedBytes: 0 };
  if (!plan.evicted.length) return { ...none, declined: false };
  if (!(await confirm(plan.evicted))) return { ...none, declined: true };
  const done = await sidecar.request(Requests.storageEvict, { targetFreeBytes });
  return { requestedBytes: bytes, evicted: done.evicted, freedBytes: done.evicted.reduce((a, e) => a + e.sizeBytes, 0), declined: false };
}

export function describeEviction(o: EvictionOutcome): string {
  if (o.declined) return 'Nothing was removed.';
  if (!o.evicted.length) return 'Nothing could be removed: the models left are loaded, or there are none.';
  const list = o.evicted.map((e) => `${e.ref} (${formatBytes(e.sizeBytes)})`).join(', ');
  const short = o.freedBytes < o.requestedBytes ? ` That is less than the ${formatBytes(o.requestedBytes)} asked for: loaded models are kept.` : '';
  return `Removed ${list}: ${formatBytes(o.freedBytes)} freed.${short}`;
}
