// Agent mode without VS Code: path confinement (../, absolute paths, symlink escapes, .gitignore),
// the command runner (output, exit code, time limit, Stop), and the controller's tool flow
// (tools sent only in agent mode, approval in the chat, "allow for this chat", a denial, Stop).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { lib } from './support.mjs';

const { confine, gitignoreMatcher, ToolError, runShell, ChatController } = lib;

describe('confine', () => {
  const base = mkdtempSync(path.join(os.tmpdir(), 'ea-confine-'));
  const root = path.join(base, 'ws');
  const outside = path.join(base, 'secret');
  mkdirSync(path.join(root, 'src'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(path.join(outside, 'id_rsa'), 'KEY');
  writeFileSync(path.join(root, 'src', 'a.ts'), 'x');
  symlinkSync(outside, path.join(root, 'escape'));
  symlinkSync(path.join(outside, 'id_rsa'), path.join(root, 'src', 'key'));
  writeFileSync(path.join(root, '.gitignore'), '.env\nbuild/\n/secret.txt\n*.log\n!keep.log\n');
  after(() => rmSync(base, { recursive: true, force: true }));
  const ignored = gitignoreMatcher('.env\nbuild/\n/secret.txt\n*.log\n!keep.log\n');
  const c = (p) => confine([root], p, { isIgnored: (rel) => ignored(rel) });

  it('resolves workspace paths, relative or absolute, and new files under existing folders', () => {
    assert.equal(c('src/a.ts').relative, 'src/a.ts');
    assert.equal(c('./src/a.ts').absolute, path.join(root, 'src', 'a.ts'));
    assert.equal(c(path.join(root, 'src', 'a.ts')).relative, 'src/a.ts');
    assert.equal(c('src/new/deep/file.ts').relative, 'src/new/deep/file.ts');
  });

  it('refuses .., absolute paths elsewhere, symlink escapes, .git and ignored files', () => {
    for (const bad of ['../secret/id_rsa', 'src/../../secret/id_rsa', '..', 'src\\..\\..\\x', '/etc/passwd', path.join(os.homedir(), '.ssh', 'id_rsa'),
      'escape/id_rsa', 'escape/new.txt', 'src/key', '.git/config', '.env', 'build/out.js', 'secret.txt', 'logs/debug.log', '', 42, 'a\0b']) {
      assert.throws(() => c(bad), ToolError, String(bad));
    }
    assert.equal(c('logs/keep.log').relative, 'logs/keep.log');
    assert.equal(c('docs/secret.txt').relative, 'docs/secret.txt', 'an anchored pattern matches at the root only');
  });

  it('picks the folder by name in a multi-root workspace', () => {
    const other = path.join(base, 'other');
    mkdirSync(other);
    assert.equal(confine([root, other], 'other/x.txt').root, other);
    assert.equal(confine([root, other], 'src/a.ts').root, root);
  });
});

describe('runShell', () => {
  const never = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) };
  it('captures output and the exit code', async () => {
    const r = await runShell('echo out; echo err 1>&2; exit 3', os.tmpdir(), 10_000, never);
    assert.match(r.content, /out/);
    assert.match(r.content, /err/);
    assert.match(r.content, /\[exit code 3\]/);
    assert.equal(r.isError, true);
  });
  it('stops at the time limit and on Stop', async () => {
    const t = await runShell('sleep 30', os.tmpdir(), 200, never);
    assert.match(t.content, /time limit/);
    let cancel;
    const token = { isCancellationRequested: false, onCancellationRequested: (l) => { cancel = l; return { dispose() {} }; } };
    const pending = runShell('sleep 30', os.tmpdir(), 60_000, token);
    cancel();
    assert.match((await pending).content, /cancelled/);
  });
});

/** A controller over an in-memory transport: chat/send is answered by `answer`, which may call tools. */
function agentChat({ definitions = [{ name: 'propose_edit', description: 'd', parameters: { type: 'object' } }], run } = {}) {
  const posted = [];
  const sent = [];
  const handlers = new Map();
  const requests = new Map();
  const tokenSource = () => {
    const listeners = [];
    return { token: { isCancellationRequested: false, onCancellationRequested: (l) => { listeners.push(l); return { dispose() {} }; } },
      cancel() { this.token.isCancellationRequested = true; for (const l of listeners) l(); } };
  };
  let script = async () => ({ sessionId: 's', content: 'ok', finishReason: 'stop' });
  const transport = {
    request: async (def, params) => { sent.push(params); return script(params); },
    onNotification: (m, h) => { handlers.set(m, h); return { dispose() {} }; },
    onRequest: (m, h) => { requests.set(m, h); return { dispose() {} }; },
    methods: () => ['chat/send'],
  };
  const host = { definitions: () => definitions, run: run ?? (async (call, ctx) => ((await ctx.approve({ kind: 'edit', detail: call.arguments.path, hasDiff: true })) === 'deny'
    ? { content: 'denied by the user', isError: true, denied: true } : { content: `edited ${call.arguments.path}` })) };
  const controller = new ChatController(transport, (m) => posted.push(m), () => undefined, () => ({}), () => undefined, undefined, host);
  return { controller, posted, sent, call: (p, source = tokenSource()) => requests.get('chat/toolCall')(p, source.token), tokenSource, setScript: (s) => { script = s; }, status: (p) => handlers.get('chat/toolStatus')(p) };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('ChatController agent mode', () => {
  it('sends the tools only when agent mode offers them', async () => {
    const on = agentChat();
    await on.controller.handle({ type: 'send', text: 'hi' });
    assert.equal(on.sent[0].tools[0].name, 'propose_edit');
    const off = agentChat({ definitions: undefined });
    off.controller.tools = undefined;
    await off.controller.handle({ type: 'send', text: 'hi' });
    assert.equal(off.sent[0].tools, undefined);
  });

  it('asks in the chat, runs on approval, remembers "allow for this chat", and reports a denial', async () => {
    const t = agentChat();
    let results = [];
    t.setScript(async (params) => {
      const streamId = params.streamId;
      t.status({ streamId, callId: 'c1', name: 'propose_edit', state: 'requested', arguments: { path: 'a.ts' } });
      const first = t.call({ streamId, callId: 'c1', name: 'propose_edit', arguments: { path: 'a.ts' } });
      await tick();
      const ask = t.posted.find((m) => m.type === 'toolApproval' && m.callId === 'c1');
      assert.deepEqual([ask.kind, ask.detail, ask.hasDiff], ['edit', 'a.ts', true]);
      await t.controller.handle({ type: 'toolDecision', callId: 'c1', decision: 'chat' });
      results.push(await first);
      // Allowed for this chat: the next edit runs without asking.
      results.push(await t.call({ streamId, callId: 'c2', name: 'propose_edit', arguments: { path: 'b.ts' } }));
      return { sessionId: 's', content: 'done', finishReason: 'stop' };
    });
    await t.controller.handle({ type: 'send', text: 'edit' });
    assert.deepEqual(results, [{ content: 'edited a.ts' }, { content: 'edited b.ts' }]);
    assert.equal(t.posted.filter((m) => m.type === 'toolApproval').length, 1);
    assert.ok(t.posted.some((m) => m.type === 'toolCall' && m.callId === 'c1' && m.args === '{"path":"a.ts"}'));

    // New Chat forgets the permission; a rejection answers "denied by the user".
    t.controller.newChat();
    results = [];
    t.setScript(async ({ streamId }) => {
      const p = t.call({ streamId, callId: 'c3', name: 'propose_edit', arguments: { path: 'c.ts' } });
      await tick();
      assert.ok(t.posted.some((m) => m.type === 'toolApproval' && m.callId === 'c3'));
      await t.controller.handle({ type: 'toolDecision', callId: 'c3', decision: 'deny' });
      results.push(await p);
      return { sessionId: 's', content: 'ok', finishReason: 'stop' };
    });
    await t.controller.handle({ type: 'send', text: 'again' });
    assert.deepEqual(results, [{ content: 'denied by the user', isError: true, denied: true }]);
    assert.ok(t.posted.some((m) => m.type === 'toolApprovalDone' && m.callId === 'c3' && m.decision === 'deny'));
  });

  it('Stop (the sidecar cancelling chat/toolCall) closes a waiting approval', async () => {
    const t = agentChat();
    let result;
    t.setScript(async ({ streamId }) => {
      const source = t.tokenSource();
      const p = t.call({ streamId, callId: 'c9', name: 'propose_edit', arguments: { path: 'x' } }, source);
      await tick();
      source.cancel();
      result = await p;
      return { sessionId: 's', content: '', finishReason: 'stop' };
    });
    await t.controller.handle({ type: 'send', text: 'x' });
    assert.deepEqual(result, { content: 'cancelled', isError: true });
  });

  it('refuses a tool call for a chat that is not waiting', async () => {
    const t = agentChat();
    await t.controller.handle({ type: 'send', text: 'x' });
    assert.equal((await t.call({ streamId: 'gone', callId: 'c', name: 'propose_edit', arguments: {} })).isError, true);
  });
});
