// Opens every target's VSIX (artifacts/vsix/, made by `npm run package` or by `npm test -- package`)
// and checks that it is what its platform needs and nothing another platform needs:
// the manifest's target platform, a self-contained sidecar whose executable and every native
// library are of the target's format and architecture, that platform's llama.cpp build and
// SQLite library, a Marketplace-ready manifest, and the size.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TARGET_NAMES, TARGETS, sidecarExecutable, vsixFileName } from '../../extension-client/scripts/targets.mjs';
import { binaryKind, machoHasCodeSignature, readZip } from './binaries.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const version = JSON.parse(readFileSync(path.join(repoRoot, 'extension-client', 'package.json'), 'utf8')).version;
const vsixDir = process.env.EDITORASSIST_VSIX_DIR ?? path.join(repoRoot, 'artifacts', 'vsix');
/** The budget per VSIX (issue 12): a self-contained .NET runtime plus one llama.cpp build. */
const MAX_BYTES = 120 * 2 ** 20;
const SIDECAR = 'extension/sidecar/';

describe('binaryKind (the header parser the checks below rely on)', () => {
  it('tells ELF machines apart', () => {
    const elf = Buffer.alloc(64); elf.write('\x7fELF', 0, 'latin1'); elf[4] = 2; elf[5] = 1;
    elf.writeUInt16LE(0x3e, 18);
    assert.deepEqual(binaryKind(elf), { format: 'elf', bits: 64, machine: 'x86-64' });
    elf.writeUInt16LE(0xb7, 18);
    assert.equal(binaryKind(elf).machine, 'aarch64');
  });
  it('tells a native PE32+ from a .NET assembly', () => {
    const pe = Buffer.alloc(512); pe.write('MZ', 0, 'latin1'); pe.writeUInt32LE(0x80, 0x3c); pe.write('PE\0\0', 0x80, 'latin1');
    pe.writeUInt16LE(0xaa64, 0x84); pe.writeUInt16LE(0x20b, 0x98);
    assert.deepEqual(binaryKind(pe), { format: 'pe', bits: 64, machine: 'arm64', managed: false });
    pe.writeUInt32LE(72, 0x98 + 112 + 14 * 8 + 4); // a CLI header
    assert.equal(binaryKind(pe).managed, true);
  });
  it('reads Mach-O thin and fat headers, and nothing from text', () => {
    const m = Buffer.alloc(32); m.writeUInt32LE(0xfeedfacf, 0); m.writeUInt32LE(0x0100000c, 4);
    assert.deepEqual(binaryKind(m), { format: 'macho', bits: 64, machine: 'arm64' });
    const fat = Buffer.alloc(64); fat.writeUInt32BE(0xcafebabe, 0); fat.writeUInt32BE(2, 4); fat.writeUInt32BE(0x01000007, 8); fat.writeUInt32BE(0x0100000c, 28);
    assert.deepEqual(binaryKind(fat).fat, ['x86_64', 'arm64']);
    assert.equal(binaryKind(Buffer.from('{"hello": "world"}')), undefined);
  });
  it('finds a Mach-O code signature load command', () => {
    const m = Buffer.alloc(64); m.writeUInt32LE(0xfeedfacf, 0); m.writeUInt32LE(1, 16);
    m.writeUInt32LE(0x19, 32); m.writeUInt32LE(16, 36); // LC_SEGMENT_64 only
    assert.equal(machoHasCodeSignature(m), false);
    m.writeUInt32LE(0x1d, 32);
    assert.equal(machoHasCodeSignature(m), true);
  });
});

for (const target of TARGET_NAMES) {
  const spec = TARGETS[target];
  const file = path.join(vsixDir, vsixFileName(target, version));

  describe(`VSIX ${target}`, () => {
    // A missing VSIX fails (not skips): the suite's job is to check every target.
    it('exists and fits the size budget', () => {
      assert.ok(existsSync(file), `${file} is missing: run \`npm run package\` (or \`npm test -- package\`)`);
      const size = statSync(file).size;
      assert.ok(size <= MAX_BYTES, `${(size / 2 ** 20).toFixed(1)} MiB > ${MAX_BYTES / 2 ** 20} MiB`);
    });
    if (!existsSync(file)) return;
    const entries = readZip(file);
    const byName = new Map(entries.map((e) => [e.name, e]));
    const text = (name) => {
      const e = byName.get(name);
      assert.ok(e, `${name} is in the VSIX`);
      return e.data().toString('utf8');
    };

    it('declares its target platform and a Marketplace-ready manifest', () => {
      const manifest = text('extension.vsixmanifest');
      assert.match(manifest, new RegExp(`<Identity [^>]*TargetPlatform="${target}"`));
      assert.match(manifest, /<Icon>extension\/media\/icon\.png<\/Icon>/);
      assert.match(manifest, /<License>extension\/LICENSE(\.txt)?<\/License>/);
      const pkg = JSON.parse(text('extension/package.json'));
      assert.equal(pkg.repository.url, 'https://github.com/editorassist/editorassist.git');
      assert.ok(!JSON.stringify(pkg).includes('example.invalid'));
      assert.equal(pkg.dependencies, undefined, 'everything is bundled: no runtime dependencies');
      assert.ok(byName.has(`extension/${pkg.icon}`), 'the icon is packed');
      assert.deepEqual([...byName.get(`extension/${pkg.icon}`).data().subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'the icon is a PNG');
      assert.match(text('extension/readme.md'), /# EditorAssist/);
      assert.match(text('extension/changelog.md'), /# Changelog/);
      assert.ok(byName.has('extension/dist/extension.js'));
    });

    it(`has a ${spec.binary.format} ${spec.binary.machine} sidecar executable`, () => {
      const exe = byName.get(SIDECAR + sidecarExecutable(target));
      assert.ok(exe, `${sidecarExecutable(target)} is in extension/sidecar/`);
      const kind = binaryKind(exe.data());
      assert.deepEqual({ format: kind?.format, machine: kind?.machine, bits: kind?.bits }, { ...spec.binary, bits: 64 });
      assert.ok(!kind.managed, 'the apphost is native code');
      if (spec.os !== 'win32') assert.ok(exe.mode & 0o100, `executable bit set (mode ${exe.mode.toString(8)})`);
      // Apple silicon kills unsigned arm64 code: the SDK signs the apphost ad hoc, even on Linux.
      if (spec.os === 'darwin') assert.ok(machoHasCodeSignature(exe.data()), 'the apphost carries a code signature');
    });

    it('is self-contained: the runtime is inside and the runtimeconfig says so', () => {
      const config = JSON.parse(text(`${SIDECAR}EditorAssist.Server.runtimeconfig.json`)).runtimeOptions;
      assert.ok(Array.isArray(config.includedFrameworks), 'includedFrameworks: a self-contained app');
      assert.equal(config.framework, undefined);
      assert.equal(config.frameworks, undefined);
      const coreclr = { linux: 'libcoreclr.so', win32: 'coreclr.dll', darwin: 'libcoreclr.dylib' }[spec.os];
      assert.ok(byName.has(SIDECAR + coreclr), `${coreclr} is bundled`);
      assert.ok(byName.has(`${SIDECAR}System.Private.CoreLib.dll`));
      // Not trimmed: the whole shared framework is there (a trimmed StreamJsonRpc failed at initialize).
      assert.ok(byName.has(`${SIDECAR}System.Text.Json.dll`) && byName.has(`${SIDECAR}System.Net.Http.dll`));
    });

    it('ships each managed assembly at the version its deps.json names', () => {
      // A stale ReadyToRun image once shipped an older Microsoft.Extensions.AI.Abstractions than the
      // code was built against, and MCP failed to load at run time. The file version sits in each
      // assembly's version resource (UTF-16), ReadyToRun images included.
      const deps = JSON.parse(text(`${SIDECAR}EditorAssist.Server.deps.json`));
      const target = Object.values(deps.targets).find((t) => Object.keys(t).some((k) => k.startsWith('EditorAssist.Server/')));
      let checked = 0;
      const wrong = [];
      for (const lib of Object.values(target)) {
        for (const [asset, info] of Object.entries(lib.runtime ?? {})) {
          if (!info.fileVersion || !asset.endsWith('.dll')) continue;
          const e = byName.get(SIDECAR + path.posix.basename(asset));
          if (!e) continue; // the framework's own assemblies are listed under another name in some packs
          const data = e.data();
          // A library without a version resource (EventLog's message table on Windows) has nothing to compare.
          if (!data.includes(Buffer.from('FileVersion', 'utf16le'))) continue;
          checked++;
          if (!data.includes(Buffer.from(info.fileVersion, 'utf16le'))) wrong.push(`${path.posix.basename(asset)} is not ${info.fileVersion}`);
        }
      }
      assert.ok(checked >= 20, `only ${checked} assemblies checked`);
      assert.deepEqual(wrong, []);
    });

    it(`carries ${spec.llama.pkg}'s llama.cpp (${spec.backends.join(' + ')}) and no other build`, () => {
      const llamaFolders = new Set(entries.filter((e) => e.name.startsWith(`${SIDECAR}llama/`)).map((e) => e.name.split('/')[3]));
      assert.deepEqual([...llamaFolders], [spec.llama.pkg]);
      const dir = `${SIDECAR}llama/${spec.llama.pkg}/`;
      const names = entries.filter((e) => e.name.startsWith(dir)).map((e) => e.name.slice(dir.length));
      const [prefix, ext] = spec.os === 'win32' ? ['', '.dll'] : spec.os === 'darwin' ? ['lib', '.dylib'] : ['lib', '.so'];
      assert.ok(names.some((n) => new RegExp(`^${prefix}llama\\.(.+\\.)?v\\d+\\.\\d+\\.\\d+\\${ext}$`).test(n)), `libllama in ${names.join(', ')}`);
      assert.ok(names.includes(`${prefix}ggml-base${ext}`));
      const backendExt = spec.os === 'win32' ? '.dll' : '.so'; // ggml's backend plug-ins are .so on macOS too
      assert.ok(names.some((n) => n.startsWith(`${prefix}ggml-cpu`) && n.endsWith(backendExt)), 'a CPU backend');
      for (const gpu of spec.backends.filter((b) => b !== 'CPU')) {
        assert.ok(names.includes(`${prefix}ggml-${gpu.toLowerCase()}${backendExt}`), `the ${gpu} backend`);
      }
      const meta = JSON.parse(text(`${dir}_nlcBuildMetadata.json`)).buildOptions;
      assert.equal(meta.platform, { linux: 'linux', win32: 'win', darwin: 'mac' }[spec.os]);
      assert.equal(meta.arch, spec.arch);
      assert.ok(!names.some((n) => /llama-addon|llama-common/.test(n)), 'node-llama-cpp\'s own addon and helpers stay out');
    });

    it('carries SQLite\'s native library for this platform', () => {
      const sqlite = entries.filter((e) => /^extension\/sidecar\/(lib)?e_sqlite3\.(so|dll|dylib)$/.test(e.name));
      assert.equal(sqlite.length, 1, sqlite.map((e) => e.name).join(', '));
      const kind = binaryKind(sqlite[0].data());
      assert.deepEqual({ format: kind?.format, machine: kind?.machine }, spec.binary);
      assert.ok(!entries.some((e) => e.name.startsWith(`${SIDECAR}runtimes/`)), 'no runtimes/<rid>/ folders of other platforms');
    });

    it('holds no native code of another platform', () => {
      const wrong = [];
      let natives = 0;
      for (const e of entries) {
        if (e.size < 64) continue;
        const kind = binaryKind(e.data());
        if (!kind || kind.managed) continue;
        natives++;
        const ok = kind.format === spec.binary.format && kind.bits === 64 &&
          (kind.fat ? kind.fat.includes(spec.binary.machine) : kind.machine === spec.binary.machine);
        if (!ok) wrong.push(`${e.name}: ${kind.format} ${kind.machine}`);
      }
      assert.deepEqual(wrong, []);
      assert.ok(natives >= 10, `${natives} native binaries found (runtime, llama.cpp, SQLite)`);
    });
  });
}
