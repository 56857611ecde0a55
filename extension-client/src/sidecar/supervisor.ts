// Starts the sidecar process, connects to it with vscode-jsonrpc, and keeps it alive.
//
// State machine (like vscode-languageclient's):
//
//   stopped ──start()──▶ starting ──initialize answered──▶ running
//      ▲                    │  ▲                               │
//      │   crash, budget    │  └──── crash, within budget ─────┤
//      ├──── exhausted ─────┴──────────────────────────────────┤
//      │                                                       │ stop()
//      └──────────────── stopping ◀────────────────────────────┘
//
// A crash (the process exits while starting or running, not because we asked it to) restarts
// the sidecar at once, at most `maxRestarts` times within `restartWindowMs`; past that the
// supervisor stops and fires onDidFail so the UI can tell the user. In-flight requests of a
// process that dies reject with a SidecarError('crashed') instead of hanging.
//
// Deliberately free of the `vscode` module: it is unit-tested under plain `node --test`.
import { spawn, type ChildProcess } from 'node:child_process';
import {
  CancellationToken,
  ErrorCodes,
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import {
  Notifications,
  Requests,
  type InitializeParams,
  type InitializeResult,
  type NotificationDef,
  type RequestDef,
} from '../protocol';
import { describeExit, SidecarError } from './errors';
import { Emitter, type Disposable, type Event } from './events';
import { raceDeadline, realTimers, settlesWithin, type Timers } from './timers';

import type { CancellationLike, SidecarControl, SidecarFailure, SidecarState } from './connection';

export type { SidecarFailure, SidecarState } from './connection';

/** Where log lines go; VS Code's LogOutputChannel satisfies it. */
export interface SidecarLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug?(message: string): void;
}

export interface SidecarLaunch {
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface SupervisorOptions {
  /** Evaluated at every (re)start, so a changed setting takes effect on the next restart. */
  launch: () => SidecarLaunch;
  initializeParams: () => InitializeParams;
  log: SidecarLog;
  maxRestarts?: number;
  restartWindowMs?: number;
  initializeTimeoutMs?: number;
  shutdownTimeoutMs?: number;
  exitTimeoutMs?: number;
  /** The restart window's clock; defaults to `timers.now`. */
  now?: () => number;
  /** Deadlines (initialize, shutdown, exit) run on these; tests pass a clock they advance by hand. */
  timers?: Timers;
}

/** One spawned process and its connection. A restart makes a new generation. */
interface Generation {
  readonly id: number;
  readonly child: ChildProcess;
  readonly connection: MessageConnection;
  /** Resolves (never rejects) when the process has exited, with a description. */
  readonly exited: Promise<string>;
  hasExited: boolean;
  exitDescription?: string;
  /** Set when the process could not be spawned at all (e.g. ENOENT): retrying cannot help. */
  spawnError?: Error;
}

export class SidecarSupervisor implements SidecarControl {
  private _state: SidecarState = 'stopped';
  private current: Generation | undefined;
  private generationCounter = 0;
  private readonly restarts: number[] = [];
  private startPromise: Promise<void> | undefined;
  private stopPromise: Promise<void> | undefined;
  private _serverInfo: InitializeResult | undefined;

  private readonly stateEmitter = new Emitter<SidecarState>();
  private readonly failEmitter = new Emitter<SidecarFailure>();
  private readonly readyEmitter = new Emitter<InitializeResult>();

  /** Fires on every state change. */
  readonly onDidChangeState: Event<SidecarState> = this.stateEmitter.event;
  /** Fires when the supervisor gives up (restart budget exhausted, or it cannot spawn at all). */
  readonly onDidFail: Event<SidecarFailure> = this.failEmitter.event;
  /** Fires each time a (re)started sidecar has answered `initialize`. */
  readonly onDidStart: Event<InitializeResult> = this.readyEmitter.event;

  private readonly maxRestarts: number;
  private readonly restartWindowMs: number;
  private readonly initializeTimeoutMs: number;
  private readonly shutdownTimeoutMs: number;
  private readonly exitTimeoutMs: number;
  private readonly now: () => number;
  private readonly timers: Timers;

  constructor(private readonly options: SupervisorOptions) {
    this.maxRestarts = options.maxRestarts ?? 5;
    this.restartWindowMs = options.restartWindowMs ?? 3 * 60_000;
    this.initializeTimeoutMs = options.initializeTimeoutMs ?? 30_000;
    this.shutdownTimeoutMs = options.shutdownTimeoutMs ?? 2_000;
    this.exitTimeoutMs = options.exitTimeoutMs ?? 2_000;
    this.timers = options.timers ?? realTimers;
    this.now = options.now ?? (() => this.timers.now());
  }

  get state(): SidecarState {
    return this._state;
  }

  /** The last `initialize` result, while a sidecar is running. */
  get serverInfo(): InitializeResult | undefined {
    return this._serverInfo;
  }

  /** The sidecar's process id, while one is alive (tests and diagnostics). */
  get pid(): number | undefined {
    return this.current && !this.current.hasExited ? this.current.child.pid : undefined;
  }

  /** Starts the sidecar; resolves once it answered `initialize`, rejects if it cannot start. */
  start(): Promise<void> {
    if (this._state === 'running') return Promise.resolve();
    if (this._state === 'starting' && this.startPromise) return this.startPromise;
    if (this._state === 'stopping') {
      return (this.stopPromise ?? Promise.resolve()).then(() => this.start());
    }
    this.restarts.length = 0; // an explicit start gets a fresh budget
    return this.launch();
  }

  /** Stops the sidecar: `shutdown` → `exit`, raced against timeouts, then kill. Idempotent. */
  stop(): Promise<void> {
    if (this.stopPromise) return this.stopPromise;
    if (this._state === 'stopped') return Promise.resolve();
    this.setState('stopping');
    const gen = this.current;
    this.stopPromise = (async () => {
      try {
        if (gen) await this.shutdownGeneration(gen);
      } finally {
        this.current = undefined;
        this._serverInfo = undefined;
        this.stopPromise = undefined;
        this.setState('stopped');
      }
    })();
    return this.stopPromise;
  }

  /** Stops, then starts with a fresh restart budget (the "Restart Sidecar" command). */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /**
   * Sends a request. Waits for a sidecar that is starting; fails fast with a SidecarError if
   * none is running, and with SidecarError('crashed') if the process dies before answering.
   * JSON-RPC errors from the sidecar reject as vscode-jsonrpc ResponseErrors (with `code`).
   */
  async request<P, R>(def: RequestDef<P, R>, params: P, token?: CancellationLike): Promise<R> {
    if (this._state === 'starting' && this.startPromise) {
      await this.startPromise.catch(() => undefined);
    }
    const gen = this.current;
    if (this._state !== 'running' || !gen || gen.hasExited) {
      throw new SidecarError('notRunning', `The EditorAssist sidecar is not running (${this._state}).`);
    }
    return this.requestOn(gen, def, params, token);
  }

  notify<P>(def: NotificationDef<P>, params: P): void {
    const gen = this.current;
    if (this._state !== 'running' || !gen || gen.hasExited) {
      throw new SidecarError('notRunning', `The EditorAssist sidecar is not running (${this._state}).`);
    }
    void (params === undefined ? gen.connection.sendNotification(def.method) : gen.connection.sendNotification(def.method, params));
  }

  /**
   * Registers a handler for a server → client notification, on the live connection and on every
   * restarted one. Several features may listen to one method (the chat view and the language-model
   * provider both read `chat/delta`, each for its own streamIds): each gets every notification.
   */
  onNotification(method: string, handler: (params: unknown) => void): Disposable {
    let handlers = this.notificationHandlers.get(method);
    if (!handlers) {
      handlers = new Set();
      this.notificationHandlers.set(method, handlers);
      const gen = this.current;
      if (gen && !gen.hasExited) gen.connection.onNotification(method, (p: unknown) => this.dispatchNotification(method, p));
    }
    handlers.add(handler);
    return { dispose: () => void this.notificationHandlers.get(method)?.delete(handler) };
  }
  private readonly notificationHandlers = new Map<string, Set<(params: unknown) => void>>();

  private dispatchNotification(method: string, params: unknown): void {
    for (const handler of [...(this.notificationHandlers.get(method) ?? [])]) handler(params);
  }

  /**
   * Registers the handler for a server → client request (`chat/toolCall`), on the live connection
   * and on every restarted one. The token trips when the sidecar sends `$/cancelRequest` for it.
   */
  onRequest(method: string, handler: (params: unknown, token: CancellationToken) => Promise<unknown>): Disposable {
    this.requestHandlers.set(method, handler);
    const gen = this.current;
    const live = gen && !gen.hasExited ? gen.connection.onRequest(method, handler) : undefined;
    return {
      dispose: () => {
        live?.dispose();
        if (this.requestHandlers.get(method) === handler) this.requestHandlers.delete(method);
      },
    };
  }
  private readonly requestHandlers = new Map<string, (params: unknown, token: CancellationToken) => Promise<unknown>>();

  dispose(): void {
    void this.stop();
    this.stateEmitter.dispose();
    this.failEmitter.dispose();
    this.readyEmitter.dispose();
  }

  // ---- internals ------------------------------------------------------------------------

  private setState(state: SidecarState): void {
    if (this._state === state) return;
    this._state = state;
    this.stateEmitter.fire(state);
  }

  private requestOn<P, R>(gen: Generation, def: RequestDef<P, R>, params: P, token?: CancellationLike): Promise<R> {
    // vscode-jsonrpc reads only these two members of a token: any CancellationLike will do.
    const tok = (token ?? CancellationToken.None) as CancellationToken;
    // Params-less requests must send no `params` member at all (vscode-jsonrpc would send
    // `[null]` for an explicit undefined).
    const crashed = (how: string) => new SidecarError('crashed',
      `The EditorAssist sidecar stopped (${how}) while handling "${def.method}". ` +
      (this._state === 'stopping' || this._state === 'stopped' ? '' : 'It is being restarted; please try again.'));
    const sent: Promise<R> = (params === undefined
      ? gen.connection.sendRequest<R>(def.method, tok)
      : gen.connection.sendRequest<R>(def.method, params, tok)
    ).catch((e: unknown) => {
      // We dispose a connection only when its process is gone (or being stopped); vscode-jsonrpc
      // then rejects what is pending with these codes. Say what really happened instead.
      const code = (e as { code?: number }).code;
      if (code === ErrorCodes.PendingResponseRejected || code === ErrorCodes.ConnectionInactive) throw crashed(gen.exitDescription ?? 'connection closed');
      throw e;
    });
    const died = gen.exited.then((how): never => {
      throw crashed(how);
    });
    died.catch(() => undefined); // the race below observes it; avoid an unhandled rejection
    return Promise.race([sent, died]);
  }

  private launch(): Promise<void> {
    this.setState('starting');
    const p = this.launchOnce().finally(() => {
      if (this.startPromise === p) this.startPromise = undefined;
    });
    this.startPromise = p;
    return p;
  }

  private async launchOnce(): Promise<void> {
    const { log } = this.options;
    let spec: SidecarLaunch;
    try {
      spec = this.options.launch();
    } catch (e) {
      this.giveUp(`The EditorAssist sidecar cannot be started: ${errorMessage(e)}`);
      throw new SidecarError('startFailed', errorMessage(e));
    }
    const spawnedAt = this.now();
    const gen = this.spawnGeneration(spec);
    this.current = gen;
    if (gen.child.pid === undefined) {
      // Spawning failed (e.g. ENOENT); the 'error' event follows and the exit path gives up.
      // Sending `initialize` now would only write into a destroyed pipe.
      const how = await gen.exited;
      throw new SidecarError('startFailed', `The EditorAssist sidecar failed to start: ${gen.spawnError?.message ?? how}`);
    }

    try {
      const result = await raceDeadline(this.timers,
        this.requestOn(gen, Requests.initialize, this.options.initializeParams()),
        this.initializeTimeoutMs,
        `the sidecar did not answer "initialize" within ${this.initializeTimeoutMs} ms`);
      if (this.stopPromise || this.current !== gen) return; // stop() came first
      gen.connection.sendNotification(Notifications.initialized.method, {});
      this._serverInfo = result;
      log.info(`Sidecar ${result.serverInfo.name} ${result.serverInfo.version} is running (pid ${gen.child.pid}, protocol ${result.protocolVersion}, ready ${Math.round(this.now() - spawnedAt)} ms after spawn).`);
      this.setState('running');
      this.readyEmitter.fire(result);
    } catch (e) {
      if (this.stopPromise) return; // stop() interrupted the start: not a failure
      const message = gen.spawnError ? gen.spawnError.message : errorMessage(e);
      log.error(`Sidecar failed to start: ${message}`);
      // Once the process is gone, the exit handler restarts it within the budget (or gives up).
      this.kill(gen);
      throw new SidecarError('startFailed', `The EditorAssist sidecar failed to start: ${message}`);
    }
  }

  private spawnGeneration(spec: SidecarLaunch): Generation {
    const { log } = this.options;
    const id = ++this.generationCounter;
    log.info(`Starting sidecar: ${spec.command} ${spec.args.join(' ')}`);
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    // stdin may close under us when the child dies; the exit handler deals with it.
    child.stdin!.on('error', () => undefined);
    connection.onError(([error]) => log.warn(`Sidecar connection error: ${error.message}`));
    for (const method of this.notificationHandlers.keys()) connection.onNotification(method, (p: unknown) => this.dispatchNotification(method, p));
    for (const [method, handler] of this.requestHandlers) connection.onRequest(method, handler);
    connection.listen();
    pipeLines(child.stderr!, (line) => logSidecarLine(log, line));

    let markExited!: (how: string) => void;
    const exited = new Promise<string>((resolve) => (markExited = resolve));
    const gen: Generation = { id, child, connection, exited, hasExited: false };
    const onGone = (how: string) => {
      if (gen.hasExited) return;
      gen.hasExited = true;
      gen.exitDescription = how;
      markExited(how);
      connection.dispose(); // rejects anything still pending on this connection
      this.onGenerationExit(gen, how);
    };
    child.once('exit', (code, signal) => onGone(describeExit(code, signal)));
    child.once('error', (e) => {
      // A spawn failure (ENOENT) emits 'error' and no 'exit'.
      if (child.pid !== undefined) return;
      gen.spawnError = e;
      onGone(`spawn failed: ${e.message}`);
    });
    return gen;
  }

  private onGenerationExit(gen: Generation, how: string): void {
    if (this.current !== gen) return; // an older generation we already replaced or stopped
    if (this._state === 'stopping' || this._state === 'stopped') return; // we asked it to go
    this.options.log.error(`Sidecar exited unexpectedly (${how}).`);
    this._serverInfo = undefined;
    this.current = undefined;
    if (gen.spawnError) {
      this.giveUp(`The EditorAssist sidecar cannot be started: ${gen.spawnError.message}. ` +
        'Reinstall the EditorAssist extension for this platform; a development build (a .dll) also needs editorAssist.sidecar.dotnetPath.');
      return;
    }
    const now = this.now();
    while (this.restarts.length > 0 && now - this.restarts[0] > this.restartWindowMs) this.restarts.shift();
    if (this.restarts.length >= this.maxRestarts) {
      this.giveUp(`The EditorAssist sidecar crashed ${this.restarts.length + 1} times in the last ` +
        `${Math.round(this.restartWindowMs / 60_000)} minutes and will not be restarted. Last exit: ${how}.`);
      return;
    }
    this.restarts.push(now);
    this.options.log.warn(`Restarting sidecar (restart ${this.restarts.length} of at most ${this.maxRestarts} within ${Math.round(this.restartWindowMs / 1000)} s).`);
    this.launch().catch(() => undefined); // failures are logged and handled by the exit path
  }
  private giveUp(message: string): void {
    this.options.log.error(message);
    this.current = undefined;
    this._serverInfo = undefined;
    this.setState('stopped');
    this.failEmitter.fire({ message });
  }

  private async shutdownGeneration(gen: Generation): Promise<void> {
    const { log } = this.options;
    if (gen.hasExited) return;
    try {
      await raceDeadline(this.timers, this.requestOn(gen, Requests.shutdown, undefined), this.shutdownTimeoutMs,
        `no answer to "shutdown" within ${this.shutdownTimeoutMs} ms`);
      await gen.connection.sendNotification(Notifications.exit.method);
      // Closing our end of stdin too: a host blocked on reading stdin sees EOF and can exit.
      gen.child.stdin?.end();
    } catch (e) {
      if (!gen.hasExited) log.warn(`Sidecar shutdown: ${errorMessage(e)}`);
    }
    if (gen.hasExited || await settlesWithin(this.timers, gen.exited, this.exitTimeoutMs)) return;
    log.warn(`Sidecar did not exit within ${this.exitTimeoutMs} ms; terminating it.`);
    gen.child.kill('SIGTERM');
    if (gen.hasExited || await settlesWithin(this.timers, gen.exited, this.exitTimeoutMs)) return;
    log.warn('Sidecar ignored SIGTERM; killing it.');
    gen.child.kill('SIGKILL');
    await gen.exited;
  }

  private kill(gen: Generation): void {
    if (!gen.hasExited) gen.child.kill('SIGKILL');
  }
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Calls `onLine` for each complete line of a stream (and for a trailing partial line at end). */
function pipeLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl).replace(/\r$/, '');
      pending = pending.slice(nl + 1);
      if (line.trim().length > 0) onLine(line);
    }
  });
  stream.on('end', () => {
    if (pending.trim().length > 0) onLine(pending);
    pending = '';
  });
}

/**
 * Forwards one stderr line of the sidecar at the level its logger wrote. The sidecar's lines
 * look like `12:00:00.123 info: Category[0] message`; the LogOutputChannel adds its own time
 * and level, so those are taken off. Other lines (a runtime's crash report) go out as is.
 */
export function logSidecarLine(log: SidecarLog, line: string): void {
  const m = /^(?:\d{1,2}:\d{2}:\d{2}(?:\.\d+)?\s+)?(trce|dbug|info|warn|fail|crit|error):\s?(.*)$/i.exec(line);
  const text = `[sidecar] ${m ? m[2] : line}`;
  switch (m?.[1].toLowerCase()) {
    case 'fail': case 'crit': case 'error': log.error(text); break;
    case 'warn': log.warn(text); break;
    case 'trce': case 'dbug': (log.debug ?? log.info).call(log, text); break;
    default: log.info(text);
  }
}
