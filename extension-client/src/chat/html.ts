// The chat webview's static markup (no script, no inline style, no handler), shared by the
// view provider and the webview test harness so both render exactly the same document.
export function chatBodyHtml(): string {
  return `<header id="header"><span id="model">EditorAssist</span><span id="badge" hidden></span><span id="speed"></span></header>
<main id="log" role="log" aria-live="polite"></main>
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
