// The chat conversation behind the webview: turns webview messages into `chat/send` requests
// and `chat/delta` notifications into webview messages. Free of `vscode` (unit-tested); the
// view provider hands it a `post` function and routes UI-only actions (copy, insert, links)
// itself.
import { CancellationTokenSource } from 'vscode-jsonrpc';
import { trimmedNotice } from './contextNotice';
import { ErrorCodes, Methods, Notifications, Requests, type ChatDeltaParams, type ChatMessage, type ChatSendParams, type ChatSendResult, type ToolApprovalParams, type ToolApprovalResult, type ToolCallParams, type ToolCallResult, type ToolStatusParams } from '../protocol';
import { DENIED, type ApprovalRequest, type CancellationLike, type Decision, type ToolHost } from '../tools/host';
import type { Disposable } from '../sidecar/events';
import type { FinishReason, FromWebview, ToWebview } from './messages';
import type { ModelActivity } from '../models/activity';
import type { SidecarConnection } from '../sidecar/connection';

/** Code the user chose to send along (the selection, or the current file). */
export interface ChatContext {
  path: string;
  languageId: string;
  text: string;
}

/** The user message sent to the model: the question, then the context it refers to. */
export function withContext(text: string, context: ChatContext | undefined): string {
  if (!context) return text;
  const fence = context.text.includes('```') ? '````' : '```';
  return `${text}\n\nContext from ${context.path}:\n${fence}${context.languageId}\n${context.text}\n${fence}`;
}

/** The one thing chat needs from the sidecar layer (SidecarConnection with the view's additions). */
export type ChatTransport = Pick<SidecarConnection, 'request' | 'onNotification'> & {
  /** The sidecar's advertised methods (initialize → capabilities.methods), if known. */
  methods(): readonly string[] | undefined;
  /** True while a sidecar is starting: a request then waits for it instead of failing. */
  starting?(): boolean;
  /** Server → client requests (`chat/toolCall`); absent: agent mode is not offered. */
  onRequest?: SidecarConnection['onRequest'];
};

/** Parts of one answer's first-token timing (ms), as they come in. */
interface FirstTokenTiming {
  /** Enter → first token painted, and first token reaching the webview → painted (the webview's). */
  paintMs?: number;
  deltaToPaintMs?: number;
  /** The sidecar's own time to first token (chat/send timings.ttftMs); null: not reported. */
  ttftMs?: number | null;
  /** chat/send sent → first chat/delta received, here in the extension host. */
  hostMs?: number;
}

export class ChatController implements Disposable {
  private history: ChatMessage[] = [];
  private sessionId: string | undefined;
  private inflight: { id: string; cts: CancellationTokenSource } | undefined;
  /** streamId → the assistant message it feeds, the text streamed so far, when it was asked. */
  private readonly streams = new Map<string, { id: string; text: string; requestedAt: number; reasoned?: boolean }>();
  private readonly subscription: Disposable;
  private readonly toolSubscriptions: Disposable[] = [];
  /** Approvals waiting for the user's click, by call id. */
  private readonly approvals = new Map<string, (d: Decision) => void>();
  /** What the user allowed "for this chat": kinds, or `mcp:<server>` (cleared by New Chat). */
  private readonly allowedForChat = new Set<string>();
  private counter = 0;

  private lastAssistantId: string | undefined;
  /**
   * Per recent answer: when the webview painted its first token (ms after Enter; and after the
   * token reached it), the sidecar's own time to first token (null: not reported), and when the
   * first delta reached us (ms after the request). Logged together once paint and TTFT are known.
   */
  private readonly firstToken = new Map<string, FirstTokenTiming>();

  constructor(
    private readonly transport: ChatTransport,
    private readonly post: (m: ToWebview) => void,
    /** Supplies the editor context when the user asks for it (the view provider's job). */
    private readonly context: () => ChatContext | undefined = () => undefined,
    /** The model to ask and generation limits; absent model: the sidecar's choice. */
    private readonly options: () => { model?: string; maxTokens?: number } = () => ({}),
    /** Where the first-token timing line goes (the extension's log channel). */
    private readonly log: (line: string) => void = () => undefined,
    /** Told when an answer starts and ends (the status bar's generating state and tokens/s). */
    private readonly activity?: Pick<ModelActivity, 'chatStarted' | 'chatEnded'>,
    /** The agent-mode tools (absent: plain chat only). */
    private readonly tools?: ToolHost,
  ) {
    this.subscription = transport.onNotification(Notifications.chatDelta.method, (p) => this.onDelta(p));
    if (tools && transport.onRequest) {
      this.toolSubscriptions.push(
        transport.onNotification(Notifications.chatToolStatus.method, (p) => this.onToolStatus(p)),
        transport.onRequest(Methods.chatToolCall, (p, token) => this.onToolCall(p as ToolCallParams, token)),
        transport.onRequest(Methods.chatToolApproval, (p, token) => this.onToolApproval(p as ToolApprovalParams, token)),
      );
    }
  }

  /** Whether the sidecar can chat, with a reason for the user when it cannot. */
  availability(): { available: boolean; reason?: string } {
    const methods = this.transport.methods();
    // A question asked while the sidecar starts (a reload, a slow machine) waits for it.
    if (!methods) return this.transport.starting?.() ? { available: true } : { available: false, reason: 'The EditorAssist sidecar is not running.' };
    if (!methods.includes(Methods.chatSend)) return { available: false, reason: 'This sidecar does not offer chat yet (no "chat/send").' };
    return { available: true };
  }

  async handle(msg: FromWebview): Promise<void> {
    switch (msg.type) {
      case 'ready':
        this.post({ type: 'state', ...this.availability() });
        return;
      case 'send':
        return this.send(withContext(msg.text, msg.includeSelection ? this.context() : undefined));
      case 'regenerate':
        return this.regenerate();
      case 'stop':
        this.inflight?.cts.cancel();
        return;
      case 'newChat':
        this.newChat();
        return;
      case 'toolDecision':
        this.approvals.get(msg.callId)?.(msg.decision);
        return;
      case 'openDiff':
        this.tools?.openDiff?.(msg.callId);
        return;
      case 'firstTokenPainted':
        this.noteFirstToken(msg.id, { paintMs: msg.ms, deltaToPaintMs: msg.deltaToPaintMs });
        return;
      default:
        return; // UI actions are the view provider's
    }
  }

  /** The conversation shown now (undefined before its first answer). */
  get currentSessionId(): string | undefined {
    return this.sessionId;
  }

  /**
   * Shows a stored conversation (from the sidecar's SQLite history) and continues it: the next
   * question goes to the same session with the whole conversation as context.
   */
  async openSession(sessionId: string): Promise<void> {
    const { messages } = await this.transport.request(Requests.chatSession, { sessionId });
    this.inflight?.cts.cancel();
    this.post({ type: 'clear' });
    this.history = [];
    this.sessionId = sessionId;
    this.lastAssistantId = undefined;
    for (const m of messages) {
      if (m.role === 'user') {
        this.post({ type: 'userMessage', id: this.nextId('u'), text: m.content });
      } else if (m.role === 'assistant') {
        const id = this.nextId('a');
        this.lastAssistantId = id;
        this.post({ type: 'assistantStart', id });
        // The thinking is shown again (folded) but never goes back into the conversation sent to the model.
        if (m.reasoning) this.post({ type: 'assistantReasoning', id, delta: m.reasoning });
        // The tool cards of an agent turn come back as they ended (done, or failed/denied).
        for (const c of m.toolCalls ?? []) {
          this.post({
            type: 'toolCall', id, callId: c.id, name: c.name, state: !c.isError ? 'done' : c.result === DENIED.content ? 'denied' : 'failed',
            args: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments), result: c.result,
          });
        }
        if (m.content) this.post({ type: 'assistantDelta', id, delta: m.content });
        this.post({ type: 'assistantEnd', id, finishReason: storedFinish(m.finishReason), model: m.model });
      } else {
        continue; // system prompts are not shown
      }
      this.history.push({ role: m.role, content: m.content });
    }
  }

  /** Forgets a stored conversation; the one on screen is cleared if it was that one. */
  async deleteSession(sessionId: string): Promise<boolean> {
    const { deleted } = await this.transport.request(Requests.chatDeleteSession, { sessionId });
    if (deleted && this.sessionId === sessionId) this.newChat();
    return deleted;
  }

  newChat(): void {
    this.allowedForChat.clear();
    this.inflight?.cts.cancel();
    this.history = [];
    this.sessionId = undefined;
    this.lastAssistantId = undefined;
    this.post({ type: 'clear' });
  }

  dispose(): void {
    this.inflight?.cts.cancel();
    this.subscription.dispose();
    for (const d of this.toolSubscriptions) d.dispose();
  }

  private async send(text: string): Promise<void> {
    if (!this.canAsk()) return;
    const userId = this.nextId('u');
    this.history.push({ role: 'user', content: text });
    this.post({ type: 'userMessage', id: userId, text });
    await this.ask();
  }

  /** Drops the last answer and asks again with the same conversation. */
  private async regenerate(): Promise<void> {
    if (!this.canAsk()) return;
    if (this.history.at(-1)?.role === 'assistant') this.history.pop();
    if (this.history.at(-1)?.role !== 'user') return; // nothing to regenerate
    if (this.lastAssistantId) this.post({ type: 'removeMessage', id: this.lastAssistantId });
    await this.ask();
  }

  private canAsk(): boolean {
    const avail = this.availability();
    if (!avail.available) {
      this.post({ type: 'notice', level: 'warning', text: avail.reason ?? 'Chat is not available.' });
      return false;
    }
    if (this.inflight) {
      this.post({ type: 'notice', level: 'info', text: 'Wait for the answer, or press Stop.' });
      return false;
    }
    return true;
  }

  private async ask(): Promise<void> {
    const id = this.nextId('a');
    this.lastAssistantId = id;
    this.firstToken.set(id, {});
    if (this.firstToken.size > 16) this.firstToken.delete(this.firstToken.keys().next().value!);
    this.post({ type: 'assistantStart', id });
    const cts = new CancellationTokenSource();
    this.inflight = { id, cts };
    const streamId = id;
    const stream = { id, text: '', requestedAt: performance.now() };
    this.streams.set(streamId, stream);
    const { model, maxTokens } = this.options();
    const params: ChatSendParams = { streamId, sessionId: this.sessionId, model, messages: [...this.history] };
    if (maxTokens) params.params = { maxTokens };
    const tools = this.transport.onRequest ? this.tools?.definitions() : undefined;
    if (tools?.length) params.tools = tools;
    let answer: ChatSendResult | undefined;
    this.activity?.chatStarted(model);
    try {
      const result: ChatSendResult = answer = await this.transport.request(Requests.chatSend, params, cts.token);
      this.sessionId = result.sessionId ?? this.sessionId;
      this.history.push({ role: 'assistant', content: result.content });
      this.noteFirstToken(id, { ttftMs: typeof result.timings?.ttftMs === 'number' ? result.timings.ttftMs : null });
      this.post({
        type: 'assistantEnd', id, finishReason: result.finishReason,
        tokensPerSecond: result.timings?.tokensPerSecond, model: result.model, privacy: result.privacy,
      });
      const trimmed = trimmedNotice(result);
      if (trimmed) this.post({ type: 'notice', level: 'info', text: trimmed });
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (code === ErrorCodes.RequestCancelled || cts.token.isCancellationRequested) {
        // Keep what was shown: the conversation goes on from the partial answer.
        if (stream.text) this.history.push({ role: 'assistant', content: stream.text });
        this.post({ type: 'assistantEnd', id, finishReason: 'cancelled' });
      } else {
        this.post({ type: 'assistantEnd', id, finishReason: 'error', error: e instanceof Error ? e.message : String(e) });
      }
    } finally {
      this.activity?.chatEnded(model, answer?.model, answer?.timings?.tokensPerSecond);
      this.noteFirstToken(id, { ttftMs: null }); // no-op when the answer reported one
      this.streams.delete(streamId);
      this.inflight = undefined;
      cts.dispose();
    }
  }

  /** Records part of answer `id`'s first-token timing; logs the line once paint and TTFT are in. */
  private noteFirstToken(id: string, part: FirstTokenTiming): void {
    const entry = this.firstToken.get(id);
    if (!entry) return; // not an answer we asked for, or already logged
    // ??=: the first report wins (a repeat is ignored; a reported TTFT beats the finally's null).
    entry.paintMs ??= part.paintMs;
    entry.deltaToPaintMs ??= part.deltaToPaintMs;
    entry.hostMs ??= part.hostMs;
    if (part.ttftMs !== undefined) entry.ttftMs ??= part.ttftMs;
    if (entry.paintMs === undefined || entry.ttftMs === undefined) return;
    this.firstToken.delete(id);
    const ms = (x: number) => `${Math.round(x * 10) / 10} ms`;
    const parts = [`sidecar time to first token ${entry.ttftMs === null ? 'not reported' : ms(entry.ttftMs)}`];
    if (entry.hostMs !== undefined) parts.push(`extension host request → first delta ${ms(entry.hostMs)}`);
    if (entry.deltaToPaintMs !== undefined) parts.push(`webview first delta → painted ${ms(entry.deltaToPaintMs)}`);
    this.log(`Chat first token painted ${ms(entry.paintMs)} after Enter (${parts.join('; ')})`);
  }

  private onDelta(raw: unknown): void {
    const p = raw as Partial<ChatDeltaParams> | undefined;
    if (!p || typeof p.streamId !== 'string' || typeof p.delta !== 'string') return;
    const stream = this.streams.get(p.streamId);
    if (!stream) return;
    const reasoning = typeof p.reasoning === 'string' ? p.reasoning : '';
    if (!stream.text && !stream.reasoned && (p.delta || reasoning)) this.noteFirstToken(stream.id, { hostMs: performance.now() - stream.requestedAt });
    if (reasoning) {
      // Kept out of stream.text: a stopped answer continues the conversation without its thinking.
      stream.reasoned = true;
      this.post({ type: 'assistantReasoning', id: stream.id, delta: reasoning });
    }
    if (!p.delta) return;
    stream.text += p.delta;
    this.post({ type: 'assistantDelta', id: stream.id, delta: p.delta });
  }

  /** `chat/toolStatus`: the tool card of the answer that asked. */
  private onToolStatus(raw: unknown): void {
    const p = raw as Partial<ToolStatusParams> | undefined;
    if (!p || typeof p.streamId !== 'string' || typeof p.callId !== 'string' || typeof p.name !== 'string' || typeof p.state !== 'string') return;
    const stream = this.streams.get(p.streamId);
    if (!stream) return;
    this.post({
      type: 'toolCall', id: stream.id, callId: p.callId, name: p.name, state: p.state,
      args: p.arguments === undefined ? undefined : typeof p.arguments === 'string' ? p.arguments : JSON.stringify(p.arguments),
      result: typeof p.result === 'string' ? p.result : undefined,
    });
  }

  /** `chat/toolCall`: runs the tool here; writes and commands ask the user first (in the tool card). */
  private async onToolCall(p: ToolCallParams, token: CancellationLike): Promise<ToolCallResult> {
    const stream = this.streams.get(p.streamId);
    if (!stream || !this.tools) return { content: 'This chat is no longer waiting for the tool.', isError: true };
    const approve = (request: ApprovalRequest): Promise<Decision> => this.askUser(stream.id, p.callId, request, token);
    const result = await this.tools.run(p, { approve }, token);
    return token.isCancellationRequested && result.denied ? { content: 'cancelled', isError: true } : result;
  }

  /**
   * `chat/toolApproval`: a tool of an MCP server (run by the sidecar) waits for the user's yes, asked in
   * its tool card like writes and commands. "Allow for this chat" covers that server's tools.
   */
  private async onToolApproval(p: ToolApprovalParams, token: CancellationLike): Promise<ToolApprovalResult> {
    const stream = this.streams.get(p.streamId);
    if (!stream || typeof p.server !== 'string' || typeof p.callId !== 'string') return { approved: false };
    const tool = typeof p.tool === 'string' ? p.tool : String(p.name);
    const decision = await this.askUser(stream.id, p.callId, { kind: 'mcp', detail: `${tool} (MCP server "${p.server}")`, scope: `mcp:${p.server}` }, token);
    return decision === 'deny' ? { approved: false } : { approved: true, always: decision === 'chat' };
  }

  /** Shows approve / allow for this chat / deny in the call's card; resolves with the click (deny on Stop). */
  private askUser(answerId: string, callId: string, request: ApprovalRequest, token: CancellationLike): Promise<Decision> {
    const scope = request.scope ?? request.kind;
    if (this.allowedForChat.has(scope)) return Promise.resolve('chat');
    if (token.isCancellationRequested) return Promise.resolve('deny');
    return new Promise<Decision>((resolve) => {
      const sub = token.onCancellationRequested(() => finish('deny'));
      const finish = (d: Decision) => {
        if (!this.approvals.delete(callId)) return;
        sub.dispose();
        if (d === 'chat') this.allowedForChat.add(scope);
        this.post({ type: 'toolApprovalDone', callId, decision: d });
        resolve(d);
      };
      this.approvals.set(callId, finish);
      this.post({ type: 'toolApproval', id: answerId, callId, kind: request.kind, detail: request.detail, hasDiff: request.hasDiff === true });
    });
  }

  private nextId(prefix: string): string {
    return `${prefix}${++this.counter}-${Date.now().toString(36)}`;
  }
}

function storedFinish(reason: string | undefined): FinishReason {
  return reason === 'length' || reason === 'cancelled' || reason === 'error' ? reason : 'stop';
}
