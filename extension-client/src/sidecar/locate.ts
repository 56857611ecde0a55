// Finds the sidecar to run. Pure (file existence is injected) so the order is unit-tested.
import * as path from 'node:path';

export const SIDECAR_DLL = 'EditorAssist.Server.dll';
export const SIDECAR_ENV = 'EDITORASSIST_SIDECAR';

export interface LocateInput {
  /** editorAssist.sidecar.path (empty = not set). */
  setting?: string;
  /** The environment (EDITORASSIST_SIDECAR). */
  env: Record<string, string | undefined>;
  /** The extension's install folder (context.extensionPath). */
  extensionPath: string;
  exists: (file: string) => boolean;
}

export type SidecarSource = 'setting' | 'environment' | 'bundled' | 'repository';

export interface LocatedSidecar {
  dll: string;
  source: SidecarSource;
}

/**
 * Order: the setting, then EDITORASSIST_SIDECAR (both taken as given, so a wrong path fails
 * loudly instead of silently running another build), then the sidecar bundled in the VSIX,
 * then the repository's build output when the extension runs from a clone
 * (extension-client/ next to server/).
 */
export function locateSidecar(input: LocateInput): LocatedSidecar | undefined {
  const setting = input.setting?.trim();
  if (setting) return { dll: setting, source: 'setting' };
  const fromEnv = input.env[SIDECAR_ENV]?.trim();
  if (fromEnv) return { dll: fromEnv, source: 'environment' };
  const bundled = path.join(input.extensionPath, 'sidecar', SIDECAR_DLL);
  if (input.exists(bundled)) return { dll: bundled, source: 'bundled' };
  const repo = path.resolve(input.extensionPath, '..');
  for (const configuration of ['Release', 'Debug']) {
    const dll = path.join(repo, 'server', 'EditorAssist.Server', 'bin', configuration, 'net10.0', SIDECAR_DLL);
    if (input.exists(dll)) return { dll, source: 'repository' };
  }
  return undefined;
}
