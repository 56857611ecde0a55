// What "EditorAssist: Download Model…" offers, and how it reads a typed Hugging Face file or URL.
// Pure (no vscode, no sidecar): the catalog entries not on disk yet with size, quantization,
// roles and the hardware-fit verdict from models/catalog, so it is unit-tested.
import type { CatalogEntry, DownloadInfo, DownloadTarget, FitVerdict } from '../protocol';
import { formatBytes } from '../system/format';

export type DownloadPickAction =
  | { type: 'catalog'; entry: CatalogEntry; confirmTooLarge: boolean }
  | { type: 'huggingFace' };

export interface DownloadPickItem {
  label: string;
  description?: string;
  detail?: string;
  action: DownloadPickAction;
}

export const HF_ITEM_LABEL = 'Hugging Face file or URL…';

const ROLE: Record<string, string> = { chat: 'chat', fim: 'code completion', tools: 'tool calls' };

export function describeRoles(roles: readonly string[]): string {
  return roles.map((r) => ROLE[r] ?? r).join(', ');
}

/** The fit verdict as a person reads it; partial offload names its layer count. */
export function describeFit(fit: CatalogEntry['fit']): string {
  const needs = fit.estimatedBytes > 0 ? ` (needs about ${formatBytes(fit.estimatedBytes)} of memory)` : '';
  const text: Record<FitVerdict, string> = {
    fullGpu: 'fits on the GPU',
    partialGpu: `partly on the GPU (${fit.gpuLayers} layers), the rest on the CPU`,
    cpuOnly: 'runs on the CPU',
    tooLarge: `too large for this machine${needs}`,
  };
  return text[fit.verdict] ?? fit.verdict;
}

/** Catalog entries not downloaded yet (fitting ones first, in catalog order), then the free-form item. */
export function buildDownloadPick(catalog: CatalogEntry[], downloads: DownloadInfo[] = []): DownloadPickItem[] {
  const order: Record<FitVerdict, number> = { fullGpu: 0, partialGpu: 1, cpuOnly: 2, tooLarge: 3 };
  const running = new Map(downloads.filter((d) => d.catalogId && (d.state === 'running' || d.state === 'queued' || d.state === 'paused'))
    .map((d) => [d.catalogId!, d]));
  const items: DownloadPickItem[] = catalog
    .filter((c) => !c.downloaded)
    .map((c, i) => ({ c, i }))
    .sort((a, b) => (order[a.c.fit.verdict] ?? 9) - (order[b.c.fit.verdict] ?? 9) || a.i - b.i)
    .map(({ c }) => {
      const tooLarge = c.fit.verdict === 'tooLarge';
      const job = running.get(c.id);
      const size = (c.sizeApproximate ? '~' : '') + formatBytes(c.sizeBytes);
      return {
        label: (tooLarge ? '$(warning) ' : '') + c.displayName,
        description: [size, c.quant, describeRoles(c.roles), job ? `${job.state === 'paused' ? 'paused' : 'downloading'} ${percent(job)}` : ''].filter(Boolean).join(' · '),
        detail: [describeFit(c.fit), c.repo, c.license].join(' · '),
        action: { type: 'catalog', entry: c, confirmTooLarge: tooLarge },
      };
    });
  items.push({
    label: `$(cloud-download) ${HF_ITEM_LABEL}`,
    description: 'owner/repo/file.gguf, hf://owner/repo/file.gguf or an https URL',
    action: { type: 'huggingFace' },
  });
  return items;
}

function percent(d: DownloadInfo): string {
  return d.totalBytes ? `${Math.floor((100 * d.bytes) / d.totalBytes)} %` : formatBytes(d.bytes);
}

/** What to offer once a download finished: chat always; completion only when the catalog says the model does FIM. */
export function usesAfterDownload(roles: readonly string[] | undefined): ('chat' | 'completion')[] {
  return roles?.includes('fim') ? ['chat', 'completion'] : ['chat'];
}

// ---- "Hugging Face file or URL…" ------------------------------------------------------------

/** A Hugging Face repo id part (owner or name): letters, digits, `-`, `_`, `.`; not starting with `.` or `-`. */
const REPO_PART = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,95}$/;
const HF_HOSTS = new Set(['huggingface.co', 'www.huggingface.co', 'hf.co']);

export type ParsedModelInput = { ok: true; target: DownloadTarget } | { ok: false; error: string };

/**
 * Reads what the user typed: `owner/repo/path/file.gguf` (optionally `owner/repo@revision/…`, as
 * `hf://` paths write it), the same behind `hf://`, a huggingface.co page or resolve link (read as
 * repo + file, so a configured mirror serves it), or any other https URL (http only on this machine).
 */
export function parseModelInput(text: string): ParsedModelInput {
  const input = text.trim();
  if (!input) return { ok: false, error: 'Enter owner/repo/file.gguf, hf://owner/repo/file.gguf, or an https URL.' };
  if (/^hf:\/\//i.test(input)) return parseRepoPath(input.slice('hf://'.length));
  if (/^[a-z][a-z0-9+.-]*:/i.test(input)) return parseUrl(input);
  return parseRepoPath(input);
}

function parseRepoPath(path: string): ParsedModelInput {
  const parts = path.split('/');
  if (parts[0] === 'datasets' || parts[0] === 'spaces') return { ok: false, error: 'Only model repositories can be downloaded, not datasets or spaces.' };
  if (parts.length < 3 || parts.some((p) => p === '')) return { ok: false, error: 'Expected owner/repo/file.gguf (the file may be in a folder of the repo).' };
  const [owner, nameAt, ...fileParts] = parts;
  const at = nameAt.indexOf('@');
  const name = at < 0 ? nameAt : nameAt.slice(0, at);
  const revision = at < 0 ? undefined : safeDecode(nameAt.slice(at + 1));
  if (!REPO_PART.test(owner) || !REPO_PART.test(name)) return { ok: false, error: `"${owner}/${name}" is not a Hugging Face repository name.` };
  if (revision !== undefined && !/^[A-Za-z0-9._/-]+$/.test(revision)) return { ok: false, error: `"${revision}" is not a revision (a branch, tag or commit).` };
  if (fileParts.some((p) => p === '.' || p === '..')) return { ok: false, error: 'The file path may not contain "." or ".." parts.' };
  const file = fileParts.join('/');
  const ggufError = needsGguf(file);
  if (ggufError) return { ok: false, error: ggufError };
  return { ok: true, target: revision ? { repo: `${owner}/${name}`, file, revision } : { repo: `${owner}/${name}`, file } };
}

function parseUrl(text: string): ParsedModelInput {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, error: 'That is not a valid URL.' };
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    return { ok: false, error: 'Only https URLs can be downloaded (plain http only from this machine).' };
  }
  if (url.username || url.password) return { ok: false, error: 'Leave credentials out of the URL.' };
  if (HF_HOSTS.has(url.hostname.toLowerCase())) {
    // https://huggingface.co/<owner>/<repo>/(resolve|blob)/<revision>/<file…>: the page link people copy works too.
    const m = /^\/([^/]+)\/([^/]+)\/(?:resolve|blob)\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (!m) return { ok: false, error: 'A huggingface.co link must point at a file: …/owner/repo/resolve/main/file.gguf.' };
    const [, owner, name, revision, file] = m.map((p) => safeDecode(p ?? ''));
    return parseRepoPath(`${owner}/${name}${revision === 'main' ? '' : `@${revision}`}/${file}`);
  }
  const last = safeDecode(url.pathname.slice(url.pathname.lastIndexOf('/') + 1));
  const ggufError = needsGguf(last);
  return ggufError ? { ok: false, error: ggufError } : { ok: true, target: { url: url.toString() } };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function needsGguf(file: string): string | undefined {
  return /\.gguf$/i.test(file) ? undefined : 'The file must be a GGUF model (a name ending in .gguf).';
}

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
