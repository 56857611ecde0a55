// Extension settings the sidecar reads itself, under the sidecar's own keys: passed in
// `initialize` and, on change, through `settings/update`. An empty value is sent as null, which
// removes the key, so the sidecar falls back to its default. vscode-free: unit-tested.
import { Requests, SettingKeys, type RequestDef, type SettingKey } from '../protocol';
import { isLoopbackHost, parseAbsoluteUrl } from '../system/urls';

interface SidecarSetting {
  /** The sidecar's key (docs/PROTOCOL.md). */
  key: SettingKey;
  /** The value the sidecar gets; null removes the key (the sidecar's default). */
  convert(value: unknown): unknown;
  /** When the sidecar applies a change: at once (the next request), or only at its next start. */
  applies?: 'now' | 'atStart';
}

const text: SidecarSetting['convert'] = (v) => (typeof v === 'string' && v.trim() ? v.trim() : null);
const GiB = 1024 ** 3;
/** A size in GiB (a positive number; 0 or empty is "no limit") as whole bytes. */
const gibToBytes: SidecarSetting['convert'] = (v) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.round(v * GiB) : null);

/** A whole number ≥ `min`; anything else (0 for "automatic", empty) is the sidecar's default. */
const wholeAtLeast = (min: number): SidecarSetting['convert'] => (v) => (typeof v === 'number' && Number.isInteger(v) && v >= min ? v : null);
/** true/false as given; the sidecar's default otherwise. */
const flag: SidecarSetting['convert'] = (v) => (typeof v === 'boolean' ? v : null);

/** Extension setting (under `editorAssist.`) → what the sidecar reads. */
export const SIDECAR_SETTINGS: Readonly<Record<string, SidecarSetting>> = {
  'downloads.huggingFaceEndpoint': { key: SettingKeys.downloadsHuggingFaceEndpoint, convert: text },
  'storage.quotaGiB': { key: SettingKeys.storageQuotaBytes, convert: gibToBytes },
  'downloads.maxParallel': { key: SettingKeys.downloadsMaxParallel, convert: wholeAtLeast(1), applies: 'atStart' },
  'local.useGpu': { key: SettingKeys.localAllowGpu, convert: flag, applies: 'atStart' },
  'local.idleUnloadMinutes': { key: SettingKeys.localIdleUnloadMinutes, convert: wholeAtLeast(0), applies: 'atStart' },
  'local.threads': { key: SettingKeys.localThreads, convert: wholeAtLeast(1) },
};

/** The settings in this change that the sidecar applies only at its next start (their names under `editorAssist.`). */
export function changedAtStartSettings(e: { affectsConfiguration(section: string): boolean }): string[] {
  return Object.entries(SIDECAR_SETTINGS).filter(([k, s]) => s.applies === 'atStart' && e.affectsConfiguration(`editorAssist.${k}`)).map(([k]) => k);
}

/** The sidecar's settings object, read through `get('downloads.huggingFaceEndpoint')` etc. */
export function sidecarSettings(get: (key: string) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [ext, { key, convert }] of Object.entries(SIDECAR_SETTINGS)) out[key] = convert(get(ext));
  return out;
}

/** True when a configuration change touches a setting the sidecar reads. */
export function affectsSidecarSettings(e: { affectsConfiguration(section: string): boolean }): boolean {
  return Object.keys(SIDECAR_SETTINGS).some((k) => e.affectsConfiguration(`editorAssist.${k}`));
}

/**
 * Why a Hugging Face endpoint would be ignored (the sidecar then uses huggingface.co), or undefined
 * when it is usable: an absolute https URL, or plain http to this machine (a local mirror or a test).
 */
export function checkHuggingFaceEndpoint(value: string): string | undefined {
  const v = value.trim();
  if (!v) return undefined;
  const url = parseAbsoluteUrl(v);
  if (typeof url === 'string') return url;
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))) return undefined;
  return `"${v}" is neither https nor http on this machine`;
}

/** Sends `settings/update` to a running sidecar (a stopped one gets them at its next initialize); false when not sent. */
export async function pushSidecarSettings(
  sidecar: { readonly state: string; request<P, R>(def: RequestDef<P, R>, params: P): Promise<R> },
  settings: Record<string, unknown>, log: { info(m: string): void; warn(m: string): void },
): Promise<boolean> {
  if (sidecar.state !== 'running') return false;
  try {
    await sidecar.request(Requests.settingsUpdate, { settings });
    log.info(`Sidecar settings updated: ${Object.keys(settings).join(', ')}.`);
    return true;
  } catch (e) {
    log.warn(`Passing settings to the sidecar failed: ${(e as Error).message}`);
    return false;
  }
}
