// The chat model the user chose, remembered in two places:
// - the sidecar's store (settings key `chat.model`, in the extension's global storage folder on
//   the machine the extension runs on): shared by every window and browser, it survives a reload,
//   a new browser window and a sidecar restart. This is the source of truth.
// - VS Code's globalState: read synchronously before the sidecar is up. In code-server it lives
//   in the browser's IndexedDB, so a new browser (profile) starts without it: that is why the
//   model was "forgotten" (issue 18).
// At every sidecar start `restore()` adopts the stored choice (or, the first time, hands ours to
// the sidecar). vscode-free: unit-tested against the fake sidecar.
import { Requests, SettingKeys } from '../protocol';
import { Emitter, type Event } from '../sidecar/events';
import type { SidecarConnection } from '../sidecar/connection';

export const ACTIVE_MODEL_KEY = 'editorAssist.activeModel';
/** The sidecar's settings key (docs/PROTOCOL.md); chat/send without a model uses it too. */
export const CHAT_MODEL_SETTING = SettingKeys.chatModel;

/** VS Code's Memento satisfies it. */
export interface ModelMemento {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

/** The sidecar as the active model needs it (a Pick of SidecarConnection). */
export type ModelStoreSidecar = Pick<SidecarConnection, 'state' | 'request'>;

export class ActiveModel {
  private readonly changed = new Emitter<string | undefined>();
  readonly onDidChange: Event<string | undefined> = this.changed.event;

  constructor(
    private readonly state: ModelMemento,
    private readonly sidecar?: ModelStoreSidecar,
    private readonly log?: { warn(message: string): void },
  ) {}

  get ref(): string | undefined {
    return this.state.get<string>(ACTIVE_MODEL_KEY);
  }

  /** Makes `ref` the chat model here and in the sidecar's store (undefined: none chosen). */
  async set(ref: string | undefined): Promise<void> {
    await this.state.update(ACTIVE_MODEL_KEY, ref);
    this.changed.fire(ref);
    await this.store(ref);
  }

  /**
   * Called when a sidecar has started: the sidecar's stored choice wins (another window or browser
   * may have chosen since this one last looked); when it has none yet, ours is given to it.
   */
  async restore(): Promise<void> {
    if (!this.sidecar) return;
    let stored: unknown;
    try {
      stored = (await this.sidecar.request(Requests.settingsGet, undefined)).settings?.[CHAT_MODEL_SETTING];
    } catch (e) {
      this.log?.warn(`Reading the chosen chat model from the sidecar failed: ${(e as Error).message}`);
      return;
    }
    if (typeof stored === 'string' && stored.length > 0) {
      if (stored !== this.ref) {
        await this.state.update(ACTIVE_MODEL_KEY, stored);
        this.changed.fire(stored);
      }
      return;
    }
    if (this.ref) await this.store(this.ref);
  }

  dispose(): void {
    this.changed.dispose();
  }

  private async store(ref: string | undefined): Promise<void> {
    if (!this.sidecar || this.sidecar.state !== 'running') return; // the next start's restore() hands it over
    try {
      await this.sidecar.request(Requests.settingsUpdate, { settings: { [CHAT_MODEL_SETTING]: ref ?? null } });
    } catch (e) {
      this.log?.warn(`Remembering the chat model in the sidecar failed: ${(e as Error).message}`);
    }
  }
}
