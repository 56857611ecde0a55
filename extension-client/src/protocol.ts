// The wire contract between this extension and the C# sidecar: method names and the shapes
// of their params and results. It mirrors docs/PROTOCOL.md and the sidecar's own contract
// file; the names here are the contract, so they are string constants, never derived.
// Only types and constants: no runtime dependency on vscode or vscode-jsonrpc.

/** JSON-RPC method names, grouped by area. */
export const Methods = {
  initialize: 'initialize',
  initialized: 'initialized',
  shutdown: 'shutdown',
  exit: 'exit',
  settingsUpdate: 'settings/update',
  settingsGet: 'settings/get',
  systemInfo: 'system/info',
  chatSend: 'chat/send',
  chatSessions: 'chat/sessions',
  chatSession: 'chat/session',
  chatDeleteSession: 'chat/deleteSession',
  modelsLoad: 'models/load',
  completionInline: 'completion/inline',
  chatDelta: 'chat/delta',
  chatToolCall: 'chat/toolCall',
  chatToolStatus: 'chat/toolStatus',
  chatToolApproval: 'chat/toolApproval',
  mcpConfigure: 'mcp/configure',
  mcpList: 'mcp/list',
  mcpDidChange: 'mcp/didChange',
  cancelRequest: '$/cancelRequest',
  progress: '$/progress',
  providersList: 'providers/list',
  providersSetApiKey: 'providers/setApiKey',
  providersConfigure: 'providers/configure',
  modelsSetHuggingFaceToken: 'models/setHuggingFaceToken',
  modelsList: 'models/list',
  modelsCatalog: 'models/catalog',
  modelsDownload: 'models/download',
  modelsCancelDownload: 'models/cancelDownload',
  modelsDownloads: 'models/downloads',
  modelsPauseDownload: 'models/pauseDownload',
  modelsResumeDownload: 'models/resumeDownload',
  modelsDelete: 'models/delete',
  modelsUnload: 'models/unload',
  modelsDidChange: 'models/didChange',
  storageInfo: 'storage/info',
  storageEvict: 'storage/evict',
  routerGet: 'router/get',
  routerSet: 'router/set',
  runtimeDidChangeState: 'runtime/didChangeState',
  modelsConfigure: 'models/configure',
  metricsGet: 'metrics/get',
  modelsStatus: 'models/status',
  providersCheck: 'providers/check',
  providersPullModel: 'providers/pullModel',
  providersDeleteModel: 'providers/deleteModel',
  providersDidChange: 'providers/didChange',
  modelsCountTokens: 'models/countTokens',
  // The editor's own models as the sidecar's "host" provider (issue 15; shapes in host/hostProtocol.ts).
  hostDidChangeModels: 'host/didChangeModels',
  hostChat: 'host/chat',
  hostDelta: 'host/delta',
} as const;

/**
 * The protocol version this client speaks; the sidecar reports its own at initialize. Equal to the
 * sidecar's ProtocolInfo.Version and PROTOCOL.md (tests/interop/protocol-contract.test.mjs).
 */
export const CLIENT_PROTOCOL_VERSION = '1.0';

/**
 * The inline-completion windows (PROTOCOL.md, `completion/inline`): the prefix is the cursor's line
 * up to the cursor plus the lines above it, `prefixLines` in all; the suffix the rest of the cursor's
 * line plus the lines below it, `suffixLines` in all. The sidecar keeps the same by default, so what
 * is sent is what is used. `maxChars` caps each side against minified one-line files. Mirrored in
 * the sidecar's Protocol.cs (`CompletionWindow`); the contract test checks the copies agree.
 */
/**
 * Every key the sidecar reads from its settings (PROTOCOL.md, "Settings"), declared once on this
 * side; the sidecar's copy is SettingKeys in EditorAssist.Core. The contract test checks they match.
 */
export const SettingKeys = {
  chatModel: 'chat.model',
  completionModel: 'completion.model',
  completionPrefixLines: 'completion.prefixLines',
  completionSuffixLines: 'completion.suffixLines',
  completionMaxTokens: 'completion.maxTokens',
  completionReuseCache: 'completion.reuseCache',
  completionReuseSuffix: 'completion.reuseSuffix',
  localAllowGpu: 'local.allowGpu',
  localNativeDir: 'local.nativeDir',
  localIdleUnloadMinutes: 'local.idleUnloadMinutes',
  localThreads: 'local.threads',
  localFiles: 'local.files',
  downloadsHuggingFaceEndpoint: 'downloads.huggingFaceEndpoint',
  downloadsMaxParallel: 'downloads.maxParallel',
  storageQuotaBytes: 'storage.quotaBytes',
} as const;
export type SettingKey = (typeof SettingKeys)[keyof typeof SettingKeys];

export const CompletionWindow = { prefixLines: 80, suffixLines: 25, maxChars: 16_000 } as const;

// ---- lifecycle --------------------------------------------------------------------------

export interface ClientInfo {
  name: string;
  version: string;
}

export interface InitializeParams {
  processId?: number | null;
  clientInfo: ClientInfo;
  /** A folder the sidecar owns (SQLite store, models); VS Code's globalStorageUri. */
  storageDir: string;
  settings?: Record<string, unknown>;
}

export interface InitializeResult {
  serverInfo: { name: string; version: string };
  protocolVersion: string;
  capabilities: Record<string, unknown>;
}

export type InitializedParams = Record<string, never>;

export interface SettingsUpdateParams {
  settings: Record<string, unknown>;
}

// ---- system -----------------------------------------------------------------------------

export interface GpuInfo {
  name: string;
  backend: 'vulkan' | 'cuda' | 'metal' | string;
  vramTotalBytes?: number;
  vramFreeBytes?: number;
}

export interface SystemInfo {
  os: string;
  arch: string;
  cpu: { name: string; cores: number };
  ramTotalBytes: number;
  ramFreeBytes: number;
  gpus: GpuInfo[];
  runtime: { llamaBuild?: string | null; backends?: string[]; [key: string]: unknown };
}

// ---- providers and models (docs/PROTOCOL.md; used by the picker as the sidecar grows them) --

export type Privacy = 'onDevice' | 'loopback' | 'cloud';
export type Availability = 'readily' | 'afterDownload' | 'no' | 'unknown';

export interface ProviderInfo {
  id: string;
  displayName: string;
  kind: 'local' | 'remote';
  privacy: Privacy;
  requiresApiKey: boolean;
  hasApiKey: boolean;
  baseUrl?: string;
  availability: Availability;
  reason?: string;
  capabilities: { chat: boolean; fim: boolean; tools: boolean; json: boolean };
}

export interface ModelInfo {
  ref: string;
  providerId: string;
  id: string;
  displayName: string;
  /** A model of the editor (provider `host`): who serves it inside VS Code. */
  host?: { vendor: string; family: string; version?: string; toolCalling?: boolean };
  contextLength?: number;
  roles: ('chat' | 'fim')[];
  local?: { path: string; sizeBytes: number; quant: string; lastUsed?: string | null; loaded: boolean };
  /** The model's own settings (models/configure); absent when it has none. */
  params?: ModelParams;
}

// ---- per-model settings and metrics ---------------------------------------------------------

/** A model's settings; a field left out takes the provider's or runtime's default. */
export interface ModelParams {
  contextLength?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  minP?: number;
  maxTokens?: number;
  stop?: string[];
  systemPrompt?: string;
  /** Ask for the model's thinking where the API must be asked (Anthropic extended thinking). */
  thinking?: boolean;
  /** Tokens the model may think (at least 1024). */
  reasoningBudget?: number;
}

/** models/configure: named fields replace the stored ones, null clears one, the rest is kept. */
export interface ConfigureModelParams {
  ref: string;
  params: { [K in keyof ModelParams]?: ModelParams[K] | null };
  workDoneToken?: string;
}

export interface ConfigureModelResult {
  ref: string;
  params: ModelParams;
  /** A loaded local model was reloaded for its new context length. */
  reloaded?: boolean;
}

/** metrics/get: one model's figures since the sidecar started. */
export interface ModelMetrics {
  ref: string;
  requests: number;
  errors: number;
  ttftMsP50?: number;
  ttftMsP95?: number;
  decodeTokensPerSecondP50?: number;
  promptTokensPerSecondP50?: number;
  /** Decode speed of the most recent requests, oldest first (for a sparkline). */
  recentTokensPerSecond: number[];
  lastLoadMs?: number;
  /** Local models while loaded. */
  loaded?: { backend: string; contextLength: number; gpuLayers: number; totalLayers: number; weightBytes: number; kvCacheBytes: number; gpuBytesEstimated: number };
  /** Inline completion with this model (absent: none): answered incl. cache hits, failed, superseded, latency of the answered non-cached ones. */
  completion?: { requests: number; errors: number; cancelled: number; cacheHits: number; msP50?: number; msP95?: number };
}

export interface MetricsResult {
  since: string;
  enabled: boolean;
  process: { residentBytes: number };
  gpus?: { name: string; vramTotalBytes: number; vramFreeBytes: number }[];
  models: ModelMetrics[];
}

export type FitVerdict = 'fullGpu' | 'partialGpu' | 'cpuOnly' | 'tooLarge';

export interface CatalogEntry {
  id: string;
  displayName: string;
  repo: string;
  file: string;
  revision: string;
  sizeBytes: number;
  /** The size is the catalog's estimate; the server gives the exact one at download time. */
  sizeApproximate?: boolean;
  quant: string;
  parameters: string | number;
  contextLength: number;
  roles: ('chat' | 'fim')[];
  license: string;
  fit: { verdict: FitVerdict; gpuLayers: number; estimatedBytes: number };
  /** The local ref the download lands under (`local/<file>`). */
  ref?: string;
  downloaded?: boolean;
}

export interface ModelsListResult {
  models: ModelInfo[];
  source: 'api' | 'cache' | 'fallback';
  errors?: { providerId: string; message: string }[];
}

/** Exactly one source: a catalog entry, a URL (https, or http on loopback), or a Hugging Face repo + file. */
export type DownloadTarget =
  | { catalogId: string }
  | { url: string }
  | { repo: string; file: string; revision?: string };

export type DownloadParams = DownloadTarget & {
  /** Local file name; defaults to the URL's last segment, or `<catalogId>.gguf`. */
  fileName?: string;
  sha256?: string;
  workDoneToken?: string;
};

export interface DownloadResult {
  ref: string;
  path: string;
  sha256: string;
  sizeBytes: number;
}

export interface DownloadInfo {
  id: string;
  ref: string;
  fileName: string;
  state: 'queued' | 'running' | 'paused' | 'failed' | 'done' | string;
  bytes: number;
  totalBytes?: number | null;
  catalogId?: string | null;
  /** The URL the download was asked for; asking for it again continues the job. */
  url?: string | null;
  error?: string | null;
  errorCode?: number | null;
}

export interface StorageModel {
  ref: string;
  fileName: string;
  sizeBytes: number;
  /** ISO 8601; absent when never loaded. */
  lastUsed?: string | null;
  loaded: boolean;
}

export interface StorageInfo {
  modelsDir: string;
  /** Everything in the models folder, partial downloads included. */
  usedBytes: number;
  quotaBytes?: number | null;
  diskFreeBytes: number;
  models: StorageModel[];
}

export interface EvictParams {
  /** Remove least recently used models until the disk has this many bytes free; absent: down to the quota. */
  targetFreeBytes?: number;
  dryRun?: boolean;
}

export interface EvictResult {
  evicted: { ref: string; sizeBytes: number }[];
}

/** `models/didChange`, after each change of the local set. */
export interface ModelsDidChangeParams {
  reason: 'downloaded' | 'deleted' | 'evicted' | string;
  ref: string;
}

export type RouterStrategy = 'preferLocal' | 'cloudFirst' | 'localOnly' | 'hostFirst';
export interface RouterPolicy {
  strategy?: RouterStrategy;
  fallback?: boolean;
  order?: string[] | null;
}

/** `$/progress {token, value}`; `value.kind` is begin | report | end, other fields per method. */
export interface ProgressParams {
  token: string | number;
  value: { kind: 'begin' | 'report' | 'end'; percentage?: number; message?: string; title?: string; [key: string]: unknown };
}

/** `$/progress` value of a download (`models/download`). */
export interface DownloadProgress {
  kind: 'begin' | 'report' | 'end';
  phase?: 'downloading' | 'verifying';
  bytes?: number;
  totalBytes?: number;
  bytesPerSecond?: number;
  etaSeconds?: number;
}

export interface ModelsLoadParams {
  ref?: string;
  /** Any GGUF file on disk; registers it as a local model and returns its ref. */
  path?: string;
  gpuLayers?: number;
  contextLength?: number;
  workDoneToken?: string;
}

export interface ModelsLoadResult {
  ref: string;
  backend: string;
  gpuLayers: number;
  contextLength: number;
  loadMs: number;
  sizeBytes?: number;
}

// ---- chat -------------------------------------------------------------------------------

export type ChatRole = 'system' | 'user' | 'assistant';
export interface ChatMessage {
  role: ChatRole | 'tool';
  content: string;
  /** Assistant messages: the calls the model made, handed back by a caller that runs its own tools (`runTools: false`). */
  toolCalls?: PendingToolCall[];
  /** Role `tool`: the call this result answers. */
  toolCallId?: string;
  /** Role `tool`: the result is an error. */
  isError?: boolean;
}

/** A tool call the model made, returned to the caller with `runTools: false`. */
export interface PendingToolCall {
  id: string;
  name: string;
  /** The parsed object, or the model's text when it did not parse. */
  arguments: Record<string, unknown> | string;
}

export interface ChatSendParams {
  /** Client-chosen; every `chat/delta` of this request carries it. */
  streamId: string;
  sessionId?: string;
  /** `"<providerId>/<modelId>"`; absent: the router's choice. */
  model?: string;
  messages: ChatMessage[];
  params?: {
    temperature?: number; topP?: number; topK?: number; minP?: number; maxTokens?: number;
    seed?: number; stop?: string[]; responseFormat?: 'text' | 'json' | { jsonSchema: unknown };
    thinking?: boolean; reasoningBudget?: number;
  };
  /** Tools the model may call (agent mode); each runs here through `chat/toolCall`. */
  tools?: ToolDefinition[];
  toolChoice?: 'auto' | 'none' | { name: string };
  /** Model calls allowed in the turn (default 20, at most 100). */
  maxSteps?: number;
  /** false: the model's tool calls are returned (`pendingToolCalls`), not run through `chat/toolCall`. */
  runTools?: boolean;
  /** false: the turn is not stored in EditorAssist's chat history. */
  saveHistory?: boolean;
}

/** A tool offered to the model: `parameters` is a JSON Schema of its arguments object. */
export interface ToolDefinition {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/** One tool call of a turn. `arguments` is the parsed object, or the model's text when it did not parse. */
export interface ToolCallInfo {
  id: string;
  name: string;
  arguments: Record<string, unknown> | string;
  result: string;
  isError: boolean;
}

/** Server → client request: run a client-side tool. */
export interface ToolCallParams {
  streamId: string;
  callId: string;
  name: string;
  arguments: Record<string, unknown>;
}

/** The answer to `chat/toolCall`; a refusal is `{ content: 'denied by the user', isError: true, denied: true }`. */
export interface ToolCallResult {
  content: string;
  isError?: boolean;
  denied?: boolean;
}

/** Server → client request: may this MCP tool call run? (`name` is what the model called, `tool` the server's own name.) */
export interface ToolApprovalParams {
  streamId: string;
  callId: string;
  server: string;
  name: string;
  tool: string;
  arguments: Record<string, unknown>;
}

/** The answer to `chat/toolApproval`; `always`: do not ask again for this server in this chat. */
export interface ToolApprovalResult {
  approved: boolean;
  always?: boolean;
}

/** One MCP server as the user lists it in `editorAssist.mcpServers`: a stdio `command` or an HTTP `url`. */
export interface McpServerConfig {
  name: string;
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
  url?: string;
  headers?: Record<string, string>;
  trusted?: boolean;
}

export type McpServerState = 'connecting' | 'ready' | 'failed';

/** A server in `mcp/list` / `mcp/didChange` (never with its env or headers). */
export interface McpServerInfo {
  name: string;
  transport: 'stdio' | 'http';
  privacy: 'local' | 'cloud';
  trusted: boolean;
  state: McpServerState;
  error?: string;
  /** 1018 McpServerRefused: a cloud server while local-only mode is on. */
  errorCode?: number;
  tools: { name: string; tool: string; description: string }[];
}

export type ToolState = 'requested' | 'running' | 'done' | 'denied' | 'failed';

/** Server → client notification: a tool call changed state. */
export interface ToolStatusParams {
  streamId: string;
  callId: string;
  name: string;
  state: ToolState;
  arguments?: Record<string, unknown> | string;
  /** The start of the result (done/denied/failed). */
  result?: string;
}

export interface ChatSendResult {
  sessionId: string;
  content: string;
  /** Also `toolCalls` with `runTools: false` (pendingToolCalls); the chat view never asks for that. */
  finishReason: 'stop' | 'length' | 'cancelled' | 'stepLimit';
  /** The tool calls run in this turn (absent: none). */
  toolCalls?: ToolCallInfo[];
  /** With `runTools: false`: the calls the model made, for the caller to run (finishReason `toolCalls`). */
  pendingToolCalls?: PendingToolCall[];
  /** Model calls made in this turn. */
  steps?: number;
  usage?: { promptTokens: number; completionTokens: number; cachedTokens?: number };
  timings?: { ttftMs: number; totalMs: number; tokensPerSecond: number };
  model?: string;
  privacy?: 'onDevice' | 'loopback' | 'cloud';
  /** Earlier messages the sidecar left out to fit the model's context (absent when none). */
  trimmedMessages?: number;
  /** The context they were left out to fit. */
  contextLength?: number;
  /** The model's thinking in this turn, apart from `content` (absent when none). Never sent back to the model. */
  reasoning?: string;
}

/** A stored conversation (`chat/sessions`), newest first. Times are ISO 8601. */
export interface ChatSessionInfo {
  id: string;
  title: string;
  model?: string;
  createdAt: string;
  updatedAt: string;
  messageCount: number;
}

export interface StoredChatMessage {
  seq: number;
  role: ChatRole;
  content: string;
  model?: string;
  finishReason?: string;
  createdAt: string;
  /** Assistant messages: the thinking shown with this answer (absent when none). */
  reasoning?: string;
  /** Assistant messages of an agent turn: the tool calls made during it, in order (absent when none). */
  toolCalls?: ToolCallInfo[];
}

export interface ChatSessionResult {
  session: ChatSessionInfo;
  messages: StoredChatMessage[];
}

/** Server → client notification, before the `chat/send` response. */
export interface ChatDeltaParams {
  streamId: string;
  /** A piece of the answer ("" when this notification carries thinking). */
  delta: string;
  /** A piece of the model's thinking, shown apart from the answer. */
  reasoning?: string;
}

// ---- inline completion ----------------------------------------------------------------

export interface InlineCompletionParams {
  uri: string;
  languageId?: string;
  /** Text before the cursor (the sidecar windows it by lines itself). */
  prefix: string;
  /** Text after the cursor. */
  suffix?: string;
  /** Chunks of other files (recently edited or visible), deduplicated by the client. */
  extraContext?: { uri: string; text: string }[];
  /** A model ref (local, or a remote provider with fill-in-the-middle); absent: the sidecar's `completion.model` setting. */
  model?: string;
  maxTokens?: number;
  timeBudgetMs?: number;
}

export interface InlineCompletionTimings {
  cachedTokens: number;
  evaluatedTokens: number;
  ttftMs: number;
  totalMs: number;
  fromCache: boolean;
  timedOut: boolean;
}

export interface InlineCompletionResult {
  items: { text: string }[];
  timings: InlineCompletionTimings;
  model: string;
  /** Where the code went, on answers from a remote provider; absent on the device. */
  privacy?: 'loopback' | 'cloud';
}

// ---- errors -----------------------------------------------------------------------------

/** Stable error codes (PROTOCOL.md). The client branches on these, never on message text. */
export const ErrorCodes = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  ServerNotInitialized: -32002,
  RequestCancelled: -32800,
  ModelNotFound: 1001,
  ModelNotDownloaded: 1002,
  ProviderUnavailable: 1003,
  ApiKeyMissing: 1004,
  ApiKeyRejected: 1005,
  RateLimited: 1006,
  ContextLengthExceeded: 1007,
  InsufficientMemory: 1008,
  InsufficientDisk: 1009,
  DownloadFailed: 1010,
  ChecksumMismatch: 1011,
  InvalidModelFile: 1012,
  PolicyViolation: 1013,
  QuotaExceeded: 1014,
  ModelBusy: 1015,
  StorageUnavailable: 1016,
  FimNotSupported: 1017,
  McpServerRefused: 1018,
} as const;

/**
 * A typed request: method name plus phantom param/result types, so a call site reads
 * `sidecar.request(Requests.systemInfo, undefined)` and gets `SystemInfo` back.
 */
export interface RequestDef<P, R> {
  readonly method: string;
  readonly _types?: [P, R];
}
export interface NotificationDef<P> {
  readonly method: string;
  readonly _types?: P;
}

const request = <P, R>(method: string): RequestDef<P, R> => ({ method });
const notification = <P>(method: string): NotificationDef<P> => ({ method });

export const Requests = {
  initialize: request<InitializeParams, InitializeResult>(Methods.initialize),
  shutdown: request<void, null>(Methods.shutdown),
  settingsUpdate: request<SettingsUpdateParams, Record<string, never>>(Methods.settingsUpdate),
  settingsGet: request<void, { settings: Record<string, unknown> }>(Methods.settingsGet),
  systemInfo: request<void, SystemInfo>(Methods.systemInfo),
  chatSend: request<ChatSendParams, ChatSendResult>(Methods.chatSend),
  chatSessions: request<void, ChatSessionInfo[]>(Methods.chatSessions),
  chatSession: request<{ sessionId: string }, ChatSessionResult>(Methods.chatSession),
  chatDeleteSession: request<{ sessionId: string }, { deleted: boolean }>(Methods.chatDeleteSession),
  modelsLoad: request<ModelsLoadParams, ModelsLoadResult>(Methods.modelsLoad),
  providersList: request<{ check?: boolean }, ProviderInfo[]>(Methods.providersList),
  providersSetApiKey: request<{ providerId: string; apiKey: string | null }, Record<string, never>>(Methods.providersSetApiKey),
  providersConfigure: request<{ providerId: string; baseUrl?: string }, ProviderInfo>(Methods.providersConfigure),
  modelsSetHuggingFaceToken: request<{ token: string | null }, Record<string, never>>(Methods.modelsSetHuggingFaceToken),
  modelsList: request<{ providerId?: string; refresh?: boolean }, ModelsListResult>(Methods.modelsList),
  modelsCatalog: request<void, CatalogEntry[]>(Methods.modelsCatalog),
  modelsDownload: request<DownloadParams, DownloadResult>(Methods.modelsDownload),
  modelsDownloads: request<void, DownloadInfo[]>(Methods.modelsDownloads),
  modelsCancelDownload: request<{ id: string }, Record<string, never>>(Methods.modelsCancelDownload),
  modelsPauseDownload: request<{ id: string }, Record<string, never>>(Methods.modelsPauseDownload),
  modelsResumeDownload: request<{ id: string }, Record<string, never>>(Methods.modelsResumeDownload),
  modelsDelete: request<{ ref: string }, { freedBytes: number }>(Methods.modelsDelete),
  modelsUnload: request<{ ref: string }, Record<string, never>>(Methods.modelsUnload),
  storageInfo: request<void, StorageInfo>(Methods.storageInfo),
  storageEvict: request<EvictParams, EvictResult>(Methods.storageEvict),
  routerGet: request<void, RouterPolicy>(Methods.routerGet),
  routerSet: request<RouterPolicy, RouterPolicy>(Methods.routerSet),
  completionInline: request<InlineCompletionParams, InlineCompletionResult>(Methods.completionInline),
  modelsConfigure: request<ConfigureModelParams, ConfigureModelResult>(Methods.modelsConfigure),
  metricsGet: request<{ ref?: string }, MetricsResult>(Methods.metricsGet),
  modelsCountTokens: request<{ ref: string; texts: string[] }, { counts: number[]; exact: boolean }>(Methods.modelsCountTokens),
  mcpConfigure: request<{ servers: McpServerConfig[] }, { servers: McpServerInfo[] }>(Methods.mcpConfigure),
  mcpList: request<{ wait?: boolean }, { servers: McpServerInfo[] }>(Methods.mcpList),
} as const;

/** runtime/didChangeState: what the local runtime is doing with a model. */
export interface RuntimeStateParams {
  ref: string;
  state: 'loading' | 'ready' | 'generating' | 'idle' | 'error';
  detail?: string;
}

export const Notifications = {
  initialized: notification<InitializedParams>(Methods.initialized),
  exit: notification<void>(Methods.exit),
  chatDelta: notification<ChatDeltaParams>(Methods.chatDelta),
  chatToolStatus: notification<ToolStatusParams>(Methods.chatToolStatus),
  mcpDidChange: notification<{ server: McpServerInfo }>(Methods.mcpDidChange),
  runtimeDidChangeState: notification<RuntimeStateParams>(Methods.runtimeDidChangeState),
} as const;
