// The rows of "EditorAssist: Chat History…" built from `chat/sessions`: vscode-free, so the
// wording and ordering are unit-tested. The QuickPick itself is in history.ts.
import type { ChatSessionInfo } from '../protocol';

export interface HistoryRow {
  sessionId: string;
  label: string;
  description: string;
  detail: string;
  current: boolean;
}

/** Newest first (as the sidecar sends them); the open conversation is marked. */
export function historyRows(sessions: readonly ChatSessionInfo[], currentId: string | undefined, now = new Date()): HistoryRow[] {
  return sessions.map((s) => ({
    sessionId: s.id,
    label: (s.id === currentId ? '$(comment-discussion) ' : '') + (s.title.trim() || 'Untitled conversation'),
    description: [s.model, `${s.messageCount} message${s.messageCount === 1 ? '' : 's'}`].filter(Boolean).join(' · '),
    detail: `${s.id === currentId ? 'Open now · ' : ''}last message ${ago(new Date(s.updatedAt), now)}`,
    current: s.id === currentId,
  }));
}

/** "just now", "5 minutes ago", "3 hours ago", "2 days ago", then the date. */
export function ago(then: Date, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - then.getTime()) / 1000));
  if (!Number.isFinite(s)) return 'at an unknown time';
  if (s < 60) return 'just now';
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'} ago`;
  if (s < 3600) return unit(Math.floor(s / 60), 'minute');
  if (s < 86_400) return unit(Math.floor(s / 3600), 'hour');
  if (s < 7 * 86_400) return unit(Math.floor(s / 86_400), 'day');
  return `on ${then.toISOString().slice(0, 10)}`;
}
