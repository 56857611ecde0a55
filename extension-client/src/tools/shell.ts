// Runs an approved agent command (free of `vscode`, unit-tested): a shell in the workspace folder,
// stdout and stderr captured together and capped, killed (with its process group) at the time limit
// or when the chat's Stop cancels the call.
import { spawn } from 'node:child_process';
import type { ToolCallResult } from '../protocol';
import type { CancellationLike } from './host';

const MAX_OUTPUT = 16_000;

/** Runs a command line in a shell with a time limit; output (stdout and stderr, interleaved) is capped. */
export function runShell(command: string, cwd: string, timeoutMs: number, token: CancellationLike, echo: (text: string) => void = () => undefined): Promise<ToolCallResult> {
  return new Promise((resolve) => {
    const child = spawn(command, { cwd, shell: true, stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
    let output = '';
    let cut = false;
    const take = (d: Buffer) => {
      const s = d.toString('utf8');
      echo(s);
      if (output.length < MAX_OUTPUT) output += s; else cut = true;
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    let why: string | undefined;
    const kill = (reason: string) => {
      why ??= reason;
      try { if (child.pid) process.kill(process.platform === 'win32' ? child.pid : -child.pid, 'SIGKILL'); } catch { /* gone */ }
    };
    const timer = setTimeout(() => kill(`stopped after the time limit (${Math.round(timeoutMs / 1000)} s)`), timeoutMs);
    const sub = token.onCancellationRequested(() => kill('cancelled'));
    child.on('error', (e) => { why ??= e.message; });
    child.on('close', (code) => {
      clearTimeout(timer);
      sub.dispose();
      const text = output.slice(0, MAX_OUTPUT) + (cut ? '\n[… output cut]' : '');
      resolve(why
        ? { content: `${text}\n[${why}]`, isError: true }
        : { content: `${text}\n[exit code ${code}]`, isError: code !== 0 });
    });
  });
}
