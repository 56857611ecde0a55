// The chat webview's static markup (no script, no inline style, no handler), shared by the
// view provider and the webview test harness so both render exactly the same document.
export function chatBodyHtml(): string {
  return `<header id="header"><span id="model">EditorAssist</span><span id="badge" hidden></span><span id="speed"></span></header>
<main id="log" role="log" aria-live="polite"></main>
<section id="empty" hidden aria-labelledby="empty-title">
  <p id="empty-title">No chat model yet. Pick one to start:</p>
  <div class="empty-actions">
    <button type="button" data-command="selectModel">Select a model</button>
    <button type="button" data-command="loadModelFile">Load a GGUF file…</button>
    <button type="button" data-command="downloadModel">Download one…</button>
  </div>
  <p class="hint">Local models run on this machine; API models (OpenAI, Anthropic, Ollama…) are under "Select a model".</p>
</section>
<div id="notice" role="status" hidden></div>
<form id="composer">
  <textarea id="input" rows="3" placeholder="Ask EditorAssist… (Enter to send, Shift+Enter for a new line)" aria-label="Message"></textarea>
  <div class="actions">
    <label class="context"><input type="checkbox" id="include-selection"> Include selection or file</label>
    <button type="button" id="regenerate" hidden>Regenerate</button>
    <button type="button" id="stop" hidden>Stop</button>
    <button type="submit" id="send">Send</button>
  </div>
</form>`;
}
