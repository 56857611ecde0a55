// The model's thinking (chat/delta.reasoning) in the chat: a collapsed "Thinking" block above the
// answer's text, filled live as it streams; the user opens it to read. The thinking is model output
// like the answer, so it is set as text (a text node), never parsed as HTML: the CSP and sanitizing
// rules stay as they are. The block's summary says "Thinking…" while it streams.
export const THINKING_LIVE = 'Thinking…';
export const THINKING_DONE = 'Thinking';

function blockFor(log: HTMLElement, answerId: string): HTMLDetailsElement | undefined {
  const msg = log.querySelector<HTMLElement>(`.msg[data-id="${CSS.escape(answerId)}"]`);
  if (!msg) return undefined;
  const existing = msg.querySelector<HTMLDetailsElement>(':scope > details.thinking');
  if (existing) return existing;
  const block = document.createElement('details'); // closed: folded away until the user opens it
  block.className = 'thinking';
  const summary = document.createElement('summary');
  summary.textContent = THINKING_LIVE;
  const text = document.createElement('div');
  text.className = 'thinking-text';
  block.append(summary, text);
  // Above tool calls and the answer: the model thinks first.
  const first = msg.querySelector(':scope > .tool-calls') ?? msg.querySelector(':scope > .body');
  if (first) first.before(block); else msg.append(block);
  return block;
}

/** Appends a piece of answer `answerId`'s thinking (creating the block on the first piece). */
export function appendThinking(log: HTMLElement, answerId: string, delta: string): void {
  if (!delta) return;
  const block = blockFor(log, answerId);
  block?.querySelector('.thinking-text')?.append(document.createTextNode(delta));
}

/** The answer ended: the summary stops saying it is live. */
export function finishThinking(log: HTMLElement, answerId: string): void {
  const msg = log.querySelector<HTMLElement>(`.msg[data-id="${CSS.escape(answerId)}"]`);
  const summary = msg?.querySelector(':scope > details.thinking > summary');
  if (summary) summary.textContent = THINKING_DONE;
}

/** The whole thinking of answer `answerId`, as shown (for the saved view state). */
export function thinkingText(log: HTMLElement, answerId: string): string {
  const msg = log.querySelector<HTMLElement>(`.msg[data-id="${CSS.escape(answerId)}"]`);
  return msg?.querySelector(':scope > details.thinking > .thinking-text')?.textContent ?? '';
}
