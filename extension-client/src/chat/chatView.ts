// The chat view: a WebviewView in the EditorAssist activity-bar container. Owns the webview's
// HTML (strict CSP, a fresh CSPRNG nonce per render) and the UI-only actions; the
// conversation itself is ChatController's.
import { randomBytes } from 'node:crypto';
import type { ModelActivity } from '../models/activity';
import * as vscode from 'vscode';
import type { SidecarConnection } from '../sidecar/connection';
import { ChatController, type ChatContext } from './controller';
import { Requests } from '../protocol';
import { Commands } from '../commands';
import { showChatHistory } from './history';
import { chatBodyHtml } from './html';
import { isOpenableUrl, parseFromWebview, type FromWebview, type Privacy, type ToWebview } from './messages';
import { PROPOSAL_SCHEME, ProposalDocuments, WorkspaceTools } from '../tools/workspaceTools';

export const CHAT_VIEW_ID = 'editorAssist.chat';

export class ChatViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private readonly controller: ChatController;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri, private readonly sidecar: SidecarConnection, private readonly chosenModel: () => string | undefined, log: vscode.LogOutputChannel,
    activity?: ModelActivity,
    /**
     * Where the conversation on screen is remembered (its sidecar session id): a window reload starts
     * a new extension host, and the view reopens it from the sidecar's history instead of coming back
     * blank. workspaceState: each workspace window continues its own conversation.
     */
    private readonly lastSession?: { get(): string | undefined; set(id: string | undefined): PromiseLike<void> },
  ) {
    this.controller = new ChatController({
      request: (def, params, token) => sidecar.request(def, params, token),
      onNotification: (method, handler) => sidecar.onNotification(method, handler),
      methods: () => {
        const m = sidecar.state === 'running' ? sidecar.serverInfo?.capabilities?.methods : undefined;
        return Array.isArray(m) ? (m as string[]) : undefined;
      },
      starting: () => sidecar.state === 'starting',
      onRequest: (method, handler) => sidecar.onRequest(method, handler),
    }, (m) => this.post(m), () => editorContext(), () => ({
      model: chosenModel(),
      maxTokens: vscode.workspace.getConfiguration('editorAssist.chat').get<number>('maxTokens') || undefined,
    }), (line) => log.info(line), activity, this.tools(log));
    // Tell the webview when chat becomes (un)available as the sidecar comes and goes.
    this.disposables.push(sidecar.onDidChangeState(() => this.post({ type: 'state', ...this.controller.availability() })));
  }

  /** Agent mode's workspace tools; review diffs show proposals from a read-only virtual document. */
  private tools(log: vscode.LogOutputChannel): WorkspaceTools {
    const proposals = new ProposalDocuments();
    this.disposables.push(
      vscode.workspace.registerTextDocumentContentProvider(PROPOSAL_SCHEME, proposals),
      vscode.commands.registerCommand('editorAssist.toggleAgentMode', async () => {
        const config = vscode.workspace.getConfiguration('editorAssist.chat');
        const on = !config.get<boolean>('agentMode');
        await config.update('agentMode', on, vscode.ConfigurationTarget.Global);
        void vscode.window.setStatusBarMessage(`EditorAssist: agent mode ${on ? 'on' : 'off'}`, 3000);
      }),
    );
    return new WorkspaceTools(proposals, (text) => log.info(`[agent command] ${text.trimEnd()}`));
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const root = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    view.webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: [root] };
    view.webview.html = this.html(view.webview, root);
    this.disposables.push(
      view.webview.onDidReceiveMessage((raw) => {
        const msg = parseFromWebview(raw);
        if (msg) void this.onMessage(msg);
      }),
      view.onDidDispose(() => { this.view = undefined; }),
    );
  }

  newChat(): void {
    this.controller.newChat();
    this.rememberSession();
  }

  private restoreTried = false;

  /** Once per extension host: the conversation this window showed before a reload comes back. */
  private async restoreConversation(): Promise<void> {
    if (this.restoreTried) return;
    this.restoreTried = true;
    const id = this.lastSession?.get();
    if (!id || this.controller.currentSessionId) return;
    try {
      await this.controller.openSession(id);
    } catch (e) {
      // -32602: the conversation was deleted meanwhile; start empty. Anything else (the sidecar is
      // down) may pass: try again the next time the view opens.
      if ((e as { code?: unknown }).code === -32602) void this.lastSession?.set(undefined);
      else this.restoreTried = false;
    }
  }

  private rememberSession(): void {
    const id = this.controller.currentSessionId;
    if (this.lastSession && this.lastSession.get() !== id) void this.lastSession.set(id);
  }

  /** "Chat History…": pick a stored conversation to continue, or delete one. */
  showHistory(): Promise<void> {
    return showChatHistory({
      list: () => this.sidecar.request(Requests.chatSessions, undefined),
      current: () => this.controller.currentSessionId,
      open: async (id) => { await this.controller.openSession(id); this.rememberSession(); },
      remove: (id) => this.controller.deleteSession(id),
    });
  }

  /** The header follows the chosen model (name and Cloud badge) before it has answered. */
  showActiveModel(model: string | undefined, privacy: Privacy | undefined): void {
    this.activeModel = { model, privacy };
    this.post({ type: 'state', ...this.controller.availability(), model: model ?? null, privacy });
  }
  private activeModel: { model?: string; privacy?: Privacy } = {};

  dispose(): void {
    this.controller.dispose();
    for (const d of this.disposables) d.dispose();
  }

  private post(m: ToWebview): void {
    void this.view?.webview.postMessage(m);
  }

  private async onMessage(msg: FromWebview): Promise<void> {
    switch (msg.type) {
      case 'copyCode':
        await vscode.env.clipboard.writeText(msg.code);
        void vscode.window.setStatusBarMessage('EditorAssist: code copied', 2000);
        return;
      case 'insertCode': {
        const editor = vscode.window.activeTextEditor;
        if (!editor) {
          void vscode.window.showInformationMessage('EditorAssist: open an editor to insert the code into.');
          return;
        }
        await editor.edit((b) => b.replace(editor.selection, msg.code));
        return;
      }
      case 'newFile': {
        const doc = await vscode.workspace.openTextDocument({ content: msg.code, language: msg.language || undefined });
        await vscode.window.showTextDocument(doc);
        return;
      }
      case 'openLink': {
        // Model output is untrusted: only web/mail links, only after the user saw the full URL.
        if (!isOpenableUrl(msg.url)) {
          void vscode.window.showWarningMessage(`EditorAssist: not opening this link: ${msg.url}`);
          return;
        }
        const open = 'Open';
        const choice = await vscode.window.showWarningMessage(`Open this link from the model's answer?\n\n${msg.url}`, { modal: true }, open);
        if (choice === open) await vscode.env.openExternal(vscode.Uri.parse(msg.url, true));
        return;
      }
      case 'runCommand':
        // The empty state's buttons: the same commands as the palette (allow-listed in parseFromWebview).
        await vscode.commands.executeCommand(Commands[msg.command]);
        return;
      default:
        await this.controller.handle(msg);
        if (msg.type === 'ready') {
          // The header and the empty state follow the chosen model from the first paint on.
          const model = this.activeModel.model ?? this.chosenModel();
          this.post({ type: 'state', ...this.controller.availability(), model: model ?? null, privacy: this.activeModel.privacy });
          await this.restoreConversation();
        }
        this.rememberSession();
    }
  }

  private html(webview: vscode.Webview, root: vscode.Uri): string {
    const nonce = randomBytes(18).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(root, 'chat.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(root, 'chat.css'));
    const csp = [
      "default-src 'none'",
      `script-src 'nonce-${nonce}'`,
      `style-src ${webview.cspSource}`,
      `img-src ${webview.cspSource} data:`,
      `font-src ${webview.cspSource}`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>EditorAssist Chat</title>
</head>
<body>
${chatBodyHtml()}
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }
}

const MAX_CONTEXT_CHARS = 20_000;

/** The selection in the active editor, or the whole file when nothing is selected. */
function editorContext(): ChatContext | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const doc = editor.document;
  const text = editor.selection.isEmpty ? doc.getText() : doc.getText(editor.selection);
  if (!text.trim()) return undefined;
  return {
    path: vscode.workspace.asRelativePath(doc.uri),
    languageId: doc.languageId,
    text: text.length > MAX_CONTEXT_CHARS ? `${text.slice(0, MAX_CONTEXT_CHARS)}\n… (truncated)` : text,
  };
}

/**
 * The chat view with its commands (New Chat, Chat History). The conversation on screen is
 * remembered per workspace (workspaceState), so a window reload reopens it.
 */
export function registerChatView(context: vscode.ExtensionContext, sidecar: SidecarConnection, chosenModel: () => string | undefined, log: vscode.LogOutputChannel, activity: ModelActivity): { chat: ChatViewProvider; disposable: vscode.Disposable } {
  const lastSession = {
    get: () => context.workspaceState.get<string>('editorAssist.chatSession'),
    set: (id: string | undefined) => context.workspaceState.update('editorAssist.chatSession', id),
  };
  const chat = new ChatViewProvider(context.extensionUri, sidecar, chosenModel, log, activity, lastSession);
  return {
    chat,
    disposable: vscode.Disposable.from(
      chat,
      vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, chat),
      vscode.commands.registerCommand(Commands.newChat, () => chat.newChat()),
      vscode.commands.registerCommand(Commands.chatHistory, () => chat.showHistory()),
    ),
  };
}
