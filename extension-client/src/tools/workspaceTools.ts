// The built-in workspace tools of agent mode (USER_GUIDE.md, "Agent mode"): read a file, list files,
// search text, read a file's problems, propose an edit, create a file, run a command. Reads are
// confined to the workspace (confine.ts); edits, new files and commands run only after the user's
// approval, edits and new files after showing the diff. Accepted edits are one WorkspaceEdit each,
// so one Undo reverts one.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ToolCallParams, ToolCallResult, ToolDefinition } from '../protocol';
import { confine, gitignoreMatcher, globToRegExp, ToolError, type Confined } from './confine';
import { DENIED, type CancellationLike, type ToolHost, type ToolRunContext } from './host';
import { runShell } from './shell';

export const PROPOSAL_SCHEME = 'editorassist-proposal';
const MAX_READ_CHARS = 100_000;
const MAX_LIST = 500;
const MAX_MATCHES = 200;

const obj = (properties: Record<string, unknown>, required: string[]) => ({ type: 'object', properties, required });

export const WORKSPACE_TOOLS: ToolDefinition[] = [
  { name: 'read_file', description: 'Reads a text file of the workspace (path relative to the workspace folder). Optional 1-based line range.',
    parameters: obj({ path: { type: 'string' }, startLine: { type: 'integer' }, endLine: { type: 'integer' } }, ['path']) },
  { name: 'list_files', description: 'Lists workspace files matching a glob such as "src/**/*.ts" (at most 500).',
    parameters: obj({ glob: { type: 'string' } }, ['glob']) },
  { name: 'search_text', description: 'Searches the workspace files for a text (or a regular expression); returns path:line: text.',
    parameters: obj({ query: { type: 'string' }, isRegex: { type: 'boolean' }, glob: { type: 'string' } }, ['query']) },
  { name: 'get_diagnostics', description: 'Returns the problems (errors, warnings) VS Code reports for a file.',
    parameters: obj({ path: { type: 'string' } }, ['path']) },
  { name: 'propose_edit', description: 'Proposes replacing oldText (which must occur exactly once) by newText in a file. The user reviews the diff and accepts or rejects it.',
    parameters: obj({ path: { type: 'string' }, oldText: { type: 'string' }, newText: { type: 'string' } }, ['path', 'oldText', 'newText']) },
  { name: 'create_file', description: 'Proposes a new file with the given content. The user reviews and accepts or rejects it.',
    parameters: obj({ path: { type: 'string' }, content: { type: 'string' } }, ['path', 'content']) },
  { name: 'run_command', description: 'Runs a shell command in the workspace folder after the user confirms it; returns its output and exit code.',
    parameters: obj({ command: { type: 'string' } }, ['command']) },
];

/** Proposed contents shown on the right side of review diffs (read-only virtual documents). */
export class ProposalDocuments implements vscode.TextDocumentContentProvider {
  private readonly contents = new Map<string, string>();
  readonly diffs = new Map<string, { left: vscode.Uri; right: vscode.Uri; title: string }>();
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }
  set(callId: string, relative: string, content: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: `/${callId}/${relative}` });
    this.contents.set(uri.toString(), content);
    return uri;
  }
}

export class WorkspaceTools implements ToolHost {
  constructor(private readonly proposals: ProposalDocuments, private readonly terminalOutput: (line: string) => void = () => undefined) {}

  definitions(): ToolDefinition[] | undefined {
    return vscode.workspace.getConfiguration('editorAssist.chat').get<boolean>('agentMode') ? WORKSPACE_TOOLS : undefined;
  }

  openDiff(callId: string): void {
    const d = this.proposals.diffs.get(callId);
    if (d) void vscode.commands.executeCommand('vscode.diff', d.left, d.right, d.title, { preview: true });
  }

  async run(call: ToolCallParams, context: ToolRunContext, token: CancellationLike): Promise<ToolCallResult> {
    try {
      const a = call.arguments ?? {};
      switch (call.name) {
        case 'read_file': return { content: this.readFile(a) };
        case 'list_files': return { content: await this.listFiles(a) };
        case 'search_text': return { content: await this.searchText(a) };
        case 'get_diagnostics': return { content: this.diagnostics(a) };
        case 'propose_edit': return await this.proposeEdit(call.callId, a, context);
        case 'create_file': return await this.createFile(call.callId, a, context);
        case 'run_command': return await this.runCommand(a, context, token);
        default: return { content: `Unknown tool '${call.name}'.`, isError: true };
      }
    } catch (e) {
      if (e instanceof ToolError) return { content: e.message, isError: true };
      return { content: `The tool failed: ${e instanceof Error ? e.message : String(e)}`, isError: true };
    }
  }

  private roots(): string[] {
    return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  }

  /** .gitignore (each folder's root file) and files.exclude, as one predicate. */
  private isIgnored = (relative: string, root: string): boolean => {
    const excludes = vscode.workspace.getConfiguration('files', vscode.Uri.file(root)).get<Record<string, boolean>>('exclude') ?? {};
    for (const [glob, on] of Object.entries(excludes)) {
      if (!on) continue;
      const re = globToRegExp(glob);
      const parts = relative.split('/');
      for (let n = 1; n <= parts.length; n++) if (re.test(parts.slice(0, n).join('/'))) return true;
    }
    let gitignore = '';
    try { gitignore = readFileSync(path.join(root, '.gitignore'), 'utf8'); } catch { /* none */ }
    return gitignore !== '' && gitignoreMatcher(gitignore)(relative);
  };

  private confine(p: unknown): Confined {
    return confine(this.roots(), p, { isIgnored: this.isIgnored });
  }

  private readFile(a: Record<string, unknown>): string {
    const target = this.confine(a.path);
    const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === target.absolute);
    let text: string;
    try { text = open ? open.getText() : readFileSync(target.absolute, 'utf8'); } catch { throw new ToolError(`'${target.relative}' does not exist or is not a readable file.`); }
    if (text.includes('\0')) throw new ToolError(`'${target.relative}' is a binary file.`);
    const lines = text.split(/\r?\n/);
    const start = Math.max(1, Number.isInteger(a.startLine) ? (a.startLine as number) : 1);
    const end = Math.min(lines.length, Number.isInteger(a.endLine) ? (a.endLine as number) : lines.length);
    let body = lines.slice(start - 1, end).join('\n');
    if (body.length > MAX_READ_CHARS) body = `${body.slice(0, MAX_READ_CHARS)}\n[… cut: read a line range to see more]`;
    return start === 1 && end === lines.length ? body : `(lines ${start}-${end} of ${lines.length})\n${body}`;
  }

  private async findFiles(glob: unknown, limit: number): Promise<Confined[]> {
    if (typeof glob !== 'string' || glob === '' || glob.split(/[\\/]/).includes('..')) throw new ToolError('glob must be a relative pattern without "..".');
    // exclude undefined: VS Code applies files.exclude; .gitignore and symlink escapes are checked per file.
    const uris = await vscode.workspace.findFiles(glob, undefined, limit * 2);
    const out: Confined[] = [];
    for (const u of uris) {
      try { out.push(this.confine(u.fsPath)); } catch { /* hidden or outside */ }
      if (out.length >= limit) break;
    }
    return out.sort((x, y) => x.relative.localeCompare(y.relative));
  }

  private async listFiles(a: Record<string, unknown>): Promise<string> {
    const files = await this.findFiles(a.glob, MAX_LIST);
    return files.length ? files.map((f) => f.relative).join('\n') : 'No files match.';
  }

  private async searchText(a: Record<string, unknown>): Promise<string> {
    if (typeof a.query !== 'string' || a.query === '') throw new ToolError('query must be a non-empty string.');
    let re: RegExp;
    try { re = a.isRegex === true ? new RegExp(a.query) : new RegExp(a.query.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')); } catch { throw new ToolError('query is not a valid regular expression.'); }
    const matches: string[] = [];
    for (const f of await this.findFiles(typeof a.glob === 'string' && a.glob ? a.glob : '**/*', 2000)) {
      let text: string;
      try { text = readFileSync(f.absolute, 'utf8'); } catch { continue; }
      if (text.length > 1_000_000 || text.includes('\0')) continue;
      const lines = text.split(/\r?\n/);
      for (let i = 0; i < lines.length && matches.length < MAX_MATCHES; i++) {
        if (re.test(lines[i])) matches.push(`${f.relative}:${i + 1}: ${lines[i].slice(0, 300)}`);
      }
      if (matches.length >= MAX_MATCHES) { matches.push('[… more matches not shown]'); break; }
    }
    return matches.length ? matches.join('\n') : 'No matches.';
  }

  private diagnostics(a: Record<string, unknown>): string {
    const target = this.confine(a.path);
    const list = vscode.languages.getDiagnostics(vscode.Uri.file(target.absolute));
    if (list.length === 0) return `No problems reported for ${target.relative}.`;
    const severity = ['error', 'warning', 'info', 'hint'];
    return list.map((d) => `${target.relative}:${d.range.start.line + 1}:${d.range.start.character + 1} ${severity[d.severity]}: ${d.message}`).join('\n');
  }

  private async proposeEdit(callId: string, a: Record<string, unknown>, context: ToolRunContext): Promise<ToolCallResult> {
    const target = this.confine(a.path);
    if (typeof a.oldText !== 'string' || a.oldText === '' || typeof a.newText !== 'string') throw new ToolError('oldText (non-empty) and newText must be strings.');
    const uri = vscode.Uri.file(target.absolute);
    let doc: vscode.TextDocument;
    try { doc = await vscode.workspace.openTextDocument(uri); } catch { throw new ToolError(`'${target.relative}' does not exist.`); }
    const text = doc.getText();
    const at = text.indexOf(a.oldText);
    if (at < 0) throw new ToolError(`oldText does not occur in ${target.relative}; read the file and copy the text exactly.`);
    if (text.indexOf(a.oldText, at + 1) >= 0) throw new ToolError(`oldText occurs more than once in ${target.relative}; include more surrounding text.`);
    const proposed = text.slice(0, at) + a.newText + text.slice(at + a.oldText.length);
    const right = this.proposals.set(callId, target.relative, proposed);
    const title = `${target.relative}: proposed edit`;
    this.proposals.diffs.set(callId, { left: uri, right, title });
    this.openDiff(callId);
    const decision = await context.approve({ kind: 'edit', detail: target.relative, hasDiff: true });
    if (decision === 'deny') return DENIED;
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, new vscode.Range(doc.positionAt(at), doc.positionAt(at + a.oldText.length)), a.newText);
    if (!(await vscode.workspace.applyEdit(edit))) throw new ToolError(`The edit of ${target.relative} could not be applied (the file changed?).`);
    await doc.save();
    return { content: `Edited ${target.relative}.` };
  }

  private async createFile(callId: string, a: Record<string, unknown>, context: ToolRunContext): Promise<ToolCallResult> {
    const target = this.confine(a.path);
    if (typeof a.content !== 'string') throw new ToolError('content must be a string.');
    const uri = vscode.Uri.file(target.absolute);
    try {
      await vscode.workspace.fs.stat(uri);
      throw new ToolError(`'${target.relative}' already exists; use propose_edit.`);
    } catch (e) {
      if (e instanceof ToolError) throw e;
    }
    const empty = this.proposals.set(`${callId}-empty`, target.relative, '');
    const right = this.proposals.set(callId, target.relative, a.content);
    this.proposals.diffs.set(callId, { left: empty, right, title: `${target.relative}: new file` });
    this.openDiff(callId);
    const decision = await context.approve({ kind: 'create', detail: target.relative, hasDiff: true });
    if (decision === 'deny') return DENIED;
    const edit = new vscode.WorkspaceEdit();
    edit.createFile(uri, { ignoreIfExists: false });
    edit.insert(uri, new vscode.Position(0, 0), a.content);
    if (!(await vscode.workspace.applyEdit(edit))) throw new ToolError(`${target.relative} could not be created.`);
    await (await vscode.workspace.openTextDocument(uri)).save();
    return { content: `Created ${target.relative}.` };
  }

  private async runCommand(a: Record<string, unknown>, context: ToolRunContext, token: CancellationLike): Promise<ToolCallResult> {
    if (typeof a.command !== 'string' || a.command.trim() === '') throw new ToolError('command must be a non-empty string.');
    const cwd = this.roots()[0];
    if (!cwd) throw new ToolError('No workspace folder is open.');
    const decision = await context.approve({ kind: 'command', detail: a.command });
    if (decision === 'deny') return DENIED;
    if (token.isCancellationRequested) return { content: 'cancelled', isError: true };
    const seconds = vscode.workspace.getConfiguration('editorAssist.chat').get<number>('commandTimeoutSeconds') ?? 60;
    return runShell(a.command, cwd, seconds * 1000, token, this.terminalOutput);
  }
}
