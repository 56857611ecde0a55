// The sidecar layer's public surface (vscode-free; the unit tests load this bundle).
export { SidecarError, type SidecarErrorKind } from './errors';
export { Emitter, type Disposable, type Event } from './events';
export { realTimers, type Timers } from './timers';
export { locateSidecar, sidecarCommand, sidecarExecutableName, SIDECAR_DLL, SIDECAR_ENV, type LocatedSidecar, type SidecarSource } from './locate';
export {
  SidecarSupervisor,
  logSidecarLine,
  type SidecarFailure,
  type SidecarLaunch,
  type SidecarLog,
  type SidecarState,
  type SupervisorOptions,
} from './supervisor';
export { formatSystemInfo } from '../system/format';
export * as protocol from '../protocol';
export { ChatController, withContext, type ChatContext, type ChatTransport } from '../chat/controller';
export { chatBodyHtml } from '../chat/html';
export { isOpenableUrl, parseFromWebview } from '../chat/messages';
export { buildModelPicker, type PickerEntry } from '../models/picker';
export { DownloadProgressMapper, formatDuration } from '../models/progress';
export { CloudConsent, CompletionCloudGate, allowedInLocalOnly, describePrivacy } from '../privacy/privacy';
export { ProgressHub } from '../models/progressHub';
export { loadPickerInput } from '../models/pickerData';
export { providerOf } from '../providers/refs';
export { ApiKeys, HUGGING_FACE, secretKeyFor } from '../keys/apiKeys';
export { applyBaseUrls, planBaseUrls } from '../providers/baseUrls';
export { chooseModel } from '../models/chooseModel';
export { runDownload } from '../models/download';
export { historyRows } from '../chat/historyItems';
export { buildDownloadPick, describeFit, describeRoles, parseModelInput, usesAfterDownload, HF_ITEM_LABEL } from '../models/downloadPick';
export {
  buildManageList, deleteModel, describeEviction, describeLastUse, describeStorage, freeUpSpace, loadManageInput, modelOps, parseSpace,
  runDownloadOp, suggestedSpace,
} from '../models/manage';
export { describeTarget } from '../models/download';
export { affectsSidecarSettings, changedAtStartSettings, checkHuggingFaceEndpoint, pushSidecarSettings, sidecarSettings } from './settings';
export { describeError, isAccessRefused, isInterruptedDownload } from '../ui/errors';
export { ModelActivity, describeStatus } from '../models/activity';
export { ActiveModel, ACTIVE_MODEL_KEY, CHAT_MODEL_SETTING } from '../models/activeModel';
export { PausedByUser, interruptedDownloads, targetOf } from '../models/interrupted';
export { confine, gitignoreMatcher, globToRegExp, ToolError } from '../tools/confine';
export { runShell } from '../tools/shell';
export { describeParam, fieldsFor, formatParam, parseParam, splitStops, PARAM_FIELDS } from '../models/settings';
export { renderPerformance, sparkline, summary, PERFORMANCE_COLUMNS } from '../performance/render';
export { trimmedNotice } from '../chat/contextNotice';
