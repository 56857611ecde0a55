// One place that turns errors from the sidecar layer into a sentence for the user.
import { ErrorCodes } from '../protocol';
import { SidecarError } from '../sidecar/errors';

export function describeError(e: unknown): string {
  if (e instanceof SidecarError) return e.message;
  const code = (e as { code?: unknown })?.code;
  const message = e instanceof Error ? e.message : String(e);
  if (typeof code === 'number') {
    // Branch on codes, never on message text.
    if (code === ErrorCodes.RequestCancelled) return 'The request was cancelled.';
    if (code === ErrorCodes.MethodNotFound) return 'This sidecar does not support the request; is it out of date?';
    if (code === ErrorCodes.InvalidModelFile) return `${message} (not a usable GGUF model file)`;
    return `${message} (code ${code})`;
  }
  return message;
}

/** True when a download failed because the server refused access (401/403): a gated repo without a token. */
export function isAccessRefused(e: unknown): boolean {
  const { code, data } = (e ?? {}) as { code?: unknown; data?: { status?: unknown } };
  return code === ErrorCodes.DownloadFailed && (data?.status === 401 || data?.status === 403);
}

/**
 * True when a download stopped because the sidecar went away (a restart, a crash, VS Code closing),
 * not because it failed: the job and its partial file stay, and the next start continues it.
 */
export function isInterruptedDownload(e: unknown): boolean {
  if (e instanceof SidecarError) return e.kind === 'crashed';
  const { code, data } = (e ?? {}) as { code?: unknown; data?: { interrupted?: unknown } };
  return code === ErrorCodes.DownloadFailed && data?.interrupted === true;
}
