// Wires the host provider's bridge, or nothing where the editor lacks the language model API.
import { HostBridge, type HostLog, type HostSidecar } from './bridge';
import { hostModelsApi, type LmDisposable } from './lmApi';

/** Starts reporting VS Code's models to the sidecar and serving host/chat; a no-op without vscode.lm. */
export function registerHostModels(vscodeNamespace: unknown, sidecar: HostSidecar, log: HostLog): LmDisposable {
  const api = hostModelsApi(vscodeNamespace);
  if (!api) {
    log.info('This editor has no language model API (vscode.lm): its models are not offered under "VS Code".');
    return { dispose: () => undefined };
  }
  return new HostBridge(api, sidecar, log);
}
