// `editorAssist.providers.baseUrls`: where each API provider is reached, e.g. vLLM on another
// machine, LM Studio on another port, a company proxy in front of OpenAI. The setting is the
// source of truth: at every sidecar start and on every change the sidecar is told the URLs that
// differ from what it reports (providers/configure), and a provider whose entry was removed is
// reset to its preset. Only providers this setting configured are ever reset, so a URL set
// another way (the CLI) is left alone. vscode-free: unit-tested.
import { Requests, type ProviderInfo } from '../protocol';
import { isLoopbackHost, parseAbsoluteUrl } from '../system/urls';
import type { SidecarConnection } from '../sidecar/connection';

export interface BaseUrlPlan {
  /** providers/configure calls to make; baseUrl "" resets a provider to its preset. */
  configure: { providerId: string; baseUrl: string }[];
  /** The providers the setting configures from now on (remembered for the next reset). */
  managed: string[];
  /** Entries that are ignored, one sentence each. */
  problems: string[];
  /** Entries that work but deserve a word (plain http to another machine). */
  notices: string[];
}

/** Compares the setting with what the sidecar reports and says what to change. */
export function planBaseUrls(providers: readonly ProviderInfo[], setting: unknown, previouslyManaged: readonly string[]): BaseUrlPlan {
  const plan: BaseUrlPlan = { configure: [], managed: [], problems: [], notices: [] };
  const byId = new Map(providers.map((p) => [p.id, p]));
  const entries = setting && typeof setting === 'object' && !Array.isArray(setting) ? Object.entries(setting as Record<string, unknown>) : [];
  for (const [id, raw] of entries) {
    const value = typeof raw === 'string' ? raw.trim() : '';
    if (!value) continue;
    const provider = byId.get(id);
    if (!provider) {
      plan.problems.push(`"${id}" is not a provider (known: ${providers.filter((p) => p.kind === 'remote').map((p) => p.id).join(', ')})`);
      continue;
    }
    if (provider.kind !== 'remote') {
      plan.problems.push(`${provider.displayName} runs inside EditorAssist and has no base URL`);
      continue;
    }
    const url = parseAbsoluteUrl(value);
    if (typeof url === 'string') {
      plan.problems.push(`${provider.displayName}: ${url}`);
      continue;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      plan.problems.push(`${provider.displayName}: "${value}" is neither http nor https`);
      continue;
    }
    if (url.username || url.password) {
      plan.problems.push(`${provider.displayName}: the URL must not carry credentials; use "EditorAssist: Set API Key…"`);
      continue;
    }
    if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
      plan.notices.push(`${provider.displayName} at ${url.host} is reached over plain http: prompts, code and any API key cross the network unencrypted`);
    }
    plan.managed.push(id);
    const wanted = value.replace(/\/+$/, '');
    if (provider.baseUrl !== wanted) plan.configure.push({ providerId: id, baseUrl: wanted });
  }
  for (const id of previouslyManaged) {
    if (!plan.managed.includes(id) && byId.get(id)?.kind === 'remote') plan.configure.push({ providerId: id, baseUrl: '' });
  }
  return plan;
}

export type BaseUrlSidecar = Pick<SidecarConnection, 'state' | 'request'>;

/** Where the providers this setting configured are remembered (VS Code's globalState). */
export interface ManagedStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void> | Promise<void>;
}

const MANAGED_KEY = 'editorAssist.providers.managedBaseUrls';

/**
 * Brings a running sidecar in line with the setting. Resolves with the providers changed and the
 * problems and notices to show; a stopped sidecar is skipped (the next start applies the setting).
 */
export async function applyBaseUrls(
  sidecar: BaseUrlSidecar, setting: unknown, store: ManagedStore, log: { info(m: string): void; warn(m: string): void },
  /** What providers/list just said, when the caller has it (the start-up sequence). */
  listed?: readonly ProviderInfo[],
): Promise<{ changed: string[]; problems: string[]; notices: string[] }> {
  if (sidecar.state !== 'running') return { changed: [], problems: [], notices: [] };
  const providers = listed ?? await sidecar.request(Requests.providersList, {});
  const plan = planBaseUrls(providers, setting, store.get<string[]>(MANAGED_KEY) ?? []);
  const changed: string[] = [];
  const problems = [...plan.problems];
  // A provider stays remembered until it is reset, so a failed reset is tried again next time.
  const managed = [...plan.managed];
  for (const c of plan.configure) {
    try {
      await sidecar.request(Requests.providersConfigure, c);
      changed.push(c.providerId);
      log.info(c.baseUrl ? `Provider ${c.providerId} now at ${c.baseUrl} (editorAssist.providers.baseUrls).` : `Provider ${c.providerId} reset to its preset URL.`);
    } catch (e) {
      problems.push(`${c.providerId}: ${(e as Error).message}`);
      if (!c.baseUrl) managed.push(c.providerId);
    }
  }
  for (const p of problems) log.warn(`editorAssist.providers.baseUrls: ${p}.`);
  for (const n of plan.notices) log.warn(`editorAssist.providers.baseUrls: ${n}.`);
  await store.update(MANAGED_KEY, managed);
  return { changed, problems, notices: plan.notices };
}
