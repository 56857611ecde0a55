// Registers EditorAssist's models with VS Code's language-model API, where it exists.
// vscode-free: the API object is passed in, so a unit test can hand it one without `lm` (older
// VS Code, or an editor built on it that left the API out) and see the feature hide itself.
import { EditorAssistLmProvider, LM_VENDOR, type LmConsent, type LmHost, type LmSidecar } from './provider';

export interface LmApi {
  lm?: {
    registerLanguageModelChatProvider?: (vendor: string, provider: never) => { dispose(): void };
  };
}

export interface LmRegistration {
  /** The provider, or undefined where the API is missing or refused the registration. */
  readonly provider: EditorAssistLmProvider | undefined;
  dispose(): void;
}

/**
 * `vscode.lm.registerLanguageModelChatProvider` is final since VS Code 1.104; where it is missing
 * (or throws: the vendor is not contributed, or already taken) nothing is registered, one line is
 * logged, and the rest of EditorAssist works as before.
 */
export function registerLmChatProvider(
  api: LmApi,
  deps: { sidecar: LmSidecar; host: LmHost; consent: LmConsent; log: { info(m: string): void; warn(m: string): void }; maxTokens?: () => number | undefined; canCount?: () => boolean },
): LmRegistration {
  const register = api.lm?.registerLanguageModelChatProvider;
  if (typeof register !== 'function') {
    deps.log.info('This editor has no language-model provider API (vscode.lm.registerLanguageModelChatProvider): EditorAssist\'s models are not offered in its chat.');
    return { provider: undefined, dispose: () => undefined };
  }
  const provider = new EditorAssistLmProvider(deps.sidecar, deps.host, deps.consent, deps.log, deps.maxTokens, deps.canCount);
  try {
    const registration = register.call(api.lm, LM_VENDOR, provider as never);
    deps.log.info(`EditorAssist's models are offered to VS Code's chat (vendor "${LM_VENDOR}").`);
    return { provider, dispose: () => { registration.dispose(); provider.dispose(); } };
  } catch (e) {
    deps.log.warn(`Offering EditorAssist's models to VS Code's chat failed: ${(e as Error).message}`);
    provider.dispose();
    return { provider: undefined, dispose: () => undefined };
  }
}
