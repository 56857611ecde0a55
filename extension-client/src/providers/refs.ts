// Model refs are `<provider id>/<model id>` (docs/PROTOCOL.md). Helpers on them, vscode-free, with
// no imports of feature code, so the picker, privacy and routing can all depend on them.
import type { ProviderInfo } from '../protocol';

/** The provider a model ref belongs to, if it is one of `providers`. */
export function providerOf(ref: string, providers: ProviderInfo[]): ProviderInfo | undefined {
  const id = ref.slice(0, ref.indexOf('/'));
  return providers.find((p) => p.id === id);
}
