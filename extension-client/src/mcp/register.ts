// MCP servers in VS Code: the setting `editorAssist.mcpServers` goes to each new sidecar and again on
// every change (servers.ts); "EditorAssist: Show MCP Servers" lists servers and tools.
import * as vscode from 'vscode';
import { Commands } from '../commands';
import type { CloudConsent } from '../privacy/privacy';
import type { SidecarConnection } from '../sidecar/connection';
import { mcpConsentKey, showMcpServers, wireMcp } from './servers';

export const MCP_SETTING = 'editorAssist.mcpServers';

export const ALLOW_MCP = 'Allow';

export function registerMcp(s: SidecarConnection, log: vscode.LogOutputChannel, consent: Pick<CloudConsent, 'given' | 'remember'>): vscode.Disposable {
  const wiring = wireMcp({
    sidecar: s,
    log,
    readSetting: () => vscode.workspace.getConfiguration('editorAssist').get('mcpServers'),
    onSettingChanged: (listener) => vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration(MCP_SETTING)) listener(); }),
    defaultCwd: () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    warn: (message) => void vscode.window.showWarningMessage(`EditorAssist: ${message}`),
    // A server on another machine is a cloud service: nothing is sent to it before the user agrees
    // (remembered with the cloud models' consent, per server name and address).
    consent: {
      given: (key) => consent.given(key),
      ask: async (server, host) => {
        const choice = await vscode.window.showWarningMessage(
          `EditorAssist: the MCP server "${server.name}" is on another machine (${host}). Its tools receive the arguments the model chooses, which can include your code. Connect to it?`,
          ALLOW_MCP, 'Not Now');
        if (choice !== ALLOW_MCP) return false;
        await consent.remember(mcpConsentKey(server));
        return true;
      },
    },
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
