// Select Model, Download Model, Manage Models, API keys (pushed from SecretStorage at every
// start), local-only mode, the routing strategy and the privacy badge: registered together
// because they share the active model, the keys and the consent store.
import * as vscode from 'vscode';
import { Commands } from '../commands';
import { Requests, type Privacy, type ProviderInfo } from '../protocol';
import type { SidecarConnection } from '../sidecar/connection';
import type { ActiveModel } from './loadModelFile';
import { ProgressHub } from './progressHub';
import { cloudConsent, selectModel } from './selectModel';
import { ApiKeys } from '../keys/apiKeys';
import { removeApiKeyCommand, setApiKeyCommand } from '../keys/keyCommands';
import { PrivacyStatus } from '../privacy/privacyStatus';
import { applyBaseUrls } from '../providers/baseUrls';
import { downloadModel, resumeInterruptedDownloads } from './downloadModel';
import { PausedByUser } from './interrupted';
import { manageModels } from './manageModels';
import { chooseRoutingCommand } from '../host/routingCommand';

/** Where the privacy badge of the active model is shown besides the status bar (the chat view). */
export type ShowActiveModel = (ref: string, privacy: Privacy | undefined) => void;

export function registerModelCommands(context: vscode.ExtensionContext, s: SidecarConnection, active: ActiveModel, log: vscode.LogOutputChannel, showActiveModel: ShowActiveModel): vscode.Disposable {
  const progress = new ProgressHub(s);
  const keys = new ApiKeys(context.secrets, s, log);
  const privacy = new PrivacyStatus(s, active, showActiveModel);
  const deps = { sidecar: s, active, keys, consent: cloudConsent(context.globalState), progress, log, paused: new PausedByUser(context.globalState) };
  /**
   * The chosen model is restored from the sidecar's store. What the extension holds goes to each
   * new sidecar, from one providers/list: the keys first (a download continued below may need
   * the Hugging Face token), then the provider addresses; the privacy badge is computed once
   * both are in; then interrupted downloads continue.
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
  return vscode.Disposable.from(
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
  );
}

/**
 * Applies editorAssist.providers.baseUrls (providers/baseUrls.ts); resolves with the providers it
 * changed. Problems are always shown; notices (plain http to another machine) only when the user
 * has just changed the setting.
 */
async function baseUrlsChanged(s: SidecarConnection, store: vscode.Memento, log: vscode.LogOutputChannel, changedNow: boolean, listed?: ProviderInfo[]): Promise<string[]> {
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
