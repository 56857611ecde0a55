// Downloads that a stop of the sidecar interrupted (a crash, Restart Sidecar, closing VS Code)
// continue at its next start, each with its progress notification; one the user paused stays
// paused. The sidecar restores every unfinished download as paused and never restarts one by
// itself (it cannot tell an interruption from a choice); the extension remembers which ones the
// user paused (globalState), so it can. vscode-free: unit-tested.
import type { DownloadInfo, DownloadTarget } from '../protocol';

/** What to ask `models/download` for to join or continue `job`: its catalog entry, else its URL. */
export function targetOf(job: Pick<DownloadInfo, 'catalogId' | 'url'>): DownloadTarget | undefined {
  if (job.catalogId) return { catalogId: job.catalogId };
  if (job.url) return { url: job.url };
  return undefined;
}

/** The paused jobs the user did not pause, with what to ask for; the rest are left alone. */
export function interruptedDownloads(jobs: readonly DownloadInfo[], pausedByUser: ReadonlySet<string>): { job: DownloadInfo; target: DownloadTarget }[] {
  const out: { job: DownloadInfo; target: DownloadTarget }[] = [];
  for (const job of jobs) {
    if (job.state !== 'paused' || pausedByUser.has(job.id)) continue;
    const target = targetOf(job);
    if (target) out.push({ job, target });
  }
  return out;
}

/** A key/value store (VS Code's globalState satisfies it). */
export interface PausedStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void> | Promise<void>;
}

const KEY = 'editorAssist.downloads.pausedByUser';

/** The ids of the downloads the user paused (Manage Models → Pause), until resumed or cancelled. */
export class PausedByUser {
  constructor(private readonly store: PausedStore) {}

  ids(): Set<string> {
    return new Set(this.store.get<string[]>(KEY) ?? []);
  }

  async set(id: string, paused: boolean): Promise<void> {
    const ids = this.ids();
    if (paused) ids.add(id);
    else ids.delete(id);
    await this.store.update(KEY, [...ids]);
  }

  /** Forgets ids the sidecar no longer knows (finished or cancelled elsewhere). */
  async prune(known: readonly DownloadInfo[]): Promise<void> {
    const live = new Set(known.map((j) => j.id));
    const ids = [...this.ids()];
    const kept = ids.filter((id) => live.has(id));
    if (kept.length !== ids.length) await this.store.update(KEY, kept);
  }
}
