// "EditorAssist: Download Model…": a QuickPick of the catalog entries not on disk yet, with size,
// quantization, roles and whether each fits this machine (too large ones warn and ask first), plus
// "Hugging Face file or URL…". The download runs in a cancellable notification with live
// progress (runDownload); afterwards the model can become the chat or the completion model.
// The lists and the parsing live in downloadPick.ts (vscode-free, unit-tested).
import * as vscode from 'vscode';
import type { ApiKeys } from '../keys/apiKeys';
import { interruptedDownloads, type PausedByUser } from './interrupted';
import { Requests, type CatalogEntry, type DownloadInfo, type DownloadResult, type DownloadTarget } from '../protocol';
import type { SidecarConnection } from '../sidecar/connection';
import { describeError } from '../ui/errors';
import { formatBytes } from '../system/format';
import { describeTarget } from './download';
import { buildDownloadPick, describeFit, parseModelInput, usesAfterDownload, type DownloadPickAction } from './downloadPick';
import type { ActiveModel } from './loadModelFile';
import type { ProgressHub } from './progressHub';
import { downloadWithProgress, loadLocal } from './withProgress';

export interface ModelCommandDeps {
  sidecar: SidecarConnection;
  active: ActiveModel;
  progress: ProgressHub;
  log: vscode.LogOutputChannel;
  /** For a gated download's "Set Hugging Face Token…". */
  keys: ApiKeys;
  /** The downloads the user paused, which stay paused across restarts. */
  paused: PausedByUser;
}

interface Item extends vscode.QuickPickItem {
  action?: DownloadPickAction;
}

export async function downloadModel(deps: ModelCommandDeps): Promise<void> {
  const { sidecar, log } = deps;
  const qp = vscode.window.createQuickPick<Item>();
  qp.title = 'EditorAssist: Download Model';
  qp.placeholder = 'Choose a model to download (or "Hugging Face file or URL…" at the end)';
  qp.matchOnDescription = true;
  qp.matchOnDetail = true;
  qp.busy = true;
  // Listening before the list loads: Escape while it is busy ends the command.
  const chosenItem = new Promise<Item | undefined>((resolve) => {
    qp.onDidAccept(() => { if (qp.selectedItems[0]?.action) resolve(qp.selectedItems[0]); });
    qp.onDidHide(() => resolve(undefined));
  });
  qp.show();
  let catalog: CatalogEntry[] = [];
  let downloads: DownloadInfo[] = [];
  try {
    [catalog, downloads] = await Promise.all([
      sidecar.request(Requests.modelsCatalog, undefined),
      sidecar.request(Requests.modelsDownloads, undefined).catch(() => [] as DownloadInfo[]),
    ]);
  } catch (e) {
    // Without the catalog the free-form entry still works.
    log.warn(`Download Model: the catalog is not available: ${describeError(e)}`);
  }
  qp.items = buildDownloadPick(catalog, downloads).map((i): Item => ({ label: i.label, description: i.description, detail: i.detail, action: i.action }));
  qp.busy = false;
  const chosen = await chosenItem;
  qp.dispose();
  const action = chosen?.action;
  if (!action) return;

  if (action.type === 'catalog') {
    const { entry } = action;
    if (action.confirmTooLarge) {
      const go = 'Download Anyway';
      const answer = await vscode.window.showWarningMessage(`${entry.displayName} is too large for this machine`, {
        modal: true,
        detail: `It is ${describeFit(entry.fit)}: loading it will likely fail or be very slow. Download it anyway (${entry.sizeApproximate ? 'about ' : ''}${formatBytes(entry.sizeBytes)})?`,
      }, go);
      if (answer !== go) return;
    }
    const result = await downloadWithProgress({ catalogId: entry.id }, entry.displayName, deps);
    if (result) await offerUse(result, usesAfterDownload(entry.roles), deps);
    return;
  }

  const target = await askForModelFile();
  if (!target) return;
  const result = await downloadWithProgress(target, describeTarget(target), deps);
  // A file that is also in the catalog is known to do code completion; any other is offered for chat.
  if (result) await offerUse(result, usesAfterDownload(catalog.find((c) => (c.ref ?? `local/${c.id}`) === result.ref)?.roles), deps);
}

/** Asks for owner/repo/file.gguf, an hf:// path or a URL; validated as typed. */
async function askForModelFile(): Promise<DownloadTarget | undefined> {
  const text = await vscode.window.showInputBox({
    title: 'EditorAssist: Download from Hugging Face',
    prompt: 'A GGUF file: owner/repo/file.gguf (owner/repo@revision/file.gguf for a branch or commit), hf://owner/repo/file.gguf, or an https URL',
    placeHolder: 'Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF/qwen2.5-coder-0.5b-instruct-q8_0.gguf',
    ignoreFocusOut: true,
    validateInput: (v) => {
      if (!v.trim()) return undefined;
      const p = parseModelInput(v);
      return p.ok ? undefined : p.error;
    },
  });
  if (!text?.trim()) return undefined;
  const p = parseModelInput(text);
  return p.ok ? p.target : undefined;
}

/**
 * At each sidecar start: continues the downloads a stop interrupted (models/download joins the
 * restored job, which re-hashes its partial and asks only for the rest), each behind its progress
 * notification; a download the user paused stays paused. Resolves once they are started.
 */
export async function resumeInterruptedDownloads(deps: ModelCommandDeps): Promise<void> {
  try {
    const jobs = await deps.sidecar.request(Requests.modelsDownloads, undefined);
    await deps.paused.prune(jobs);
    for (const { job, target } of interruptedDownloads(jobs, deps.paused.ids())) {
      deps.log.info(`Continuing the interrupted download of ${job.fileName} (${job.bytes} of ${job.totalBytes ?? 'unknown'} bytes on disk).`);
      void downloadWithProgress(target, job.fileName, deps).then((result) => result && offerUse(result, usesAfterDownload(undefined), deps));
    }
  } catch (e) {
    deps.log.warn(`Could not look for interrupted downloads: ${(e as Error).message}`);
  }
}

/** "Use for chat" / "Use for completion" after a download. */
async function offerUse(result: DownloadResult, uses: ('chat' | 'completion')[], deps: ModelCommandDeps): Promise<void> {
  const labels = { chat: 'Use for chat', completion: 'Use for completion' } as const;
  const choice = await vscode.window.showInformationMessage(`EditorAssist: ${result.ref} is downloaded.`, ...uses.map((u) => labels[u]));
  if (choice === labels.chat) await useForChat(result.ref, deps);
  if (choice === labels.completion) await useForCompletion(result.ref);
}

/** Loads the model (progress notification) and makes it the chat model. */
export async function useForChat(ref: string, deps: ModelCommandDeps): Promise<void> {
  const loaded = await loadLocal(ref, deps);
  if (loaded) await deps.active.set(loaded);
}

/** Makes it the inline-completion model (the user setting editorAssist.completion.model). */
export async function useForCompletion(ref: string): Promise<void> {
  await vscode.workspace.getConfiguration('editorAssist.completion').update('model', ref, vscode.ConfigurationTarget.Global);
  void vscode.window.showInformationMessage(`EditorAssist: ${ref} completes code inline (editorAssist.completion.model).`);
}
