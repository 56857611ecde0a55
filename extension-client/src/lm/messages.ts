// VS Code's language-model messages ↔ the sidecar's chat/send messages. vscode-free: parts are
// recognised by shape (the extension host hands us its own class instances, whose fields are the
// API's), so this is unit-tested without VS Code.
import type { ChatMessage, PendingToolCall, ToolDefinition } from '../protocol';

/** LanguageModelChatMessageRole: User = 1, Assistant = 2; System = 3 (proposed API, passed by VS Code's own chat). */
export const Role = { User: 1, Assistant: 2, System: 3 } as const;

export interface LmRequestMessage {
  readonly role: number;
  readonly content: ReadonlyArray<unknown>;
  readonly name?: string | undefined;
}

export interface LmTool {
  readonly name: string;
  readonly description: string;
  readonly inputSchema?: object | undefined;
}

interface TextLike { value: string }
interface CallLike { callId: string; name: string; input: object }
interface ResultLike { callId: string; content: ReadonlyArray<unknown> }
interface DataLike { mimeType: string; data: Uint8Array }

const isText = (p: unknown): p is TextLike => typeof (p as TextLike)?.value === 'string';
const isCall = (p: unknown): p is CallLike => typeof (p as CallLike)?.callId === 'string' && typeof (p as CallLike)?.name === 'string' && 'input' in (p as object);
const isResult = (p: unknown): p is ResultLike => typeof (p as ResultLike)?.callId === 'string' && Array.isArray((p as ResultLike)?.content);
const isData = (p: unknown): p is DataLike => typeof (p as DataLike)?.mimeType === 'string' && (p as DataLike)?.data instanceof Uint8Array;

/** Text of a data part we can read (text and JSON mime types); images and other binaries are left out (imageInput: false). */
function dataText(p: DataLike): string | undefined {
  if (!/^text\/|json/i.test(p.mimeType)) return undefined;
  return new TextDecoder().decode(p.data);
}

/** A tool result's content as text: text parts as they are, readable data parts decoded, anything else (prompt-tsx) as JSON. */
export function resultText(content: ReadonlyArray<unknown>): string {
  return content.map((c) => {
    if (isText(c)) return c.value;
    if (isData(c)) return dataText(c) ?? '';
    try { return JSON.stringify(c); } catch { return ''; }
  }).join('');
}

/**
 * Tool names the sidecar (and every provider) accepts are `^[A-Za-z0-9_-]{1,64}$`; VS Code's may hold
 * other characters (an MCP server's tool with a dot). Each name is mapped to a valid, unique one and
 * back, so a call returned under the mapped name reaches VS Code under its own.
 */
export class ToolNames {
  private readonly toWire = new Map<string, string>();
  private readonly fromWire = new Map<string, string>();

  wire(name: string): string {
    const known = this.toWire.get(name);
    if (known) return known;
    let base = name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64) || 'tool';
    for (let i = 2; this.fromWire.has(base); i++) base = `${base.slice(0, 60)}_${i}`;
    this.toWire.set(name, base);
    this.fromWire.set(base, name);
    return base;
  }

  original(wire: string): string {
    return this.fromWire.get(wire) ?? wire;
  }
}

export function toSidecarTools(tools: readonly LmTool[] | undefined, names: ToolNames): ToolDefinition[] {
  return (tools ?? []).map((t) => ({
    name: names.wire(t.name),
    description: t.description ?? '',
    parameters: (t.inputSchema && typeof t.inputSchema === 'object' ? t.inputSchema : { type: 'object', properties: {} }) as Record<string, unknown>,
  }));
}

/**
 * The conversation for chat/send. Tool turns keep their structure (an assistant message with
 * `toolCalls`, one `tool` message per result), so the provider gets them in its own format. A result
 * whose call is not in the conversation (VS Code may have trimmed it) becomes plain user text: a
 * provider refuses a tool message that answers nothing.
 */
export function toSidecarMessages(messages: readonly LmRequestMessage[], names: ToolNames): ChatMessage[] {
  const out: ChatMessage[] = [];
  const calls = new Set<string>();
  for (const m of messages) {
    const text = m.content.map((p) => (isText(p) ? p.value : isData(p) && !isResult(p) ? dataText(p) ?? '' : '')).join('');
    if (m.role === Role.Assistant) {
      const toolCalls: PendingToolCall[] = m.content.filter(isCall).map((c) => ({ id: c.callId, name: names.wire(c.name), arguments: (c.input ?? {}) as Record<string, unknown> }));
      for (const c of toolCalls) calls.add(c.id);
      if (text || toolCalls.length) out.push(toolCalls.length ? { role: 'assistant', content: text, toolCalls } : { role: 'assistant', content: text });
      continue;
    }
    const role = m.role === Role.System ? 'system' : 'user';
    for (const r of m.content.filter(isResult)) {
      const content = resultText(r.content);
      if (calls.has(r.callId)) out.push({ role: 'tool', toolCallId: r.callId, content });
      else out.push({ role: 'user', content: `Result of tool call ${r.callId}:\n${content}` });
    }
    if (text) out.push({ role, content: text });
  }
  return out;
}

/** A returned call's arguments as the object VS Code's ToolCallPart takes (text that did not parse: `{}`). */
export function callInput(args: PendingToolCall['arguments']): object {
  if (typeof args === 'object' && args !== null) return args;
  try {
    const parsed: unknown = JSON.parse(args);
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}

/** Text of one message or a string, for token counting. */
export function countableText(input: string | LmRequestMessage): string {
  if (typeof input === 'string') return input;
  return input.content.map((p) => {
    if (isText(p)) return p.value;
    if (isCall(p)) return p.name + JSON.stringify(p.input ?? {});
    if (isResult(p)) return resultText(p.content);
    return '';
  }).join('');
}
