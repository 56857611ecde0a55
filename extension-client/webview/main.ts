// The chat webview. Keeps only view state; the conversation lives in the extension (and the
// sidecar). Model output is untrusted: markdown → marked → DOMPurify (DOM fragment) → post-
// processing that removes remote images and turns links into "ask the extension" buttons.
// No inline script or handler anywhere: the CSP allows only this nonce'd bundle.
import DOMPurify, { type Config } from 'dompurify';
import { marked } from 'marked';
import type { FromWebview, ToWebview } from '../src/chat/messages';

interface VsCodeApi {
  postMessage(msg: FromWebview): void;
  getState(): SavedState | undefined;
  setState(state: SavedState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

interface SavedMessage { id: string; role: 'user' | 'assistant'; text: string; end?: string }
interface SavedState { messages: SavedMessage[] }

const vscode = acquireVsCodeApi();
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const log = $<HTMLElement>('log');
const input = $<HTMLTextAreaElement>('input');
const form = $<HTMLFormElement>('composer');
const stopButton = $<HTMLButtonElement>('stop');
const sendButton = $<HTMLButtonElement>('send');
const notice = $<HTMLElement>('notice');
const speed = $<HTMLElement>('speed');
const modelLabel = $<HTMLElement>('model');
const badge = $<HTMLElement>('badge');
const regenerateButton = $<HTMLButtonElement>('regenerate');
const includeSelection = $<HTMLInputElement>('include-selection');

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

function decorateCodeBlock(pre: HTMLElement): void {
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
class StreamRenderer {
  text = '';
  private stable = 0;
  private readonly stableEl = document.createElement('div');
  private readonly tailEl = document.createElement('div');
  private scheduled = false;

  constructor(readonly el: HTMLElement) {
    el.append(this.stableEl, this.tailEl);
  }

  append(delta: string): void {
    this.text += delta;
    if (!this.scheduled) {
      this.scheduled = true;
      requestAnimationFrame(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    const cut = stableCut(this.text, this.stable);
    if (cut > this.stable) {
      this.stableEl.append(renderMarkdown(this.text.slice(this.stable, cut)));
      this.stable = cut;
    }
    this.tailEl.replaceChildren(renderMarkdown(this.text.slice(this.stable)));
  }
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

const renderers = new Map<string, StreamRenderer>();
let state: SavedState = vscode.getState() ?? { messages: [] };

function addBubble(role: 'user' | 'assistant', id: string): HTMLElement {
  const el = document.createElement('article');
  el.className = `msg ${role}`;
  el.dataset.id = id;
  const who = document.createElement('div');
  who.className = 'who';
  who.textContent = role === 'user' ? 'You' : 'EditorAssist';
  const body = document.createElement('div');
  body.className = 'body';
  el.append(who, body);
  log.append(el);
  el.scrollIntoView({ block: 'end' });
  return body;
}

function showUser(id: string, text: string): void {
  addBubble('user', id).textContent = text; // the user's own text, shown literally
}

function setBusy(busy: boolean): void {
  stopButton.hidden = !busy;
  sendButton.disabled = busy;
  regenerateButton.hidden = busy || !log.querySelector('.msg.assistant');
}

/** The header: which model answered, and a warning badge when it runs in the cloud. */
function showModel(model: string | undefined, privacy: string | undefined): void {
  if (model) modelLabel.textContent = model;
  const cloud = privacy === 'cloud';
  badge.hidden = !cloud;
  badge.textContent = cloud ? 'Cloud' : '';
  badge.title = cloud ? 'Prompts and code are sent to this provider.' : '';
}

function saveMessage(m: SavedMessage): void {
  const i = state.messages.findIndex((x) => x.id === m.id);
  if (i >= 0) state.messages[i] = m; else state.messages.push(m);
  vscode.setState(state);
}

function showNotice(level: string, text: string): void {
  notice.hidden = false;
  notice.className = `notice ${level}`;
  notice.textContent = text;
}

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  const m = event.data;
  switch (m.type) {
    case 'state':
      if (!m.available && m.reason) showNotice('warning', m.reason); else notice.hidden = true;
      if (m.model) showModel(m.model, m.privacy);
      break;
    case 'userMessage':
      showUser(m.id, m.text);
      saveMessage({ id: m.id, role: 'user', text: m.text });
      break;
    case 'assistantStart':
      renderers.set(m.id, new StreamRenderer(addBubble('assistant', m.id)));
      setBusy(true);
      break;
    case 'assistantDelta':
      renderers.get(m.id)?.append(m.delta);
      break;
    case 'assistantEnd': {
      const r = renderers.get(m.id);
      if (r) {
        r.flush();
        if (m.finishReason !== 'stop') {
          const tag = document.createElement('div');
          tag.className = `finish ${m.finishReason}`;
          tag.textContent = m.finishReason === 'error' ? `Error: ${m.error ?? 'unknown'}` : m.finishReason === 'cancelled' ? 'Stopped.' : 'Stopped at the length limit.';
          r.el.append(tag);
        }
        saveMessage({ id: m.id, role: 'assistant', text: r.text, end: m.finishReason });
      }
      renderers.delete(m.id);
      speed.textContent = m.tokensPerSecond ? `${m.tokensPerSecond.toFixed(1)} tok/s` : '';
      showModel(m.model, m.privacy);
      setBusy(false);
      break;
    }
    case 'removeMessage':
      log.querySelector(`.msg[data-id="${CSS.escape(m.id)}"]`)?.remove();
      state.messages = state.messages.filter((x) => x.id !== m.id);
      vscode.setState(state);
      break;
    case 'notice':
      showNotice(m.level, m.text);
      break;
    case 'clear':
      log.replaceChildren();
      regenerateButton.hidden = true;
      state = { messages: [] };
      vscode.setState(state);
      notice.hidden = true;
      break;
  }
});

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const text = input.value;
  if (!text.trim() || sendButton.disabled) return;
  input.value = '';
  vscode.postMessage(includeSelection.checked ? { type: 'send', text, includeSelection: true } : { type: 'send', text });
});
input.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    form.requestSubmit();
  } else if (e.key === 'Escape' && !stopButton.hidden) {
    vscode.postMessage({ type: 'stop' });
  }
});
stopButton.addEventListener('click', () => vscode.postMessage({ type: 'stop' }));
regenerateButton.addEventListener('click', () => vscode.postMessage({ type: 'regenerate' }));

log.addEventListener('click', (e) => {
  const target = e.target as HTMLElement;
  const button = target.closest<HTMLButtonElement>('.code-actions button');
  if (button) {
    const code = button.parentElement?.nextElementSibling?.querySelector('code')?.textContent ?? '';
    const action = button.dataset.action;
    if (action === 'copyCode' || action === 'insertCode') vscode.postMessage({ type: action, code });
    else if (action === 'newFile') vscode.postMessage({ type: 'newFile', code, language: button.dataset.language });
    return;
  }
  const link = target.closest<HTMLElement>('a[data-url]');
  if (link) {
    e.preventDefault();
    vscode.postMessage({ type: 'openLink', url: link.dataset.url! });
  }
});

// Restore what was shown before the view was hidden, then say we are ready.
for (const m of state.messages) {
  if (m.role === 'user') showUser(m.id, m.text);
  else {
    const r = new StreamRenderer(addBubble('assistant', m.id));
    r.text = m.text;
    r.flush();
  }
}
setBusy(false);
vscode.postMessage({ type: 'ready' });
input.focus();
