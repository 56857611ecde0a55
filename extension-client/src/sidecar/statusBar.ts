// The status-bar item: whether the sidecar runs (and which version), the chat model, what it is
// doing (loading / generating / unloaded / error) and the last answer's tokens/s. Click: Select Model.
import * as vscode from 'vscode';
import type { SidecarConnection, SidecarState } from './connection';
import { Commands } from '../commands';
import { describeStatus, type ModelActivity } from '../models/activity';

const ICONS: Record<SidecarState, string> = {
  starting: '$(sync~spin)',
  running: '$(sparkle)',
  stopping: '$(sync~spin)',
  stopped: '$(error)',
};

export class SidecarStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly subscription: { dispose(): void };

  private readonly modelSubscription: { dispose(): void } | undefined;

  private readonly activitySubscription: { dispose(): void } | undefined;

  constructor(
    private readonly sidecar: SidecarConnection,
    private readonly model: { readonly ref: string | undefined; onDidChange?: vscode.Event<string | undefined> } = { ref: undefined },
    private readonly activity?: ModelActivity,
  ) {
    this.item = vscode.window.createStatusBarItem('editorAssist.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'EditorAssist';
    this.subscription = sidecar.onDidChangeState(() => this.render());
    this.modelSubscription = model.onDidChange?.(() => this.render());
    this.activitySubscription = activity?.onDidChange(() => this.render());
    this.render();
    this.item.show();
  }

  private render(): void {
    const state = this.sidecar.state;
    const info = this.sidecar.serverInfo;
    const model = this.model.ref;
    const status = describeStatus(this.activity?.status(model) ?? {});
    this.item.text = state === 'running' ? (model ? `${status.icon} ${model}${status.suffix}` : `${ICONS.running} EditorAssist`) : `${ICONS[state]} EditorAssist: ${state}`;
    this.item.accessibilityInformation = { label: `EditorAssist: ${state}`, role: 'button' };
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**EditorAssist** sidecar: ${state}`);
    if (info) tooltip.appendMarkdown(`\n\n${info.serverInfo.name} ${info.serverInfo.version} · protocol ${info.protocolVersion}`);
    tooltip.appendMarkdown(`\n\nChat model: ${model ? `\`${model}\`` : 'none (EditorAssist: Select Model)'}`);
    if (model && state === 'running' && status.tooltip) tooltip.appendMarkdown(` — ${status.tooltip}`);
    tooltip.appendMarkdown(state === 'running' ? '\n\nClick to choose the model.' : '\n\nClick to show the logs.');
    this.item.tooltip = tooltip;
    this.item.command = state === 'running' ? Commands.selectModel : Commands.showLogs;
    this.item.backgroundColor = state === 'stopped' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }

  dispose(): void {
    this.subscription.dispose();
    this.modelSubscription?.dispose();
    this.activitySubscription?.dispose();
    this.item.dispose();
  }
}
