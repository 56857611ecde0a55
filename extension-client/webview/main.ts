// The chat webview. Keeps only view state; the conversation lives in the extension (and the
// sidecar). Model output is untrusted: render.ts turns it into sanitized DOM.
// No inline script or handler anywhere: the CSP allows only this nonce'd bundle.
import type { FromWebview, ToWebview } from '../src/chat/messages';
import { afterPaint, StreamRenderer } from './render';
import { appendThinking, finishThinking, thinkingText } from './thinking';
import { applyToolMessage, installToolClicks } from './tools';

interface VsCodeApi {
  postMessage(msg: FromWebview): void;
  getState(): SavedState | undefined;
  setState(state: SavedState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

interface SavedMessage { id: string; role: 'user' | 'assistant'; text: string; end?: string; reasoning?: string }
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
const empty = $<HTMLElement>('empty');
/** Whether a chat model is chosen; unknown until the extension says. */
let hasModel: boolean | undefined;

const renderers = new Map<string, StreamRenderer>();
/**
 * When the user last sent a message (Enter or Send), until the answer it asked for starts: the
 * first token of that answer, once painted, is reported as `firstTokenPainted` (the extension
 * logs it next to the sidecar's own time to first token).
 */
let sentAt: number | undefined;
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

/** The empty state (what to do first) shows while no model is chosen and nothing has been said. */
function updateEmpty(): void {
  empty.hidden = hasModel !== false || log.childElementCount > 0;
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
      if (m.model !== undefined) hasModel = m.model !== null;
      updateEmpty();
      break;
    case 'userMessage':
      showUser(m.id, m.text);
      updateEmpty();
      saveMessage({ id: m.id, role: 'user', text: m.text });
      break;
    case 'assistantStart': {
      const r = new StreamRenderer(addBubble('assistant', m.id));
      if (sentAt !== undefined) {
        const t0 = sentAt;
        sentAt = undefined;
        r.onFirstText = (inFrame) => afterPaint(inFrame, () => {
          const now = performance.now();
          vscode.postMessage({ type: 'firstTokenPainted', id: m.id, ms: now - t0, deltaToPaintMs: now - (r.firstTextAt ?? now) });
        });
      }
      renderers.set(m.id, r);
      setBusy(true);
      break;
    }
    case 'assistantDelta':
      renderers.get(m.id)?.append(m.delta);
      break;
    case 'assistantReasoning':
      appendThinking(log, m.id, m.delta);
      break;
    case 'assistantEnd': {
      const r = renderers.get(m.id);
      if (r) {
        r.finish();
        if (m.finishReason !== 'stop') {
          const tag = document.createElement('div');
          tag.className = `finish ${m.finishReason}`;
          tag.textContent = m.finishReason === 'error' ? `Error: ${m.error ?? 'unknown'}` : m.finishReason === 'cancelled' ? 'Stopped.' : m.finishReason === 'stepLimit' ? 'Stopped: the tool step limit was reached.' : 'Stopped at the length limit.';
          r.el.append(tag);
        }
        finishThinking(log, m.id);
        const reasoning = thinkingText(log, m.id);
        saveMessage({ id: m.id, role: 'assistant', text: r.text, end: m.finishReason, ...(reasoning ? { reasoning } : {}) });
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
      sentAt = undefined; // a refused send (busy, unavailable) starts no answer
      showNotice(m.level, m.text);
      break;
    case 'toolCall':
    case 'toolApproval':
    case 'toolApprovalDone':
      applyToolMessage(log, m);
      break;
    case 'clear':
      log.replaceChildren();
      updateEmpty();
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
  sentAt = performance.now();
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
regenerateButton.addEventListener('click', () => {
  sentAt = undefined; // only Enter/Send is timed
  vscode.postMessage({ type: 'regenerate' });
});

empty.addEventListener('click', (e) => {
  const command = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-command]')?.dataset.command;
  if (command === 'selectModel' || command === 'loadModelFile' || command === 'downloadModel') vscode.postMessage({ type: 'runCommand', command });
});

installToolClicks(log, (msg) => vscode.postMessage(msg));
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
    if (m.reasoning) {
      appendThinking(log, m.id, m.reasoning);
      finishThinking(log, m.id);
    }
    r.text = m.text;
    r.finish();
  }
}
setBusy(false);
vscode.postMessage({ type: 'ready' });
input.focus();
