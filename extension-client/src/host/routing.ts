// "EditorAssist: Choose Routing Strategy…": which providers a chat without a chosen model tries, and in
// what order, including hostFirst (VS Code's models, then local, then APIs). vscode-free: the picker,
// the consent dialog and the sidecar calls are injected (unit-tested in test/host.test.mjs).
import { Requests, type ProviderInfo, type RequestDef, type RouterStrategy } from '../protocol';
import { HOST_PROVIDER_ID, hostConsentSubject } from './consent';

export interface RoutingChoice {
  strategy: RouterStrategy;
  label: string;
  detail: string;
}

export const ROUTING_CHOICES: RoutingChoice[] = [
  { strategy: 'preferLocal', label: 'Local first', detail: 'Models on this machine, then servers on this machine, then cloud APIs you set a key for.' },
  { strategy: 'hostFirst', label: 'VS Code models first', detail: 'The models VS Code offers (Copilot, other extensions), then local models, then APIs. Their vendors receive your prompts and code.' },
  { strategy: 'cloudFirst', label: 'Cloud first', detail: 'Cloud APIs you set a key for, then servers on this machine, then local models.' },
  { strategy: 'localOnly', label: 'Local only', detail: 'Nothing leaves this machine: cloud providers and VS Code models are hidden and refused.' },
];

export interface RoutingSteps {
  request<P, R>(def: RequestDef<P, R>, params: P): Promise<R>;
  /** Shows the choices with the current one marked; resolves with the one chosen. */
  pick(choices: RoutingChoice[], current: RouterStrategy): Promise<RouterStrategy | undefined>;
  /** The per-vendor cloud consent (CloudConsent.ensure). */
  consent(provider: ProviderInfo): Promise<boolean>;
}

/**
 * Asks and applies the strategy; resolves with the new one, or undefined when nothing changed.
 * hostFirst sends chats to VS Code's vendors without a model being picked, so it first asks the
 * consent of each vendor offered now; a refusal keeps the current strategy.
 */
export async function chooseRouting(steps: RoutingSteps): Promise<RouterStrategy | undefined> {
  const current = (await steps.request(Requests.routerGet, undefined)).strategy ?? 'preferLocal';
  const chosen = await steps.pick(ROUTING_CHOICES, current);
  if (!chosen || chosen === current) return undefined;
  if (chosen === 'hostFirst') {
    const [providers, { models }] = await Promise.all([
      steps.request(Requests.providersList, {}),
      steps.request(Requests.modelsList, { providerId: HOST_PROVIDER_ID }),
    ]);
    const host = providers.find((p) => p.id === HOST_PROVIDER_ID);
    const seen = new Set<string>();
    for (const m of host ? models : []) {
      const subject = hostConsentSubject(host!, m.ref);
      if (seen.has(subject.id)) continue;
      seen.add(subject.id);
      if (!(await steps.consent(subject))) return undefined;
    }
  }
  return (await steps.request(Requests.routerSet, { strategy: chosen })).strategy;
}
