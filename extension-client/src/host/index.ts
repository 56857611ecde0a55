// The host provider's extension side, vscode-free (the unit tests load this bundle).
export { HostBridge, toLmMessages, toResponseError, type HostSidecar } from './bridge';
export { hostModelsApi, supportsToolParts, type LmApi } from './lmApi';
export { registerHostModels } from './register';
export { hostConsentSubject, hostPrivacyText, isHostRef, HOST_PROVIDER_ID } from './consent';
export * from './hostProtocol';
export { chooseRouting, ROUTING_CHOICES } from './routing';
