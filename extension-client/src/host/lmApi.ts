// The part of the `vscode` namespace the host bridge uses, as a structural type, and the feature
// check. vscode-free at run time (the unit tests pass fakes; the extension passes `vscode`).

export interface LmDisposable { dispose(): unknown }
export interface LmCancellationToken {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => unknown): LmDisposable;
}

export interface LmChatModel {
  readonly id: string;
  readonly name: string;
  readonly vendor: string;
  readonly family: string;
  readonly version: string;
  readonly maxInputTokens: number;
  sendRequest(messages: unknown[], options?: LmRequestOptions, token?: LmCancellationToken): Thenable<{ stream: AsyncIterable<unknown> }>;
}

export interface LmRequestOptions {
  justification?: string;
  tools?: { name: string; description: string; inputSchema?: object }[];
  toolMode?: number;
}

type Ctor<A extends unknown[], T> = new (...args: A) => T;

/** What vscode offers for the language model API; everything the bridge touches. */
export interface LmApi {
  lm: {
    selectChatModels(selector?: { vendor?: string; id?: string }): Thenable<LmChatModel[]>;
    onDidChangeChatModels(listener: () => unknown): LmDisposable;
  };
  LanguageModelChatMessage: { User(content: string | unknown[]): unknown; Assistant(content: string | unknown[]): unknown };
  LanguageModelTextPart: Ctor<[string], { value: string }>;
  /** Absent before tool calling came to the API: such an editor gets plain chats. */
  LanguageModelToolCallPart?: Ctor<[string, string, object], { callId: string; name: string; input: object }>;
  LanguageModelToolResultPart?: Ctor<[string, unknown[]], unknown>;
  LanguageModelChatToolMode?: { Auto: number; Required: number };
  CancellationTokenSource: Ctor<[], { token: LmCancellationToken; cancel(): void; dispose(): void }>;
}

/**
 * The language model API when this editor has it, else undefined: then the host provider is not
 * offered at all (no list is pushed, so the sidecar shows no "VS Code" models and routing skips them).
 * VS Code has it since 1.90; forks and older builds may not, and a web host may stub parts of it.
 */
export function hostModelsApi(vscodeNamespace: unknown): LmApi | undefined {
  const v = vscodeNamespace as Partial<Record<string, unknown>> | undefined;
  const lm = v?.lm as Partial<LmApi['lm']> | undefined;
  if (typeof lm?.selectChatModels !== 'function' || typeof lm.onDidChangeChatModels !== 'function') return undefined;
  const message = v?.LanguageModelChatMessage as Partial<LmApi['LanguageModelChatMessage']> | undefined;
  if (typeof message?.User !== 'function' || typeof message.Assistant !== 'function') return undefined;
  if (typeof v?.LanguageModelTextPart !== 'function' || typeof v.CancellationTokenSource !== 'function') return undefined;
  return v as unknown as LmApi;
}

/** Whether tool calls can pass through this editor's API (both part types and the tool mode). */
export function supportsToolParts(api: LmApi): boolean {
  return typeof api.LanguageModelToolCallPart === 'function' && typeof api.LanguageModelToolResultPart === 'function' && !!api.LanguageModelChatToolMode;
}
