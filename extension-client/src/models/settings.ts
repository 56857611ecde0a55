// A model's own settings (models/configure) without VS Code: the fields the "Settings…" flow shows,
// how a value is written and read back from an input box, and the same ranges the sidecar checks
// (it checks again and answers -32602; this only lets the input box say so while typing).
import type { ModelParams } from '../protocol';

export type ParamKey = keyof ModelParams;

export interface ParamField {
  key: ParamKey;
  label: string;
  /** Shown under the input box. */
  prompt: string;
  /** What "not set" means, shown beside an empty value. */
  unset: string;
  /** Local models only (a remote server decides its own context). */
  localOnly?: boolean;
  /** Providers whose API must be asked to think (Anthropic); others think on their own. */
  thinkingOnly?: boolean;
}

export const PARAM_FIELDS: readonly ParamField[] = [
  { key: 'contextLength', label: 'Context length', prompt: 'Tokens of context (128 – 1,048,576). A loaded model reloads with it.', unset: 'the model\'s default (at most 4,096)' },
  { key: 'temperature', label: 'Temperature', prompt: '0 – 2; 0 always picks the most likely token (the same answer every time).', unset: 'default' },
  { key: 'topP', label: 'Top-p', prompt: 'Greater than 0 and at most 1 (1 = off).', unset: 'default' },
  { key: 'topK', label: 'Top-k', prompt: 'A whole number 0 – 1000 (0 = off).', unset: 'default' },
  { key: 'minP', label: 'Min-p', prompt: '0 – 1 (0 = off).', unset: 'default' },
  { key: 'maxTokens', label: 'Max tokens', prompt: 'The most tokens one answer may have (a whole number ≥ 1).', unset: 'default' },
  { key: 'stop', label: 'Stop sequences', prompt: 'Separated by commas; write \\n for a line break, \\, for a comma. Generation ends before any of them.', unset: 'none' },
  { key: 'systemPrompt', label: 'System prompt', prompt: 'Sent first when a conversation has no system message of its own.', unset: 'none' },
  { key: 'thinking', label: 'Thinking', prompt: 'on or off: ask the model to think before it answers (shown folded in the chat, never sent back).', unset: 'off', thinkingOnly: true },
  { key: 'reasoningBudget', label: 'Thinking budget', prompt: 'Tokens the model may think (1,024 – 1,048,576), on top of Max tokens.', unset: 'default (4,096)', thinkingOnly: true },
];

/** Providers whose models think only when asked (PROTOCOL.md "Reasoning"). */
const ASKS_FOR_THINKING = ['anthropic/'];

const INTEGER: ReadonlySet<ParamKey> = new Set(['contextLength', 'topK', 'maxTokens', 'reasoningBudget']);

/** The value as the input box shows it ('' when not set). */
export function formatParam(key: ParamKey, params: ModelParams): string {
  const v = params[key];
  if (v === undefined || v === null) return '';
  if (key === 'stop') return (v as string[]).map(escapeStop).join(', ');
  if (key === 'thinking') return v ? 'on' : 'off';
  return String(v);
}

/** One line for the list of fields: the value, or what applies when it is not set. */
export function describeParam(field: ParamField, params: ModelParams): string {
  const text = formatParam(field.key, params);
  if (!text) return field.unset;
  if (field.key === 'systemPrompt') return text.length > 60 ? `${text.slice(0, 57)}…` : text;
  if (field.key === 'contextLength') return `${Number(text).toLocaleString('en-US')} tokens`;
  return text;
}

export type Parsed = { ok: true; value: ModelParams[ParamKey] | null } | { ok: false; error: string };

/** Reads an input box's text; empty text clears the setting (null on the wire). */
export function parseParam(key: ParamKey, text: string, params: ModelParams = {}): Parsed {
  const t = key === 'systemPrompt' ? text : text.trim();
  if (t === '') return { ok: true, value: null };
  if (key === 'systemPrompt') return t.length > 32_000 ? { ok: false, error: 'At most 32,000 characters.' } : { ok: true, value: t };
  if (key === 'thinking') {
    const word = t.toLowerCase();
    if (['on', 'true', 'yes'].includes(word)) return { ok: true, value: true };
    if (['off', 'false', 'no'].includes(word)) return { ok: true, value: false };
    return { ok: false, error: 'Enter on or off, or nothing for the default (off).' };
  }
  if (key === 'stop') {
    const list = splitStops(t);
    if (list.length > 16) return { ok: false, error: 'At most 16 stop sequences.' };
    if (list.some((s) => s === '')) return { ok: false, error: 'A stop sequence must not be empty (two commas in a row?).' };
    if (list.some((s) => s.length > 200)) return { ok: false, error: 'A stop sequence may have at most 200 characters.' };
    return { ok: true, value: list };
  }
  const n = Number(t.replace(/[,_\s]/g, ''));
  if (!Number.isFinite(n)) return { ok: false, error: 'Enter a number, or nothing for the default.' };
  if (INTEGER.has(key) && !Number.isInteger(n)) return { ok: false, error: 'Enter a whole number.' };
  const range = (lo: number, hi: number, loOpen = false): Parsed =>
    (loOpen ? n > lo : n >= lo) && n <= hi ? { ok: true, value: n } : { ok: false, error: `Must be ${loOpen ? 'greater than' : 'between'} ${lo.toLocaleString('en-US')}${loOpen ? ' and at most' : ' and'} ${hi.toLocaleString('en-US')}.` };
  switch (key) {
    case 'contextLength': {
      const r = range(128, 1_048_576);
      if (r.ok && params.maxTokens !== undefined && params.maxTokens >= n) return { ok: false, error: `Must be larger than Max tokens (${params.maxTokens}).` };
      return r;
    }
    case 'temperature': return range(0, 2);
    case 'topP': return range(0, 1, true);
    case 'topK': return range(0, 1000);
    case 'minP': return range(0, 1);
    case 'maxTokens': {
      const r = range(1, 1_048_576);
      if (r.ok && params.contextLength !== undefined && n >= params.contextLength) return { ok: false, error: `Must be smaller than the context length (${params.contextLength}).` };
      return r;
    }
    case 'reasoningBudget': return range(1024, 1_048_576);
    default: return { ok: false, error: 'Unknown setting.' };
  }
}

function escapeStop(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(/,/g, '\\,');
}

/** Splits on unescaped commas and reads \n, \t, \, and \\ (spaces around each sequence are dropped). */
export function splitStops(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length) {
      const n = text[++i];
      cur += n === 'n' ? '\n' : n === 't' ? '\t' : n;
    } else if (c === ',') {
      out.push(trimSpaces(cur));
      cur = '';
    } else {
      cur += c;
    }
  }
  out.push(trimSpaces(cur));
  return out;
}

/** Trims spaces only: an escaped line break at either end is part of the sequence. */
function trimSpaces(s: string): string {
  return s.replace(/^ +| +$/g, '');
}

/** The fields a model offers: the context length only for local ones, thinking only where the API must be asked. */
export function fieldsFor(ref: string): ParamField[] {
  return PARAM_FIELDS.filter((f) => !f.localOnly && (f.key !== 'contextLength' || ref.startsWith('local/'))
    && (!f.thinkingOnly || ASKS_FOR_THINKING.some((p) => ref.startsWith(p))));
}
