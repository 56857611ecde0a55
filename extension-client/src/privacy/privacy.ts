// Where a provider sends prompts and code, shown the same way everywhere (picker, status bar,
// chat header), and the one-time consent before the first use of each cloud provider.
import type { Privacy, ProviderInfo } from '../protocol';
import { providerOf } from '../providers/refs';

export interface PrivacyDisplay {
  /** A short badge, only where the user should be warned. */
  badge?: string;
  warn: boolean;
  /** One line for tooltips and picker descriptions. */
  text: string;
}

export function describePrivacy(privacy: Privacy, providerName: string): PrivacyDisplay {
  switch (privacy) {
    case 'onDevice':
      return { warn: false, text: 'Runs on this machine: nothing leaves it.' };
    case 'loopback':
      return { warn: false, text: `Served by ${providerName} on this machine (localhost).` };
    case 'cloud':
      return { badge: 'Cloud', warn: true, text: `Prompts and code are sent to ${providerName}.` };
  }
}

/** Cloud choices are hidden and refused in local-only mode; on-device and loopback stay. */
export function allowedInLocalOnly(privacy: Privacy): boolean {
  return privacy !== 'cloud';
}

/** A key/value store (VS Code's globalState satisfies it). */
export interface ConsentStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void> | Promise<void>;
}

const KEY = 'editorAssist.cloudConsent';

/**
 * Asks once per cloud provider (a modal the caller supplies) before its first use and
 * remembers a yes. No question for on-device or loopback providers.
 */
export class CloudConsent {
  constructor(private readonly store: ConsentStore, private readonly ask: (provider: ProviderInfo, display: PrivacyDisplay) => Promise<boolean>) {}

  async ensure(provider: ProviderInfo): Promise<boolean> {
    if (provider.privacy !== 'cloud') return true;
    if (this.given(provider.id)) return true;
    const yes = await this.ask(provider, describePrivacy(provider.privacy, provider.displayName));
    if (yes) await this.remember(provider.id);
    return yes;
  }

  /** Whether the user already agreed to send code to this provider. */
  given(providerId: string): boolean {
    return Boolean((this.store.get<Record<string, boolean>>(KEY) ?? {})[providerId]);
  }

  /** Records the user's yes given elsewhere (inline completion's own offer). */
  async remember(providerId: string): Promise<void> {
    await this.store.update(KEY, { ...(this.store.get<Record<string, boolean>>(KEY) ?? {}), [providerId]: true });
  }
}

/**
 * Inline completion's privacy gate. Its model comes from a setting, not from the picker, so nobody
 * answered the consent dialog on the way; and a workspace's settings could name a cloud model. So
 * no code goes to a cloud provider until the user agreed to that provider (the same per-provider
 * consent as chat). Without it, completion stays silent and the user is offered, once per provider
 * and session and without a modal in the middle of typing, to allow it.
 */
export class CompletionCloudGate {
  private readonly offered = new Set<string>();

  constructor(
    private readonly consent: Pick<CloudConsent, 'given' | 'remember'>,
    private readonly providers: () => Promise<ProviderInfo[]>,
    /** Offers to allow `provider` for `model`; resolves true when the user allows it. */
    private readonly offer: (provider: ProviderInfo, model: string) => Promise<boolean>,
  ) {}

  /** True when code may go to `model` now (on-device, this machine, or a cloud provider the user agreed to). */
  async allows(model: string): Promise<boolean> {
    return (await this.check(model)).allowed;
  }

  /** Whether code may go to `model`, and the cloud provider it then goes to (for a warning badge). */
  async check(model: string): Promise<{ allowed: boolean; cloud?: ProviderInfo }> {
    const provider = providerOf(model, await this.providers());
    if (!provider || provider.privacy !== 'cloud') return { allowed: true }; // unknown refs: the sidecar answers 1001
    if (this.consent.given(provider.id)) return { allowed: true, cloud: provider };
    if (!this.offered.has(provider.id)) {
      this.offered.add(provider.id);
      void this.offer(provider, model).then(async (yes) => { if (yes) await this.consent.remember(provider.id); });
    }
    return { allowed: false };
  }
}
