import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { lib } from './support.mjs';

const ext = path.join('/repo', 'extension-client');
const bundled = path.join(ext, 'sidecar', 'EditorAssist.Server.dll');
const release = path.join('/repo', 'server', 'EditorAssist.Server', 'bin', 'Release', 'net10.0', 'EditorAssist.Server.dll');
const debug = release.replace('Release', 'Debug');
const locate = (over) => lib.locateSidecar({ setting: '', env: {}, extensionPath: ext, exists: () => false, ...over });

describe('locateSidecar', () => {
  it('prefers the setting, then EDITORASSIST_SIDECAR', () => {
    assert.deepEqual(locate({ setting: '/a.dll', env: { EDITORASSIST_SIDECAR: '/b.dll' }, exists: () => true }), { dll: '/a.dll', source: 'setting' });
    assert.deepEqual(locate({ setting: '  ', env: { EDITORASSIST_SIDECAR: '/b.dll' }, exists: () => true }), { dll: '/b.dll', source: 'environment' });
  });
  it('then the bundled sidecar, then the repository build (Release before Debug)', () => {
    assert.deepEqual(locate({ exists: () => true }), { dll: bundled, source: 'bundled' });
    assert.deepEqual(locate({ exists: (f) => f === release || f === debug }), { dll: release, source: 'repository' });
    assert.deepEqual(locate({ exists: (f) => f === debug }), { dll: debug, source: 'repository' });
  });
  it('finds nothing when nothing exists', () => {
    assert.equal(locate({}), undefined);
  });
});

describe('formatSystemInfo', () => {
  it('shows every fact on its own line', () => {
    const text = lib.formatSystemInfo({
      os: 'Debian 12', arch: 'x64', cpu: { name: 'EPYC', cores: 2 }, ramTotalBytes: 24 * 2 ** 30, ramFreeBytes: 20 * 2 ** 30,
      gpus: [{ name: 'llvmpipe', backend: 'vulkan', vramTotalBytes: 2 ** 30 }], runtime: { backends: ['cpu'] },
    }, 'EditorAssist.Server 0.1.0');
    assert.match(text, /CPU cores: +2\n/);
    assert.match(text, /RAM total: +24\.0 GiB/);
    assert.match(text, /GPU 0: +llvmpipe \(vulkan, 1\.0 GiB VRAM\)/);
    assert.match(text, /Sidecar: +EditorAssist\.Server 0\.1\.0/);
  });
});
