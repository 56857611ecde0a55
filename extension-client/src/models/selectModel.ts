// "EditorAssist: Select Model": a QuickPick built by buildModelPicker from what the sidecar
// reports. Local → becomes the chat model and is loaded (cancellable progress); downloadable →
// downloaded (cancellable progress, cancel stops the download in the sidecar); API model →
// one-time cloud consent, the key asked for if missing, then it becomes the chat model.
import * as vscode from 'vscode';
import type { ProviderInfo } from '../protocol';
import type { SidecarConnection } from '../sidecar/connection';
import { describeError } from '../ui/errors';
import type { ApiKeys } from '../keys/apiKeys';
import { askForKey } from '../keys/keyCommands';
import { CloudConsent } from '../privacy/privacy';
import { buildModelPicker, type PickerAction } from './picker';
import { chooseModel } from './chooseModel';
import { loadPickerInput } from './pickerData';
import type { ActiveModel } from './loadModelFile';
import { downloadWithProgress, loadLocal } from './withProgress';
import type { ProgressHub } from './progressHub';

interface Item extends vscode.QuickPickItem {
  action?: PickerAction;
}

export interface SelectModelDeps {
  sidecar: SidecarConnection;
  active: ActiveModel;
  keys: ApiKeys;
  consent: CloudConsent;
  progress: ProgressHub;
  log: vscode.LogOutputChannel;
}

export function cloudConsent(store: vscode.Memento): CloudConsent {
  return new CloudConsent(store, async (provider, display) => {
    const ok = 'Use ' + provider.displayName;
    const choice = await vscode.window.showWarningMessage(
      `${provider.displayName} is a cloud service`,
      { modal: true, detail: `${display.text} While one of its models is active, your chat prompts, the selected code and the files you add as context leave this machine and are handled under ${provider.displayName}'s terms. Local models keep everything on this machine.` },
      ok);
    return choice === ok;
  });
}

export async function selectModel(deps: SelectModelDeps): Promise<void> {
  const { sidecar, active, log } = deps;
  const qp = vscode.window.createQuickPick<Item>();
  qp.title = 'EditorAssist: Select Model';
  qp.placeholder = 'Choose the chat model: local, to download, or an API provider';
  qp.matchOnDescription = true;
  qp.busy = true;
  qp.show();
  let input: Awaited<ReturnType<typeof loadPickerInput>>;
  try {
    input = await loadPickerInput(sidecar, active.ref);
  } catch (e) {
    qp.dispose();
    void vscode.window.showErrorMessage(`EditorAssist: could not list models. ${describeError(e)}`);
    return;
  }
  for (const e of input.errors) log.warn(`Select Model: ${e}`);
  const entries = buildModelPicker(input);
  qp.items = entries.map((e): Item => e.kind === 'separator'
    ? { label: e.label, kind: vscode.QuickPickItemKind.Separator }
    : { label: (e.picked ? '$(check) ' : '') + e.label, description: e.description, detail: e.detail, action: e.action });
  if (!entries.some((e) => e.kind === 'item')) {
    qp.items = [{ label: 'No models yet', description: 'Use "EditorAssist: Load Model File…" or configure a provider' }];
  }
  qp.busy = false;
  const chosen = await new Promise<Item | undefined>((resolve) => {
    qp.onDidAccept(() => resolve(qp.selectedItems[0]));
    qp.onDidHide(() => resolve(undefined));
  });
  qp.dispose();
  if (!chosen?.action) return;
  await runAction(chosen.action, input.providers, input.localOnly, deps);
}

async function runAction(action: PickerAction, providers: ProviderInfo[], localOnly: boolean, deps: SelectModelDeps): Promise<void> {
  const ref = await chooseModel(action, providers, localOnly, {
    consent: (p) => deps.consent.ensure(p),
    askKey: (p) => askForKey(p, deps.keys),
    load: (r) => loadLocal(r, deps),
    download: (id) => download(id, deps),
    setActive: (r) => deps.active.set(r),
    warn: (m) => void vscode.window.showWarningMessage(`EditorAssist: ${m}`),
  });
  if (ref && action.type !== 'download' && !ref.startsWith('local/')) void vscode.window.showInformationMessage(`EditorAssist: chat model is ${ref}.`);
}

async function download(catalogId: string, deps: SelectModelDeps): Promise<string | undefined> {
  return (await downloadWithProgress({ catalogId }, catalogId, deps))?.ref;
}
