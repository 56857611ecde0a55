// The shapes of the host provider's messages (docs/PROTOCOL.md, "The editor's models"); the method
// names are in ../protocol.ts's Methods. Types and constants only.
import { Methods, type NotificationDef } from '../protocol';

/** One of VS Code's chat models, as reported to the sidecar. */
export interface HostModelInfo {
  vendor: string;
  id: string;
  name: string;
  family: string;
  version?: string;
  maxInputTokens?: number;
  /** Whether the model takes tools; absent when VS Code does not say. */
  toolCalling?: boolean;
}

export interface HostToolCall {
  callId: string;
  name: string;
  input: object;
}

export interface HostMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  toolCalls?: HostToolCall[];
  toolCallId?: string;
  isError?: boolean;
}

export interface HostChatParams {
  streamId: string;
  model: { vendor: string; id: string };
  messages: HostMessage[];
  tools?: { name: string; description: string; inputSchema: object }[];
  toolMode?: 'auto' | 'required';
}

export interface HostChatResult {
  /** How many host/delta notifications were sent for this request. */
  deltas: number;
  finishReason?: 'stop' | 'length' | 'toolCalls';
  toolCalls?: HostToolCall[];
}

export const HostNotifications = {
  didChangeModels: { method: Methods.hostDidChangeModels } as NotificationDef<{ models: HostModelInfo[] }>,
  delta: { method: Methods.hostDelta } as NotificationDef<{ streamId: string; delta: string }>,
} as const;

/** The vendor EditorAssist contributes its own models under: never offered back to the sidecar (a loop). */
export const OWN_VENDOR = 'editorassist';
