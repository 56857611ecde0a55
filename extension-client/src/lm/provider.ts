// EditorAssist's models in VS Code's chat and for every extension that calls vscode.lm: a
// LanguageModelChatProvider over the sidecar's models/list and chat/send. The sidecar streams
// text as chat/delta; with runTools: false it hands the model's tool calls back instead of running
// them, so VS Code (its agent, or the calling extension) runs them and sends the results in the
// next request. Privacy as everywhere else: local-only hides and refuses cloud models, and a cloud
// model asks the per-provider consent before the first byte leaves the machine.
// vscode-free: VS Code's classes come in through `LmHost`, so the unit tests drive it with fakes.
import { ErrorCodes, Methods, Requests, type ChatDeltaParams, type ChatSendParams, type ProviderInfo } from '../protocol';
import { callInput, countableText, toSidecarMessages, toSidecarTools, ToolNames, type LmRequestMessage, type LmTool } from './messages';
import { lmModels, type LmModel } from './models';
import { TokenCounter } from './tokenCounter';
import type { CancellationLike, SidecarConnection } from '../sidecar/connection';

export const LM_VENDOR = 'editorassist';

export type { CancellationLike };

export type LmSidecar = Pick<SidecarConnection, 'state' | 'request' | 'onNotification'>;

/** What VS Code supplies: its part classes and error kinds. */
export interface LmHost {
  textPart(value: string): unknown;
  toolCallPart(callId: string, name: string, input: object): unknown;
  /** LanguageModelError.NoPermissions (refused: local-only, consent declined). */
  noPermissions(message: string): Error;
  /** LanguageModelError.NotFound. */
  notFound(message: string): Error;
}

export interface LmConsent {
  /** True when code may go to this provider (asks once per cloud provider; on-device and loopback pass). */
  ensure(provider: ProviderInfo): Promise<boolean>;
}

export interface LmRequestOptions {
  readonly tools?: readonly LmTool[];
  /** LanguageModelChatToolMode: Auto = 1, Required = 2. */
  readonly toolMode?: number;
  readonly modelOptions?: { readonly [name: string]: unknown };
}

export interface LmProgress {
  report(part: unknown): void;
}

/** Tokens per character of the estimate: the sidecar's own rule for remote models (one token per 3 characters, erring high). */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 3);
}

export class EditorAssistLmProvider {
  private readonly listeners = new Set<() => void>();
  private readonly streams = new Map<string, (delta: string) => void>();
  private readonly subscription: { dispose(): void };
  private providers = new Map<string, ProviderInfo>();
  private seq = 0;

  constructor(
    private readonly sidecar: LmSidecar,
    private readonly host: LmHost,
    private readonly consent: LmConsent,
    private readonly log: { info(m: string): void; warn(m: string): void },
    /** The user's editorAssist.chat.maxTokens, when set (a request's own modelOptions.maxTokens wins). */
    private readonly maxTokens: () => number | undefined = () => undefined,
    /** Whether the sidecar offers models/countTokens (initialize's capabilities.methods). */
    private readonly canCount: () => boolean = () => false,
  ) {
    this.subscription = sidecar.onNotification(Methods.chatDelta, (p) => {
      const d = p as ChatDeltaParams;
      if (d && typeof d.streamId === 'string' && typeof d.delta === 'string') this.streams.get(d.streamId)?.(d.delta);
    });
  }

  /** VS Code's onDidChangeLanguageModelChatInformation. */
  readonly onDidChangeLanguageModelChatInformation = (listener: () => void, thisArgs?: unknown, disposables?: { dispose(): void }[]): { dispose(): void } => {
    const bound = () => listener.call(thisArgs);
    this.listeners.add(bound);
    const d = { dispose: () => void this.listeners.delete(bound) };
    disposables?.push(d);
    return d;
  };

  /** Whether the last list VS Code got has this ref (a model loaded by path joins it when first loaded). */
  lists(ref: string): boolean {
    return this.listed.has(ref);
  }
  private listed = new Set<string>();

  /** The model list may have changed (a sidecar start, a model loaded or deleted, a key or address set). */
  changed(): void {
    // Where a provider runs may have changed with it (a new address): the next request asks again.
    this.providers.clear();
    for (const l of [...this.listeners]) l();
  }

  async provideLanguageModelChatInformation(_options: { silent: boolean }, token?: CancellationLike): Promise<LmModel[]> {
    if (this.sidecar.state !== 'running') return [];
    try {
      const [providers, models, router] = await Promise.all([
        this.sidecar.request(Requests.providersList, {}, token),
        this.sidecar.request(Requests.modelsList, {}, token),
        this.sidecar.request(Requests.routerGet, undefined, token),
      ]);
      this.providers = new Map(providers.map((p) => [p.id, p]));
      const list = lmModels(providers, models.models, router.strategy === 'localOnly');
      this.listed = new Set(list.map((m) => m.ref));
      return list;
    } catch (e) {
      this.log.warn(`Listing models for VS Code's chat failed: ${(e as Error).message}`);
      return [];
    }
  }

  async provideLanguageModelChatResponse(model: LmModel, messages: readonly LmRequestMessage[], options: LmRequestOptions, progress: LmProgress, token: CancellationLike): Promise<void> {
    const provider = this.providers.get(model.providerId) ?? (await this.freshProvider(model.providerId, token));
    if (provider && !(await this.consent.ensure(provider))) {
      throw this.host.noPermissions(`EditorAssist: sending this conversation to ${provider.displayName} (a cloud service) was not allowed. Allow it when asked, or choose a local model.`);
    }
    const names = new ToolNames();
    const streamId = `lm-${++this.seq}-${Date.now().toString(36)}`;
    const params: ChatSendParams = {
      streamId, model: model.ref, messages: toSidecarMessages(messages, names), runTools: false, saveHistory: false,
    };
    const tools = toSidecarTools(options.tools, names);
    if (tools.length) {
      params.tools = tools;
      // Required with one tool names it; with several the sidecar has no "any tool" choice: auto.
      if (options.toolMode === 2 && tools.length === 1) params.toolChoice = { name: tools[0].name };
    }
    const p = modelParams(options.modelOptions, this.maxTokens());
    if (p) params.params = p;

    this.streams.set(streamId, (delta) => progress.report(this.host.textPart(delta)));
    try {
      const result = await this.sidecar.request(Requests.chatSend, params, token);
      for (const call of result.pendingToolCalls ?? []) {
        progress.report(this.host.toolCallPart(call.id, names.original(call.name), callInput(call.arguments)));
      }
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (code === ErrorCodes.RequestCancelled || token.isCancellationRequested) return;
      const message = e instanceof Error ? e.message : String(e);
      if (code === ErrorCodes.PolicyViolation) throw this.host.noPermissions(message);
      if (code === ErrorCodes.ModelNotFound) throw this.host.notFound(message);
      throw e instanceof Error ? e : new Error(message);
    } finally {
      this.streams.delete(streamId);
    }
  }

  /**
   * VS Code asks for every message while it builds a prompt. A loaded local model counts with its own
   * tokenizer (models/countTokens): the texts asked for in one turn of the event loop go in one
   * request, and the counts are kept, so a history asked again costs nothing. Anything else — a remote
   * model, a local one not loaded, a sidecar without the method — is estimated here, with no round trip.
   */
  provideTokenCount(model: LmModel, text: string | LmRequestMessage, token?: CancellationLike): Promise<number> {
    const t = countableText(text);
    if (t.length === 0) return Promise.resolve(0);
    if (!model.local || !this.loaded.has(model.ref) || !this.canCount()) return Promise.resolve(estimateTokens(t));
    // A failed count (the sidecar restarting) is still a count: the estimate.
    return this.counter.count(model.ref, t, token).catch(() => estimateTokens(t));
  }

  /** runtime/didChangeState: which local models are loaded (only those count with their tokenizer). */
  runtimeState(ref: string, state: string): void {
    if (state === 'ready' || state === 'generating') this.loaded.add(ref);
    else {
      this.loaded.delete(ref);
      if (state === 'idle') this.counter.forget(ref);
    }
  }
  private readonly loaded = new Set<string>();

  /** A new sidecar has nothing loaded. */
  sidecarStarted(): void {
    for (const ref of this.loaded) this.counter.forget(ref);
    this.loaded.clear();
  }
  private readonly counter = new TokenCounter((ref, texts) => this.sidecar.request(Requests.modelsCountTokens, { ref, texts }));

  dispose(): void {
    this.subscription.dispose();
    this.listeners.clear();
    this.streams.clear();
  }

  private async freshProvider(id: string, token: CancellationLike): Promise<ProviderInfo | undefined> {
    const providers = await this.sidecar.request(Requests.providersList, {}, token).catch(() => [] as ProviderInfo[]);
    this.providers = new Map(providers.map((p) => [p.id, p]));
    return this.providers.get(id);
  }
}

/** chat/send params from VS Code's modelOptions (maxTokens, temperature, topP, stop), else the user's max tokens. */
function modelParams(options: LmRequestOptions['modelOptions'], userMaxTokens: number | undefined): ChatSendParams['params'] | undefined {
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const out: NonNullable<ChatSendParams['params']> = {};
  const maxTokens = num(options?.maxTokens) ?? num(options?.max_tokens) ?? userMaxTokens;
  if (maxTokens) out.maxTokens = Math.floor(maxTokens);
  const temperature = num(options?.temperature);
  if (temperature !== undefined) out.temperature = temperature;
  const topP = num(options?.topP) ?? num(options?.top_p);
  if (topP !== undefined) out.topP = topP;
  if (Array.isArray(options?.stop) && options.stop.every((s) => typeof s === 'string')) out.stop = options.stop as string[];
  return Object.keys(out).length ? out : undefined;
}
