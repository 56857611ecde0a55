// Markdown rendering for the chat webview, apart from main.ts's wiring so that the render
// benchmark (bench/extension.mjs) and the tests can load it on its own. Model output is
// untrusted: markdown → marked → DOMPurify (DOM fragment) → post-processing that removes remote
// images and turns links into "ask the extension" buttons.
import DOMPurify, { type Config } from 'dompurify';
import { marked } from 'marked';

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
  for (const pre of Array.from(frag.querySelectorAll('pre'))) decorateCodeBlock(pre);
  return frag;
}

export function decorateCodeBlock(pre: HTMLElement): void {
  const code = pre.querySelector('code');
  const language = /language-([\w+#.-]+)/.exec(code?.className ?? '')?.[1];
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
 * Streams markdown into an element without re-rendering all of it on every delta: text up to
 * the last blank line outside a code fence is final and rendered once; only the tail after it
 * is re-rendered (once per animation frame), so a long answer costs linear time.
 */
export class StreamRenderer {
  text = '';
  private stable = 0;
  private readonly stableEl = document.createElement('div');
  private readonly tailEl = document.createElement('div');
  private scheduled = false;
  /**
   * Called once, right after the first flush that put text in the DOM; `inFrame` says whether
   * that flush ran in an animation frame (the frame about to paint it) or outside one.
   */
  onFirstText: ((inFrame: boolean) => void) | undefined;

  constructor(readonly el: HTMLElement) {
    el.append(this.stableEl, this.tailEl);
  }

  append(delta: string): void {
    this.text += delta;
    if (!this.scheduled) {
      this.scheduled = true;
      requestAnimationFrame(() => this.flush(true));
    }
  }

  flush(inFrame = false): void {
    this.scheduled = false;
    const cut = stableCut(this.text, this.stable);
    if (cut > this.stable) {
      this.stableEl.append(renderMarkdown(this.text.slice(this.stable, cut)));
      this.stable = cut;
    }
    this.tailEl.replaceChildren(renderMarkdown(this.text.slice(this.stable)));
    if (this.onFirstText && this.text) {
      const notify = this.onFirstText;
      this.onFirstText = undefined;
      notify(inFrame);
    }
  }
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

/** The last paragraph boundary after `from` that is not inside a ``` fence. */
export function stableCut(text: string, from: number): number {
  let inFence = false;
  let cut = from;
  let lineStart = from;
  while (lineStart < text.length) {
    const nl = text.indexOf('\n', lineStart);
    if (nl < 0) break; // the last line is incomplete: never final
    const line = text.slice(lineStart, nl);
    if (/^\s{0,3}(```|~~~)/.test(line)) inFence = !inFence;
    else if (!inFence && line.trim() === '' && lineStart > from) cut = nl + 1;
    lineStart = nl + 1;
  }
  return cut;
}
