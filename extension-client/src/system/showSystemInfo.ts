// "EditorAssist: Show System Info": asks the sidecar for `system/info` and shows it.
import * as vscode from 'vscode';
import { Requests } from '../protocol';
import type { SidecarConnection } from '../sidecar/connection';
import { formatSystemInfo, summarizeSystemInfo } from './format';
import { describeError } from '../ui/errors';

export async function showSystemInfo(sidecar: SidecarConnection, log: vscode.LogOutputChannel): Promise<void> {
  try {
    const info = await sidecar.request(Requests.systemInfo, undefined);
    const server = sidecar.serverInfo?.serverInfo;
    const report = formatSystemInfo(info, server ? `${server.name} ${server.version}` : undefined);
    log.info(`system/info: ${summarizeSystemInfo(info)}`);
    const details = 'Show Details';
    const choice = await vscode.window.showInformationMessage(`EditorAssist: ${summarizeSystemInfo(info)}`, details);
    if (choice === details) {
      const doc = await vscode.workspace.openTextDocument({ content: report, language: 'plaintext' });
      await vscode.window.showTextDocument(doc, { preview: true });
    }
  } catch (e) {
    void vscode.window.showErrorMessage(`EditorAssist: could not read system information. ${describeError(e)}`);
  }
}
