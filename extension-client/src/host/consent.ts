// Consent for VS Code's models is asked once per vendor, not once for "VS Code": the vendor is who
// receives the code (Copilot's models go to GitHub, another extension's to its own service).
import type { ProviderInfo } from '../protocol';

export const HOST_PROVIDER_ID = 'host';

/** Whether a ref names one of VS Code's models (`host/<vendor>/<id>`). */
export function isHostRef(ref: string): boolean {
  return ref.startsWith(`${HOST_PROVIDER_ID}/`) && ref.indexOf('/', HOST_PROVIDER_ID.length + 1) > HOST_PROVIDER_ID.length + 1;
}

/**
 * What the cloud consent is asked and remembered for: for a VS Code model, its vendor (id
 * `host:<vendor>`), named so the dialog says where the code goes; any other provider as it is.
 */
export function hostConsentSubject(provider: ProviderInfo, ref: string): ProviderInfo {
  if (provider.id !== HOST_PROVIDER_ID || !isHostRef(ref)) return provider;
  const vendor = ref.slice(HOST_PROVIDER_ID.length + 1, ref.indexOf('/', HOST_PROVIDER_ID.length + 1));
  return { ...provider, id: `${HOST_PROVIDER_ID}:${vendor}`, displayName: `${vendor} (a VS Code model)` };
}

/** The picker's line for a VS Code model: where its text goes. */
export function hostPrivacyText(vendor: string): string {
  return `Served through VS Code by ${vendor}: prompts and code go wherever ${vendor} runs the model.`;
}
