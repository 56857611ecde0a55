// The one interface features get from the sidecar layer. SidecarSupervisor implements it; a
// feature that needs less takes a Pick<> of it (ChatTransport, PickerSidecar, …), so the surface
// is declared once and the unit tests' fakes only have to supply what a feature uses.
// vscode-free (type-only imports).
import type { InitializeResult, NotificationDef, RequestDef } from '../protocol';
import type { Disposable, Event } from './events';

export type SidecarState = 'starting' | 'running' | 'stopping' | 'stopped';

export interface SidecarFailure {
  message: string;
}

/** VS Code's and vscode-jsonrpc's CancellationToken share this shape. */
export interface CancellationLike {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): Disposable;
}

export interface SidecarConnection {
  readonly state: SidecarState;
  /** The answer to `initialize` of the running sidecar (version, capabilities.methods). */
  readonly serverInfo: InitializeResult | undefined;
  /** Each time a sidecar has answered `initialize` (the first start and every restart). */
  readonly onDidStart: Event<InitializeResult>;
  readonly onDidChangeState: Event<SidecarState>;
  request<P, R>(def: RequestDef<P, R>, params: P, token?: CancellationLike): Promise<R>;
  notify<P>(def: NotificationDef<P>, params: P): void;
  onNotification(method: string, handler: (params: unknown) => void): Disposable;
  /** Server → client requests (`chat/toolCall`, `host/chat`). */
  onRequest(method: string, handler: (params: unknown, token: CancellationLike) => Promise<unknown>): Disposable;
}

/** The connection plus its lifecycle: held by the composition root and the restart commands. */
export interface SidecarControl extends SidecarConnection, Disposable {
  readonly onDidFail: Event<SidecarFailure>;
  start(): Promise<void>;
  stop(): Promise<void>;
  restart(): Promise<void>;
}
