// The messages between the chat webview and the extension: one discriminated union per
// direction, imported by both sides (webview/main.ts and chat/). The webview is untrusted
// territory (it renders model output), so the extension validates what it receives.

import type { Privacy } from '../protocol';

export type { Privacy };
export type FinishReason = 'stop' | 'length' | 'cancelled' | 'error' | 'stepLimit';

/** Extension → webview. */
export type ToWebview =
  /** model: the chat model; null: none is chosen (the view offers ways to get one); absent: unchanged. */
  | { type: 'state'; available: boolean; reason?: string; model?: string | null; privacy?: Privacy }
  | { type: 'userMessage'; id: string; text: string }
  | { type: 'assistantStart'; id: string }
  | { type: 'assistantDelta'; id: string; delta: string }
  /** A piece of the model's thinking for answer `id` (shown folded, apart from the answer). */
  | { type: 'assistantReasoning'; id: string; delta: string }
  | { type: 'assistantEnd'; id: string; finishReason: FinishReason; error?: string; tokensPerSecond?: number; model?: string; privacy?: Privacy }
  /** Removes an assistant message (before it is regenerated). */
  | { type: 'removeMessage'; id: string }
  | { type: 'notice'; level: 'info' | 'warning' | 'error'; text: string }
  | { type: 'clear' }
  /** A tool call of answer `id` (agent mode): created on its first status, updated on the next. */
  | { type: 'toolCall'; id: string; callId: string; name: string; state: string; args?: string; result?: string }
  /** The call waits for the user: approve once, for this chat, or deny (edits and new files have a diff). */
  | { type: 'toolApproval'; id: string; callId: string; kind: 'edit' | 'create' | 'command' | 'mcp'; detail: string; hasDiff: boolean }
  | { type: 'toolApprovalDone'; callId: string; decision: 'once' | 'chat' | 'deny' };

/** Webview → extension. */
export type FromWebview =
  | { type: 'ready' }
  | { type: 'send'; text: string; includeSelection?: boolean }
  | { type: 'regenerate' }
  | { type: 'stop' }
  | { type: 'newChat' }
  | { type: 'copyCode'; code: string }
  | { type: 'insertCode'; code: string }
  | { type: 'newFile'; code: string; language?: string }
  | { type: 'openLink'; url: string }
  /** A button of the empty state: one of the model commands (the only commands the webview may ask for). */
  | { type: 'runCommand'; command: WebviewCommand }
  | { type: 'toolDecision'; callId: string; decision: 'once' | 'chat' | 'deny' }
  | { type: 'openDiff'; callId: string }
  /**
   * The first token of answer `id` was painted `ms` after the user pressed Enter (or Send), and
   * `deltaToPaintMs` after that token reached the webview.
   */
  | { type: 'firstTokenPainted'; id: string; ms: number; deltaToPaintMs?: number };

/** The commands the chat webview may run (its empty state's actions). */
export const WEBVIEW_COMMANDS = ['selectModel', 'loadModelFile', 'downloadModel'] as const;
export type WebviewCommand = (typeof WEBVIEW_COMMANDS)[number];

const MAX_TEXT = 1_000_000;
const str = (v: unknown, max = MAX_TEXT): v is string => typeof v === 'string' && v.length <= max;
const duration = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 3_600_000;

/** Checks a message from the webview; anything malformed is dropped, never half-trusted. */
export function parseFromWebview(raw: unknown): FromWebview | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const m = raw as Record<string, unknown>;
  switch (m.type) {
    case 'ready': case 'stop': case 'newChat': case 'regenerate':
      return { type: m.type };
    case 'send':
      if (!str(m.text) || m.text.trim().length === 0) return undefined;
      return m.includeSelection === true ? { type: 'send', text: m.text, includeSelection: true } : { type: 'send', text: m.text };
    case 'copyCode': case 'insertCode':
      return str(m.code) ? { type: m.type, code: m.code } : undefined;
    case 'newFile':
      return str(m.code) && (m.language === undefined || (str(m.language, 64) && /^[\w+#.-]*$/.test(m.language)))
        ? { type: 'newFile', code: m.code, language: m.language as string | undefined } : undefined;
    case 'openLink':
      return str(m.url, 8192) ? { type: 'openLink', url: m.url } : undefined;
    case 'runCommand':
      return (WEBVIEW_COMMANDS as readonly unknown[]).includes(m.command) ? { type: 'runCommand', command: m.command as WebviewCommand } : undefined;
    case 'toolDecision':
      return str(m.callId, 256) && (m.decision === 'once' || m.decision === 'chat' || m.decision === 'deny')
        ? { type: 'toolDecision', callId: m.callId, decision: m.decision } : undefined;
    case 'openDiff':
      return str(m.callId, 256) ? { type: 'openDiff', callId: m.callId } : undefined;
    case 'firstTokenPainted': {
      if (!str(m.id, 128) || !duration(m.ms)) return undefined;
      return duration(m.deltaToPaintMs)
        ? { type: 'firstTokenPainted', id: m.id, ms: m.ms, deltaToPaintMs: m.deltaToPaintMs }
        : { type: 'firstTokenPainted', id: m.id, ms: m.ms };
    }
    default:
      return undefined;
  }
}

/** Only these schemes may be opened from model output (after the user confirms the full URL). */
export function isOpenableUrl(url: string): boolean {
  try {
    return ['http:', 'https:', 'mailto:'].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}
