// "EditorAssist: Manage Models": disk use (storage/info), running and paused downloads with
// Pause / Resume / Cancel, and the downloaded models (size, last use, loaded) with Use for chat,
// Use for completion, Unload and Delete, as item buttons or a second pick; "Free up space…"
// removes the least recently used models through storage/evict. The list and the operations
// live in manage.ts (vscode-free, unit-tested); this file renders them and asks the questions.
import * as vscode from 'vscode';
import { Requests, type DownloadInfo, type StorageModel } from '../protocol';
import { formatBytes } from '../system/format';
import { describeError } from '../ui/errors';
import { useForChat, useForCompletion, type ModelCommandDeps } from './downloadModel';
import {
  buildManageList, deleteModel, describeEviction, freeUpSpace, loadManageInput, parseSpace, runDownloadOp, suggestedSpace,
  type DownloadOp, type ManageAction, type ModelOp,
} from './manage';
import { targetOf } from './interrupted';
import { downloadWithProgress } from './withProgress';
import { editModelSettings, pickModelForSettings } from './modelSettings';

interface Item extends vscode.QuickPickItem {
  action?: ManageAction;
}
interface OpButton extends vscode.QuickInputButton {
  op: ModelOp | DownloadOp;
}

const OP: Record<ModelOp | DownloadOp, { label: string; icon: string }> = {
  useForChat: { label: 'Use for chat', icon: 'comment-discussion' },
  useForCompletion: { label: 'Use for completion', icon: 'code' },
  unload: { label: 'Unload', icon: 'debug-stop' },
  settings: { label: 'Settings…', icon: 'settings-gear' },
  delete: { label: 'Delete', icon: 'trash' },
  pause: { label: 'Pause', icon: 'debug-pause' },
  resume: { label: 'Resume', icon: 'debug-continue' },
  cancel: { label: 'Cancel download', icon: 'close' },
};

const completionRef = () => vscode.workspace.getConfiguration('editorAssist.completion').get<string>('model') || undefined;

export async function manageModels(deps: ModelCommandDeps): Promise<void> {
  const { sidecar, active } = deps;
  const qp = vscode.window.createQuickPick<Item>();
  qp.title = 'EditorAssist: Manage Models';
  qp.placeholder = 'Downloaded models and downloads: choose one for its actions';
  qp.matchOnDescription = true;
  qp.busy = true;
  // Listening before the list loads: Escape while it is busy ends the command.
  const choice = new Promise<{ action: ManageAction; op?: ModelOp | DownloadOp } | undefined>((resolve) => {
    qp.onDidAccept(() => { const a = qp.selectedItems[0]?.action; if (a && a.type !== 'storage') resolve({ action: a }); });
    qp.onDidTriggerItemButton((e) => { if (e.item.action) resolve({ action: e.item.action, op: (e.button as OpButton).op }); });
    qp.onDidHide(() => resolve(undefined));
  });
  qp.show();

  let closed = false;
  /** Fills the list; whether a download is running (so it is worth refreshing), or undefined when the sidecar failed. */
  const render = async (): Promise<boolean | undefined> => {
    try {
      const input = await loadManageInput(sidecar);
      if (closed) return false;
      const focused = qp.activeItems[0]?.action;
      qp.items = buildManageList({ ...input, chatRef: active.ref, completionRef: completionRef() }).map((e): Item => e.kind === 'separator'
        ? { label: e.label, kind: vscode.QuickPickItemKind.Separator }
        : { label: e.label, description: e.description, detail: e.detail, action: e.action, buttons: buttonsFor(e.action) });
      // A refresh keeps the highlighted row where it was.
      const again = focused && qp.items.find((i) => i.action && identity(i.action) === identity(focused));
      if (again) qp.activeItems = [again];
      return input.downloads.some((d) => d.state === 'running' || d.state === 'queued');
    } catch (e) {
      if (!closed) void vscode.window.showErrorMessage(`EditorAssist: could not read the models folder. ${describeError(e)}`);
      return undefined;
    }
  };
  let running = await render();
  if (running === undefined) {
    qp.dispose();
    return;
  }
  qp.busy = false;
  // While a download runs the list follows it (bytes, state) once a second.
  const timer = setInterval(() => { if (running) void render().then((r) => { running = r ?? false; }); }, 1000);

  const chosen = await choice;
  closed = true;
  clearInterval(timer);
  qp.dispose();
  if (!chosen) return;
  const { action } = chosen;
  if (action.type === 'freeUpSpace') return freeUp(deps);
  if (action.type === 'downloadNew') {
    await vscode.commands.executeCommand('editorAssist.downloadModel');
    return;
  }
  if (action.type === 'modelSettings') return pickModelForSettings(deps);
  if (action.type === 'performance') {
    await vscode.commands.executeCommand('editorAssist.showPerformance');
    return;
  }
  if (action.type === 'model') {
    const op = (chosen.op as ModelOp | undefined) ?? (await pickOp(action.model.ref, action.ops));
    if (op) await runModelOp(action.model, op, deps);
  } else if (action.type === 'download') {
    const op = (chosen.op as DownloadOp | undefined) ?? (await pickOp(action.job.fileName, action.ops));
    if (op) await runDownloadAction(action.job, op, deps);
  }
}

function identity(a: ManageAction): string {
  return a.type === 'model' ? `model ${a.model.ref}` : a.type === 'download' ? `download ${a.job.id}` : a.type;
}

function buttonsFor(action: ManageAction): OpButton[] | undefined {
  const ops: (ModelOp | DownloadOp)[] = action.type === 'model' ? action.ops : action.type === 'download' ? action.ops : [];
  return ops.length ? ops.map((op) => ({ op, iconPath: new vscode.ThemeIcon(OP[op].icon), tooltip: OP[op].label })) : undefined;
}

async function pickOp<T extends ModelOp | DownloadOp>(name: string, ops: T[]): Promise<T | undefined> {
  const picked = await vscode.window.showQuickPick(ops.map((op) => ({ label: `$(${OP[op].icon}) ${OP[op].label}`, op })),
    { title: `EditorAssist: ${name}`, placeHolder: 'Choose what to do' });
  return picked?.op;
}

async function runModelOp(model: StorageModel, op: ModelOp, deps: ModelCommandDeps): Promise<void> {
  const { sidecar, log } = deps;
  if (op === 'useForChat') return useForChat(model.ref, deps);
  if (op === 'useForCompletion') return useForCompletion(model.ref);
  if (op === 'settings') return editModelSettings(model.ref, deps);
  if (op === 'unload') {
    try {
      await sidecar.request(Requests.modelsUnload, { ref: model.ref });
      void vscode.window.showInformationMessage(`EditorAssist: ${model.ref} is unloaded.`);
    } catch (e) {
      void vscode.window.showErrorMessage(`EditorAssist: could not unload ${model.ref}. ${describeError(e)}`);
    }
    return;
  }
  const yes = 'Delete';
  const answer = await vscode.window.showWarningMessage(`Delete ${model.ref}?`,
    { modal: true, detail: `${model.fileName} (${formatBytes(model.sizeBytes)}) is removed from the models folder. You can download it again later.` }, yes);
  if (answer !== yes) return;
  let outcome = await deleteModel(sidecar, model.ref);
  if (!outcome.ok && outcome.loaded) {
    // The sidecar refuses to delete a loaded model; say so in its words and offer the way out.
    const unload = 'Unload and Delete';
    const choice = await vscode.window.showErrorMessage(`EditorAssist: ${model.ref} was not deleted: ${outcome.message}`, unload);
    if (choice !== unload) return;
    try {
      await sidecar.request(Requests.modelsUnload, { ref: model.ref });
    } catch (e) {
      void vscode.window.showErrorMessage(`EditorAssist: could not unload ${model.ref}. ${describeError(e)}`);
      return;
    }
    outcome = await deleteModel(sidecar, model.ref);
  }
  if (!outcome.ok) {
    void vscode.window.showErrorMessage(`EditorAssist: ${model.ref} was not deleted: ${outcome.message}`);
    return;
  }
  log.info(`Deleted ${model.ref} (${outcome.freedBytes} bytes).`);
  await forget([model.ref], deps);
  void vscode.window.showInformationMessage(`EditorAssist: deleted ${model.ref}; ${formatBytes(outcome.freedBytes)} freed.`);
}

async function runDownloadAction(job: DownloadInfo, op: DownloadOp, deps: ModelCommandDeps): Promise<void> {
  try {
    // A pause is remembered (once it happened), so that a restart continues interrupted downloads but not this one.
    if (op !== 'pause') await deps.paused.set(job.id, false);
    const target = targetOf(job);
    if (op === 'resume' && target) {
      // Joining the job through models/download resumes it and shows its progress here.
      const result = await downloadWithProgress(target, job.catalogId ?? job.fileName, deps);
      if (result) void vscode.window.showInformationMessage(`EditorAssist: ${result.ref} is downloaded.`);
      return;
    }
    await runDownloadOp(deps.sidecar, job.id, op);
    if (op === 'pause') await deps.paused.set(job.id, true);
    const done = { pause: 'paused', resume: 'resumed (its progress shows in Manage Models)', cancel: 'cancelled; its partial file is removed' }[op];
    void vscode.window.showInformationMessage(`EditorAssist: the download of ${job.fileName} is ${done}.`);
  } catch (e) {
    void vscode.window.showErrorMessage(`EditorAssist: could not ${op} the download of ${job.fileName}. ${describeError(e)}`);
  }
}

async function freeUp(deps: ModelCommandDeps): Promise<void> {
  const { sidecar, log } = deps;
  let suggested = '1';
  try {
    suggested = suggestedSpace(await sidecar.request(Requests.storageInfo, undefined));
  } catch { /* the default will do */ }
  const text = await vscode.window.showInputBox({
    title: 'EditorAssist: Free up space',
    prompt: 'How much disk space to free, in GiB? The least recently used models are removed first; loaded models are kept.',
    value: suggested,
    validateInput: (v) => { const p = parseSpace(v); return p.ok ? undefined : p.error; },
  });
  if (text === undefined) return;
  const space = parseSpace(text);
  if (!space.ok) return;
  try {
    const outcome = await freeUpSpace(sidecar, space.bytes, async (plan) => {
      const total = plan.reduce((a, e) => a + e.sizeBytes, 0);
      const yes = 'Remove';
      const answer = await vscode.window.showWarningMessage(`Remove ${plan.length} model${plan.length === 1 ? '' : 's'} (${formatBytes(total)})?`,
        { modal: true, detail: plan.map((e) => `${e.ref} (${formatBytes(e.sizeBytes)})`).join('\n') }, yes);
      return answer === yes;
    });
    log.info(`Free up space: ${describeEviction(outcome)}`);
    await forget(outcome.evicted.map((e) => e.ref), deps);
    void vscode.window.showInformationMessage(`EditorAssist: ${describeEviction(outcome)}`);
  } catch (e) {
    void vscode.window.showErrorMessage(`EditorAssist: could not free up space. ${describeError(e)}`);
  }
}

/** A removed model stops being the chat or completion model. */
async function forget(refs: string[], { active }: ModelCommandDeps): Promise<void> {
  if (active.ref && refs.includes(active.ref)) await active.set(undefined);
  const completion = completionRef();
  if (completion && refs.includes(completion)) {
    await vscode.workspace.getConfiguration('editorAssist.completion').update('model', undefined, vscode.ConfigurationTarget.Global);
  }
}
