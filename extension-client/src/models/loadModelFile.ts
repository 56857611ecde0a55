// "EditorAssist: Load Model File…": any GGUF on disk becomes the active local model
// (models/load registers it and returns its ref). Until the model picker lands, this is how a
// user points the chat at a model.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Requests } from '../protocol';
import type { SidecarConnection } from '../sidecar/connection';
import { describeError } from '../ui/errors';

// Re-exported: the commands import the active model from here.
export { ActiveModel } from './activeModel';
import type { ActiveModel } from './activeModel';

export async function loadModelFile(sidecar: SidecarConnection, active: ActiveModel, log: vscode.LogOutputChannel): Promise<void> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false, canSelectFolders: false, openLabel: 'Load', title: 'Load a GGUF model',
    filters: { 'GGUF models': ['gguf'], 'All files': ['*'] },
  });
  const file = picked?.[0];
  if (!file) return;
  try {
    const result = await vscode.window.withProgress({
      location: vscode.ProgressLocation.Notification, title: `EditorAssist: loading ${path.basename(file.fsPath)}…`, cancellable: true,
    }, (_progress, token) => sidecar.request(Requests.modelsLoad, { path: file.fsPath }, token));
    await active.set(result.ref);
    log.info(`Loaded ${result.ref} from ${file.fsPath}: ${result.backend}, ${result.gpuLayers} GPU layers, context ${result.contextLength}, ${result.loadMs} ms.`);
    void vscode.window.showInformationMessage(`EditorAssist: ${result.ref} is loaded (${result.backend}, context ${result.contextLength}) and answers in the chat.`);
  } catch (e) {
    void vscode.window.showErrorMessage(`EditorAssist: could not load ${path.basename(file.fsPath)}. ${describeError(e)}`);
  }
}
