// Composition root: builds the parts and registers them on context.subscriptions, nothing more.
// Behaviour lives in the feature folders; each registers its own commands and views.
import * as vscode from 'vscode';
import { Commands } from './commands';
import { CLIENT_PROTOCOL_VERSION, Notifications, type RuntimeStateParams } from './protocol';
import { ModelActivity } from './models/activity';
import { SidecarStatusBar } from './sidecar/statusBar';
import type { SidecarSupervisor } from './sidecar/supervisor';
import { createSidecar, registerSidecarLifecycle } from './sidecar/vscodeSidecar';
import { showSystemInfo } from './system/showSystemInfo';
import { registerChatView } from './chat/chatView';
import { ActiveModel, loadModelFile } from './models/loadModelFile';
import { cloudConsent } from './models/selectModel';
import { registerModelCommands } from './models/register';
import { InlineCompletion } from './completion/provider';
import { registerPerformance } from './performance/panel';
import { registerLanguageModels } from './lm/vscodeLm';
import { registerHostModels } from './host/register';
import { registerMcp } from './mcp/register';

let sidecar: SidecarSupervisor | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const activationStart = Date.now();
  const log = vscode.window.createOutputChannel('EditorAssist', { log: true });
  const version = (context.extension.packageJSON as { version?: string }).version ?? '0.0.0';
  log.info(`EditorAssist ${version} activating (protocol ${CLIENT_PROTOCOL_VERSION}).`);

  const s = sidecar = createSidecar(context, log, version);
  const activeModel = new ActiveModel(context.globalState, s, log);
  const activity = new ModelActivity();
  const { chat, disposable: chatView } = registerChatView(context, s, () => activeModel.ref, log, activity);
  const consent = cloudConsent(context.globalState);
  const firstStart = s.onDidStart(() => {
    firstStart.dispose();
    log.info(`Sidecar ready ${Date.now() - activationStart} ms after activation began.`);
  });
  context.subscriptions.push(
    log, activeModel, s, firstStart,
    registerSidecarLifecycle(s, log),
    new SidecarStatusBar(s, activeModel, activity),
    s.onNotification(Notifications.runtimeDidChangeState.method, (p) => activity.runtimeChanged(p as RuntimeStateParams)),
    s.onDidStart(() => activity.reset()),
    vscode.commands.registerCommand(Commands.loadModelFile, () => loadModelFile(s, activeModel, log)),
    vscode.commands.registerCommand(Commands.showSystemInfo, () => showSystemInfo(s, log)),
    chatView,
    new InlineCompletion(s, activeModel, log, consent),
    registerPerformance(s),
    // EditorAssist's models in VS Code's chat and vscode.lm (hidden where the API is missing).
    registerLanguageModels(s, consent, log),
    // VS Code's own models as the sidecar's "host" provider (hidden where vscode.lm is missing).
    registerHostModels(vscode, s, log),
    registerModelCommands(context, s, activeModel, log, (ref, p) => chat.showActiveModel(ref, p)),
    // MCP servers (editorAssist.mcpServers): sent to every new sidecar and on every change; Show MCP Servers.
    registerMcp(s, log, consent),
  );

  await vscode.workspace.fs.createDirectory(context.globalStorageUri);
  // Do not block activation on the sidecar: failures are logged and surfaced by onDidFail.
  void s.start().catch(() => undefined);
  log.info(`Activated in ${Date.now() - activationStart} ms.`);
}

export function deactivate(): Promise<void> | undefined {
  return sidecar?.stop();
}
