// MCP servers in VS Code: the setting `editorAssist.mcpServers` goes to each new sidecar and again on
// every change (servers.ts); "EditorAssist: Show MCP Servers" lists servers and tools.
import * as vscode from 'vscode';
import { Commands } from '../commands';
import type { SidecarConnection } from '../sidecar/connection';
import { showMcpServers, wireMcp } from './servers';

export const MCP_SETTING = 'editorAssist.mcpServers';

export function registerMcp(s: SidecarConnection, log: vscode.LogOutputChannel): vscode.Disposable {
  const wiring = wireMcp({
    sidecar: s,
    log,
    readSetting: () => vscode.workspace.getConfiguration('editorAssist').get('mcpServers'),
    onSettingChanged: (listener) => vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration(MCP_SETTING)) listener(); }),
    defaultCwd: () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    warn: (message) => void vscode.window.showWarningMessage(`EditorAssist: ${message}`),
  });
  return vscode.Disposable.from(
    wiring,
    vscode.commands.registerCommand(Commands.showMcpServers, () => showMcpServers(s, {
      showQuickPick: (items, title) => Promise.resolve(vscode.window.showQuickPick(items, { title, matchOnDescription: true, matchOnDetail: true })),
      showError: (message) => void vscode.window.showErrorMessage(message),
      openSetting: () => Promise.resolve(vscode.commands.executeCommand('workbench.action.openSettings', MCP_SETTING)),
    })),
  );
}
