// "EditorAssist: Show Performance": a webview panel with metrics/get as a table (rendered by
// render.ts), refreshed every 2 s while the panel is visible; the timer stops when it is hidden
// or closed. The webview loads nothing: one nonce'd script swaps in the escaped HTML the extension
// posts, under a CSP as strict as the chat's.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { Commands } from '../commands';
import { Requests } from '../protocol';
import type { SidecarConnection } from '../sidecar/connection';
import { describeError } from '../ui/errors';
import { renderPerformance } from './render';

export const PERFORMANCE_REFRESH_MS = 2000;

export class PerformancePanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private inFlight = false;

  constructor(private readonly sidecar: SidecarConnection, private readonly refreshMs = PERFORMANCE_REFRESH_MS) {}

  show(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel('editorAssist.performance', 'EditorAssist: Performance', vscode.ViewColumn.Active,
      { enableScripts: true, enableCommandUris: false, localResourceRoots: [] });
    this.panel = panel;
    panel.webview.html = html(randomBytes(18).toString('base64'));
    panel.onDidChangeViewState(() => this.schedule());
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.schedule();
    });
    this.schedule();
  }

  /** Runs the timer exactly while the panel is open and visible. */
  private schedule(): void {
    const visible = this.panel?.visible === true;
    if (visible && !this.timer) {
      void this.refresh();
      this.timer = setInterval(() => void this.refresh(), this.refreshMs);
    } else if (!visible && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private async refresh(): Promise<void> {
    if (this.inFlight || !this.panel) return; // a slow answer is not queued up behind itself
    this.inFlight = true;
    try {
      let body: string;
      try {
        body = renderPerformance(await this.sidecar.request(Requests.metricsGet, {}));
      } catch (e) {
        body = `<p id="empty">No figures: ${describeError(e).replace(/[&<>"']/g, '')}</p>`;
      }
      await this.panel?.webview.postMessage({ type: 'metrics', html: body });
    } finally {
      this.inFlight = false;
    }
  }

  dispose(): void {
    this.panel?.dispose();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

function html(nonce: string): string {
  const csp = [`default-src 'none'`, `script-src 'nonce-${nonce}'`, `style-src 'nonce-${nonce}'`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style nonce="${nonce}">
  body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 12px; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: right; padding: 4px 8px; border-bottom: 1px solid var(--vscode-editorWidget-border, #8884); white-space: nowrap; }
  th:first-child, td:first-child, td.c9, td.c10 { text-align: left; }
  td.c9 { white-space: normal; }
  th { font-weight: 600; }
  .spark { vertical-align: middle; color: var(--vscode-charts-blue, currentColor); }
  #summary, #empty { color: var(--vscode-descriptionForeground); }
</style>
</head>
<body>
<h2>Performance</h2>
<div id="root"><p id="empty">Loading…</p></div>
<script nonce="${nonce}">
  const root = document.getElementById('root');
  window.addEventListener('message', (e) => {
    const m = e.data;
    if (m && m.type === 'metrics' && typeof m.html === 'string') root.innerHTML = m.html;
  });
</script>
</body>
</html>`;
}

/** EditorAssist: Show Performance (also an entry of Manage Models). */
export function registerPerformance(sidecar: SidecarConnection): vscode.Disposable {
  const panel = new PerformancePanel(sidecar);
  return vscode.Disposable.from(panel, vscode.commands.registerCommand(Commands.showPerformance, () => panel.show()));
}
