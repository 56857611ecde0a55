// MCP servers (USER_GUIDE.md, "MCP servers"), vscode-free (unit-tested): reads the
// `editorAssist.mcpServers` setting, sends it to the sidecar with `mcp/configure` (at every sidecar
// start and on every change of the setting), and formats `mcp/list` for "EditorAssist: Show MCP
// Servers". The sidecar connects to the servers and runs their tools; `env` and `headers` may hold
// secrets, so they are passed on and never logged.
import { ErrorCodes, Notifications, Requests, type McpServerConfig, type McpServerInfo } from '../protocol';
import type { SidecarConnection } from '../sidecar/connection';
import type { Disposable } from '../sidecar/events';
import { isLoopbackHost } from '../system/urls';

export type McpTransport = Pick<SidecarConnection, 'request'>;

export interface McpLog {
  info(line: string): void;
  warn(line: string): void;
}

const isStringMap = (v: unknown): v is Record<string, string> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');

/**
 * Checks the setting: an array of `{name, command, args?, env?, cwd?, trusted?}` or `{name, url, headers?, trusted?}`.
 * Entries that do not fit are left out with a problem to show (names only, never values).
 * `defaultCwd` (the first workspace folder) is where a stdio server runs unless it says otherwise.
 */
export function parseMcpSetting(raw: unknown, defaultCwd?: string): { servers: McpServerConfig[]; problems: string[] } {
  const servers: McpServerConfig[] = [];
  const problems: string[] = [];
  if (raw === undefined || raw === null) return { servers, problems };
  if (!Array.isArray(raw)) return { servers, problems: ['editorAssist.mcpServers must be a list of servers'] };
  const names = new Set<string>();
  raw.forEach((entry, i) => {
    const e = entry as Record<string, unknown> | null;
    const label = typeof e?.name === 'string' && e.name.trim() ? `"${e.name}"` : `#${i + 1}`;
    if (typeof e !== 'object' || e === null) return void problems.push(`entry ${label} is not an object`);
    if (typeof e.name !== 'string' || !e.name.trim()) return void problems.push(`entry ${label} has no name`);
    if (names.has(e.name)) return void problems.push(`server ${label} is listed twice`);
    const hasCommand = typeof e.command === 'string' && e.command.trim() !== '';
    const hasUrl = typeof e.url === 'string' && e.url.trim() !== '';
    if (hasCommand === hasUrl) return void problems.push(`server ${label} needs either "command" (stdio) or "url" (HTTP)`);
    if (hasUrl && !/^https?:\/\//i.test(e.url as string)) return void problems.push(`server ${label}: "url" must start with http:// or https://`);
    if (e.args !== undefined && !(Array.isArray(e.args) && e.args.every((a) => typeof a === 'string'))) return void problems.push(`server ${label}: "args" must be a list of strings`);
    if (e.env !== undefined && !isStringMap(e.env)) return void problems.push(`server ${label}: "env" must map names to strings`);
    if (e.headers !== undefined && !isStringMap(e.headers)) return void problems.push(`server ${label}: "headers" must map names to strings`);
    names.add(e.name);
    const server: McpServerConfig = { name: e.name };
    if (hasCommand) {
      server.command = e.command as string;
      if (e.args) server.args = e.args as string[];
      if (e.env) server.env = e.env as Record<string, string>;
      const cwd = typeof e.cwd === 'string' && e.cwd ? e.cwd : defaultCwd;
      if (cwd) server.cwd = cwd;
    } else {
      server.url = e.url as string;
      if (e.headers) server.headers = e.headers as Record<string, string>;
    }
    if (e.trusted === true) server.trusted = true;
    servers.push(server);
  });
  return { servers, problems };
}

/** What may be logged about a server: never its env or headers (only their names). */
export function describeConfig(s: McpServerConfig): string {
  const what = s.command ? `stdio: ${s.command}${s.args?.length ? ` (${s.args.length} args)` : ''}` : `http: ${s.url}`;
  const secrets = [...Object.keys(s.env ?? {}).map((k) => `env ${k}`), ...Object.keys(s.headers ?? {}).map((k) => `header ${k}`)];
  return `${s.name} [${what}${secrets.length ? `; ${secrets.join(', ')}` : ''}${s.trusted ? '; trusted' : ''}]`;
}

/**
 * The host of a server on another machine (an HTTP URL whose host is not this machine), or undefined
 * for a stdio server or one on this machine. Tool calls to such a server, with the arguments the model
 * chose (which may quote your code), leave the machine: a cloud service like a cloud model.
 */
export function cloudHostOf(s: McpServerConfig): string | undefined {
  if (!s.url) return undefined;
  try {
    const host = new URL(s.url).hostname;
    return isLoopbackHost(host) ? undefined : host;
  } catch {
    return undefined;
  }
}

/** What a cloud server's consent is remembered under: its name and where it is (a new address asks again). */
export function mcpConsentKey(s: McpServerConfig): string {
  return `mcp:${s.name}@${s.url ? new URL(s.url).origin : ''}`;
}

/**
 * Sends the setting to the sidecar. Returns the problems of the setting (to show), the servers as the
 * sidecar sees them, and the servers held back because `admit` said no (cloud servers the user has not
 * agreed to): those are not sent at all, so the sidecar never contacts them.
 */
export async function pushMcpServers(t: McpTransport, raw: unknown, log: McpLog, defaultCwd?: string,
  admit: (s: McpServerConfig) => boolean = () => true): Promise<{ problems: string[]; servers?: McpServerInfo[]; held: McpServerConfig[] }> {
  const parsed = parseMcpSetting(raw, defaultCwd);
  const problems = parsed.problems;
  const servers = parsed.servers.filter((s) => admit(s));
  const held = parsed.servers.filter((s) => !servers.includes(s));
  for (const p of problems) log.warn(`editorAssist.mcpServers: ${p}.`);
  for (const s of held) log.info(`MCP server "${s.name}" at ${cloudHostOf(s) ?? s.url} waits for your permission (it is on another machine).`);
  try {
    const result = await t.request(Requests.mcpConfigure, { servers });
    if (servers.length) log.info(`MCP servers sent to the sidecar: ${servers.map(describeConfig).join(', ')}.`);
    return { problems, servers: result.servers, held };
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    // A sidecar without MCP (older build): nothing to configure.
    if (code === ErrorCodes.MethodNotFound) {
      if (servers.length) log.warn('This sidecar does not support MCP servers (no "mcp/configure").');
      return { problems, held };
    }
    log.warn(`Configuring MCP servers failed: ${(e as Error).message}`);
    return { problems: [...problems, (e as Error).message], held };
  }
}

/** One line of the log per change (mcp/didChange). */
export function describeChange(s: McpServerInfo): string {
  const tail = s.state === 'ready' ? ` (${s.tools.length} tool${s.tools.length === 1 ? '' : 's'})` : s.error ? `: ${s.error}` : '';
  return `MCP server "${s.name}" is ${s.state}${tail}.`;
}

export interface McpPickItem {
  label: string;
  description?: string;
  detail?: string;
}

const STATE_ICON: Record<string, string> = { ready: '$(pass)', connecting: '$(sync~spin)', failed: '$(error)' };

/** The entries of "Show MCP Servers": one per server (state, transport, privacy, trust, error), then one per tool. */
export function mcpPickItems(servers: McpServerInfo[]): McpPickItem[] {
  if (servers.length === 0) return [{ label: 'No MCP servers configured', detail: 'Add servers to the setting editorAssist.mcpServers (see the User Guide, "MCP servers").' }];
  const items: McpPickItem[] = [];
  for (const s of servers) {
    const facts = [s.state, s.transport, s.privacy === 'cloud' ? 'cloud' : 'local', s.trusted ? 'trusted' : 'asks before each call'];
    if (s.state === 'ready') facts.push(`${s.tools.length} tool${s.tools.length === 1 ? '' : 's'}`);
    items.push({
      label: `${STATE_ICON[s.state] ?? ''} ${s.name}`.trim(),
      description: facts.join(' · '),
      detail: s.state === 'failed' ? `${s.errorCode === ErrorCodes.McpServerRefused ? '[local-only] ' : ''}${s.error ?? 'failed'}` : undefined,
    });
    for (const tool of s.tools) items.push({ label: `    $(tools) ${tool.name}`, description: tool.tool === tool.name ? undefined : tool.tool, detail: tool.description || undefined });
  }
  return items;
}

/** What the wiring needs from the sidecar layer. */
export type McpSidecar = Pick<SidecarConnection, 'request' | 'state' | 'onDidStart' | 'onNotification'>;

/** Consent to cloud MCP servers, remembered per server and address (the same store as cloud models' consent). */
export interface McpCloudConsent {
  given(key: string): boolean;
  /** Asks once; resolves true (and remembers it) when the user allows the server. */
  ask(server: McpServerConfig, host: string): Promise<boolean>;
}

export interface McpWiring {
  sidecar: McpSidecar;
  log: McpLog;
  /** The raw value of editorAssist.mcpServers now. */
  readSetting(): unknown;
  /** Fires when editorAssist.mcpServers changed. */
  onSettingChanged(listener: () => void): Disposable;
  /** Where stdio servers run by default (the first workspace folder). */
  defaultCwd?(): string | undefined;
  /** Shows problems of a setting the user has just changed. */
  warn(message: string): void;
  /** Cloud servers wait for this; without it, every server is sent (tests, older callers). */
  consent?: McpCloudConsent;
}

/**
 * Sends the setting at every sidecar start (a restarted sidecar has none) and again on every change of
 * the setting; logs each server's state change. Resolves `pushed` for tests (each push, in order).
 */
export function wireMcp(w: McpWiring): Disposable & { lastPush: Promise<unknown> } {
  const state = { lastPush: Promise.resolve() as Promise<unknown> };
  // Asked at most once per server and address in this window; a "no" holds the server until the
  // setting changes or the window reloads.
  const asked = new Set<string>();
  const admit = (s: McpServerConfig) => !w.consent || cloudHostOf(s) === undefined || w.consent.given(mcpConsentKey(s));
  const push = (changedNow: boolean): Promise<unknown> => {
    state.lastPush = pushMcpServers(w.sidecar, w.readSetting(), w.log, w.defaultCwd?.(), admit).then(async ({ problems, held }) => {
      if (changedNow && problems.length) w.warn(`editorAssist.mcpServers: ${problems.join('; ')}.`);
      const consent = w.consent;
      if (!consent) return;
      let allowed = false;
      for (const s of held) {
        const key = mcpConsentKey(s);
        if (asked.has(key)) continue;
        asked.add(key);
        if (await consent.ask(s, cloudHostOf(s)!)) allowed = true;
      }
      if (allowed && w.sidecar.state === 'running') await push(false);
    });
    return state.lastPush;
  };
  const subs = [
    w.sidecar.onDidStart(() => void push(false)),
    w.onSettingChanged(() => { asked.clear(); if (w.sidecar.state === 'running') void push(true); }),
    w.sidecar.onNotification(Notifications.mcpDidChange.method, (p) => {
      const server = (p as { server?: McpServerInfo } | undefined)?.server;
      if (!server || typeof server.name !== 'string') return;
      if (server.state === 'failed') w.log.warn(describeChange(server));
      else w.log.info(describeChange(server));
    }),
  ];
  return {
    get lastPush() { return state.lastPush; },
    dispose: () => { for (const d of subs) d.dispose(); },
  };
}

/** The parts of the VS Code UI "Show MCP Servers" uses. */
export interface McpUi {
  showQuickPick(items: McpPickItem[], title: string): Promise<McpPickItem | undefined>;
  showError(message: string): void;
  openSetting(): Promise<unknown>;
}

export const OPEN_SETTING_LABEL = '$(gear) Open the editorAssist.mcpServers setting';

/** EditorAssist: Show MCP Servers — servers (state, transport, privacy, trust, errors) and their tools, and a way to the setting. */
export async function showMcpServers(t: McpTransport, ui: McpUi): Promise<McpServerInfo[] | undefined> {
  let servers: McpServerInfo[];
  try {
    servers = (await t.request(Requests.mcpList, {})).servers;
  } catch (e) {
    ui.showError(`EditorAssist: listing MCP servers failed: ${(e as Error).message}`);
    return undefined;
  }
  const picked = await ui.showQuickPick([...mcpPickItems(servers), { label: OPEN_SETTING_LABEL }], 'EditorAssist: MCP servers');
  if (picked?.label === OPEN_SETTING_LABEL) await ui.openSetting();
  return servers;
}
