// The extension's half of the sidecar's "host" provider (issue 15, part 1): it reports VS Code's chat
// models to the sidecar and answers its host/chat requests by streaming from vscode.lm. The sidecar
// keeps routing, privacy, fallback, history and the tool loop; this file only translates.
import { ResponseError } from 'vscode-jsonrpc';
import { ErrorCodes, Methods, type NotificationDef } from '../protocol';
import { HostNotifications, OWN_VENDOR, type HostChatParams, type HostChatResult, type HostMessage, type HostModelInfo, type HostToolCall } from './hostProtocol';
import { supportsToolParts, type LmApi, type LmCancellationToken, type LmChatModel, type LmDisposable } from './lmApi';

/** The sidecar as the bridge needs it (SidecarSupervisor satisfies it). */
export interface HostSidecar {
  onDidStart(listener: () => unknown): LmDisposable;
  onRequest(method: string, handler: (params: unknown, token: LmCancellationToken) => Promise<unknown>): LmDisposable;
  notify<P>(def: NotificationDef<P>, params: P): void;
}

export interface HostLog {
  info(message: string): void;
  warn(message: string): void;
}

/** Shown by VS Code when it asks the user whether EditorAssist may use a model. */
const JUSTIFICATION = 'EditorAssist sends your chat to the model you picked under "VS Code" in Select Model.';

export class HostBridge implements LmDisposable {
  private readonly subscriptions: LmDisposable[] = [];

  constructor(private readonly api: LmApi, private readonly sidecar: HostSidecar, private readonly log: HostLog) {
    this.subscriptions.push(
      sidecar.onRequest(Methods.hostChat, (p, token) => this.chat(p as HostChatParams, token)),
      // Every sidecar (a restart too) starts with an empty list.
      sidecar.onDidStart(() => void this.pushModels()),
      api.lm.onDidChangeChatModels(() => void this.pushModels()),
    );
  }

  /** Sends VS Code's models now (EditorAssist's own left out). Resolves with what was sent. */
  async pushModels(): Promise<HostModelInfo[]> {
    let models: HostModelInfo[];
    try {
      models = (await this.api.lm.selectChatModels()).filter((m) => m.vendor.toLowerCase() !== OWN_VENDOR).map(describe);
    } catch (e) {
      this.log.warn(`Listing VS Code's chat models failed: ${(e as Error).message}`);
      return [];
    }
    try {
      this.sidecar.notify(HostNotifications.didChangeModels, { models });
    } catch {
      return []; // not running: the next start pushes again
    }
    this.log.info(`VS Code chat models reported to the sidecar: ${models.map((m) => `${m.vendor}/${m.id}`).join(', ') || 'none'}.`);
    return models;
  }

  /** host/chat: one answer of one of VS Code's models, text streamed as host/delta. */
  async chat(p: HostChatParams, token: LmCancellationToken): Promise<HostChatResult> {
    const [model] = await this.api.lm.selectChatModels({ vendor: p.model.vendor, id: p.model.id });
    if (!model) throw new ResponseError(ErrorCodes.ProviderUnavailable, `VS Code has no chat model ${p.model.vendor}/${p.model.id} now.`, { cause: 'hostModelGone' });
    const tools = supportsToolParts(this.api) && p.tools?.length ? p.tools : undefined;
    // The sidecar's cancel ($/cancelRequest) becomes the vscode.lm request's own token.
    const source = new this.api.CancellationTokenSource();
    const link = token.onCancellationRequested(() => source.cancel());
    if (token.isCancellationRequested) source.cancel();
    let deltas = 0;
    const toolCalls: HostToolCall[] = [];
    try {
      const response = await model.sendRequest(toLmMessages(p.messages, this.api), {
        justification: JUSTIFICATION,
        ...(tools ? { tools, toolMode: p.toolMode === 'required' ? this.api.LanguageModelChatToolMode!.Required : this.api.LanguageModelChatToolMode!.Auto } : {}),
      }, source.token);
      for await (const part of response.stream) {
        if (part instanceof this.api.LanguageModelTextPart) {
          if (!part.value) continue;
          this.sidecar.notify(HostNotifications.delta, { streamId: p.streamId, delta: part.value });
          deltas++;
        } else if (this.api.LanguageModelToolCallPart && part instanceof this.api.LanguageModelToolCallPart) {
          toolCalls.push({ callId: part.callId, name: part.name, input: part.input ?? {} });
        }
      }
    } catch (e) {
      if (token.isCancellationRequested) throw new ResponseError(ErrorCodes.RequestCancelled, 'Cancelled.');
      throw toResponseError(e, model);
    } finally {
      link.dispose();
      source.dispose();
    }
    return toolCalls.length ? { deltas, finishReason: 'toolCalls', toolCalls } : { deltas, finishReason: 'stop' };
  }

  dispose(): void {
    for (const s of this.subscriptions.splice(0)) s.dispose();
  }
}

function describe(m: LmChatModel): HostModelInfo {
  // `capabilities` is on the objects VS Code hands out but not (yet) in the typings.
  const caps = (m as { capabilities?: { supportsToolCalling?: unknown } }).capabilities;
  return {
    vendor: m.vendor, id: m.id, name: m.name || m.id, family: m.family, version: m.version || undefined,
    maxInputTokens: m.maxInputTokens > 0 ? m.maxInputTokens : undefined,
    toolCalling: typeof caps?.supportsToolCalling === 'boolean' ? caps.supportsToolCalling : undefined,
  };
}

/**
 * The sidecar's conversation as vscode.lm messages. The stable API has only user and assistant roles,
 * so a system message goes first as a user message; tool results (consecutive ones merged) are a user
 * message of LanguageModelToolResultParts, as the API asks.
 */
export function toLmMessages(messages: HostMessage[], api: LmApi): unknown[] {
  const out: unknown[] = [];
  const tools = supportsToolParts(api);
  let results: unknown[] | undefined;
  const flush = () => { if (results) { out.push(api.LanguageModelChatMessage.User(results)); results = undefined; } };
  for (const m of messages) {
    if (m.role === 'tool' && tools && m.toolCallId) {
      (results ??= []).push(new api.LanguageModelToolResultPart!(m.toolCallId, [new api.LanguageModelTextPart(m.content)]));
      continue;
    }
    flush();
    if (m.role === 'assistant') {
      const parts: unknown[] = m.content ? [new api.LanguageModelTextPart(m.content)] : [];
      if (tools) for (const c of m.toolCalls ?? []) parts.push(new api.LanguageModelToolCallPart!(c.callId, c.name, c.input ?? {}));
      out.push(api.LanguageModelChatMessage.Assistant(parts.length ? parts : m.content));
    } else {
      out.push(api.LanguageModelChatMessage.User(m.content));
    }
  }
  flush();
  return out;
}

/**
 * vscode.lm's errors as PROTOCOL.md codes: the user declined access or the model is gone → 1003 (the
 * sidecar may fall back), blocked (quota, rate) → 1006; anything else → 1003 with its message.
 */
export function toResponseError(e: unknown, model: Pick<LmChatModel, 'name' | 'vendor'>): ResponseError<{ cause: string }> {
  const code = (e as { code?: unknown })?.code;
  const message = e instanceof Error ? e.message : String(e);
  switch (code) {
    case 'NoPermissions':
      return new ResponseError(ErrorCodes.ProviderUnavailable, `VS Code did not allow EditorAssist to use ${model.name} (${model.vendor}): ${message}`, { cause: 'noPermissions' });
    case 'Blocked':
      return new ResponseError(ErrorCodes.RateLimited, `${model.name} (${model.vendor}) is blocked for now: ${message}`, { cause: 'blocked' });
    case 'NotFound':
      return new ResponseError(ErrorCodes.ProviderUnavailable, `${model.name} (${model.vendor}) is no longer available: ${message}`, { cause: 'notFound' });
    default:
      return new ResponseError(ErrorCodes.ProviderUnavailable, `${model.name} (${model.vendor}) failed: ${message}`, { cause: 'error' });
  }
}
