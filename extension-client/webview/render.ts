// Markdown rendering for the chat webview, apart from main.ts's wiring so that the render
// benchmark (bench/extension.mjs) and the tests can load it on its own. Model output is
// untrusted: markdown → marked → DOMPurify (DOM fragment) → post-processing that removes remote
// images, turns links into "ask the extension" buttons and highlights code blocks (highlight.ts).
import DOMPurify, { type Config } from 'dompurify';
import { marked } from 'marked';
import { highlightCode } from './highlight';

const PURIFY: Config & { RETURN_DOM_FRAGMENT: true } = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'option', 'iframe', 'frame', 'object', 'embed', 'svg', 'math', 'link', 'meta', 'base', 'video', 'audio', 'source', 'track', 'picture', 'canvas', 'dialog', 'template', 'slot'],
  FORBID_ATTR: ['style', 'srcset', 'action', 'formaction', 'background', 'ping'],
  ALLOW_DATA_ATTR: false,
  RETURN_DOM_FRAGMENT: true,
};

/** Renders untrusted markdown into a safe fragment. */
export function renderMarkdown(md: string): DocumentFragment {
  const html = marked.parse(md, { async: false, gfm: true, breaks: false }) as string;
  const frag = DOMPurify.sanitize(html, PURIFY) as DocumentFragment;
  for (const img of Array.from(frag.querySelectorAll('img'))) {
    const src = img.getAttribute('src') ?? '';
    // Remote images could carry data out in their URL: show the alt text instead.
    if (!/^data:image\/(png|gif|jpeg|webp);/i.test(src)) img.replaceWith(document.createTextNode(img.alt ? `[image: ${img.alt}]` : '[image]'));
  }
  for (const a of Array.from(frag.querySelectorAll('a'))) {
    const href = a.getAttribute('href') ?? '';
    a.removeAttribute('href');
    a.removeAttribute('target');
    if (href) {
      a.dataset.url = href;
      a.title = href; // the full URL, before anything opens
      a.tabIndex = 0;
      a.setAttribute('role', 'link');
    }
  }
  for (const pre of Array.from(frag.querySelectorAll('pre'))) {
    const code = pre.querySelector('code');
    if (code) highlightCode(code, languageOf(code));
    decorateCodeBlock(pre);
  }
  if (md.includes(REPLACEMENT)) markInvalidText(frag);
  return frag;
}

const REPLACEMENT = '\uFFFD';

/**
 * Bytes the model produced that are not valid UTF-8 reach us as U+FFFD, one per bad byte (the
 * sidecar never splits a valid character across deltas, so these are really invalid). A run of
 * them becomes one marked placeholder that says how many bytes were dropped, instead of a row
 * of identical boxes.
 */
export function markInvalidText(root: ParentNode): void {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const hits: Text[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) if ((n as Text).data.includes(REPLACEMENT)) hits.push(n as Text);
  for (const text of hits) {
    const parts = text.data.split(/(\uFFFD+)/);
    const frag = document.createDocumentFragment();
    for (const part of parts) {
      if (!part) continue;
      if (part[0] !== REPLACEMENT) { frag.append(document.createTextNode(part)); continue; }
      const mark = document.createElement('span');
      mark.className = 'invalid-utf8';
      mark.textContent = REPLACEMENT;
      mark.title = `${part.length === 1 ? 'A byte' : `${part.length} bytes`} of the model's output ${part.length === 1 ? 'was' : 'were'} not valid UTF-8 text`;
      frag.append(mark);
    }
    text.replaceWith(frag);
  }
}

/** The language a code block's fence named (marked writes it as class language-…). */
function languageOf(code: Element | null): string | undefined {
  return /language-([\w+#.-]+)/.exec(code?.className ?? '')?.[1];
}

export function decorateCodeBlock(pre: HTMLElement): void {
  const language = languageOf(pre.querySelector('code'));
  const bar = document.createElement('div');
  bar.className = 'code-actions';
  for (const [label, action] of [['Copy', 'copyCode'], ['Insert', 'insertCode'], ['New file', 'newFile']] as const) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.dataset.action = action;
    if (language) b.dataset.language = language;
    bar.append(b);
  }
  pre.before(bar);
}

/**
 * Streams markdown into an element in time linear in the length of the answer. Text before a
 * stable boundary is final and rendered once: a blank line outside a code fence, the start of a
 * fence at the left margin (it interrupts whatever came before) and the end of that fence. Only
 * the tail after the last boundary is re-rendered, once per animation frame — except an open
 * fence, whose code grows in place (complete lines appended as text, the last line replaced),
 * so a long code block costs no more per token than a short one. Lines are scanned once.
 */
export class StreamRenderer {
  text = '';
  private stable = 0;
  private readonly stableEl = document.createElement('div');
  private readonly tailEl = document.createElement('div');
  private scheduled = false;
  private finished = false;
  private readonly scan = new BoundaryScanner();
  /** The open fence shown in place, while the tail is just that fence. */
  private openCode: { start: number; shown: number; code: HTMLElement; chunk: HTMLElement; lines: number; partial: Text } | undefined;
  /**
   * Called once, right after the first flush that put text in the DOM; `inFrame` says whether
   * that flush ran in an animation frame (the frame about to paint it) or outside one.
   */
  onFirstText: ((inFrame: boolean) => void) | undefined;
  /** When the first text arrived (performance.now()). */
  firstTextAt: number | undefined;
  /**
   * Characters handed to the markdown renderer or written into the DOM so far: the renderer's
   * work, counted (the linear-time test asserts on it; wall-clock time is only reported).
   */
  work = 0;

  constructor(readonly el: HTMLElement) {
    el.append(this.stableEl, this.tailEl);
  }

  append(delta: string): void {
    if (!this.text && delta) this.firstTextAt = performance.now();
    this.text += delta;
    if (!this.scheduled) {
      this.scheduled = true;
      requestAnimationFrame(() => this.flush(true));
    }
  }

  /** The answer is complete: renders what is left as `renderMarkdown` would, open fence included. */
  finish(): void {
    this.flush(false, true);
    this.finished = true; // a frame still scheduled must not bring the streaming view back
  }

  flush(inFrame = false, final = false): void {
    this.scheduled = false;
    if (this.finished) return;
    const cut = this.scan.advance(this.text);
    if (cut > this.stable) {
      this.stableEl.append(renderMarkdown(this.text.slice(this.stable, cut)));
      this.work += cut - this.stable;
      this.stable = cut;
      this.openCode = undefined;
    }
    const fence = this.scan.fence;
    if (fence?.margin && fence.start === this.stable && !final) this.growCode(fence);
    else {
      this.openCode = undefined;
      this.tailEl.replaceChildren(renderMarkdown(this.text.slice(this.stable)));
      this.work += this.text.length - this.stable;
    }
    if (this.onFirstText && this.text) {
      const notify = this.onFirstText;
      this.onFirstText = undefined;
      notify(inFrame);
    }
  }

  /**
   * The open fence: what `renderMarkdown` would show for it, grown by the new text only. Its
   * complete lines go into blocks of up to CODE_CHUNK_LINES lines (`code.streaming > span`,
   * display: block), so a frame re-lays out the last block, not the whole code.
   */
  private growCode(fence: OpenFence): void {
    if (this.openCode?.start !== fence.start) {
      const pre = document.createElement('pre');
      const code = document.createElement('code');
      code.className = fence.language ? `streaming language-${fence.language}` : 'streaming';
      const chunk = document.createElement('span');
      const partial = document.createTextNode('');
      chunk.append(partial);
      code.append(chunk);
      pre.append(code);
      const frag = document.createDocumentFragment();
      frag.append(pre);
      decorateCodeBlock(pre);
      this.tailEl.replaceChildren(frag);
      this.openCode = { start: fence.start, shown: fence.bodyStart, code, chunk, lines: 0, partial };
    }
    const open = this.openCode;
    const complete = this.scan.scanned; // complete lines end here
    if (complete > open.shown) {
      if (open.lines >= CODE_CHUNK_LINES) {
        open.chunk = document.createElement('span');
        open.chunk.append(open.partial);
        open.code.append(open.chunk);
        open.lines = 0;
      }
      // Text nodes, never HTML: model output inside a fence is shown as typed.
      const lines = this.text.slice(open.shown, complete);
      open.chunk.insertBefore(document.createTextNode(lines), open.partial);
      open.lines += countLines(lines);
      open.shown = complete;
      this.work += lines.length;
    }
    open.partial.data = this.text.slice(open.shown);
    this.work += open.partial.data.length;
  }
}

const CODE_CHUNK_LINES = 24;

function countLines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

interface OpenFence {
  /** Where the opening fence line starts, and where the code after it starts. */
  start: number;
  bodyStart: number;
  marker: string;
  /** The fence starts at the left margin (not in a list item or indented). */
  margin: boolean;
  language: string | undefined;
}

/**
 * Finds stable boundaries in growing markdown, scanning each complete line once. A boundary:
 * after a blank line outside a fence; before a fence opened at the left margin (a fence
 * interrupts a paragraph and ends a list); after the line closing such a fence.
 */
export class BoundaryScanner {
  /** Text before this has been scanned; it is at a line start. */
  scanned = 0;
  fence: OpenFence | undefined;
  private cut = 0;

  /** Scans the complete lines added to `text` since the last call; returns the latest boundary. */
  advance(text: string): number {
    for (;;) {
      const lineStart = this.scanned;
      const nl = text.indexOf('\n', lineStart);
      if (nl < 0) break; // the last line is incomplete: never final
      const line = text.slice(lineStart, nl);
      this.scanned = nl + 1;
      const fence = this.fence;
      if (fence) {
        const close = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(line);
        if (close && close[1][0] === fence.marker[0] && close[1].length >= fence.marker.length) {
          this.fence = undefined;
          if (fence.margin) this.cut = nl + 1;
        }
        continue;
      }
      const open = /^( {0,3})(`{3,}|~{3,})(.*)$/.exec(line);
      if (open && !(open[2][0] === '`' && open[3].includes('`'))) {
        const language = /^[\w+#.-]+$/.exec(open[3].trim().split(/\s+/)[0] ?? '')?.[0];
        this.fence = { start: lineStart, bodyStart: nl + 1, marker: open[2], margin: open[1] === '', language };
        if (this.fence.margin) this.cut = lineStart;
      } else if (line.trim() === '') {
        this.cut = nl + 1;
      }
    }
    return this.cut;
  }
}

/** The last stable boundary in `text` (see BoundaryScanner), scanning all of it. */
export function stableCut(text: string): number {
  return new BoundaryScanner().advance(text);
}

/**
 * Runs `fn` once the DOM changes made so far have been painted: a task queued from inside an
 * animation-frame callback runs after that frame's style, layout and paint; outside a frame, wait
 * for the next one first.
 */
export function afterPaint(inFrame: boolean, fn: () => void): void {
  if (inFrame) setTimeout(fn, 0);
  else requestAnimationFrame(() => setTimeout(fn, 0));
}
