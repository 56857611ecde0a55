import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { lib } from './support.mjs';

const ext = path.join('/repo', 'extension-client');
const bundledDll = path.join(ext, 'sidecar', 'EditorAssist.Server.dll');
const bundledExe = path.join(ext, 'sidecar', 'EditorAssist.Server');
const release = path.join('/repo', 'server', 'EditorAssist.Server', 'bin', 'Release', 'net10.0', 'EditorAssist.Server.dll');
const debug = release.replace('Release', 'Debug');
const locate = (over) => lib.locateSidecar({ setting: '', env: {}, extensionPath: ext, exists: () => false, platform: 'linux', ...over });

describe('locateSidecar', () => {
  it('prefers the setting, then EDITORASSIST_SIDECAR; a .dll runs under dotnet, anything else as an executable', () => {
    assert.deepEqual(locate({ setting: '/a.dll', env: { EDITORASSIST_SIDECAR: '/b.dll' }, exists: () => true }), { path: '/a.dll', kind: 'dll', source: 'setting' });
    assert.deepEqual(locate({ setting: '  ', env: { EDITORASSIST_SIDECAR: '/b.dll' }, exists: () => true }), { path: '/b.dll', kind: 'dll', source: 'environment' });
    assert.deepEqual(locate({ setting: '/opt/ea/EditorAssist.Server' }), { path: '/opt/ea/EditorAssist.Server', kind: 'executable', source: 'setting' });
    assert.deepEqual(locate({ env: { EDITORASSIST_SIDECAR: 'C:\\ea\\EditorAssist.Server.DLL' } }).kind, 'dll');
  });
  it('then the bundled self-contained executable, named for the platform', () => {
    assert.deepEqual(locate({ exists: () => true }), { path: bundledExe, kind: 'executable', source: 'bundled' });
    const winExe = path.join(ext, 'sidecar', 'EditorAssist.Server.exe');
    assert.deepEqual(locate({ platform: 'win32', exists: (f) => f === winExe }), { path: winExe, kind: 'executable', source: 'bundled' });
    // The Linux name does not count on Windows (and vice versa).
    assert.equal(locate({ platform: 'win32', exists: (f) => f === bundledExe }), undefined);
  });
  it('then a bundled dll, then the repository build (Release before Debug)', () => {
    assert.deepEqual(locate({ exists: (f) => f !== bundledExe }), { path: bundledDll, kind: 'dll', source: 'bundled' });
    assert.deepEqual(locate({ exists: (f) => f === release || f === debug }), { path: release, kind: 'dll', source: 'repository' });
    assert.deepEqual(locate({ exists: (f) => f === debug }), { path: debug, kind: 'dll', source: 'repository' });
  });
  it('finds nothing when nothing exists', () => {
    assert.equal(locate({}), undefined);
  });
});

describe('sidecarCommand', () => {
  it('runs an executable itself and never asks for dotnet', () => {
    assert.deepEqual(lib.sidecarCommand({ path: '/x/EditorAssist.Server', kind: 'executable', source: 'bundled' }, '/nowhere/dotnet'),
      { command: '/x/EditorAssist.Server', args: [] });
  });
  it('runs a dll with the configured dotnet, or dotnet on PATH', () => {
    assert.deepEqual(lib.sidecarCommand({ path: '/x/a.dll', kind: 'dll', source: 'repository' }, '/opt/dotnet/dotnet'), { command: '/opt/dotnet/dotnet', args: ['/x/a.dll'] });
    assert.deepEqual(lib.sidecarCommand({ path: '/x/a.dll', kind: 'dll', source: 'repository' }, ''), { command: 'dotnet', args: ['/x/a.dll'] });
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
