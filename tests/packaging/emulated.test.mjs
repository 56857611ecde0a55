// The linux-arm64 sidecar runs under qemu-user (Debian's qemu-user-static and the arm64 C
// library; .ci/run installs them): `--version`, then `initialize` over stdio with a fresh store.
// The win32-x64 sidecar under wine64 too, when EDITORASSIST_WINE=1 (wine64 is a 104 MB install
// and its first start takes a minute, too much for every CI run; the result is in PACKAGING.md).
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { EMULATORS, emulatedInitialize, emulatedVersion, unpackSidecar } from './emulated.mjs';

const version = JSON.parse(readFileSync(new URL('../../extension-client/package.json', import.meta.url), 'utf8')).version;
const targets = ['linux-arm64', ...(process.env.EDITORASSIST_WINE === '1' ? ['win32-x64'] : [])];

for (const target of targets) {
  describe(`the ${target} sidecar under an emulator`, () => {
    it('prints its version and answers initialize over stdio, then exits cleanly', { timeout: 600_000 }, async () => {
      assert.ok(EMULATORS[target].available(), `no emulator for ${target}: apt-get install ${EMULATORS[target].apt.join(' ')}`);
      const exe = unpackSidecar(target);
      try {
        const v = emulatedVersion(target, exe);
        assert.equal(v.status, 0, v.stderr);
        assert.equal(v.stdout.split('\n').at(-1), version);
        const r = await emulatedInitialize(target, exe);
        assert.equal(r.result.serverInfo.version, version);
        assert.equal(r.result.protocolVersion, '1.0');
        assert.ok(r.result.storage?.schemaVersion >= 1, 'the store (SQLite, this platform\'s native library) opened');
        assert.deepEqual(r.exit, { code: 0, signal: null });
      } finally {
        rmSync(path.dirname(exe), { recursive: true, force: true });
      }
    });
  });
}
