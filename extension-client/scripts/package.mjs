// Builds one VSIX per platform with @vscode/vsce: the bundled extension, a self-contained
// sidecar (no .NET needed on the user's machine) and that platform's llama.cpp build.
//
//   node scripts/package.mjs                      every target (see targets.mjs)
//   node scripts/package.mjs --target linux-x64   one target (repeat the flag for more)
//   options: --no-ready-to-run (faster, slower sidecar start), --out-dir DIR
//
// Output: artifacts/vsix/editorassist-<target>-<version>.vsix. Expects npm packages installed
// (`npm run package` at the repository root installs and builds first).
//
// Steps per target: bundle the extension (production, once) → `dotnet publish -r <rid>
// --self-contained` (ReadyToRun: crossgen2 compiles for every RID from any host) → the
// llama.cpp libraries from the pinned @node-llama-cpp/<pkg> tarball (fetched with `npm pack`:
// no install scripts run and the package's os/cpu fields do not apply, so every platform's
// package is fetched on any machine; cached under .cache/) → stage → `vsce package --target`.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TARGET_NAMES, TARGETS, sidecarExecutable, vsixFileName } from './targets.mjs';
import { clearReadyToRunImages } from '../../tests/tools/build.mjs';

const clientRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = path.resolve(clientRoot, '..');
const cacheRoot = path.join(repoRoot, '.cache');

function sh(cmd, args, opts = {}) {
  process.stderr.write(`[package] $ ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: repoRoot, ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`);
  return r;
}

/**
 * The unpacked @node-llama-cpp/<pkg>@<version> tarball (its bins/<pkg>/ folder), from
 * .cache/node-llama-cpp/ or fetched with `npm pack`, whose tarball must match the pinned
 * integrity. Extracted to a temporary folder and renamed into place, so a half-extracted
 * package is never taken for a whole one.
 */
export function fetchLlamaPackage({ pkg, version, integrity }) {
  const dir = path.join(cacheRoot, 'node-llama-cpp', `${pkg}-${version}`);
  const bins = path.join(dir, 'bins', pkg);
  if (existsSync(path.join(dir, '.complete'))) return bins;
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const r = spawnSync('npm', ['pack', `@node-llama-cpp/${pkg}@${version}`, '--json', '--pack-destination', tmp, '--loglevel=error'],
    { cwd: tmp, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm pack @node-llama-cpp/${pkg}@${version} failed:\n${r.stderr}`);
  const [info] = JSON.parse(r.stdout);
  if (info.integrity !== integrity) {
    throw new Error(`@node-llama-cpp/${pkg}@${version}: integrity ${info.integrity} is not the pinned ${integrity}`);
  }
  const tgz = path.join(tmp, info.filename);
  // Own check of the bytes as well: npm pack verifies against the registry's metadata only.
  const digest = `sha512-${createHash('sha512').update(readFileSync(tgz)).digest('base64')}`;
  if (digest !== integrity) throw new Error(`${info.filename}: sha512 ${digest} is not the pinned ${integrity}`);
  sh('tar', ['xzf', tgz, '-C', tmp, '--strip-components=1', 'package/bins', 'package/package.json']);
  rmSync(tgz);
  writeFileSync(path.join(tmp, '.complete'), `${integrity}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return bins;
}

/**
 * Which files of a llama.cpp package the sidecar loads: libllama, libggml, libggml-base and
 * the ggml backends (CPU variants, Vulkan, Metal, BLAS), plus the build metadata. Left out:
 * node-llama-cpp's own Node addon (llama-addon.node/.lib) and libllama-common (its helpers).
 */
export function isLlamaRuntimeFile(name) {
  if (/^_nlcBuildMetadata\.json$/.test(name)) return true;
  if (/^llama-addon\./.test(name) || /^(lib)?llama-common\./.test(name)) return false;
  return /\.(so|dylib|dll)$/.test(name);
}

/** A self-contained publish of the sidecar for `rid` into `dest`. */
function publishSidecar(rid, dest, { readyToRun }) {
  rmSync(dest, { recursive: true, force: true });
  clearReadyToRunImages(rid);
  sh('dotnet', ['publish', path.join('server', 'EditorAssist.Server', 'EditorAssist.Server.csproj'), '-c', 'Release', '-r', rid,
    '--self-contained', 'true', `-p:PublishReadyToRun=${readyToRun}`, '-p:DebugType=None', '-p:GenerateDocumentationFile=false',
    '-o', dest, '--nologo', '-v', 'q', '-clp:ErrorsOnly']);
  // SQLite's native library (and any other RID-specific native asset) is flattened into the
  // publish folder by the SDK for a RID publish; a runtimes/<rid>/native/ folder left by a
  // package that opts out of that is flattened here too, so the sidecar finds it next to itself.
  const runtimes = path.join(dest, 'runtimes');
  if (existsSync(runtimes)) {
    const native = path.join(runtimes, rid, 'native');
    if (existsSync(native)) for (const f of readdirSync(native)) copyFileSync(path.join(native, f), path.join(dest, f));
    rmSync(runtimes, { recursive: true, force: true });
  }
}

function listFiles(dir, base = dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p, base));
    else if (e.isFile()) out.push(path.relative(base, p));
  }
  return out.sort();
}

/** The extension's manifest as shipped: no build scripts or dependencies (everything is bundled). */
function shippedManifest() {
  const pkg = JSON.parse(readFileSync(path.join(clientRoot, 'package.json'), 'utf8'));
  const { scripts: _s, devDependencies: _d, dependencies: _x, private: _p, ...manifest } = pkg;
  return manifest;
}

/**
 * Everything a target's VSIX is made from; the hash names a cached VSIX, so an unchanged tree is
 * not published again (the e2e packages linux-x64 on every run).
 */
function inputHash(target, options) {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ target, spec: TARGETS[target], options }));
  const roots = ['server', 'extension-client/src', 'extension-client/webview', 'extension-client/media', 'extension-client/marketplace',
    'extension-client/scripts', 'extension-client/package.json', 'package-lock.json', 'Directory.Build.props', 'CHANGELOG.md', 'LICENSE'];
  for (const root of roots) {
    const full = path.join(repoRoot, root);
    if (!existsSync(full)) continue;
    const files = statSync(full).isDirectory()
      ? listFiles(full).filter((f) => !/(^|[\\/])(bin|obj|node_modules)[\\/]/.test(f)).map((f) => path.join(full, f))
      : [full];
    for (const f of files) hash.update(`${path.relative(repoRoot, f)}\0`).update(readFileSync(f));
  }
  return hash.digest('hex').slice(0, 16);
}

/** The extension's own files (bundle, media, listing README, CHANGELOG, LICENSE) into a fresh `stage`. */
function stageExtension(stage, manifest) {
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(path.join(stage, 'dist'), { recursive: true });
  // `files` tells vsce what belongs in the VSIX (instead of a .vscodeignore).
  writeFileSync(path.join(stage, 'package.json'), JSON.stringify({ ...manifest, files: ['dist/**', 'media/**', 'sidecar/**', 'README.md', 'CHANGELOG.md', 'LICENSE'] }, null, 2));
  cpSync(path.join(clientRoot, 'dist', 'extension.js'), path.join(stage, 'dist', 'extension.js'));
  cpSync(path.join(clientRoot, 'dist', 'webview'), path.join(stage, 'dist', 'webview'), { recursive: true, filter: (f) => !f.endsWith('.map') });
  cpSync(path.join(clientRoot, 'media'), path.join(stage, 'media'), { recursive: true });
  cpSync(path.join(clientRoot, 'marketplace', 'README.md'), path.join(stage, 'README.md'));
  cpSync(path.join(repoRoot, 'CHANGELOG.md'), path.join(stage, 'CHANGELOG.md'));
  cpSync(path.join(repoRoot, 'LICENSE'), path.join(stage, 'LICENSE'));
  return stage;
}

/** `vsce package` of a stage; `--no-dependencies` because the stage has none (the extension is one bundle). */
function vscePackage(stage, vsix, target) {
  const vsce = path.join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
  if (!existsSync(vsce)) throw new Error('@vscode/vsce is not installed: run `npm run package` at the repository root (it installs it)');
  mkdirSync(path.dirname(vsix), { recursive: true });
  sh(process.execPath, [vsce, 'package', ...(target ? ['--target', target] : []), '--no-dependencies', '--out', vsix], { cwd: stage, stdio: ['ignore', 'ignore', 'inherit'] });
}

/**
 * A development VSIX for `npm start`: the solution's Release build as the sidecar (run with
 * `dotnet`, seconds instead of a publish) and no llama.cpp inside: installed under the
 * repository (.tools/), the sidecar finds the clone's node_modules/@node-llama-cpp builds.
 */
export async function packageDevVsix({ out }) {
  const configuration = process.env.EDITORASSIST_CONFIGURATION ?? 'Release';
  const buildOut = path.join(repoRoot, 'server', 'EditorAssist.Server', 'bin', configuration, 'net10.0');
  if (!existsSync(path.join(buildOut, 'EditorAssist.Server.dll'))) {
    throw new Error(`No sidecar build at ${buildOut}: run \`npm run build\` first.`);
  }
  bundleExtension();
  const stage = stageExtension(path.join(clientRoot, 'out', 'vsix', 'dev'), shippedManifest());
  // Without the build's apphost (a framework-dependent EditorAssist.Server[.exe]): the extension
  // would take it for a self-contained sidecar; the dll runs under editorAssist.sidecar.dotnetPath.
  const apphosts = new Set(['EditorAssist.Server', 'EditorAssist.Server.exe'].map((f) => path.join(buildOut, f)));
  cpSync(buildOut, path.join(stage, 'sidecar'), { recursive: true, filter: (src) => !src.endsWith('.pdb') && !apphosts.has(src) });
  vscePackage(stage, out);
  return out;
}

let bundled = false;
function bundleExtension() {
  if (bundled) return;
  sh(process.execPath, [path.join(clientRoot, 'scripts', 'build.mjs'), '--production']);
  bundled = true;
}

/**
 * Builds the VSIX of one target and resolves with its path. `cache`: reuse a VSIX built from the
 * same inputs (.cache/vsix/), and keep the new one there.
 */
export async function packageTarget(target, { readyToRun = true, outDir = path.join(repoRoot, 'artifacts', 'vsix'), cache = false } = {}) {
  const spec = TARGETS[target];
  if (!spec) throw new Error(`unknown target ${target}; one of ${Object.keys(TARGETS).join(', ')}`);
  const t0 = Date.now();
  const manifest = shippedManifest();
  const vsix = path.join(outDir, vsixFileName(target, manifest.version));
  mkdirSync(outDir, { recursive: true });
  const cached = cache ? path.join(cacheRoot, 'vsix', `${target}-${inputHash(target, { readyToRun })}.vsix`) : undefined;
  if (cached && existsSync(cached)) {
    copyFileSync(cached, vsix);
    process.stderr.write(`[package] ${path.relative(repoRoot, vsix)}: unchanged inputs, from ${path.relative(repoRoot, cached)}\n`);
    return vsix;
  }

  bundleExtension();
  const stage = stageExtension(path.join(clientRoot, 'out', 'vsix', target), manifest);
  const sidecar = path.join(stage, 'sidecar');
  publishSidecar(spec.rid, sidecar, { readyToRun });
  // llama.cpp where LlamaLibrary looks first: sidecar/llama/<pkg>/ next to the executable.
  const bins = fetchLlamaPackage(spec.llama);
  const llamaDir = path.join(sidecar, 'llama', spec.llama.pkg);
  mkdirSync(llamaDir, { recursive: true });
  for (const f of readdirSync(bins).filter(isLlamaRuntimeFile)) copyFileSync(path.join(bins, f), path.join(llamaDir, f));

  vscePackage(stage, vsix, target);
  if (cached) {
    mkdirSync(path.dirname(cached), { recursive: true });
    // Older cached builds of this target are stale once a new one exists.
    for (const f of readdirSync(path.dirname(cached)).filter((f) => f.startsWith(`${target}-`))) rmSync(path.join(path.dirname(cached), f), { force: true });
    copyFileSync(vsix, cached);
  }
  const mb = (statSync(vsix).size / 2 ** 20).toFixed(1);
  process.stderr.write(`[package] ${path.relative(repoRoot, vsix)} (${listFiles(stage).length} files, ${mb} MiB) in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  return vsix;
}

/** Builds every target in `targets` in turn; resolves with their paths. */
export async function packageAll(targets = TARGET_NAMES, options = {}) {
  const out = [];
  for (const t of targets) out.push(await packageTarget(t, options));
  return out;
}

export { sidecarExecutable };

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const targets = args.flatMap((a, i) => (a === '--target' ? [args[i + 1]] : []));
  const outIdx = args.indexOf('--out-dir');
  const options = { readyToRun: !args.includes('--no-ready-to-run'), ...(outIdx >= 0 ? { outDir: path.resolve(args[outIdx + 1]) } : {}) };
  const files = await packageAll(targets.length ? targets : TARGET_NAMES, options);
  for (const f of files) console.log(f);
  if (!targets.length) {
    for (const [t, spec] of Object.entries(TARGETS).filter(([, s]) => s.unavailable)) console.log(`${t}: not built (${spec.unavailable}); try --target ${t} where it is served`);
  }
}
