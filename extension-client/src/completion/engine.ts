// The inline-completion logic without vscode: debounce, one request in flight (a newer one
// cancels the older), model choice, errors reported once. provider.ts adapts it to VS Code.
import { ErrorCodes, Requests, type InlineCompletionParams, type InlineCompletionResult } from '../protocol';
import { Emitter, type Event } from '../sidecar/events';
import { realTimers, type Timers } from '../sidecar/timers';
import { AdaptiveDebounce } from './debounce';
import type { CancellationLike, SidecarConnection } from '../sidecar/connection';

export type CancelToken = CancellationLike;

export type CompletionTransport = Pick<SidecarConnection, 'request'>;

export interface CompletionSettings {
  enabled: boolean;
  /** `editorAssist.completion.model`; empty: the chat model if it is local. */
  model?: string;
  maxTokens?: number;
  timeBudgetMs?: number;
}

export interface CompletionHost {
  settings(): CompletionSettings;
  /** The chat's active model ref, if any. */
  chatModel(): string | undefined;
  /** Whether code may be sent to `model` (a cloud provider needs the user's consent); absent: always. */
  allows?(model: string): Promise<boolean>;
  /** Tells the user once (an error they can act on). */
  report(message: string): void;
  log(message: string): void;
}

export type CompletionRequest = Omit<InlineCompletionParams, 'model' | 'maxTokens' | 'timeBudgetMs'>;

export interface CompletionStats {
  sent: number;
  answered: number;
  superseded: number;
  failed: number;
  last?: InlineCompletionResult & { elapsedMs: number };
}

/** A cancellation source whose token also fires when an outer token does. */
class LinkedSource {
  private cancelled = false;
  private readonly listeners = new Set<() => void>();
  private readonly outer: { dispose(): void } | undefined;
  readonly token: CancelToken;

  constructor(outer?: CancelToken) {
    const self = this;
    this.token = {
      get isCancellationRequested() { return self.cancelled; },
      onCancellationRequested(listener) {
        if (self.cancelled) { queueMicrotask(listener); return { dispose() {} }; }
        self.listeners.add(listener);
        return { dispose: () => self.listeners.delete(listener) };
      },
    };
    if (outer?.isCancellationRequested) this.cancelled = true;
    else this.outer = outer?.onCancellationRequested(() => this.cancel());
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    for (const l of [...this.listeners]) l();
    this.listeners.clear();
  }

  dispose(): void {
    this.outer?.dispose();
    this.listeners.clear();
  }
}

/**
 * Codes that mean "this model cannot complete": reported once, then no more requests for it. 1003 is not
 * one of them: a remote server that is down or slow may answer the next keystroke.
 */
const BLOCKING: Record<number, (model: string | undefined) => string> = {
  [ErrorCodes.FimNotSupported]: (m) => `EditorAssist: ${m ?? 'the completion model'} has no fill-in-the-middle support, so it cannot complete code inline. `
    + 'Choose a code model (e.g. Qwen2.5-Coder, or Codestral through Mistral) in the setting "editorAssist.completion.model".',
  [ErrorCodes.ModelNotFound]: (m) => (m
    ? `EditorAssist: the completion model ${m} was not found. Check the setting "editorAssist.completion.model".`
    : 'EditorAssist: no model for inline completion. Load a local code model (EditorAssist: Load Model File…) or set "editorAssist.completion.model".'),
  [ErrorCodes.PolicyViolation]: (m) => `EditorAssist: local-only mode is on and ${m ?? 'the completion model'} is a cloud model, so inline completion does not send code to it. `
    + 'Set "editorAssist.completion.model" to a local model or a server on this machine.',
};

export class CompletionEngine {
  private current: LinkedSource | undefined;
  private inFlight = 0;
  private readonly busyChanged = new Emitter<boolean>();
  /** Fires true when a request goes out with none in flight, false when the last one ends. */
  readonly onDidChangeBusy: Event<boolean> = this.busyChanged.event;
  /** Models that answered with a blocking error, by "model|code": not asked again. */
  private readonly blocked = new Set<string>();
  readonly stats: CompletionStats = { sent: 0, answered: 0, superseded: 0, failed: 0 };

  constructor(
    private readonly transport: CompletionTransport,
    private readonly host: CompletionHost,
    readonly debounce = new AdaptiveDebounce(),
    /** The debounce waits and the answer times (which steer the debounce) use this clock. */
    private readonly timers: Timers = realTimers,
  ) {}

  get busy(): boolean {
    return this.inFlight > 0;
  }

  /** The model a request would use: the setting, else the chat model if it is local. */
  model(): string | undefined {
    const configured = this.host.settings().model?.trim();
    if (configured) return configured;
    const chat = this.host.chatModel();
    return chat?.startsWith('local/') ? chat : undefined;
  }

  /** Forget reported errors (the model or the settings changed): a new error is shown again. */
  reset(): void {
    this.blocked.clear();
  }

  /**
   * Debounces, then asks the sidecar. Resolves with the result, or undefined when disabled,
   * cancelled, superseded or failed (failures are reported once or logged, never thrown).
   */
  async complete(request: CompletionRequest, token?: CancelToken, { immediate = false } = {}): Promise<InlineCompletionResult | undefined> {
    const settings = this.host.settings();
    if (!settings.enabled) return undefined;
    // A newer request supersedes the older one, here as in the sidecar.
    this.current?.cancel();
    const source = new LinkedSource(token);
    this.current = source;
    try {
      if (!immediate && !(await delay(this.timers, this.debounce.delayMs, source.token))) return undefined;
      const model = this.model();
      if ([...this.blocked].some((k) => k.startsWith(`${model ?? ''}|`))) return undefined;
      if (model && this.host.allows && !(await this.host.allows(model))) return undefined;
      if (source.token.isCancellationRequested) return undefined;
      const params: InlineCompletionParams = {
        ...request,
        ...(model ? { model } : {}),
        ...(settings.maxTokens ? { maxTokens: settings.maxTokens } : {}),
        ...(settings.timeBudgetMs ? { timeBudgetMs: settings.timeBudgetMs } : {}),
      };
      return await this.send(params, model, source);
    } finally {
      source.dispose();
      if (this.current === source) this.current = undefined;
    }
  }

  private async send(params: InlineCompletionParams, model: string | undefined, source: LinkedSource): Promise<InlineCompletionResult | undefined> {
    const t0 = this.timers.now();
    this.stats.sent++;
    if (this.inFlight++ === 0) this.busyChanged.fire(true);
    try {
      const result = await this.transport.request(Requests.completionInline, params, source.token);
      const elapsedMs = this.timers.now() - t0;
      this.debounce.record('answered', elapsedMs);
      this.stats.answered++;
      this.stats.last = { ...result, elapsedMs };
      return source.token.isCancellationRequested ? undefined : result;
    } catch (e) {
      const code = (e as { code?: unknown })?.code;
      if (code === ErrorCodes.RequestCancelled || source.token.isCancellationRequested) {
        this.debounce.record('superseded', this.timers.now() - t0);
        this.stats.superseded++;
        return undefined;
      }
      this.stats.failed++;
      const blocking = typeof code === 'number' ? BLOCKING[code] : undefined;
      if (blocking) {
        this.blocked.add(`${model ?? ''}|${code}`);
        this.host.report(blocking(model));
      } else {
        this.host.log(`completion/inline failed: ${e instanceof Error ? e.message : String(e)}${typeof code === 'number' ? ` (code ${code})` : ''}`);
      }
      return undefined;
    } finally {
      if (--this.inFlight === 0) this.busyChanged.fire(false);
    }
  }

  dispose(): void {
    this.current?.cancel();
    this.busyChanged.dispose();
  }
}

/** Waits `ms`; resolves false early if the token is cancelled. */
function delay(timers: Timers, ms: number, token: CancelToken): Promise<boolean> {
  if (token.isCancellationRequested) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const sub = token.onCancellationRequested(() => { timers.clearTimeout(timer); resolve(false); });
    const timer = timers.setTimeout(() => { sub.dispose(); resolve(true); }, ms);
  });
}
