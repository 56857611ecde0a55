// Extension settings the sidecar reads itself, under the sidecar's own keys: passed in
// `initialize` and, on change, through `settings/update`. An empty value is sent as null, which
// removes the key, so the sidecar falls back to its default. vscode-free: unit-tested.
import { Requests, type RequestDef } from '../protocol';
import { isLoopbackHost, parseAbsoluteUrl } from '../system/urls';

interface SidecarSetting {
  /** The sidecar's key (docs/PROTOCOL.md). */
  key: string;
  /** The value the sidecar gets; null removes the key (the sidecar's default). */
  convert(value: unknown): unknown;
}

const text: SidecarSetting['convert'] = (v) => (typeof v === 'string' && v.trim() ? v.trim() : null);
const GiB = 1024 ** 3;
/** A size in GiB (a positive number; 0 or empty is "no limit") as whole bytes. */
const gibToBytes: SidecarSetting['convert'] = (v) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.round(v * GiB) : null);

/** Extension setting (under `editorAssist.`) → what the sidecar reads. */
export const SIDECAR_SETTINGS: Readonly<Record<string, SidecarSetting>> = {
  'downloads.huggingFaceEndpoint': { key: 'downloads.huggingFaceEndpoint', convert: text },
  'storage.quotaGiB': { key: 'storage.quotaBytes', convert: gibToBytes },
};

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
