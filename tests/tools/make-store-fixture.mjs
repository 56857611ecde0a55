// Writes the store fixture tests/EditorAssist.Core.Tests/Storage/Fixtures/store-schema3-sqlite3.35.5.db.b64:
// a database written by the sidecar as it was built before the move to Microsoft.Data.Sqlite 11
// (commit 0b1721a: Microsoft.Data.Sqlite.Core 6.0, SQLite 3.35.5, schema 3), through the real RPC
// methods the extension uses, so the rows are exactly what users' databases hold.
//   git worktree add /tmp/ea-old 0b1721a && (cd /tmp/ea-old && npm ci && npm run build)
//   node tests/tools/make-store-fixture.mjs /tmp/ea-old/server/EditorAssist.Server/bin/Release/net10.0/EditorAssist.Server.dll OUT.db.b64
// The sidecar is stopped in order (shutdown, exit), so the WAL is checkpointed into the one file.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as rpc from 'vscode-jsonrpc/node.js';
import { startFakeOpenAi } from './fakeOpenAi.mjs';

const [dll, out] = process.argv.slice(2);
if (!dll || !out) {
  console.error('usage: node tests/tools/make-store-fixture.mjs SIDECAR_DLL OUT.db.b64');
  process.exit(2);
}
const storageDir = mkdtempSync(path.join(os.tmpdir(), 'ea-fixture-'));
const fake = await startFakeOpenAi({ reply: ['Use ', '`Array.prototype.map`', '.'] });
const child = spawn('dotnet', [dll], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, DOTNET_NOLOGO: '1' } });
const c = rpc.createMessageConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
c.listen();
const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));

await c.sendRequest('initialize', { processId: process.pid, clientInfo: { name: 'fixture', version: '1' }, storageDir,
  settings: { 'completion.enabled': true, 'storage.quotaBytes': 10737418240 } });
await c.sendRequest('settings/update', { settings: { 'chat.model': 'vllm/fake-model', 'ui.recent': ['a', 'b'] } });
await c.sendRequest('providers/configure', { providerId: 'vllm', baseUrl: fake.baseUrl, options: { requestTimeoutMs: 30000 } });
await c.sendRequest('router/set', { strategy: 'preferLocal', fallback: true });
await c.sendRequest('models/list', { providerId: 'vllm', refresh: true }); // model_cache row
const first = await c.sendRequest('chat/send', { streamId: 's1', model: 'vllm/fake-model',
  messages: [{ role: 'user', content: 'How do I map an array in JavaScript? — «ünïcödé» 🚀' }] });
await c.sendRequest('chat/send', { streamId: 's2', sessionId: first.sessionId, model: 'vllm/fake-model',
  messages: [{ role: 'user', content: 'How do I map an array in JavaScript? — «ünïcödé» 🚀' },
    { role: 'assistant', content: first.content }, { role: 'user', content: 'And filter?' }] });
await c.sendRequest('chat/send', { streamId: 's3', model: 'vllm/fake-model', messages: [{ role: 'user', content: 'Second session' }] });
console.log(JSON.stringify(await c.sendRequest('chat/sessions', {})));
await c.sendRequest('shutdown');
await c.sendNotification('exit');
const code = await exited;
c.dispose();
await fake.close();
if (code !== 0) throw new Error(`sidecar exited ${code}`);
if (existsSync(path.join(storageDir, 'editorassist.db-wal'))) throw new Error('the WAL was not checkpointed');
// Kept as base64 text in the tree (OUT should end in .db.b64): the exact bytes, no binary file.
writeFileSync(out, readFileSync(path.join(storageDir, 'editorassist.db')).toString('base64').replace(/.{76}/g, '$&\n') + '\n');
rmSync(storageDir, { recursive: true, force: true });
console.log(`wrote ${out}`);
