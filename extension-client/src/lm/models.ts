// Which EditorAssist models VS Code's chat and the vscode.lm API see, and how they are described.
// vscode-free (unit-tested): built from providers/list, models/list and router/get.
import type { ModelInfo, ProviderInfo } from '../protocol';
import { allowedInLocalOnly, describePrivacy } from '../privacy/privacy';

/** What VS Code's LanguageModelChatInformation needs, plus what a request needs to know about the model. */
export interface LmModel {
  id: string;
  name: string;
  family: string;
  version: string;
  detail?: string;
  tooltip?: string;
  maxInputTokens: number;
  maxOutputTokens: number;
  capabilities: { toolCalling: boolean; imageInput: boolean };
  /** Shown in the model picker (VS Code reads it even though the final API's d.ts does not declare it). */
  isUserSelectable: boolean;
  /** Ours: the sidecar ref, its provider, and whether a local tokenizer counts for it. */
  ref: string;
  providerId: string;
  local: boolean;
}

/** A context length for models whose list names none: small enough not to overflow most servers. */
export const DEFAULT_CONTEXT = 8192;

/**
 * The models to offer: chat models of providers that can serve now — local models, servers on this
 * machine that answered, cloud providers with a key. In local-only mode cloud models are left out
 * (the sidecar would refuse them anyway, 1013).
 */
export function lmModels(providers: ProviderInfo[], models: ModelInfo[], localOnly: boolean): LmModel[] {
  const byId = new Map(providers.map((p) => [p.id, p]));
  const out: LmModel[] = [];
  for (const m of models) {
    const p = byId.get(m.providerId);
    if (!p || !p.capabilities.chat || !m.roles.includes('chat')) continue;
    if (localOnly && !allowedInLocalOnly(p.privacy)) continue;
    if (p.requiresApiKey && !p.hasApiKey) continue;
    if (p.kind !== 'local' && p.availability === 'no') continue;
    const context = m.contextLength && m.contextLength > 0 ? m.contextLength : DEFAULT_CONTEXT;
    const maxOutputTokens = Math.max(256, Math.min(4096, Math.floor(context / 2)));
    const privacy = describePrivacy(p.privacy, p.displayName);
    out.push({
      id: m.ref,
      name: m.displayName || m.id,
      family: p.id,
      version: m.id,
      detail: p.privacy === 'cloud' ? `${p.displayName} · Cloud` : p.kind === 'local' ? 'Local' : `${p.displayName} · this machine`,
      tooltip: `EditorAssist: ${m.ref}. ${privacy.text}`,
      maxInputTokens: Math.max(256, context - maxOutputTokens),
      maxOutputTokens,
      capabilities: { toolCalling: p.capabilities.tools, imageInput: false },
      isUserSelectable: true,
      ref: m.ref,
      providerId: p.id,
      local: p.kind === 'local',
    });
  }
  return out;
}
