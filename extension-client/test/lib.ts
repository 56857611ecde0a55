// What the unit tests load (bundled by support.mjs with esbuild): the vscode-free modules of the
// extension. It lives with the tests, so the product build never carries it.
export { SidecarError, type SidecarErrorKind } from '../src/sidecar/errors';
export { Emitter, type Disposable, type Event } from '../src/sidecar/events';
export { realTimers, type Timers } from '../src/sidecar/timers';
export { locateSidecar, sidecarCommand, sidecarExecutableName, SIDECAR_DLL, SIDECAR_ENV, type LocatedSidecar, type SidecarSource } from '../src/sidecar/locate';
export {
  SidecarSupervisor,
  logSidecarLine,
  type SidecarFailure,
  type SidecarLaunch,
  type SidecarLog,
  type SidecarState,
  type SupervisorOptions,
} from '../src/sidecar/supervisor';
export { formatSystemInfo } from '../src/system/format';
export * as protocol from '../src/protocol';
export { ChatController, withContext, type ChatContext, type ChatTransport } from '../src/chat/controller';
export { chatBodyHtml } from '../src/chat/html';
export { isOpenableUrl, parseFromWebview } from '../src/chat/messages';
export { buildModelPicker, type PickerEntry } from '../src/models/picker';
export { DownloadProgressMapper, formatDuration } from '../src/models/progress';
export { CloudConsent, CompletionCloudGate, allowedInLocalOnly, describePrivacy } from '../src/privacy/privacy';
export { ProgressHub } from '../src/models/progressHub';
export { loadPickerInput } from '../src/models/pickerData';
export { providerOf } from '../src/providers/refs';
export { ApiKeys, HUGGING_FACE, secretKeyFor } from '../src/keys/apiKeys';
export { applyBaseUrls, planBaseUrls } from '../src/providers/baseUrls';
export { chooseModel } from '../src/models/chooseModel';
export { runDownload } from '../src/models/download';
export { historyRows } from '../src/chat/historyItems';
export { buildDownloadPick, describeFit, describeRoles, parseModelInput, usesAfterDownload, HF_ITEM_LABEL } from '../src/models/downloadPick';
export {
  buildManageList, deleteModel, describeEviction, describeLastUse, describeStorage, freeUpSpace, loadManageInput, modelOps, parseSpace,
  runDownloadOp, suggestedSpace,
} from '../src/models/manage';
export { describeTarget } from '../src/models/download';
export { affectsSidecarSettings, changedAtStartSettings, checkHuggingFaceEndpoint, pushSidecarSettings, sidecarSettings } from '../src/sidecar/settings';
export { describeError, isAccessRefused, isInterruptedDownload } from '../src/ui/errors';
export { ModelActivity, describeStatus } from '../src/models/activity';
export { ActiveModel, ACTIVE_MODEL_KEY, CHAT_MODEL_SETTING } from '../src/models/activeModel';
export { PausedByUser, interruptedDownloads, targetOf } from '../src/models/interrupted';
export { confine, gitignoreMatcher, globToRegExp, ToolError } from '../src/tools/confine';
export { runShell } from '../src/tools/shell';
export { describeParam, fieldsFor, formatParam, parseParam, splitStops, PARAM_FIELDS } from '../src/models/settings';
export { renderPerformance, sparkline, summary, PERFORMANCE_COLUMNS } from '../src/performance/render';
export { trimmedNotice } from '../src/chat/contextNotice';
export { cloudHostOf, describeConfig, describeChange, mcpConsentKey, mcpPickItems, parseMcpSetting, pushMcpServers, showMcpServers, wireMcp, OPEN_SETTING_LABEL } from '../src/mcp/servers';
