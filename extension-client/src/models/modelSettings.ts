// "Settings…" for one model (Manage Models, local or remote): a list of the model's settings with
// their current values; choosing one opens an input box that checks the value while typing, and
// the change is sent with models/configure at once (a new context length reloads a loaded local
// model behind a progress notification). The list comes back until Escape or "Done".
import * as vscode from 'vscode';
import { Requests, type ConfigureModelParams, type ModelParams } from '../protocol';
import { describeError } from '../ui/errors';
import type { ModelCommandDeps } from './downloadModel';
import { describeParam, fieldsFor, formatParam, parseParam, PARAM_FIELDS, type ParamField } from './settings';

interface FieldItem extends vscode.QuickPickItem {
  field?: ParamField;
  reset?: boolean;
}

/** The settings flow for `ref`; `current` saves a round trip when the caller already listed the model. */
export async function editModelSettings(ref: string, deps: Pick<ModelCommandDeps, 'sidecar' | 'progress' | 'log'>, current?: ModelParams): Promise<void> {
  let params = current ?? (await readParams(ref, deps));
  if (params === undefined) return;
  for (;;) {
    const items: FieldItem[] = fieldsFor(ref).map((f) => ({ label: f.label, description: describeParam(f, params!), field: f }));
    items.push({ label: '', kind: vscode.QuickPickItemKind.Separator }, { label: '$(discard) Reset all to defaults', reset: true }, { label: '$(check) Done' });
    const picked = await vscode.window.showQuickPick(items, {
      title: `EditorAssist: settings of ${ref}`, placeHolder: 'Choose a setting to change (Escape when done)',
    });
    if (!picked || (!picked.field && !picked.reset)) return;
    let patch: ConfigureModelParams['params'];
    if (picked.reset) {
      patch = Object.fromEntries(PARAM_FIELDS.map((f) => [f.key, null]));
    } else {
      const field = picked.field!;
      const snapshot = params;
      const text = await vscode.window.showInputBox({
        title: `EditorAssist: ${field.label} of ${ref}`,
        prompt: `${field.prompt} Leave empty for ${field.unset}.`,
        value: formatParam(field.key, snapshot),
        validateInput: (v) => { const r = parseParam(field.key, v, snapshot); return r.ok ? undefined : r.error; },
      });
      if (text === undefined) continue;
      const parsed = parseParam(field.key, text, snapshot);
      if (!parsed.ok) continue;
      patch = { [field.key]: parsed.value };
    }
    const next = await configure(ref, patch, deps);
    if (next) params = next;
  }
}

async function readParams(ref: string, { sidecar }: Pick<ModelCommandDeps, 'sidecar'>): Promise<ModelParams | undefined> {
  try {
    const list = await sidecar.request(Requests.modelsList, { providerId: ref.slice(0, ref.indexOf('/')) });
    return list.models.find((m) => m.ref === ref)?.params ?? {};
  } catch (e) {
    void vscode.window.showErrorMessage(`EditorAssist: could not read the settings of ${ref}. ${describeError(e)}`);
    return undefined;
  }
}

/** Sends the change; a context change of a local model shows the reload's progress. The stored settings, or undefined after saying why not. */
async function configure(ref: string, patch: ConfigureModelParams['params'], { sidecar, progress, log }: Pick<ModelCommandDeps, 'sidecar' | 'progress' | 'log'>): Promise<ModelParams | undefined> {
  try {
    const result = 'contextLength' in patch && ref.startsWith('local/')
      ? await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `EditorAssist: applying the context length of ${ref}` }, async (p) => {
        let reported = 0;
        const tracked = progress.track((v) => {
          if (typeof v.percentage === 'number' && v.percentage > reported) {
            p.report({ increment: v.percentage - reported, message: `reloading ${Math.round(v.percentage)} %` });
            reported = v.percentage;
          }
        });
        try {
          return await sidecar.request(Requests.modelsConfigure, { ref, params: patch, workDoneToken: tracked.token });
        } finally {
          tracked.dispose();
        }
      })
      : await sidecar.request(Requests.modelsConfigure, { ref, params: patch });
    log.info(`Settings of ${ref}: ${JSON.stringify(result.params)}${result.reloaded ? ' (reloaded)' : ''}.`);
    if (result.reloaded) void vscode.window.showInformationMessage(`EditorAssist: ${ref} was reloaded with its new context length.`);
    return result.params;
  } catch (e) {
    void vscode.window.showErrorMessage(`EditorAssist: the setting of ${ref} was not changed. ${describeError(e)}`);
    return undefined;
  }
}

/** "Model settings…" in Manage Models: any listed model, local or remote, then its settings. */
export async function pickModelForSettings(deps: Pick<ModelCommandDeps, 'sidecar' | 'progress' | 'log'>): Promise<void> {
  let models;
  try {
    models = (await deps.sidecar.request(Requests.modelsList, {})).models.filter((m) => m.roles.includes('chat'));
  } catch (e) {
    void vscode.window.showErrorMessage(`EditorAssist: could not list the models. ${describeError(e)}`);
    return;
  }
  const picked = await vscode.window.showQuickPick(models.map((m) => ({
    label: m.ref, description: m.params ? `${Object.keys(m.params).length} setting${Object.keys(m.params).length === 1 ? '' : 's'}` : 'defaults', model: m,
  })), { title: 'EditorAssist: Model settings', placeHolder: 'Choose a model' });
  if (picked) await editModelSettings(picked.model.ref, deps, picked.model.params ?? {});
}
