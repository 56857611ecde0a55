// Where a provider sends prompts and code, shown the same way everywhere (picker, status bar,
// chat header), and the one-time consent before the first use of each cloud provider.
import type { Privacy, ProviderInfo } from '../protocol';

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
    const given = this.store.get<Record<string, boolean>>(KEY) ?? {};
    if (given[provider.id]) return true;
    const yes = await this.ask(provider, describePrivacy(provider.privacy, provider.displayName));
    if (yes) await this.store.update(KEY, { ...given, [provider.id]: true });
    return yes;
  }
}
