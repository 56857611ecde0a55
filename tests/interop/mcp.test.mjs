// MCP servers through the real sidecar, driven by vscode-jsonrpc as the extension drives it:
// mcp/configure starts tests/tools/fakeMcpServer.mjs (a real MCP server over stdio), mcp/list and
// mcp/didChange report it, and a scripted OpenAI-format model (fakeToolModels.mjs) calls its tool in
// chat/send; the sidecar asks this client with chat/toolApproval before the call runs.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { lastToolResult, startFakeToolModels } from '../tools/fakeToolModels.mjs';
import { initialize, rpc, startSidecar, stopSidecar, tempDir } from './sidecar.mjs';

/** Waits for a condition the test cannot be told about (the fixture's call log), checking every 20 ms, for at most 2 minutes. */
async function until(condition) {
  const end = Date.now() + 120_000;
  while (!condition()) {
    if (Date.now() > end) throw new Error('the condition did not become true');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'tools', 'fakeMcpServer.mjs');

describe('MCP servers through the real sidecar', () => {
  let fake, s;
  const dir = tempDir('ea-mcp-');
  const callsFile = path.join(dir, 'calls.txt');
  const calls = () => (existsSync(callsFile) ? readFileSync(callsFile, 'utf8').split('\n').filter(Boolean) : []);
  const approvals = [];
  const statuses = [];
  const changes = [];
  let waiters = [];
  /** How this client answers chat/toolApproval; tests replace it. */
  let approve = async () => ({ approved: true });

  /** Resolves with the first mcp/didChange (already seen or coming) that matches. */
  const change = (pred) => {
    const seen = changes.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => waiters.push({ pred, resolve }));
  };

  const server = (name, extra = {}) => ({ name, command: process.execPath, args: [fixture], env: { MCP_FIXTURE_CALLS: callsFile, MCP_FIXTURE_NAME: name, MCP_SECRET: 'canary-interop-9c2' }, ...extra });

  before(async () => {
    fake = await startFakeToolModels({
      script: ({ format, body }) => {
        const result = lastToolResult(format, body);
        if (result !== undefined) return { text: `Tool said: ${result}` };
        const names = (body.tools ?? []).map((t) => t.function.name);
        const tool = names.find((n) => n === fake.nextTool) ?? names[0];
        return tool ? { calls: [{ name: tool, arguments: fake.nextArgs ?? {} }] } : { text: 'No tools.' };
      },
    });
    s = startSidecar({ args: [] });
    await initialize(s.connection);
    s.connection.onNotification('mcp/didChange', (p) => {
      changes.push(p.server);
      waiters = waiters.filter((w) => { if (w.pred(p.server)) { w.resolve(p.server); return false; } return true; });
    });
    s.connection.onNotification('chat/toolStatus', (p) => statuses.push(p));
    s.connection.onRequest('chat/toolApproval', (p) => { approvals.push(p); return approve(p); });
    s.connection.onRequest('chat/toolCall', () => ({ content: 'the client has no tools here', isError: true }));
    await s.connection.sendRequest('providers/configure', { providerId: 'vllm', baseUrl: fake.baseUrl });
  });

  after(async () => {
    if (s) assert.equal(await stopSidecar(s), 0);
    if (fake) await fake.close();
  });

  const reset = () => { approvals.length = 0; statuses.length = 0; fake.requests.length = 0; fake.nextArgs = undefined; fake.nextTool = undefined; approve = async () => ({ approved: true }); };

  test('mcp/configure starts a stdio server; mcp/list and mcp/didChange show it ready with its tools', async () => {
    const configured = await s.connection.sendRequest('mcp/configure', { servers: [server('files')] });
    assert.equal(configured.servers.length, 1);
    assert.equal(configured.servers[0].name, 'files');
    assert.equal(configured.servers[0].env, undefined, 'the environment (secrets) never comes back');
    const ready = await change((x) => x.name === 'files' && x.state === 'ready');
    assert.equal(ready.transport, 'stdio');
    assert.equal(ready.privacy, 'local');
    assert.equal(ready.trusted, false);
    const { servers } = await s.connection.sendRequest('mcp/list', { wait: true });
    assert.deepEqual(servers.map((x) => [x.name, x.state]), [['files', 'ready']]);
    const names = servers[0].tools.map((t) => t.name);
    assert.ok(names.includes('files__echo') && names.includes('files__dotted_name'), names.join(', '));
    assert.equal(servers[0].tools.find((t) => t.name === 'files__dotted_name').tool, 'dotted.name');
    assert.doesNotMatch(s.stderr(), /canary-interop-9c2/);
    // The server's stderr is in the sidecar's log (stderr), not on the protocol stream.
    assert.match(s.stderr(), /MCP server 'files' stderr: fixture: files started/);
  });

  test('a model calls the MCP tool in chat/send after the client approves it', async () => {
    reset();
    fake.nextTool = 'files__echo';
    fake.nextArgs = { text: 'from the model' };
    approve = async () => ({ approved: true });
    const result = await s.connection.sendRequest('chat/send', {
      streamId: 'mcp-1', model: 'vllm/tool-model', messages: [{ role: 'user', content: 'Echo it.' }], mcpTools: true,
    });
    assert.equal(result.content, 'Tool said: echo: from the model');
    assert.equal(approvals.length, 1);
    assert.deepEqual({ ...approvals[0], callId: undefined }, { streamId: 'mcp-1', callId: undefined, server: 'files', name: 'files__echo', tool: 'echo', arguments: { text: 'from the model' } });
    assert.deepEqual(statuses.map((x) => x.state), ['requested', 'running', 'done']);
    assert.deepEqual(result.toolCalls.map((c) => [c.name, c.result, c.isError]), [['files__echo', 'echo: from the model', false]]);
    const offered = fake.requests.find((r) => r.method === 'POST').body.tools.map((t) => t.function.name);
    assert.ok(offered.includes('files__echo'), offered.join(', '));
    assert.deepEqual(calls(), ['echo']);
  });

  test('a denied call runs nothing and the model is told "denied by the user"', async () => {
    reset();
    fake.nextTool = 'files__add';
    fake.nextArgs = { a: 1, b: 2 };
    approve = async () => ({ approved: false });
    const before = calls().length;
    const result = await s.connection.sendRequest('chat/send', {
      streamId: 'mcp-2', model: 'vllm/tool-model', messages: [{ role: 'user', content: 'Add.' }], mcpTools: true,
    });
    assert.equal(result.content, 'Tool said: denied by the user');
    assert.deepEqual(statuses.map((x) => x.state), ['requested', 'running', 'denied']);
    assert.equal(calls().length, before);
  });

  test('Stop cancels a running MCP call: chat/send answers -32800 and the server is told', async () => {
    reset();
    fake.nextTool = 'files__sleep';
    fake.nextArgs = { ms: 600000 };
    const cts = new rpc.CancellationTokenSource();
    const sent = s.connection.sendRequest('chat/send', {
      streamId: 'mcp-stop', model: 'vllm/tool-model', messages: [{ role: 'user', content: 'Wait.' }], mcpTools: true,
    }, cts.token);
    await until(() => calls().includes('sleep'));
    cts.cancel();
    await assert.rejects(sent, (e) => e.code === -32800);
    await until(() => calls().includes('sleep-cancelled'));
    assert.equal(statuses.at(-1).state, 'failed');
  });

  test('without agent tools and without mcpTools, a chat offers no MCP tools', async () => {
    reset();
    const result = await s.connection.sendRequest('chat/send', {
      streamId: 'mcp-3', model: 'vllm/tool-model', messages: [{ role: 'user', content: 'Hi.' }],
    });
    assert.equal(result.content, 'No tools.');
    assert.equal(fake.requests.find((r) => r.method === 'POST').body.tools, undefined);
  });

  test('a trusted server runs without asking; a crash makes it failed and chat goes on', async () => {
    reset();
    await s.connection.sendRequest('mcp/configure', { servers: [server('files'), server('trusty', { trusted: true })] });
    await change((x) => x.name === 'trusty' && x.state === 'ready');
    fake.nextTool = 'trusty__crash';
    const failed = change((x) => x.name === 'trusty' && x.state === 'failed');
    const result = await s.connection.sendRequest('chat/send', {
      streamId: 'mcp-4', model: 'vllm/tool-model', messages: [{ role: 'user', content: 'Crash it.' }], mcpTools: true,
    });
    assert.equal(approvals.length, 0);
    assert.equal(result.toolCalls[0].isError, true);
    assert.match(result.content, /^Tool said: /);
    const f = await failed;
    assert.match(f.error, /exited with code 3/);
    assert.deepEqual(f.tools, []);
    const { servers } = await s.connection.sendRequest('mcp/list', {});
    assert.deepEqual(servers.map((x) => [x.name, x.state]), [['files', 'ready'], ['trusty', 'failed']]);
  });

  test('in local-only mode an HTTP server on another host is refused with 1018', async () => {
    await s.connection.sendRequest('router/set', { strategy: 'localOnly' });
    try {
      const { servers } = await s.connection.sendRequest('mcp/configure', {
        servers: [{ name: 'remote', url: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer canary-interop-9c2' } }],
      });
      assert.equal(servers[0].privacy, 'cloud');
      const listed = (await s.connection.sendRequest('mcp/list', { wait: true })).servers[0];
      assert.equal(listed.state, 'failed');
      assert.equal(listed.errorCode, 1018);
      assert.match(listed.error, /local-only/);
      await assert.rejects(s.connection.sendRequest('mcp/configure', { servers: [{ name: 'x' }] }), (e) => e.code === -32602);
      assert.doesNotMatch(s.stderr(), /canary-interop-9c2/);
    } finally {
      await s.connection.sendRequest('router/set', { strategy: 'preferLocal' });
      await s.connection.sendRequest('mcp/configure', { servers: [] });
    }
  });
});
