// The "Select Model" list: pure grouping of what the sidecar reports, so it is unit-tested;
// a QuickPick renders the entries. Groups: Local (downloaded), Available to download
// (catalog), then one group per API provider, with key status and privacy.
import type { CatalogEntry, FitVerdict, ModelInfo, ProviderInfo } from '../protocol';
import { allowedInLocalOnly, describePrivacy } from '../privacy/privacy';
import { formatBytes } from '../system/format';
import { hostPrivacyText } from '../host/consent';

export type PickerAction =
  | { type: 'use'; ref: string }
  | { type: 'download'; catalogId: string }
  | { type: 'setKeyThenUse'; providerId: string; ref: string };

export type PickerEntry =
  | { kind: 'separator'; label: string }
  | { kind: 'item'; label: string; description?: string; detail?: string; picked?: boolean; action: PickerAction };

const FIT: Record<FitVerdict, string> = {
  fullGpu: 'fits on the GPU',
  partialGpu: 'partly on the GPU',
  cpuOnly: 'CPU only',
  tooLarge: 'too large for this machine',
};

export interface PickerInput {
  providers: ProviderInfo[];
  models: ModelInfo[];
  catalog: CatalogEntry[];
  localOnly: boolean;
  activeRef?: string;
}

export function buildModelPicker({ providers, models, catalog, localOnly, activeRef }: PickerInput): PickerEntry[] {
  const out: PickerEntry[] = [];
  const byId = new Map(providers.map((p) => [p.id, p]));

  const local = models.filter((m) => m.local && byId.get(m.providerId)?.kind !== 'remote')
    .sort((a, b) => Number(b.local!.loaded) - Number(a.local!.loaded) || (b.local!.lastUsed ?? '').localeCompare(a.local!.lastUsed ?? '') || a.displayName.localeCompare(b.displayName));
  if (local.length) {
    out.push({ kind: 'separator', label: 'Local' });
    for (const m of local) {
      out.push({
        kind: 'item', label: m.displayName, picked: m.ref === activeRef,
        description: [formatBytes(m.local!.sizeBytes), m.local!.quant, m.local!.loaded ? 'loaded' : ''].filter(Boolean).join(' · '),
        action: { type: 'use', ref: m.ref },
      });
    }
  }

  const downloaded = new Set(local.map((m) => m.id));
  const available = catalog.filter((c) => !downloaded.has(c.id));
  if (available.length) {
    out.push({ kind: 'separator', label: 'Available to download' });
    for (const c of available) {
      out.push({
        kind: 'item', label: c.displayName,
        description: `${formatBytes(c.sizeBytes)} · ${c.quant} · ${FIT[c.fit.verdict]}`,
        detail: `${c.repo} · ${c.license}`,
        action: { type: 'download', catalogId: c.id },
      });
    }
  }

  for (const p of providers.filter((p) => p.kind === 'remote' || !models.some((m) => m.providerId === p.id && m.local))) {
    if (localOnly && !allowedInLocalOnly(p.privacy)) continue;
    const ms = models.filter((m) => m.providerId === p.id && !m.local);
    if (!ms.length) continue;
    const key = !p.requiresApiKey ? '' : p.hasApiKey ? 'API key set' : 'needs an API key';
    const privacy = describePrivacy(p.privacy, p.displayName);
    out.push({ kind: 'separator', label: [p.displayName, key, privacy.badge].filter(Boolean).join(' · ') });
    for (const m of ms) {
      out.push({
        kind: 'item', label: m.displayName, picked: m.ref === activeRef,
        // VS Code's models (provider host): vendor and family, and where that vendor sends the text.
        description: m.host ? `${m.host.vendor} · ${m.host.family}` : m.ref, detail: m.host ? hostPrivacyText(m.host.vendor) : privacy.text,
        action: p.requiresApiKey && !p.hasApiKey ? { type: 'setKeyThenUse', providerId: p.id, ref: m.ref } : { type: 'use', ref: m.ref },
      });
    }
  }
  return out;
}
