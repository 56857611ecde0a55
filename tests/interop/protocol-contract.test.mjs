// The contract has three copies: docs/PROTOCOL.md (the reference), the sidecar's constants
// (server/**/Protocol/*.cs) and the extension's mirror (extension-client/src/protocol.ts). They
// drifted once (the client said protocol 0.1, the server 1.0; four methods were missing from the
// mirror). This test reads all three and fails on any method or version one has and another lacks,
// and asks the running sidecar which methods it really serves.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { initialize, startSidecar, stopSidecar } from './sidecar.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (...p) => readFileSync(path.join(root, ...p), 'utf8');
const METHOD = String.raw`(?:\$/[A-Za-z]+|[a-z][A-Za-z]*(?:/[A-Za-z]+)+|initialize|initialized|shutdown|exit)`;

/** Methods the reference names where it defines them: a table's first column, or "Notification `x`". */
export function documentedMethods(markdown) {
  const found = new Set();
  for (const line of markdown.split('\n')) {
    if (line.startsWith('| `')) {
      for (const m of line.split('|')[1].matchAll(new RegExp('`(' + METHOD + ')`', 'g'))) found.add(m[1]);
    }
    for (const m of line.matchAll(new RegExp('[Nn]otifications? `(' + METHOD + ')', 'g'))) found.add(m[1]);
  }
  return found;
}

function csharpFiles(dir) {
  return readdirSync(path.join(root, dir), { recursive: true })
    .filter((f) => f.endsWith('.cs') && !/[\\/](bin|obj)[\\/]/.test(f)).map((f) => path.join(dir, f));
}

/** `public const string X = "a/b";` in the sidecar's protocol files and the transport ($/…). */
function serverMethods() {
  const files = csharpFiles('server').filter((f) => f.includes(`${path.sep}Protocol${path.sep}`) || f.startsWith(path.join('server', 'EditorAssist.Rpc')));
  const found = new Set();
  for (const f of files) {
    for (const m of read(f).matchAll(new RegExp('const string \\w+ = "(' + METHOD + ')"', 'g'))) found.add(m[1]);
  }
  return found;
}

/** The values of the extension's `Methods` object. */
function clientMethods(ts) {
  const body = ts.slice(ts.indexOf('export const Methods = {'), ts.indexOf('} as const;'));
  return new Set([...body.matchAll(new RegExp(`: '(${METHOD})'`, 'g'))].map((m) => m[1]));
}

const doc = read('docs', 'PROTOCOL.md');
const ts = read('extension-client', 'src', 'protocol.ts');
const documented = documentedMethods(doc);
const server = serverMethods();
const client = clientMethods(ts);
// Test hooks exist only behind --diagnostics; the extension never calls them.
const testOnly = (m) => m.startsWith('diagnostics/');

describe('protocol contract: PROTOCOL.md, the sidecar and the extension name the same methods', () => {
  test('the reader finds the contract (a broken reader must not pass by finding nothing)', () => {
    assert.ok(documented.size >= 40, `PROTOCOL.md: ${documented.size} methods`);
    assert.ok(server.size >= 40, `sidecar: ${server.size} methods`);
    assert.ok(client.size >= 40, `extension: ${client.size} methods`);
    for (const m of ['chat/send', 'chat/toolCall', 'models/configure', '$/cancelRequest']) assert.ok(documented.has(m), m);
  });

  test('every documented method is a constant in the sidecar and, unless a test hook, in the extension', () => {
    assert.deepEqual([...documented].filter((m) => !server.has(m)).sort(), [], 'documented but not in the sidecar');
    assert.deepEqual([...documented].filter((m) => !testOnly(m) && !client.has(m)).sort(), [], 'documented but not in protocol.ts');
  });

  test('every method the extension names is documented and known to the sidecar', () => {
    assert.deepEqual([...client].filter((m) => !documented.has(m)).sort(), [], 'in protocol.ts but not in PROTOCOL.md');
    assert.deepEqual([...client].filter((m) => !server.has(m)).sort(), [], 'in protocol.ts but not in the sidecar');
  });

  test('one protocol version in all three', () => {
    const serverVersion = /class ProtocolInfo[\s\S]*?const string Version = "([^"]+)"/.exec(csharpFiles('server')
      .map((f) => read(f)).find((s) => s.includes('class ProtocolInfo')) ?? '')?.[1];
    const clientVersion = /CLIENT_PROTOCOL_VERSION = '([^']+)'/.exec(ts)?.[1];
    const docVersion = /protocolVersion: "([^"]+)"/.exec(doc)?.[1];
    assert.ok(serverVersion, 'ProtocolInfo.Version not found');
    assert.equal(clientVersion, serverVersion);
    assert.equal(docVersion, serverVersion);
  });

  test('one inline-completion window in all three (what the extension sends is what the sidecar keeps)', () => {
    const cs = read('server', 'EditorAssist.Server', 'Protocol', 'Protocol.cs');
    const server = {
      prefix: Number(/class CompletionWindow[\s\S]*?PrefixLines = (\d+);/.exec(cs)?.[1]),
      suffix: Number(/class CompletionWindow[\s\S]*?SuffixLines = (\d+);/.exec(cs)?.[1]),
    };
    const client = {
      prefix: Number(/CompletionWindow = \{[^}]*prefixLines: (\d+)/.exec(ts)?.[1]),
      suffix: Number(/CompletionWindow = \{[^}]*suffixLines: (\d+)/.exec(ts)?.[1]),
    };
    const documented = {
      prefix: Number(/`completion\.prefixLines` \((\d+)\)/.exec(doc)?.[1]),
      suffix: Number(/`completion\.suffixLines` \((\d+)\)/.exec(doc)?.[1]),
    };
    assert.ok(server.prefix > 0 && server.suffix > 0, `Protocol.cs CompletionWindow not found: ${JSON.stringify(server)}`);
    assert.deepEqual(client, server, 'protocol.ts CompletionWindow');
    assert.deepEqual(documented, server, 'PROTOCOL.md completion/inline windows');
  });

  test('one list of setting keys in all three, and the extension sends only those', () => {
    const cs = read('server', 'EditorAssist.Core', 'Settings', 'SidecarSettings.cs');
    const keyClass = cs.slice(cs.indexOf('class SettingKeys'), cs.indexOf('IReadOnlyList<string> All'));
    const server = new Set([...keyClass.matchAll(/const string \w+ = "([^"]+)";/g)].map((m) => m[1]));
    const body = ts.slice(ts.indexOf('export const SettingKeys = {'), ts.indexOf('} as const;', ts.indexOf('export const SettingKeys = {')));
    const client = new Set([...body.matchAll(/: '([^']+)'/g)].map((m) => m[1]));
    const table = doc.slice(doc.indexOf('| key | type, default | set by |'));
    const documented = new Set();
    for (const line of table.split('\n').slice(2)) {
      if (!line.startsWith('|')) break;
      for (const m of line.split('|')[1].matchAll(/`([a-z]+\.[A-Za-z]+)`/g)) documented.add(m[1]);
    }
    assert.ok(server.size >= 15, `SettingKeys in the sidecar: ${server.size}`);
    assert.deepEqual([...client].sort(), [...server].sort(), 'protocol.ts SettingKeys');
    assert.deepEqual([...documented].sort(), [...server].sort(), 'PROTOCOL.md settings table');
    // Every key the extension's settings map or its modules send is a declared one.
    const settingsTs = read('extension-client', 'src', 'sidecar', 'settings.ts');
    const sent = [...settingsTs.matchAll(/key: (SettingKeys\.\w+|'[^']+')/g)].map((m) => m[1]);
    assert.ok(sent.length >= 6, `settings.ts keys: ${sent.length}`);
    assert.deepEqual(sent.filter((k) => !k.startsWith('SettingKeys.')), [], 'settings.ts names a key as a string instead of SettingKeys');
  });

  describe('the running sidecar', () => {
    let sidecar;
    after(() => stopSidecar(sidecar));

    test('serves every documented request and client notification it advertises, and advertises nothing undocumented', async () => {
      sidecar = startSidecar();
      const result = await initialize(sidecar.connection);
      const advertised = new Set(result.capabilities.methods);
      assert.equal(result.protocolVersion, /CLIENT_PROTOCOL_VERSION = '([^']+)'/.exec(ts)[1]);
      assert.deepEqual([...advertised].filter((m) => !documented.has(m)).sort(), [], 'advertised but not documented');
      // Server → client messages (deltas, tool calls, state changes) are not served by the sidecar.
      const inbound = [...client].filter((m) => advertised.has(m));
      assert.ok(inbound.length >= 30, `only ${inbound.length} of the extension's methods are served`);
    });
  });
});
