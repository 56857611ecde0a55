// "EditorAssist: Chat History…": the conversations kept in the sidecar's SQLite, in a QuickPick.
// Enter opens one in the chat view (and continues it); the trash button deletes one after a
// confirmation. The history lives in the sidecar, so it survives restarts and crashes.
import * as vscode from 'vscode';
import type { ChatSessionInfo } from '../protocol';
import { historyRows } from './historyItems';

export interface HistoryActions {
  list(): Promise<ChatSessionInfo[]>;
  current(): string | undefined;
  open(sessionId: string): Promise<void>;
  remove(sessionId: string): Promise<boolean>;
}

interface Item extends vscode.QuickPickItem { sessionId: string }

const deleteButton: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('trash'), tooltip: 'Delete this conversation' };

export async function showChatHistory(actions: HistoryActions): Promise<void> {
  const qp = vscode.window.createQuickPick<Item>();
  qp.title = 'EditorAssist: Chat History';
  qp.placeholder = 'Open a conversation to continue it';
  qp.matchOnDescription = true;
  const refresh = async () => {
    qp.busy = true;
    try {
      const rows = historyRows(await actions.list(), actions.current());
      qp.items = rows.map((r) => ({ label: r.label, description: r.description, detail: r.detail, sessionId: r.sessionId, buttons: [deleteButton] }));
      if (rows.length === 0) qp.placeholder = 'No conversations yet';
    } finally {
      qp.busy = false;
    }
  };
  const done = new Promise<void>((resolve) => {
    qp.onDidAccept(async () => {
      const item = qp.selectedItems[0];
      qp.hide();
      if (!item) return;
      try {
        await vscode.commands.executeCommand('editorAssist.chat.focus');
        await actions.open(item.sessionId);
      } catch (e) {
        void vscode.window.showErrorMessage(`EditorAssist: could not open the conversation. ${(e as Error).message}`);
      }
    });
    qp.onDidTriggerItemButton(async ({ item }) => {
      const answer = await vscode.window.showWarningMessage(`Delete the conversation "${item.label.replace(/^\$\([\w-]+\) /, '')}"?`,
        { modal: true, detail: 'It is removed from this machine\'s chat history.' }, 'Delete');
      if (answer !== 'Delete') return;
      try {
        await actions.remove(item.sessionId);
        await refresh();
      } catch (e) {
        void vscode.window.showErrorMessage(`EditorAssist: could not delete the conversation. ${(e as Error).message}`);
      }
    });
    qp.onDidHide(() => { qp.dispose(); resolve(); });
  });
  qp.show();
  try {
    await refresh();
  } catch (e) {
    qp.hide();
    void vscode.window.showErrorMessage(`EditorAssist: could not read the chat history. ${(e as Error).message}`);
  }
  await done;
}
