// The chat's line when the sidecar left earlier messages out to fit the model's context
// (chat/send's trimmedMessages). Pure: unit-tested.
import type { ChatSendResult } from '../protocol';

export function trimmedNotice(result: Pick<ChatSendResult, 'trimmedMessages' | 'contextLength'>): string | undefined {
  const n = result.trimmedMessages ?? 0;
  if (n <= 0) return undefined;
  const context = result.contextLength ? `the model's ${result.contextLength.toLocaleString('en-US')}-token context` : "the model's context";
  return `${n} earlier message${n === 1 ? '' : 's'} left out to fit ${context}.`;
}
