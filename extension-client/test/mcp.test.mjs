// MCP servers without VS Code: the setting → mcp/configure (at start and on change, secrets never
// logged), "Show MCP Servers", and the chat's approval prompt for chat/toolApproval.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lib } from './support.mjs';

const { cloudHostOf, mcpConsentKey, parseMcpSetting, pushMcpServers, wireMcp, showMcpServers, mcpPickItems, OPEN_SETTING_LABEL, ChatController } = lib;

function memLog() {
  const lines = [];
  return { lines, info: (m) => lines.push(`info: ${m}`), warn: (m) => lines.push(`warn: ${m}`), text: () => lines.join('\n') };
}

const stdio = { name: 'files', command: 'node', args: ['server.mjs'], env: { TOKEN: 'sk-canary-env' }, trusted: true };
const http = { name: 'docs', url: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer canary-header' } };

describe('editorAssist.mcpServers', () => {
  it('keeps valid stdio and HTTP entries, defaults cwd, and names the problems of the others', () => {
    const { servers, problems } = parseMcpSetting([
      stdio, http, { name: 'files', command: 'x' }, { name: 'both', command: 'x', url: 'http://h' }, { command: 'x' },
      { name: 'ftp', url: 'ftp://h/x' }, { name: 'badenv', command: 'x', env: { A: 1 } }, 'nope',
    ], '/ws');
    assert.deepEqual(servers, [{ ...stdio, cwd: '/ws' }, http]);
    assert.equal(problems.length, 6);
    assert.match(problems.join('\n'), /"files" is listed twice/);
    assert.match(problems.join('\n'), /"both" needs either "command" \(stdio\) or "url" \(HTTP\)/);
    assert.doesNotMatch(problems.join('\n'), /canary/);
    assert.deepEqual(parseMcpSetting(undefined), { servers: [], problems: [] });
    assert.equal(parseMcpSetting({}).problems.length, 1);
  });

  it('sends the servers with mcp/configure and never logs env or header values', async () => {
    const sent = [];
    const log = memLog();
    const t = { request: async (def, params) => { sent.push([def.method, params]); return { servers: [] }; } };
    await pushMcpServers(t, [stdio, http], log, '/ws');
    assert.deepEqual(sent, [['mcp/configure', { servers: [{ ...stdio, cwd: '/ws' }, http] }]]);
    assert.match(log.text(), /files \[stdio: node \(1 args\); env TOKEN; trusted\]/);
    assert.match(log.text(), /header Authorization/);
    assert.doesNotMatch(log.text(), /canary/);
  });

  it('an older sidecar without mcp/configure is not an error', async () => {
    const log = memLog();
    const t = { request: async () => { throw Object.assign(new Error('Unhandled method mcp/configure'), { code: -32601 }); } };
    assert.deepEqual(await pushMcpServers(t, [stdio], log), { problems: [], held: [] });
    assert.match(log.text(), /does not support MCP servers/);
  });

  it('is pushed at every sidecar start and on every change of the setting; state changes are logged', async () => {
    const sent = [];
    const listeners = { start: [], changed: [], notes: new Map() };
    let setting = [stdio];
    const warnings = [];
    const sidecar = {
      state: 'running',
      request: async (def, params) => { sent.push(params.servers.map((x) => x.name)); return { servers: [] }; },
      onDidStart: (l) => { listeners.start.push(l); return { dispose() {} }; },
      onNotification: (m, h) => { listeners.notes.set(m, h); return { dispose() {} }; },
    };
    const log = memLog();
    const w = wireMcp({ sidecar, log, readSetting: () => setting, onSettingChanged: (l) => { listeners.changed.push(l); return { dispose() {} }; }, warn: (m) => warnings.push(m) });
    for (const l of listeners.start) l();
    await w.lastPush;
    setting = [stdio, http, { name: 'broken' }];
    for (const l of listeners.changed) l();
    await w.lastPush;
    assert.deepEqual(sent, [['files'], ['files', 'docs']]);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /"broken" needs either/);
    // Not running (starting, stopped): the next start sends it.
    sidecar.state = 'starting';
    for (const l of listeners.changed) l();
    await w.lastPush;
    assert.equal(sent.length, 2);
    listeners.notes.get('mcp/didChange')({ server: { name: 'files', state: 'failed', error: 'The MCP server \'files\' stopped: the server process exited with code 3', tools: [] } });
    listeners.notes.get('mcp/didChange')({ server: { name: 'docs', state: 'ready', tools: [{ name: 'docs__a' }] } });
    assert.match(log.text(), /warn: MCP server "files" is failed: .*exited with code 3/);
    assert.match(log.text(), /info: MCP server "docs" is ready \(1 tool\)/);
    w.dispose();
  });
});

describe('MCP servers on another machine (cloud)', () => {
  const local = { name: 'near', url: 'http://127.0.0.1:7000/mcp' };
  const named = { name: 'localname', url: 'http://localhost:7001/mcp' };

  it('tells a server on another machine from one on this machine', () => {
    assert.equal(cloudHostOf(http), 'mcp.example.com');
    assert.equal(cloudHostOf(local), undefined);
    assert.equal(cloudHostOf(named), undefined);
    assert.equal(cloudHostOf(stdio), undefined);
    // A new address is a new consent.
    assert.notEqual(mcpConsentKey(http), mcpConsentKey({ ...http, url: 'https://other.example.com/mcp' }));
  });

  function harness(consentAnswers) {
    const sent = [];
    const listeners = { start: [], changed: [], notes: new Map() };
    const sidecar = {
      state: 'running',
      request: async (def, params) => { sent.push(params.servers.map((x) => x.name)); return { servers: [] }; },
      onDidStart: (l) => { listeners.start.push(l); return { dispose() {} }; },
      onNotification: (m, h) => { listeners.notes.set(m, h); return { dispose() {} }; },
    };
    const given = new Set();
    const asked = [];
    const consent = {
      given: (key) => given.has(key),
      ask: async (server, host) => {
        asked.push([server.name, host]);
        const yes = consentAnswers.shift() ?? false;
        if (yes) given.add(mcpConsentKey(server));
        return yes;
      },
    };
    const log = memLog();
    let setting = [stdio, local, http];
    const w = wireMcp({ sidecar, log, readSetting: () => setting, consent, warn: () => {},
      onSettingChanged: (l) => { listeners.changed.push(l); return { dispose() {} }; } });
    return { sent, asked, listeners, log, w, setSetting: (v) => { setting = v; } };
  }

  it('is not sent to the sidecar until the user allows it; once allowed it is sent at once and remembered', async () => {
    const h = harness([true]);
    for (const l of h.listeners.start) l();
    await h.w.lastPush;
    assert.deepEqual(h.asked, [['docs', 'mcp.example.com']]);
    // First without the cloud server, then (after the yes) with it.
    assert.deepEqual(h.sent, [['files', 'near'], ['files', 'near', 'docs']]);
    assert.match(h.log.text(), /"docs" at mcp\.example\.com waits for your permission/);
    assert.doesNotMatch(h.log.text(), /canary/);
    // A restarted sidecar gets it without asking again.
    for (const l of h.listeners.start) l();
    await h.w.lastPush;
    assert.equal(h.asked.length, 1);
    assert.deepEqual(h.sent.at(-1), ['files', 'near', 'docs']);
  });

  it('a "not now" holds it without asking again, until the setting changes', async () => {
    const h = harness([false, false]);
    for (const l of h.listeners.start) l();
    await h.w.lastPush;
    for (const l of h.listeners.start) l();
    await h.w.lastPush;
    assert.equal(h.asked.length, 1);
    assert.ok(h.sent.every((names) => !names.includes('docs')));
    for (const l of h.listeners.changed) l();
    await h.w.lastPush;
    assert.equal(h.asked.length, 2);
    assert.ok(h.sent.every((names) => !names.includes('docs')));
  });
});

describe('EditorAssist: Show MCP Servers', () => {
  const servers = [
    { name: 'files', transport: 'stdio', privacy: 'local', trusted: true, state: 'ready', tools: [{ name: 'files__read', tool: 'read', description: 'Reads.' }, { name: 'files__a_b', tool: 'a.b', description: '' }] },
    { name: 'docs', transport: 'http', privacy: 'cloud', trusted: false, state: 'failed', error: 'local-only mode is on', errorCode: 1018, tools: [] },
    { name: 'slow', transport: 'stdio', privacy: 'local', trusted: false, state: 'connecting', tools: [] },
  ];

  it('lists each server with its state, transport, privacy, trust, error, then its tools', () => {
    const items = mcpPickItems(servers);
    assert.deepEqual(items.map((i) => i.label), ['$(pass) files', '    $(tools) files__read', '    $(tools) files__a_b', '$(error) docs', '$(sync~spin) slow']);
    assert.equal(items[0].description, 'ready · stdio · local · trusted · 2 tools');
    assert.equal(items[2].description, 'a.b');
    assert.equal(items[3].description, 'failed · http · cloud · asks before each call');
    assert.equal(items[3].detail, '[local-only] local-only mode is on');
    assert.match(mcpPickItems([])[0].label, /No MCP servers configured/);
  });

  it('asks the sidecar, shows the pick, and opens the setting when chosen', async () => {
    const shown = [];
    let opened = 0;
    const t = { request: async (def) => { assert.equal(def.method, 'mcp/list'); return { servers }; } };
    const ui = { showQuickPick: async (items, title) => { shown.push({ items, title }); return items.at(-1); }, showError: assert.fail, openSetting: async () => { opened++; } };
    assert.deepEqual(await showMcpServers(t, ui), servers);
    assert.equal(shown[0].title, 'EditorAssist: MCP servers');
    assert.equal(shown[0].items.at(-1).label, OPEN_SETTING_LABEL);
    assert.equal(opened, 1);
    const errors = [];
    await showMcpServers({ request: async () => { throw new Error('sidecar not running'); } }, { ...ui, showError: (m) => errors.push(m) });
    assert.match(errors[0], /sidecar not running/);
  });
});

describe('ChatController: chat/toolApproval for MCP tools', () => {
  function chat() {
    const posted = [];
    const requests = new Map();
    let script = async () => ({ sessionId: 's', content: 'ok', finishReason: 'stop' });
    const transport = {
      request: async (def, params) => script(params),
      onNotification: () => ({ dispose() {} }),
      onRequest: (m, h) => { requests.set(m, h); return { dispose() {} }; },
      methods: () => ['chat/send'],
    };
    const host = { definitions: () => [{ name: 'read_file', description: '', parameters: {} }], run: async () => ({ content: '' }) };
    const controller = new ChatController(transport, (m) => posted.push(m), () => undefined, () => ({}), () => undefined, undefined, host);
    const source = () => {
      const listeners = [];
      return { token: { isCancellationRequested: false, onCancellationRequested: (l) => { listeners.push(l); return { dispose() {} }; } },
        cancel() { this.token.isCancellationRequested = true; for (const l of listeners) l(); } };
    };
    const approval = (p, s = source()) => requests.get('chat/toolApproval')(p, s.token);
    return { controller, posted, approval, source, setScript: (s) => { script = s; } };
  }
  const tick = () => new Promise((r) => setImmediate(r));
  const ask = (streamId, callId, server = 'files') => ({ streamId, callId, server, name: `${server}__echo`, tool: 'echo', arguments: { text: 'hi' } });

  it('shows the prompt in the tool card; Run approves once, Don\'t run denies, Allow for this chat covers that server only', async () => {
    const t = chat();
    const answers = [];
    t.setScript(async ({ streamId }) => {
      const first = t.approval(ask(streamId, 'm1'));
      await tick();
      const prompt = t.posted.find((m) => m.type === 'toolApproval' && m.callId === 'm1');
      assert.deepEqual([prompt.kind, prompt.detail, prompt.hasDiff], ['mcp', 'echo (MCP server "files")', false]);
      await t.controller.handle({ type: 'toolDecision', callId: 'm1', decision: 'once' });
      answers.push(await first);

      const second = t.approval(ask(streamId, 'm2'));
      await tick();
      await t.controller.handle({ type: 'toolDecision', callId: 'm2', decision: 'deny' });
      answers.push(await second);

      const third = t.approval(ask(streamId, 'm3'));
      await tick();
      await t.controller.handle({ type: 'toolDecision', callId: 'm3', decision: 'chat' });
      answers.push(await third);
      answers.push(await t.approval(ask(streamId, 'm4'))); // same server: not asked again

      const other = t.approval(ask(streamId, 'm5', 'web'));
      await tick();
      assert.ok(t.posted.some((m) => m.type === 'toolApproval' && m.callId === 'm5'), 'another server is asked about');
      await t.controller.handle({ type: 'toolDecision', callId: 'm5', decision: 'deny' });
      answers.push(await other);
      return { sessionId: 's', content: 'done', finishReason: 'stop' };
    });
    await t.controller.handle({ type: 'send', text: 'go' });
    assert.deepEqual(answers, [{ approved: true, always: false }, { approved: false }, { approved: true, always: true }, { approved: true, always: true }, { approved: false }]);
    assert.equal(t.posted.filter((m) => m.type === 'toolApproval').length, 4);
    assert.ok(t.posted.some((m) => m.type === 'toolApprovalDone' && m.callId === 'm2' && m.decision === 'deny'));
  });

  it('Stop closes a waiting prompt as a denial; a chat that is not waiting denies', async () => {
    const t = chat();
    let answer;
    t.setScript(async ({ streamId }) => {
      const s = t.source();
      const p = t.approval(ask(streamId, 'm9'), s);
      await tick();
      s.cancel();
      answer = await p;
      return { sessionId: 's', content: '', finishReason: 'stop' };
    });
    await t.controller.handle({ type: 'send', text: 'x' });
    assert.deepEqual(answer, { approved: false });
    assert.deepEqual(await t.approval(ask('gone', 'mx')), { approved: false });
  });
});
