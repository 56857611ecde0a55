// The sidecar as VS Code starts it: where the executable is (settings, the VSIX), what
// `initialize` carries, the settings it is kept in step with, and the commands and prompts about
// the process itself (restart, logs, a failure). The supervisor does not import VS Code; this is its
// VS Code side.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { Commands } from '../commands';
import { locateSidecar, sidecarCommand, SIDECAR_DLL } from './locate';
import { affectsSidecarSettings, changedAtStartSettings, checkHuggingFaceEndpoint, pushSidecarSettings, sidecarSettings } from './settings';
import { SidecarSupervisor } from './supervisor';
import type { SidecarControl } from './connection';

/** A supervisor for this extension's sidecar; started by the caller. */
export function createSidecar(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, version: string): SidecarSupervisor {
  return new SidecarSupervisor({
    log,
    launch: () => sidecarLaunch(context),
    initializeParams: () => ({
      processId: process.pid,
      clientInfo: { name: vscode.env.appName, version: `${vscode.version}; editorassist ${version}` },
      storageDir: context.globalStorageUri.fsPath,
      settings: readSidecarSettings(),
    }),
  });
}

/** Restart / Show Logs commands, the failure prompt, and the settings the sidecar follows. */
export function registerSidecarLifecycle(s: SidecarControl, log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.Disposable.from(
    s.onDidFail(async ({ message }) => {
      const choice = await vscode.window.showErrorMessage(message, 'Show Logs', 'Restart');
      if (choice === 'Show Logs') log.show();
      if (choice === 'Restart') void s.start().catch(() => undefined);
    }),
    vscode.commands.registerCommand(Commands.showLogs, () => log.show()),
    vscode.commands.registerCommand(Commands.restartSidecar, () => s.restart().catch(() => undefined)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('editorAssist.sidecar')) void s.restart().catch(() => undefined);
      else if (affectsSidecarSettings(e)) void settingsChanged(s, log, changedAtStartSettings(e));
    }),
  );
}

/** The settings the sidecar reads itself (settings.ts), from the editorAssist configuration. */
function readSidecarSettings(): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration('editorAssist');
  return sidecarSettings((key) => config.get(key));
}

async function settingsChanged(s: SidecarControl, log: vscode.LogOutputChannel, atStart: string[]): Promise<void> {
  const settings = readSidecarSettings();
  const endpoint = settings['downloads.huggingFaceEndpoint'];
  const problem = typeof endpoint === 'string' ? checkHuggingFaceEndpoint(endpoint) : undefined;
  if (problem) void vscode.window.showWarningMessage(`EditorAssist: editorAssist.downloads.huggingFaceEndpoint is ignored: ${problem}. Downloads use huggingface.co.`);
  await pushSidecarSettings(s, settings, log);
  if (atStart.length && s.state === 'running') {
    const restart = 'Restart Sidecar';
    const names = atStart.map((k) => `editorAssist.${k}`).join(', ');
    if ((await vscode.window.showInformationMessage(`EditorAssist: ${names} takes effect when the sidecar restarts (loaded models are unloaded).`, restart)) === restart) {
      await s.restart().catch(() => undefined);
    }
  }
}

/**
 * A VSIX is a zip; if an installer dropped the executable bit on the way, set it again (owner
 * only adds what is missing). Failures are left to the spawn, which reports them.
 */
function ensureExecutable(file: string): void {
  if (process.platform === 'win32') return;
  try {
    const mode = fs.statSync(file).mode;
    if ((mode & 0o100) === 0) fs.chmodSync(file, mode | 0o755);
  } catch { /* the spawn says what is wrong */ }
}

function sidecarLaunch(context: vscode.ExtensionContext) {
  const config = vscode.workspace.getConfiguration('editorAssist.sidecar');
  const located = locateSidecar({
    setting: config.get<string>('path'),
    env: process.env,
    extensionPath: context.extensionPath,
    exists: (f) => fs.existsSync(f),
  });
  if (!located) {
    throw new Error(`${SIDECAR_DLL} was not found. Set "editorAssist.sidecar.path" or install the packaged extension.`);
  }
  // The platform VSIX's sidecar is self-contained and runs as is; `dotnetPath` only matters for
  // a development build (a .dll).
  if (located.kind === 'executable') ensureExecutable(located.path);
  return {
    ...sidecarCommand(located, config.get<string>('dotnetPath') ?? 'dotnet'),
    env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1' },
  };
}
