// Errors the client raises itself (as opposed to JSON-RPC errors the sidecar answers with,
// which arrive as vscode-jsonrpc ResponseErrors carrying the stable codes of protocol.ts).

export type SidecarErrorKind =
  /** The sidecar is not running (stopped, or gave up after too many crashes). */
  | 'notRunning'
  /** The sidecar process exited while a request was in flight. */
  | 'crashed'
  /** The sidecar could not be started or did not answer `initialize`. */
  | 'startFailed';

export class SidecarError extends Error {
  override readonly name = 'SidecarError';
  constructor(readonly kind: SidecarErrorKind, message: string) {
    super(message);
  }
}

/** Describes how a child process ended, for log lines and user-facing messages. */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `killed by ${signal}`;
  return `exit code ${code ?? 'unknown'}`;
}
