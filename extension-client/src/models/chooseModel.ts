// What choosing a "Select Model" entry does, with the UI and the sidecar calls injected, so
// the flow (consent, key, load, download) is unit-tested without VS Code.
import type { ProviderInfo } from '../protocol';
import { allowedInLocalOnly } from '../privacy/privacy';
import type { PickerAction } from './picker';
import { providerOf } from '../providers/refs';
import { hostConsentSubject } from '../host/consent';

export interface ChooseModelSteps {
  /** One-time cloud consent (CloudConsent.ensure); true for local and loopback providers. */
  consent(provider: ProviderInfo): Promise<boolean>;
  /** Asks for the provider's key, stores and sends it; false when the user gave none. */
  askKey(provider: ProviderInfo): Promise<boolean>;
  /** Loads a local model; resolves with its ref, or undefined when it failed or was cancelled. */
  load(ref: string): Promise<string | undefined>;
  /** Downloads a catalog entry; resolves with its local ref, or undefined. */
  download(catalogId: string): Promise<string | undefined>;
  setActive(ref: string): Promise<void>;
  warn(message: string): void;
}

/** Resolves with the ref that became the chat model, or undefined when none did. */
export async function chooseModel(action: PickerAction, providers: ProviderInfo[], localOnly: boolean, steps: ChooseModelSteps): Promise<string | undefined> {
  if (action.type === 'download') {
    const ref = await steps.download(action.catalogId);
    return ref ? useLocal(ref, steps) : undefined;
  }
  const provider = providerOf(action.ref, providers);
  if (!provider || provider.kind === 'local') return useLocal(action.ref, steps);
  if (localOnly && !allowedInLocalOnly(provider.privacy)) {
    steps.warn(`Local-only mode is on; ${provider.displayName} is a cloud service.`);
    return undefined;
  }
  // VS Code's models: consent per vendor (host/consent.ts).
  if (!(await steps.consent(hostConsentSubject(provider, action.ref)))) return undefined;
  if (action.type === 'setKeyThenUse' && !(await steps.askKey(provider))) return undefined;
  await steps.setActive(action.ref);
  return action.ref;
}

async function useLocal(ref: string, steps: ChooseModelSteps): Promise<string | undefined> {
  const loaded = await steps.load(ref);
  if (loaded) await steps.setActive(loaded);
  return loaded;
}
