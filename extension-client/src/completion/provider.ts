// VS Code's side of inline completion: the InlineCompletionItemProvider over CompletionEngine,
// the context ring fed by edits and visible editors, a status-bar item (spins while a request
// is in flight; click toggles), and the toggle command. Accept word / line are VS Code's own
// commands (editor.action.inlineSuggest.acceptNextWord / acceptNextLine).
import * as vscode from 'vscode';
import type { SidecarConnection } from '../sidecar/connection';
import { Requests, type ProviderInfo } from '../protocol';
import { CompletionCloudGate, type CloudConsent } from '../privacy/privacy';
import { chunkAround, ContextRing, cursorWindow } from './context';
import { CompletionEngine, type CompletionSettings } from './engine';

export const TOGGLE_COMMAND = 'editorAssist.toggleInlineCompletion';
const SECTION = 'editorAssist.completion';

function readSettings(): CompletionSettings {
  const c = vscode.workspace.getConfiguration(SECTION);
  return {
    enabled: c.get<boolean>('enabled', true),
    model: c.get<string>('model', ''),
    maxTokens: c.get<number>('maxTokens', 64),
    timeBudgetMs: c.get<number>('timeBudgetMs', 1500),
  };
}

export class InlineCompletion implements vscode.InlineCompletionItemProvider, vscode.Disposable {
  readonly engine: CompletionEngine;
  private readonly ring = new ContextRing(8);
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];

  /** The cloud provider the completion model sends code to (with the user's consent), for the status bar. */
  private cloudProvider: string | undefined;

  constructor(
    sidecar: SidecarConnection,
    chatModel: { readonly ref: string | undefined; readonly onDidChange: vscode.Event<string | undefined> },
    private readonly log: vscode.LogOutputChannel,
    consent: CloudConsent,
  ) {
    const reported = new Set<string>();
    // Providers and their privacy, asked once per sidecar start or change of provider addresses.
    let providers: Promise<ProviderInfo[]> | undefined;
    const listProviders = () => (providers ??= sidecar.request(Requests.providersList, {}).catch((e: unknown) => {
      providers = undefined;
      throw e;
    }));
    const gate = new CompletionCloudGate(consent, listProviders, async (provider, model) => {
      const allow = `Allow ${provider.displayName}`;
      const choice = await vscode.window.showWarningMessage(
        `EditorAssist: inline completion would send the code around your cursor to ${provider.displayName}, a cloud service ("editorAssist.completion.model" is ${model}). Nothing is sent until you allow it.`,
        allow, 'Open Settings');
      if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.model`);
      return choice === allow;
    });
    this.engine = new CompletionEngine(sidecar, {
      settings: readSettings,
      chatModel: () => chatModel.ref,
      allows: async (model) => {
        try {
          const { allowed, cloud } = await gate.check(model);
          if (cloud?.displayName !== this.cloudProvider) { this.cloudProvider = cloud?.displayName; this.render(); }
          return allowed;
        } catch (e) {
          log.warn(`Inline completion: could not tell where ${model} sends code (${(e as Error).message}); nothing sent.`);
          return false;
        }
      },
      report: (message) => {
        log.warn(message);
        // Once per message: the engine stops asking a model that failed this way, this guards the rest.
        if (reported.has(message)) return;
        reported.add(message);
        void vscode.window.showWarningMessage(message, 'Open Settings', 'Turn Off').then((choice) => {
          if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', SECTION);
          if (choice === 'Turn Off') void vscode.workspace.getConfiguration(SECTION).update('enabled', false, vscode.ConfigurationTarget.Global);
        });
      },
      log: (m) => log.info(m),
    });
    this.item = vscode.window.createStatusBarItem('editorAssist.completion', vscode.StatusBarAlignment.Right, 99);
    this.item.name = 'EditorAssist Inline Completion';
    this.item.command = TOGGLE_COMMAND;
    this.render();
    this.item.show();
    this.disposables.push(
      this.item,
      vscode.languages.registerInlineCompletionItemProvider({ scheme: 'file' }, this),
      vscode.languages.registerInlineCompletionItemProvider({ scheme: 'untitled' }, this),
      vscode.commands.registerCommand(TOGGLE_COMMAND, () => this.toggle()),
      this.engine.onDidChangeBusy(() => this.render()),
      chatModel.onDidChange(() => { this.engine.reset(); reported.clear(); }),
      sidecar.onDidStart(() => { providers = undefined; }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('editorAssist.providers')) providers = undefined;
        if (!e.affectsConfiguration(SECTION)) return;
        this.engine.reset();
        reported.clear();
        this.render();
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        const change = e.contentChanges[0];
        if (!change || !isText(e.document)) return;
        this.ring.add(chunkAround(lines(e.document), e.document.uri.toString(), change.range.start.line));
      }),
      vscode.window.onDidChangeVisibleTextEditors((editors) => {
        for (const ed of editors) {
          const visible = ed.visibleRanges[0];
          if (visible && isText(ed.document)) this.ring.add(chunkAround(lines(ed.document), ed.document.uri.toString(), visible.start.line + 15));
        }
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.ring.forget(d.uri.toString())),
    );
  }

  async provideInlineCompletionItems(
    document: vscode.TextDocument, position: vscode.Position, context: vscode.InlineCompletionContext, token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionItem[] | undefined> {
    // Not while the suggest widget shows a pick: VS Code would merge the two awkwardly.
    if (context.selectedCompletionInfo) return undefined;
    const uri = document.uri.toString();
    const { prefix, suffix } = cursorWindow(lines(document), position.line, position.character);
    const result = await this.engine.complete({
      uri, languageId: document.languageId, prefix, suffix, extraContext: this.ring.chunks(uri),
    }, token, { immediate: context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke });
    this.render();
    if (result) {
      const t = result.timings;
      this.log.debug(`completion/inline ${result.model}: ${result.items.length} item(s), ${Math.round(t.totalMs)} ms in the sidecar, `
        + `${t.evaluatedTokens} tokens evaluated, ${t.cachedTokens} reused${t.fromCache ? ', from cache' : ''}${t.timedOut ? ', timed out' : ''}`);
    }
    if (!result || token.isCancellationRequested) return undefined;
    return result.items.filter((i) => i.text.trim()).map((i) => new vscode.InlineCompletionItem(i.text, new vscode.Range(position, position)));
  }

  private async toggle(): Promise<void> {
    const config = vscode.workspace.getConfiguration(SECTION);
    const enabled = !config.get<boolean>('enabled', true);
    await config.update('enabled', enabled, vscode.ConfigurationTarget.Global);
    this.log.info(`Inline completion ${enabled ? 'on' : 'off'}.`);
    void vscode.window.setStatusBarMessage(`EditorAssist: inline completion ${enabled ? 'on' : 'off'}`, 3000);
  }

  private render(): void {
    const enabled = readSettings().enabled;
    const busy = this.engine.busy;
    const { stats } = this.engine;
    const last = stats.last;
    const cloud = enabled ? this.cloudProvider : undefined;
    this.item.text = !enabled ? '$(circle-slash) Complete' : busy ? '$(loading~spin) Complete' : cloud ? '$(warning) Complete' : '$(pass) Complete';
    this.item.backgroundColor = cloud ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    const state = !enabled ? 'off' : busy ? 'thinking' : 'on';
    // The e2e test reads this label: state, then counters.
    this.item.accessibilityInformation = {
      label: `EditorAssist inline completion: ${state}; ${stats.answered} answered, ${stats.superseded} superseded`,
      role: 'button',
    };
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendMarkdown(`**EditorAssist inline completion**: ${state}. Click to turn ${enabled ? 'off' : 'on'}.`);
    if (cloud) tip.appendMarkdown(`\n\n$(warning) The code around your cursor is sent to ${cloud}, a cloud service.`);
    tip.appendMarkdown(`\n\nModel: ${this.engine.model() ? `\`${this.engine.model()}\`` : 'the sidecar\'s default (`editorAssist.completion.model` is empty and the chat model is not local)'}`);
    tip.appendMarkdown(`\n\nRequests: ${stats.sent} sent, ${stats.answered} answered, ${stats.superseded} superseded, ${stats.failed} failed; debounce ${this.engine.debounce.delayMs} ms`);
    if (last) {
      tip.appendMarkdown(`\n\nLast: ${last.elapsedMs} ms round trip (${Math.round(last.timings.totalMs)} ms in the sidecar), `
        + `${last.timings.evaluatedTokens} tokens evaluated, ${last.timings.cachedTokens} reused${last.timings.fromCache ? ', from cache' : ''}${last.timings.timedOut ? ', timed out' : ''}`);
    }
    this.item.tooltip = tip;
  }

  dispose(): void {
    this.engine.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function isText(doc: vscode.TextDocument): boolean {
  return doc.uri.scheme === 'file' || doc.uri.scheme === 'untitled';
}

function lines(doc: vscode.TextDocument) {
  return { lineCount: doc.lineCount, lineAt: (l: number) => doc.lineAt(l).text };
}
