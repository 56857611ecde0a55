// Tool calls in the chat (agent mode): one card per call inside the answer that made it, with the
// tool's name, its arguments, a short result, and Approve / Allow for this chat / Deny while it waits
// for the user (plus "Show diff" for edits and new files). Everything from the model or a tool is set
// as textContent: nothing here is parsed as HTML, so the CSP and sanitizing rules stay as they are.
import type { FromWebview, ToWebview } from '../src/chat/messages';

type ToolMessage = Extract<ToWebview, { type: 'toolCall' | 'toolApproval' | 'toolApprovalDone' }>;

const STATE_TEXT: Record<string, string> = {
  requested: 'requested', running: 'running…', done: 'done', denied: 'denied', failed: 'failed',
};

function cardFor(log: HTMLElement, answerId: string, callId: string, name: string): HTMLDetailsElement | undefined {
  const existing = log.querySelector<HTMLDetailsElement>(`.tool-call[data-call-id="${CSS.escape(callId)}"]`);
  if (existing) return existing;
  const msg = log.querySelector<HTMLElement>(`.msg[data-id="${CSS.escape(answerId)}"]`);
  if (!msg) return undefined;
  let list = msg.querySelector<HTMLElement>(':scope > .tool-calls');
  if (!list) {
    list = document.createElement('div');
    list.className = 'tool-calls';
    // Above the answer's text: the calls happen before the model's final words.
    const body = msg.querySelector('.body');
    if (body) body.before(list); else msg.append(list);
  }
  const card = document.createElement('details');
  card.className = 'tool-call';
  card.dataset.callId = callId;
  const summary = document.createElement('summary');
  const title = document.createElement('span');
  title.className = 'tool-name';
  title.textContent = name;
  const state = document.createElement('span');
  state.className = 'tool-state';
  summary.append(title, ' ', state);
  const args = document.createElement('pre');
  args.className = 'tool-args';
  const result = document.createElement('pre');
  result.className = 'tool-result';
  result.hidden = true;
  const actions = document.createElement('div');
  actions.className = 'tool-actions';
  card.append(summary, args, result, actions);
  list.append(card);
  return card;
}

/** Applies one tool message to the log. */
export function applyToolMessage(log: HTMLElement, m: ToolMessage): void {
  switch (m.type) {
    case 'toolCall': {
      const card = cardFor(log, m.id, m.callId, m.name);
      if (!card) return;
      card.dataset.state = m.state;
      card.querySelector('.tool-state')!.textContent = STATE_TEXT[m.state] ?? m.state;
      if (m.args !== undefined) card.querySelector('.tool-args')!.textContent = m.args;
      if (m.result !== undefined) {
        const r = card.querySelector<HTMLElement>('.tool-result')!;
        r.hidden = false;
        r.textContent = m.result;
      }
      return;
    }
    case 'toolApproval': {
      const card = cardFor(log, m.id, m.callId, m.kind === 'command' ? 'run_command' : m.kind === 'create' ? 'create_file' : m.kind === 'mcp' ? 'mcp_tool' : 'propose_edit');
      if (!card) return;
      card.open = true;
      card.dataset.state = 'waiting';
      card.querySelector('.tool-state')!.textContent = 'waiting for you';
      const actions = card.querySelector<HTMLElement>('.tool-actions')!;
      actions.replaceChildren();
      const what = document.createElement('div');
      what.className = 'tool-question';
      what.textContent = m.kind === 'command' ? `Run this command? ${m.detail}`
        : m.kind === 'mcp' ? `Run the tool ${m.detail}?`
        : m.kind === 'create' ? `Create ${m.detail}?` : `Apply this edit to ${m.detail}?`;
      actions.append(what);
      if (m.hasDiff) actions.append(button('Show diff', { action: 'openDiff', callId: m.callId }));
      actions.append(
        button(m.kind === 'command' || m.kind === 'mcp' ? 'Run' : 'Accept', { action: 'toolDecision', callId: m.callId, decision: 'once' }),
        button('Allow for this chat', { action: 'toolDecision', callId: m.callId, decision: 'chat' }),
        button(m.kind === 'command' || m.kind === 'mcp' ? 'Don\u2019t run' : 'Reject', { action: 'toolDecision', callId: m.callId, decision: 'deny' }),
      );
      card.scrollIntoView({ block: 'nearest' });
      return;
    }
    case 'toolApprovalDone': {
      const card = log.querySelector<HTMLElement>(`.tool-call[data-call-id="${CSS.escape(m.callId)}"]`);
      if (!card) return;
      // Keep the diff link; the decision buttons go.
      const actions = card.querySelector<HTMLElement>('.tool-actions')!;
      for (const b of Array.from(actions.querySelectorAll<HTMLButtonElement>('button[data-action="toolDecision"]'))) b.remove();
      actions.querySelector('.tool-question')!.textContent = m.decision === 'deny' ? 'Rejected.' : m.decision === 'chat' ? 'Allowed for this chat.' : 'Approved.';
      return;
    }
  }
}

function button(text: string, data: Record<string, string>): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  for (const [k, v] of Object.entries(data)) b.dataset[k] = v;
  return b;
}

/** Clicks on tool buttons become messages to the extension (which validates them again). */
export function installToolClicks(log: HTMLElement, post: (m: FromWebview) => void): void {
  log.addEventListener('click', (e) => {
    const b = (e.target as HTMLElement).closest<HTMLButtonElement>('.tool-actions button');
    if (!b) return;
    const callId = b.dataset.callId ?? '';
    if (b.dataset.action === 'openDiff') post({ type: 'openDiff', callId });
    else if (b.dataset.action === 'toolDecision') {
      const decision = b.dataset.decision;
      if (decision === 'once' || decision === 'chat' || decision === 'deny') {
        for (const x of Array.from(b.parentElement!.querySelectorAll<HTMLButtonElement>('button[data-action="toolDecision"]'))) x.disabled = true;
        post({ type: 'toolDecision', callId, decision });
      }
    }
  });
}
