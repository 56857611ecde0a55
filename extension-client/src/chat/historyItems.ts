// The rows of "EditorAssist: Chat History…" built from `chat/sessions`: vscode-free, so the
// wording and ordering are unit-tested. The QuickPick itself is in history.ts.
import type { ChatSessionInfo } from '../protocol';
import { timeAgo } from '../system/format';

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
    detail: `${s.id === currentId ? 'Open now · ' : ''}last message ${timeAgo(new Date(s.updatedAt), now) ?? 'at an unknown time'}`,
    current: s.id === currentId,
  }));
}
