// The QuickPick behind "EditorAssist: Choose Routing Strategy…" (the flow is in routing.ts).
import * as vscode from 'vscode';
import type { SidecarConnection } from '../sidecar/connection';
import type { ProviderInfo, RouterStrategy } from '../protocol';
import { describeError } from '../ui/errors';
import { chooseRouting, ROUTING_CHOICES } from './routing';

export async function chooseRoutingCommand(sidecar: SidecarConnection, consent: (p: ProviderInfo) => Promise<boolean>, changed: () => Promise<void>): Promise<void> {
  try {
    const chosen = await chooseRouting({
      request: (def, params) => sidecar.request(def, params),
      consent,
      pick: async (choices, current) => (await vscode.window.showQuickPick(
        choices.map((c) => ({ label: (c.strategy === current ? '$(check) ' : '') + c.label, detail: c.detail, strategy: c.strategy })),
        { title: 'EditorAssist: Choose Routing Strategy', placeHolder: 'Which models a chat tries when you have not picked one, in order' }))?.strategy,
    });
    if (!chosen) return;
    await changed();
    void vscode.window.showInformationMessage(`EditorAssist: routing is now "${label(chosen)}".`);
  } catch (e) {
    void vscode.window.showErrorMessage(`EditorAssist: could not change the routing strategy. ${describeError(e)}`);
  }
}

const label = (s: RouterStrategy) => ROUTING_CHOICES.find((c) => c.strategy === s)?.label ?? s;
