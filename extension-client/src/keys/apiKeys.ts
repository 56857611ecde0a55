// API keys live only in VS Code's SecretStorage; the sidecar holds them in memory and gets
// them at every (re)start and on every change. Keys are never logged nor put in settings.
// vscode-free (SecretStorage and the sidecar are interfaces), so it is unit-tested.
import { Requests, type ProviderInfo, type RequestDef } from '../protocol';

export interface SecretStore {
  get(key: string): Thenable<string | undefined> | Promise<string | undefined>;
  store(key: string, value: string): Thenable<void> | Promise<void>;
  delete(key: string): Thenable<void> | Promise<void>;
}

export interface KeySidecar {
  request<P, R>(def: RequestDef<P, R>, params: P): Promise<R>;
}

export interface KeyLog {
  info(message: string): void;
  warn(message: string): void;
}

export const secretKeyFor = (providerId: string): string => `editorAssist.apiKey.${providerId}`;

/**
 * The Hugging Face token (gated and private model repos) is kept and passed like an API key, under
 * this id; the sidecar takes it through models/setHuggingFaceToken and sends it only to the
 * Hugging Face endpoint (never across a redirect to another host).
 */
export const HUGGING_FACE = { id: 'huggingface', displayName: 'Hugging Face (gated model downloads)' } as const;

export class ApiKeys {
  constructor(private readonly secrets: SecretStore, private readonly sidecar: KeySidecar, private readonly log: KeyLog) {}

  /** Sends every stored key to the sidecar (after start and restart). Resolves with the provider ids sent. */
  async pushAll(listed?: readonly ProviderInfo[]): Promise<string[]> {
    const providers = listed ?? await this.sidecar.request(Requests.providersList, {});
    const sent: string[] = [];
    for (const p of [...providers.filter((p) => p.requiresApiKey), HUGGING_FACE]) {
      const key = await this.secrets.get(secretKeyFor(p.id));
      if (!key) continue;
      try {
        await this.send(p.id, key);
        sent.push(p.id);
      } catch (e) {
        this.log.warn(`Could not pass the stored API key of ${p.id} to the sidecar: ${(e as Error).message}`);
      }
    }
    this.log.info(sent.length ? `Passed stored API keys to the sidecar for: ${sent.join(', ')}.` : 'No stored API keys to pass to the sidecar.');
    return sent;
  }

  async has(providerId: string): Promise<boolean> {
    return Boolean(await this.secrets.get(secretKeyFor(providerId)));
  }

  /** Stores the key and passes it to the sidecar. */
  async set(providerId: string, apiKey: string): Promise<void> {
    await this.secrets.store(secretKeyFor(providerId), apiKey);
    await this.send(providerId, apiKey);
    this.log.info(`API key for ${providerId} stored in SecretStorage and passed to the sidecar.`);
  }

  /** Forgets the key here and in the sidecar. */
  async remove(providerId: string): Promise<void> {
    await this.secrets.delete(secretKeyFor(providerId));
    try {
      await this.send(providerId, null);
    } catch (e) {
      // The sidecar holds keys in memory only: a sidecar that is down forgets it anyway, and the
      // next start no longer receives it.
      this.log.warn(`API key for ${providerId} removed from SecretStorage; the sidecar could not be told (${(e as Error).message}).`);
      return;
    }
    this.log.info(`API key for ${providerId} removed.`);
  }

  private async send(providerId: string, key: string | null): Promise<void> {
    if (providerId === HUGGING_FACE.id) await this.sidecar.request(Requests.modelsSetHuggingFaceToken, { token: key });
    else await this.sidecar.request(Requests.providersSetApiKey, { providerId, apiKey: key });
  }

  /** Providers that take a key, for the Set/Remove commands. */
  static keyed(providers: ProviderInfo[]): ProviderInfo[] {
    return providers.filter((p) => p.requiresApiKey);
  }
}
