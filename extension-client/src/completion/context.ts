// What the provider sends besides the cursor: capped prefix/suffix windows and a small,
// deduplicated ring of chunks from other files the user edited or sees. Pure (no vscode).
import { CompletionWindow } from '../protocol';

/** A document as the window builder needs it: line count and line text. */
export interface LineSource {
  readonly lineCount: number;
  lineAt(line: number): string;
}

export interface CursorWindow {
  prefix: string;
  suffix: string;
}

/**
 * Prefix: the cursor's line up to the cursor plus the `prefixLines - 1` lines above it; suffix: the
 * rest of the cursor's line plus the `suffixLines - 1` lines below it (and that last line's newline
 * when more follow). The sidecar's own windows (CompletionText.PrefixWindow/SuffixWindow with the
 * same counts) leave this unchanged, so nothing is sent that the prompt would not use. Each side is
 * also capped at `maxChars` (keeping the characters nearest the cursor).
 */
export function cursorWindow(doc: LineSource, line: number, character: number,
  prefixLines: number = CompletionWindow.prefixLines, suffixLines: number = CompletionWindow.suffixLines,
  maxChars: number = CompletionWindow.maxChars): CursorWindow {
  const current = doc.lineAt(line);
  const before: string[] = [];
  for (let l = Math.max(0, line - prefixLines + 1); l < line; l++) before.push(doc.lineAt(l));
  before.push(current.slice(0, character));
  const after: string[] = [current.slice(character)];
  const last = Math.min(doc.lineCount, line + suffixLines);
  for (let l = line + 1; l < last; l++) after.push(doc.lineAt(l));
  const prefix = before.join('\n');
  const suffix = after.join('\n') + (last < doc.lineCount ? '\n' : '');
  return { prefix: prefix.length > maxChars ? prefix.slice(prefix.length - maxChars) : prefix, suffix: suffix.slice(0, maxChars) };
}

export interface ContextChunk {
  uri: string;
  startLine: number;
  endLine: number;
  text: string;
}

/**
 * The most recent `capacity` chunks, newest first. A chunk that overlaps an older one of the
 * same file replaces it; identical text is kept once; whitespace-only chunks are dropped.
 */
export class ContextRing {
  private items: ContextChunk[] = [];

  constructor(readonly capacity = 8) {}

  add(chunk: ContextChunk): void {
    if (!chunk.text.trim()) return;
    this.items = this.items.filter((c) => c.text !== chunk.text
      && !(c.uri === chunk.uri && c.startLine <= chunk.endLine && chunk.startLine <= c.endLine));
    this.items.unshift(chunk);
    if (this.items.length > this.capacity) this.items.length = this.capacity;
  }

  /** Chunks of files other than `exceptUri`, newest first, at most `max`. */
  chunks(exceptUri: string, max = 4): { uri: string; text: string }[] {
    return this.items.filter((c) => c.uri !== exceptUri).slice(0, max).map((c) => ({ uri: c.uri, text: c.text }));
  }

  /** Forgets a closed file. */
  forget(uri: string): void {
    this.items = this.items.filter((c) => c.uri !== uri);
  }

  get size(): number {
    return this.items.length;
  }
}

/** The lines around `line` (half before, half after), as a chunk. */
export function chunkAround(doc: LineSource, uri: string, line: number, lines = 30): ContextChunk {
  const start = Math.max(0, Math.min(line - Math.floor(lines / 2), doc.lineCount - lines));
  const end = Math.min(doc.lineCount - 1, start + lines - 1);
  const text: string[] = [];
  for (let l = start; l <= end; l++) text.push(doc.lineAt(l));
  return { uri, startLine: start, endLine: end, text: text.join('\n') };
}
