// The contract between the chat controller and the tools (free of `vscode`): what the controller
// offers the model, and how a call asks the user before it writes or runs anything.
import type { ToolCallParams, ToolCallResult, ToolDefinition } from '../protocol';
import type { CancellationLike } from '../sidecar/connection';

/** What needs the user's yes: an edit or a new file (shown as a diff), a command (shown exactly), or a tool of an MCP server. */
export type ApprovalKind = 'edit' | 'create' | 'command' | 'mcp';

export interface ApprovalRequest {
  kind: ApprovalKind;
  /** What the user approves: the file, or the exact command line. */
  detail: string;
  /** A diff of the change can be opened (edits and new files). */
  hasDiff?: boolean;
  /** What "allow for this chat" covers; default: the kind (every edit, every command). MCP: one server. */
  scope?: string;
}

/** once: this call; chat: this and later calls of the same kind until the chat is cleared; deny. */
export type Decision = 'once' | 'chat' | 'deny';

export interface ToolRunContext {
  approve(request: ApprovalRequest): Promise<Decision>;
}

export type { CancellationLike };

export interface ToolHost {
  /** The tools to offer with chat/send, or undefined when agent mode is off. */
  definitions(): ToolDefinition[] | undefined;
  run(call: ToolCallParams, context: ToolRunContext, token: CancellationLike): Promise<ToolCallResult>;
  /** Shows the diff of a proposed edit again (the chat's diff link). */
  openDiff?(callId: string): void;
}

export const DENIED: ToolCallResult = { content: 'denied by the user', isError: true, denied: true };
