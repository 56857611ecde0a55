// Loading and downloading a local model behind a cancellable progress notification, shared by
// Select Model, Download Model and Manage Models. Errors end up in an error message, so callers
// only see the result or undefined.
import * as vscode from 'vscode';
import { Requests, type DownloadResult, type DownloadTarget } from '../protocol';
import type { SidecarConnection } from '../sidecar/connection';
import { describeError, isAccessRefused, isInterruptedDownload } from '../ui/errors';
import { HUGGING_FACE, type ApiKeys } from '../keys/apiKeys';
import { askForKey } from '../keys/keyCommands';
import { runDownload } from './download';
import type { ProgressHub } from './progressHub';

export interface ProgressDeps {
  sidecar: SidecarConnection;
  progress: ProgressHub;
  log: vscode.LogOutputChannel;
  /** Where a Hugging Face token is stored when a gated download asks for one. */
  keys: ApiKeys;
}

/** Loads a local model; its ref, or undefined when it failed or was cancelled. */
export async function loadLocal(ref: string, { sidecar, progress, log }: ProgressDeps): Promise<string | undefined> {
  try {
    const result = await vscode.window.withProgress({
      location: vscode.ProgressLocation.Notification, title: `EditorAssist: loading ${ref}`, cancellable: true,
    }, async (p, token) => {
      let reported = 0;
      const tracked = progress.track((v) => {
        if (typeof v.percentage === 'number' && v.percentage > reported) {
          p.report({ increment: v.percentage - reported, message: `${Math.round(v.percentage)} %` });
          reported = v.percentage;
        }
      });
      try {
        return await sidecar.request(Requests.modelsLoad, { ref, workDoneToken: tracked.token }, token);
      } finally {
        tracked.dispose();
      }
    });
    log.info(`Selected ${result.ref}: ${result.backend}, ${result.gpuLayers} GPU layers, context ${result.contextLength}, ${result.loadMs} ms.`);
    void vscode.window.showInformationMessage(`EditorAssist: ${result.ref} is loaded (${result.backend}) and answers in the chat.`);
    return result.ref;
  } catch (e) {
    void vscode.window.showErrorMessage(`EditorAssist: could not load ${ref}. ${describeError(e)}`);
    return undefined;
  }
}

/** Downloads (bytes, speed, time left; Cancel stops the job in the sidecar); the result, or undefined after saying why it stopped. */
export async function downloadWithProgress(target: DownloadTarget, name: string, deps: ProgressDeps, retried = false): Promise<DownloadResult | undefined> {
  const { sidecar, progress, log, keys } = deps;
  try {
    const result = await vscode.window.withProgress({
      location: vscode.ProgressLocation.Notification, title: `EditorAssist: downloading ${name}`, cancellable: true,
    }, (p, token) => runDownload(sidecar, progress, target, (step) => p.report(step), token, log));
    log.info(`Downloaded ${name} as ${result.ref} (${result.sizeBytes} bytes, sha256 ${result.sha256}).`);
    return result;
  } catch (e) {
    if (isInterruptedDownload(e)) {
      // The job and its partial file stay with the sidecar; the next start continues it (interrupted.ts).
      void vscode.window.showWarningMessage(`EditorAssist: the download of ${name} was interrupted: the sidecar stopped. It continues when the sidecar is back.`);
      return undefined;
    }
    const message = `EditorAssist: download of ${name} stopped. ${describeError(e)}`;
    // A gated repository: offer to set the token and try once more.
    if (!retried && isAccessRefused(e)) {
      const SET = 'Set Hugging Face Token…';
      if ((await vscode.window.showErrorMessage(message, SET)) === SET && (await askForKey(HUGGING_FACE, keys))) {
        return downloadWithProgress(target, name, deps, true);
      }
      return undefined;
    }
    void vscode.window.showErrorMessage(message);
    return undefined;
  }
}
