// "Set API Key…" and "Remove API Key": pick a provider that takes a key, then ask / forget.
import * as vscode from 'vscode';
import { Requests, type ProviderInfo } from '../protocol';
import type { SidecarConnection } from '../sidecar/connection';
import { describeError } from '../ui/errors';
import { ApiKeys, HUGGING_FACE } from './apiKeys';

type Keyed = Pick<ProviderInfo, 'id' | 'displayName'>;

async function pickProvider(sidecar: SidecarConnection, keys: ApiKeys, onlyWithKey: boolean): Promise<Keyed | undefined> {
  let providers: Keyed[];
  try {
    providers = [...ApiKeys.keyed(await sidecar.request(Requests.providersList, {})), HUGGING_FACE];
  } catch (e) {
    void vscode.window.showErrorMessage(`EditorAssist: could not list providers. ${describeError(e)}`);
    return undefined;
  }
  const rows = await Promise.all(providers.map(async (p) => ({ p, stored: await keys.has(p.id) })));
  const shown = rows.filter((r) => !onlyWithKey || r.stored);
  if (!shown.length) {
    void vscode.window.showInformationMessage(onlyWithKey ? 'EditorAssist: no API keys are stored.' : 'EditorAssist: no provider takes an API key.');
    return undefined;
  }
  const chosen = await vscode.window.showQuickPick(
    shown.map((r) => ({ label: r.p.displayName, description: r.stored ? 'key stored' : 'no key', p: r.p })),
    { title: onlyWithKey ? 'EditorAssist: Remove API Key' : 'EditorAssist: Set API Key', placeHolder: 'Provider' });
  return chosen?.p;
}

export async function setApiKeyCommand(sidecar: SidecarConnection, keys: ApiKeys): Promise<void> {
  const p = await pickProvider(sidecar, keys, false);
  if (p && (await askForKey(p, keys))) void vscode.window.showInformationMessage(`EditorAssist: the API key for ${p.displayName} is stored.`);
}

export async function removeApiKeyCommand(sidecar: SidecarConnection, keys: ApiKeys): Promise<void> {
  const p = await pickProvider(sidecar, keys, true);
  if (!p) return;
  try {
    await keys.remove(p.id);
    void vscode.window.showInformationMessage(`EditorAssist: the API key for ${p.displayName} is removed.`);
  } catch (e) {
    void vscode.window.showErrorMessage(`EditorAssist: could not remove the key. ${describeError(e)}`);
  }
}

/** Asks for a provider's key in a password box; stores and sends it. False if the user gave none. */
export async function askForKey(provider: Pick<ProviderInfo, 'id' | 'displayName'>, keys: ApiKeys): Promise<boolean> {
  const key = await vscode.window.showInputBox({
    title: provider.id === HUGGING_FACE.id ? 'Hugging Face access token (for gated and private repositories)' : `API key for ${provider.displayName}`, prompt: `Kept in VS Code's secret storage and passed only to the EditorAssist sidecar.`,
    password: true, ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : 'Enter a key, or press Escape'),
  });
  if (!key?.trim()) return false;
  try {
    await keys.set(provider.id, key.trim());
    return true;
  } catch (e) {
    void vscode.window.showErrorMessage(`EditorAssist: could not set the key for ${provider.displayName}. ${describeError(e)}`);
    return false;
  }
}
