// A status-bar item next to the model: a warning badge while the chat model is a cloud one
// (describePrivacy), "Local only" while the router refuses cloud providers; hidden otherwise.
// Also the "Toggle Local-Only Mode" command.
import * as vscode from 'vscode';
import { Commands } from '../commands';
import { Requests, type Privacy, type ProviderInfo, type RouterStrategy } from '../protocol';
import type { SidecarConnection } from '../sidecar/connection';
import { describeError } from '../ui/errors';
import { providerOf } from '../providers/refs';
import { describePrivacy } from './privacy';
import { hostConsentSubject } from '../host/consent';

export class PrivacyStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('editorAssist.privacy', vscode.StatusBarAlignment.Right, 99);
  private readonly subscriptions: { dispose(): void }[] = [];
  private providers: ProviderInfo[] = [];
  private localOnly = false;
  private beforeLocalOnly: RouterStrategy | undefined;

  constructor(
    private readonly sidecar: SidecarConnection,
    private readonly model: { readonly ref: string | undefined; onDidChange: vscode.Event<string | undefined> },
    /** Told the chat model and its privacy whenever they are known anew (the chat header). */
    private readonly onResolved: (ref: string, privacy: Privacy | undefined) => void = () => undefined,
  ) {
    this.item.name = 'EditorAssist privacy';
    this.subscriptions.push(
      sidecar.onDidChangeState(() => this.render()),
      model.onDidChange(() => void this.refresh()),
    );
    this.render();
  }

  get isLocalOnly(): boolean {
    return this.localOnly;
  }

  async refresh(): Promise<void> {
    if (this.sidecar.state !== 'running') return this.render();
    try {
      const [providers, router] = await Promise.all([
        this.sidecar.request(Requests.providersList, {}),
        this.sidecar.request(Requests.routerGet, undefined),
      ]);
      this.providers = providers;
      this.localOnly = router.strategy === 'localOnly';
    } catch {
      // Keep what we knew; the next start or model change refreshes.
    }
    this.render();
  }

  async toggleLocalOnly(): Promise<void> {
    try {
      // Turning it off restores the strategy it replaced (e.g. hostFirst), for this session.
      if (!this.localOnly) {
        const was = (await this.sidecar.request(Requests.routerGet, undefined)).strategy;
        this.beforeLocalOnly = was === 'localOnly' ? undefined : was;
      }
      const policy = await this.sidecar.request(Requests.routerSet, { strategy: this.localOnly ? this.beforeLocalOnly ?? 'preferLocal' : 'localOnly' });
      this.localOnly = policy.strategy === 'localOnly';
      this.render();
      void vscode.window.showInformationMessage(this.localOnly
        ? 'EditorAssist: local-only mode is on. Cloud providers are hidden and refused; nothing leaves this machine.'
        : 'EditorAssist: local-only mode is off. Cloud providers can be chosen again.');
    } catch (e) {
      void vscode.window.showErrorMessage(`EditorAssist: could not change local-only mode. ${describeError(e)}`);
    }
  }

  private render(): void {
    const ref = this.model.ref;
    // A VS Code model is shown by its vendor (who gets the code), not as "VS Code".
    const listed = ref ? providerOf(ref, this.providers) : undefined;
    const provider = listed && ref ? hostConsentSubject(listed, ref) : listed;
    const display = provider ? describePrivacy(provider.privacy, provider.displayName) : undefined;
    if (ref && provider) this.onResolved(ref, provider.privacy);
    if (this.sidecar.state !== 'running') {
      this.item.hide();
      return;
    }
    if (display?.warn) {
      this.item.text = `$(warning) ${display.badge}: ${provider!.displayName}`;
      this.item.tooltip = `${display.text} Click to choose another model.`;
      this.item.accessibilityInformation = { label: `EditorAssist privacy: ${display.badge}. ${display.text}` };
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      this.item.command = Commands.selectModel;
      this.item.show();
    } else if (this.localOnly) {
      this.item.text = '$(lock) Local only';
      this.item.tooltip = 'Local-only mode: cloud providers are hidden and refused. Click to turn it off.';
      this.item.accessibilityInformation = { label: 'EditorAssist privacy: local only' };
      this.item.backgroundColor = undefined;
      this.item.command = Commands.toggleLocalOnly;
      this.item.show();
    } else {
      this.item.hide();
    }
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}
