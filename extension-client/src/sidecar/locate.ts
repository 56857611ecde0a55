// Finds the sidecar to run. Pure (file existence and the platform are injected) so the order is
// unit-tested.
import * as path from 'node:path';

export const SIDECAR_DLL = 'EditorAssist.Server.dll';
export const SIDECAR_ENV = 'EDITORASSIST_SIDECAR';

/** The self-contained sidecar's executable name in a platform VSIX (apphost: no .NET needed). */
export function sidecarExecutableName(platform: NodeJS.Platform): string {
  return platform === 'win32' ? 'EditorAssist.Server.exe' : 'EditorAssist.Server';
}

export interface LocateInput {
  /** editorAssist.sidecar.path (empty = not set). */
  setting?: string;
  /** The environment (EDITORASSIST_SIDECAR). */
  env: Record<string, string | undefined>;
  /** The extension's install folder (context.extensionPath). */
  extensionPath: string;
  exists: (file: string) => boolean;
  /** process.platform; decides the bundled executable's name. */
  platform?: NodeJS.Platform;
}

export type SidecarSource = 'setting' | 'environment' | 'bundled' | 'repository';

export interface LocatedSidecar {
  /** The sidecar: a self-contained executable, or EditorAssist.Server.dll run by `dotnet`. */
  path: string;
  /** 'executable': run `path` itself; 'dll': run `dotnet path` (development builds). */
  kind: 'executable' | 'dll';
  source: SidecarSource;
}

/** How to start a located sidecar: the executable itself, or `dotnet` with the dll. */
export function sidecarCommand(located: LocatedSidecar, dotnetPath: string): { command: string; args: string[] } {
  return located.kind === 'executable'
    ? { command: located.path, args: [] }
    : { command: dotnetPath || 'dotnet', args: [located.path] };
}

/** A path given by the user: a .dll runs under dotnet, anything else is taken as an executable. */
function given(file: string, source: SidecarSource): LocatedSidecar {
  return { path: file, kind: /\.dll$/i.test(file) ? 'dll' : 'executable', source };
}

/**
 * Order: the setting, then EDITORASSIST_SIDECAR (both taken as given, so a wrong path fails
 * loudly instead of silently running another build), then the self-contained sidecar bundled
 * in the platform VSIX, then the repository's build output when the extension runs from a
 * clone (extension-client/ next to server/), which needs `dotnet`.
 */
export function locateSidecar(input: LocateInput): LocatedSidecar | undefined {
  const setting = input.setting?.trim();
  if (setting) return given(setting, 'setting');
  const fromEnv = input.env[SIDECAR_ENV]?.trim();
  if (fromEnv) return given(fromEnv, 'environment');
  const executable = path.join(input.extensionPath, 'sidecar', sidecarExecutableName(input.platform ?? process.platform));
  if (input.exists(executable)) return { path: executable, kind: 'executable', source: 'bundled' };
  const bundledDll = path.join(input.extensionPath, 'sidecar', SIDECAR_DLL);
  if (input.exists(bundledDll)) return { path: bundledDll, kind: 'dll', source: 'bundled' };
  const repo = path.resolve(input.extensionPath, '..');
  for (const configuration of ['Release', 'Debug']) {
    const dll = path.join(repo, 'server', 'EditorAssist.Server', 'bin', configuration, 'net10.0', SIDECAR_DLL);
    if (input.exists(dll)) return { path: dll, kind: 'dll', source: 'repository' };
  }
  return undefined;
}
