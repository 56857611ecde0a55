// A download through the sidecar (catalog entry, URL, or Hugging Face repo + file): `$/progress` →
// withProgress steps (DownloadProgressMapper), and Cancel stops the download in the sidecar
// (models/cancelDownload on its job), not only this request. vscode-free (the token has VS Code's
// and vscode-jsonrpc's shape), so it is unit-tested.
import type { CancellationToken } from 'vscode-jsonrpc';
import { Requests, type DownloadInfo, type DownloadProgress, type DownloadResult, type DownloadTarget } from '../protocol';
import { DownloadProgressMapper, type ProgressStep } from './progress';
import type { ProgressHub } from './progressHub';
import type { SidecarConnection } from '../sidecar/connection';

export type DownloadSidecar = Pick<SidecarConnection, 'request'>;

type Log = { info(m: string): void; warn(m: string): void };

/** A catalog id stands for `{catalogId}`. */
export async function runDownload(
  sidecar: DownloadSidecar, hub: ProgressHub, target: DownloadTarget | string, report: (step: ProgressStep) => void,
  token: CancellationToken, log: Log,
): Promise<DownloadResult> {
  const what: DownloadTarget = typeof target === 'string' ? { catalogId: target } : target;
  const mapper = new DownloadProgressMapper();
  // The sidecar names the job's local ref in the `begin` value: how Cancel finds a non-catalog job.
  let ref: string | undefined;
  const tracked = hub.track((v) => {
    if (v.kind === 'begin' && typeof v.ref === 'string') ref = v.ref;
    report(mapper.map(v as unknown as DownloadProgress));
  });
  let cancelled: Promise<void> | undefined;
  const onCancel = token.onCancellationRequested(() => {
    const catalogId = 'catalogId' in what ? what.catalogId : undefined;
    cancelled = cancelJobs(sidecar, (j) => (catalogId !== undefined ? j.catalogId === catalogId : j.ref === ref), describeTarget(what), log);
  });
  try {
    return await sidecar.request(Requests.modelsDownload, { ...what, workDoneToken: tracked.token }, token);
  } finally {
    onCancel.dispose();
    tracked.dispose();
    await cancelled;
  }
}

/** What a download is called in messages: the catalog id, `owner/repo/file`, or the URL. */
export function describeTarget(t: DownloadTarget): string {
  if ('catalogId' in t) return t.catalogId;
  if ('url' in t) return t.url;
  return `${t.repo}/${t.file}${t.revision && t.revision !== 'main' ? ` @ ${t.revision}` : ''}`;
}

const ACTIVE = new Set(['queued', 'running', 'paused']);

async function cancelJobs(sidecar: DownloadSidecar, mine: (j: DownloadInfo) => boolean, what: string, log: Log): Promise<void> {
  try {
    const jobs = await sidecar.request(Requests.modelsDownloads, undefined);
    for (const j of jobs.filter((j) => ACTIVE.has(j.state) && mine(j))) {
      await sidecar.request(Requests.modelsCancelDownload, { id: j.id });
      log.info(`Cancelled download ${j.id} (${what}).`);
    }
  } catch (e) {
    log.warn(`Cancelling the download of ${what}: ${(e as Error).message}`);
  }
}
