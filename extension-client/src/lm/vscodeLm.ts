// The vscode side of the language-model provider: VS Code's part classes and errors, the sidecar
// events that change the model list. Wired from extension.ts with one call.
import * as vscode from 'vscode';
import { Methods } from '../protocol';
import type { SidecarConnection } from '../sidecar/connection';
import type { LmConsent } from './provider';
import { registerLmChatProvider } from './register';

export { LM_VENDOR } from './provider';

export function registerLanguageModels(sidecar: SidecarConnection, consent: LmConsent, log: vscode.LogOutputChannel): vscode.Disposable {
  const host = {
    textPart: (value: string) => new vscode.LanguageModelTextPart(value),
    toolCallPart: (callId: string, name: string, input: object) => new vscode.LanguageModelToolCallPart(callId, name, input),
    noPermissions: (message: string) => vscode.LanguageModelError.NoPermissions(message),
    notFound: (message: string) => vscode.LanguageModelError.NotFound(message),
  };
  const maxTokens = () => {
    const v = vscode.workspace.getConfiguration('editorAssist.chat').get<number>('maxTokens');
    return typeof v === 'number' && v > 0 ? v : undefined;
  };
  const canCount = () => (sidecar.serverInfo?.capabilities?.methods as string[] | undefined)?.includes(Methods.modelsCountTokens) === true;
  const registration = registerLmChatProvider(vscode as never, { sidecar, host, consent, log, maxTokens, canCount });
  const provider = registration.provider;
  if (!provider) return registration;
  const changed = () => provider.changed();
  return vscode.Disposable.from(
    registration,
    sidecar.onDidStart(() => { provider.sidecarStarted(); changed(); }),
    sidecar.onNotification(Methods.modelsDidChange, changed),
    sidecar.onNotification(Methods.providersDidChange, changed),
    sidecar.onNotification(Methods.runtimeDidChangeState, (p) => {
      // A model loaded by path (Load Model File…) joins the local list when it is first loaded.
      const s = p as { state?: string; ref?: string };
      if (typeof s?.ref !== 'string' || typeof s.state !== 'string') return;
      provider.runtimeState(s.ref, s.state);
      if (s.state === 'ready' && !provider.lists(s.ref)) changed();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('editorAssist.providers')) changed(); }),
  );
}
