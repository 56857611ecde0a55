// A catalog download through the sidecar: `$/progress` → withProgress steps (DownloadProgressMapper),
// and Cancel stops the download in the sidecar (models/cancelDownload on its job), not only this
// request. vscode-free (the token has VS Code's and vscode-jsonrpc's shape), so it is unit-tested.
import type { CancellationToken } from 'vscode-jsonrpc';
import { Requests, type DownloadProgress, type DownloadResult, type RequestDef } from '../protocol';
import { DownloadProgressMapper, type ProgressStep } from './progress';
import type { ProgressHub } from './progressHub';

export interface DownloadSidecar {
  request<P, R>(def: RequestDef<P, R>, params: P, token?: CancellationToken): Promise<R>;
}

export async function runDownload(
  sidecar: DownloadSidecar, hub: ProgressHub, catalogId: string, report: (step: ProgressStep) => void,
  token: CancellationToken, log: { info(m: string): void; warn(m: string): void },
): Promise<DownloadResult> {
  const mapper = new DownloadProgressMapper();
  const tracked = hub.track((v) => report(mapper.map(v as unknown as DownloadProgress)));
  let cancelled: Promise<void> | undefined;
  const onCancel = token.onCancellationRequested(() => { cancelled = cancelJobs(sidecar, catalogId, log); });
  try {
    return await sidecar.request(Requests.modelsDownload, { catalogId, workDoneToken: tracked.token }, token);
  } finally {
    onCancel.dispose();
    tracked.dispose();
    await cancelled;
  }
}

async function cancelJobs(sidecar: DownloadSidecar, catalogId: string, log: { info(m: string): void; warn(m: string): void }): Promise<void> {
  try {
    const jobs = await sidecar.request(Requests.modelsDownloads, undefined);
    for (const j of jobs.filter((j) => j.catalogId === catalogId && (j.state === 'queued' || j.state === 'running' || j.state === 'paused'))) {
      await sidecar.request(Requests.modelsCancelDownload, { id: j.id });
      log.info(`Cancelled download ${j.id} (${catalogId}).`);
    }
  } catch (e) {
    log.warn(`Cancelling the download of ${catalogId}: ${(e as Error).message}`);
  }
}
