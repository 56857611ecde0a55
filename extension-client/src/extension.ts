// Composition root: builds the parts, registers them on context.subscriptions, nothing more.
// Behaviour lives in the classes under sidecar/, system/, ui/.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { Commands } from './commands';
import { CLIENT_PROTOCOL_VERSION, Notifications, Requests, type ProviderInfo, type RuntimeStateParams } from './protocol';
import { ModelActivity } from './models/activity';
import { locateSidecar, sidecarCommand, SIDECAR_DLL } from './sidecar/locate';
import { SidecarStatusBar } from './sidecar/statusBar';
import { SidecarSupervisor } from './sidecar/supervisor';
import { showSystemInfo } from './system/showSystemInfo';
import { CHAT_VIEW_ID, ChatViewProvider } from './chat/chatView';
import { ActiveModel, loadModelFile } from './models/loadModelFile';
import { ProgressHub } from './models/progressHub';
import { cloudConsent, selectModel } from './models/selectModel';
import { ApiKeys } from './keys/apiKeys';
import { removeApiKeyCommand, setApiKeyCommand } from './keys/keyCommands';
import { PrivacyStatus } from './privacy/privacyStatus';
import { applyBaseUrls } from './providers/baseUrls';
import { InlineCompletion } from './completion/provider';
import { affectsSidecarSettings, changedAtStartSettings, checkHuggingFaceEndpoint, pushSidecarSettings, sidecarSettings } from './sidecar/settings';
import { downloadModel, resumeInterruptedDownloads } from './models/downloadModel';
import { PausedByUser } from './models/interrupted';
import { manageModels } from './models/manageModels';
import { PerformancePanel } from './performance/panel';
import { registerLanguageModels } from './lm/vscodeLm';
import { registerHostModels } from './host/register';
import { chooseRoutingCommand } from './host/routingCommand';
import { registerMcp } from './mcp/register';

let sidecar: SidecarSupervisor | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const activationStart = Date.now();
  const log = vscode.window.createOutputChannel('EditorAssist', { log: true });
  context.subscriptions.push(log);
  const version = (context.extension.packageJSON as { version?: string }).version ?? '0.0.0';
  log.info(`EditorAssist ${version} activating (protocol ${CLIENT_PROTOCOL_VERSION}).`);

  sidecar = new SidecarSupervisor({
    log,
    launch: () => sidecarLaunch(context),
    initializeParams: () => ({
      processId: process.pid,
      clientInfo: { name: vscode.env.appName, version: `${vscode.version}; editorassist ${version}` },
      storageDir: context.globalStorageUri.fsPath,
      settings: readSidecarSettings(),
    }),
  });
  const s = sidecar;
  const activeModel = new ActiveModel(context.globalState, s, log);
  const activity = new ModelActivity();
  const lastSession = {
    get: () => context.workspaceState.get<string>('editorAssist.chatSession'),
    set: (id: string | undefined) => context.workspaceState.update('editorAssist.chatSession', id),
  };
  const chat = new ChatViewProvider(context.extensionUri, s, () => activeModel.ref, log, activity, lastSession);
  context.subscriptions.push(
    activeModel,
    vscode.commands.registerCommand(Commands.loadModelFile, () => loadModelFile(s, activeModel, log)),
    s,
    new SidecarStatusBar(s, activeModel, activity),
    s.onNotification(Notifications.runtimeDidChangeState.method, (p) => activity.runtimeChanged(p as RuntimeStateParams)),
    s.onDidStart(() => activity.reset()),
    s.onDidFail(async ({ message }) => {
      const choice = await vscode.window.showErrorMessage(message, 'Show Logs', 'Restart');
      if (choice === 'Show Logs') log.show();
      if (choice === 'Restart') void s.start().catch(() => undefined);
    }),
    vscode.commands.registerCommand(Commands.showSystemInfo, () => showSystemInfo(s, log)),
    vscode.commands.registerCommand(Commands.showLogs, () => log.show()),
    chat,
    new InlineCompletion(s, activeModel, log, cloudConsent(context.globalState)),
    vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, chat),
    vscode.commands.registerCommand(Commands.newChat, () => chat.newChat()),
    vscode.commands.registerCommand(Commands.chatHistory, () => chat.showHistory()),
    vscode.commands.registerCommand(Commands.restartSidecar, () => s.restart().catch(() => undefined)),
    registerPerformance(s),
    // EditorAssist's models in VS Code's chat and vscode.lm (hidden where the API is missing).
    registerLanguageModels(s, cloudConsent(context.globalState), log),
    // VS Code's own models as the sidecar's "host" provider (hidden where vscode.lm is missing).
    registerHostModels(vscode, s, log),
    // MCP servers (editorAssist.mcpServers): sent to every new sidecar and on every change.
    registerMcp(s, log),
    ...registerModelCommands(context, s, activeModel, log, chat),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('editorAssist.sidecar')) void s.restart().catch(() => undefined);
      else if (affectsSidecarSettings(e)) void settingsChanged(s, log, changedAtStartSettings(e));
    }),
  );

  const firstStart = s.onDidStart(() => {
    firstStart.dispose();
    log.info(`Sidecar ready ${Date.now() - activationStart} ms after activation began.`);
  });
  context.subscriptions.push(firstStart);

  await vscode.workspace.fs.createDirectory(context.globalStorageUri);
  // Do not block activation on the sidecar: failures are logged and surfaced by onDidFail.
  void s.start().catch(() => undefined);
  log.info(`Activated in ${Date.now() - activationStart} ms.`);
}

export function deactivate(): Promise<void> | undefined {
  return sidecar?.stop();
}

/** Select Model, Download Model, Manage Models, API keys (pushed from SecretStorage at every start), local-only mode, privacy badge. */
function registerModelCommands(context: vscode.ExtensionContext, s: SidecarSupervisor, active: ActiveModel, log: vscode.LogOutputChannel, chat: ChatViewProvider): vscode.Disposable[] {
  const progress = new ProgressHub(s);
  const keys = new ApiKeys(context.secrets, s, log);
  const privacy = new PrivacyStatus(s, active, (ref, p) => chat.showActiveModel(ref, p));
  const deps = { sidecar: s, active, keys, consent: cloudConsent(context.globalState), progress, log, paused: new PausedByUser(context.globalState) };
  /**
   * The chosen model is restored from the sidecar's store. What the extension holds goes to each
   * new sidecar, from one providers/list: the keys first (a
   * download continued below may need the Hugging Face token), then the provider addresses; the
   * privacy badge is computed once both are in; then interrupted downloads continue.
   */
  const sidecarStarted = async (): Promise<void> => {
    // First: every part below (and the chat, the status bar) reads the chosen model.
    await active.restore();
    const providers = await s.request(Requests.providersList, {}).catch((e: Error) => {
      log.warn(`Listing providers after the start failed: ${e.message}`);
      return undefined;
    });
    await keys.pushAll(providers).catch((e: Error) => log.warn(`Passing stored API keys failed: ${e.message}`));
    await baseUrlsChanged(s, context.globalState, log, false, providers);
    await privacy.refresh();
    await resumeInterruptedDownloads(deps);
  };
  return [
    progress,
    privacy,
    s.onDidStart(() => void sidecarStarted()),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (!e.affectsConfiguration('editorAssist.providers')) return;
      // Where a provider is reached decides its privacy class: the badge follows.
      if ((await baseUrlsChanged(s, context.globalState, log, true)).length) await privacy.refresh();
    }),
    context.secrets.onDidChange((e) => { if (e.key.startsWith('editorAssist.apiKey.')) void privacy.refresh(); }),
    vscode.commands.registerCommand(Commands.selectModel, () => selectModel(deps)),
    vscode.commands.registerCommand(Commands.downloadModel, () => downloadModel(deps)),
    vscode.commands.registerCommand(Commands.manageModels, () => manageModels(deps)),
    vscode.commands.registerCommand(Commands.setApiKey, () => setApiKeyCommand(s, keys)),
    vscode.commands.registerCommand(Commands.removeApiKey, () => removeApiKeyCommand(s, keys)),
    vscode.commands.registerCommand(Commands.toggleLocalOnly, () => privacy.toggleLocalOnly()),
    vscode.commands.registerCommand(Commands.chooseRouting, () => chooseRoutingCommand(s, (p) => deps.consent.ensure(p), () => privacy.refresh())),
  ];
}

/**
 * Applies editorAssist.providers.baseUrls (providers/baseUrls.ts); resolves with the providers it
 * changed. Problems are always shown; notices (plain http to another machine) only when the user
 * has just changed the setting.
 */
async function baseUrlsChanged(s: SidecarSupervisor, store: vscode.Memento, log: vscode.LogOutputChannel, changedNow: boolean, listed?: ProviderInfo[]): Promise<string[]> {
  try {
    const setting = vscode.workspace.getConfiguration('editorAssist.providers').get('baseUrls');
    const { changed, problems, notices } = await applyBaseUrls(s, setting, store, log, listed);
    if (problems.length) void vscode.window.showWarningMessage(`EditorAssist: editorAssist.providers.baseUrls: ${problems.join('; ')}.`);
    if (changedNow && notices.length) void vscode.window.showWarningMessage(`EditorAssist: ${notices.join('; ')}.`);
    return changed;
  } catch (e) {
    log.warn(`Applying editorAssist.providers.baseUrls failed: ${(e as Error).message}`);
    return [];
  }
}

/** The settings the sidecar reads itself (sidecar/settings.ts), from the editorAssist configuration. */
function readSidecarSettings(): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration('editorAssist');
  return sidecarSettings((key) => config.get(key));
}

async function settingsChanged(s: SidecarSupervisor, log: vscode.LogOutputChannel, atStart: string[]): Promise<void> {
  const settings = readSidecarSettings();
  const endpoint = settings['downloads.huggingFaceEndpoint'];
  const problem = typeof endpoint === 'string' ? checkHuggingFaceEndpoint(endpoint) : undefined;
  if (problem) void vscode.window.showWarningMessage(`EditorAssist: editorAssist.downloads.huggingFaceEndpoint is ignored: ${problem}. Downloads use huggingface.co.`);
  await pushSidecarSettings(s, settings, log);
  if (atStart.length && s.state === 'running') {
    const restart = 'Restart Sidecar';
    const names = atStart.map((k) => `editorAssist.${k}`).join(', ');
    if ((await vscode.window.showInformationMessage(`EditorAssist: ${names} takes effect when the sidecar restarts (loaded models are unloaded).`, restart)) === restart) {
      await s.restart().catch(() => undefined);
    }
  }
}

/**
 * A VSIX is a zip; if an installer dropped the executable bit on the way, set it again (owner
 * only adds what is missing). Failures are left to the spawn, which reports them.
 */
function ensureExecutable(file: string): void {
  if (process.platform === 'win32') return;
  try {
    const mode = fs.statSync(file).mode;
    if ((mode & 0o100) === 0) fs.chmodSync(file, mode | 0o755);
  } catch { /* the spawn says what is wrong */ }
}

function sidecarLaunch(context: vscode.ExtensionContext) {
  const config = vscode.workspace.getConfiguration('editorAssist.sidecar');
  const located = locateSidecar({
    setting: config.get<string>('path'),
    env: process.env,
    extensionPath: context.extensionPath,
    exists: (f) => fs.existsSync(f),
  });
  if (!located) {
    throw new Error(`${SIDECAR_DLL} was not found. Set "editorAssist.sidecar.path" or install the packaged extension.`);
  }
  // The platform VSIX's sidecar is self-contained and runs as is; `dotnetPath` only matters for
  // a development build (a .dll).
  if (located.kind === 'executable') ensureExecutable(located.path);
  return {
    ...sidecarCommand(located, config.get<string>('dotnetPath') ?? 'dotnet'),
    env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1' },
  };
}

/** EditorAssist: Show Performance (also an entry of Manage Models). */
function registerPerformance(s: SidecarSupervisor): vscode.Disposable {
  const panel = new PerformancePanel(s);
  return vscode.Disposable.from(panel, vscode.commands.registerCommand(Commands.showPerformance, () => panel.show()));
}
