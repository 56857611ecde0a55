// What the chat model is doing, for the status bar: loading / ready / unloaded / error from the
// local runtime's runtime/didChangeState, generating and the last answer's tokens/s from the chat
// (the only source for API models). vscode-free: unit-tested.
import type { RuntimeStateParams } from '../protocol';
import { Emitter, type Event } from '../sidecar/events';

export type ModelState = 'loading' | 'ready' | 'generating' | 'unloaded' | 'error';

export interface ModelStatus {
  /** Unknown until the runtime or a chat says something about the model. */
  state?: ModelState;
  /** tokens/s of the last answer from this model. */
  tokensPerSecond?: number;
  /** The runtime's detail (an error's reason). */
  detail?: string;
}

export class ModelActivity {
  private readonly runtime = new Map<string, RuntimeStateParams>();
  private readonly speed = new Map<string, number>();
  /** Chats in flight per model ref ('' for "the sidecar's choice" until the answer names it). */
  private readonly chatting = new Map<string, number>();
  private readonly changed = new Emitter<void>();
  readonly onDidChange: Event<void> = this.changed.event;

  /**
   * A runtime/didChangeState notification. Its generating / ready pair comes with every generation,
   * each inline-completion keystroke included: generating is the chat's to say (chatStarted), so
   * the status bar does not flicker while the user types, and an unchanged state changes nothing.
   */
  runtimeChanged(p: RuntimeStateParams): void {
    if (p.state === 'generating') return;
    const known = this.runtime.get(p.ref);
    if (known?.state === p.state && known.detail === p.detail) return;
    this.runtime.set(p.ref, p);
    this.changed.fire();
  }

  chatStarted(model: string | undefined): void {
    const key = model ?? '';
    this.chatting.set(key, (this.chatting.get(key) ?? 0) + 1);
    this.changed.fire();
  }

  /** A chat ended; `answeredBy` is the result's model, with its speed when it answered. */
  chatEnded(model: string | undefined, answeredBy?: string, tokensPerSecond?: number): void {
    const key = model ?? '';
    const n = (this.chatting.get(key) ?? 1) - 1;
    if (n > 0) this.chatting.set(key, n);
    else this.chatting.delete(key);
    if (answeredBy && typeof tokensPerSecond === 'number' && tokensPerSecond > 0) this.speed.set(answeredBy, tokensPerSecond);
    this.changed.fire();
  }

  /** The sidecar restarted: what its runtime said no longer holds (a model is loaded again on demand). */
  reset(): void {
    this.runtime.clear();
    this.chatting.clear();
    this.changed.fire();
  }

  status(ref: string | undefined): ModelStatus {
    if (!ref) return {};
    const runtime = this.runtime.get(ref);
    const tokensPerSecond = this.speed.get(ref);
    const chatting = (this.chatting.get(ref) ?? 0) + (this.chatting.get('') ?? 0) > 0;
    if (runtime?.state === 'loading') return { state: 'loading', tokensPerSecond };
    if (chatting) return { state: 'generating', tokensPerSecond };
    if (runtime?.state === 'error') return { state: 'error', tokensPerSecond, detail: runtime.detail };
    // The runtime says idle when it unloaded the model (idle timeout, models/unload).
    if (runtime?.state === 'idle') return { state: 'unloaded', tokensPerSecond };
    if (runtime || tokensPerSecond !== undefined) return { state: 'ready', tokensPerSecond };
    return {};
  }
}

/** The status bar's words for a model's status: `· loading`, `· generating`, `· 42.1 tok/s`. */
export function describeStatus(s: ModelStatus): { icon: string; suffix: string; tooltip: string } {
  const speed = s.tokensPerSecond !== undefined ? `${s.tokensPerSecond.toFixed(1)} tok/s` : undefined;
  switch (s.state) {
    case 'loading':
      return { icon: '$(sync~spin)', suffix: ' · loading', tooltip: 'Loading the model…' };
    case 'generating':
      // A static icon: a spinning one repaints the workbench every frame while tokens stream.
      return { icon: '$(pulse)', suffix: ' · generating', tooltip: speed ? `Generating (last answer ${speed}).` : 'Generating…' };
    case 'unloaded':
      return { icon: '$(sparkle)', suffix: ' · unloaded', tooltip: 'Unloaded to free memory; the next request loads it again.' };
    case 'error':
      return { icon: '$(warning)', suffix: ' · error', tooltip: `The model failed${s.detail ? `: ${s.detail}` : ''}.` };
    case 'ready':
      return { icon: '$(sparkle)', suffix: speed ? ` · ${speed}` : '', tooltip: speed ? `Ready; the last answer came at ${speed}.` : 'Ready.' };
    default:
      return { icon: '$(sparkle)', suffix: '', tooltip: '' };
  }
}
