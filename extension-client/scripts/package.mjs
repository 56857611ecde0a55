// Builds the VSIX: the bundled extension plus the sidecar, ready for `code --install-extension`.
//
//   node scripts/package.mjs [--sidecar-from-build] [--cpu-only | --no-native] [--out FILE]
//
// Steps: bundle (production) → stage the sidecar (dotnet publish, or with --sidecar-from-build
// a copy of the solution's Release build output, which is faster when it is fresh) → stage
// native llama.cpp libraries (see stageNativeLibraries) → write the VSIX (a zip holding
// extension.vsixmanifest, [Content_Types].xml and extension/…). We write the zip ourselves
// (yazl) rather than use @vscode/vsce: vsce pulls a large dependency tree and prompts on
// missing metadata; what VS Code needs from a VSIX is small and documented.
import { spawnSync } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import yazl from 'yazl';

const clientRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = path.resolve(clientRoot, '..');
export const TARGET = 'linux-x64';

function sh(cmd, args, opts = {}) {
  process.stderr.write(`[package] $ ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: repoRoot, ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`);
}

/** The sidecar's files, into `dest` (which becomes extension/sidecar/ in the VSIX). */
function stageSidecar(dest, { fromBuild }) {
  rmSync(dest, { recursive: true, force: true });
  const configuration = process.env.EDITORASSIST_CONFIGURATION ?? 'Release';
  const buildOut = path.join(repoRoot, 'server', 'EditorAssist.Server', 'bin', configuration, 'net10.0');
  if (fromBuild) {
    if (!existsSync(path.join(buildOut, 'EditorAssist.Server.dll'))) {
      throw new Error(`No sidecar build at ${buildOut}: run \`dotnet build EditorAssist.sln -c ${configuration}\` first.`);
    }
    cpSync(buildOut, dest, { recursive: true, filter: (src) => !src.endsWith('.pdb') });
  } else {
    // Framework-dependent: the user needs the .NET 10 runtime (not the SDK). A self-contained
    // build (-r linux-x64 --self-contained) needs runtime packs that are not always at hand.
    sh('dotnet', ['publish', path.join('server', 'EditorAssist.Server'), '-c', 'Release', '-r', TARGET, '--self-contained', 'false', '-o', dest, '--nologo', '-v', 'q', '-clp:ErrorsOnly', '-p:DebugType=None']);
  }
}

/**
 * The local runtime's native llama.cpp libraries, from the pinned npm packages. They go where
 * the sidecar looks for them (EditorAssist.Llama's LlamaLibrary: node_modules/@node-llama-cpp/
 * <pkg>/bins/<flavour>/ in any folder above its own), i.e. mirrored under extension/sidecar/.
 * `which`: 'all' (CPU and Vulkan builds), 'cpu' (the CPU build only), or false.
 */
function stageNativeLibraries(sidecarDir, which) {
  if (!which) return;
  const pkgs = which === 'cpu' ? ['linux-x64'] : ['linux-x64', 'linux-x64-vulkan'];
  for (const pkg of pkgs) {
    const bins = path.join(repoRoot, 'node_modules', '@node-llama-cpp', pkg, 'bins');
    if (!existsSync(bins)) throw new Error(`@node-llama-cpp/${pkg} is not installed (npm install)`);
    // Shared libraries and the build metadata; llama-addon.node is node-llama-cpp's own binding.
    cpSync(bins, path.join(sidecarDir, 'node_modules', '@node-llama-cpp', pkg, 'bins'), {
      recursive: true, filter: (src) => statSync(src).isDirectory() || /\.so(\.\d+)*$|\.json$/.test(src),
    });
  }
}

function escapeXml(s) {
  return String(s).replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]);
}

function vsixManifest(pkg) {
  return `<?xml version="1.0" encoding="utf-8"?>
<PackageManifest Version="2.0.0" xmlns="http://schemas.microsoft.com/developer/vsx-schema/2011" xmlns:d="http://schemas.microsoft.com/developer/vsx-schema-design/2011">
  <Metadata>
    <Identity Language="en-US" Id="${escapeXml(pkg.name)}" Version="${escapeXml(pkg.version)}" Publisher="${escapeXml(pkg.publisher)}" TargetPlatform="${TARGET}"/>
    <DisplayName>${escapeXml(pkg.displayName)}</DisplayName>
    <Description xml:space="preserve">${escapeXml(pkg.description ?? '')}</Description>
    <Tags></Tags>
    <Categories>${escapeXml((pkg.categories ?? []).join(','))}</Categories>
    <GalleryFlags>Public</GalleryFlags>
    <Properties>
      <Property Id="Microsoft.VisualStudio.Code.Engine" Value="${escapeXml(pkg.engines.vscode)}" />
      <Property Id="Microsoft.VisualStudio.Code.ExtensionKind" Value="workspace" />
    </Properties>
  </Metadata>
  <Installation>
    <InstallationTarget Id="Microsoft.VisualStudio.Code"/>
  </Installation>
  <Dependencies/>
  <Assets>
    <Asset Type="Microsoft.VisualStudio.Code.Manifest" Path="extension/package.json" Addressable="true" />
    <Asset Type="Microsoft.VisualStudio.Services.Content.Details" Path="extension/README.md" Addressable="true" />
  </Assets>
</PackageManifest>
`;
}

function contentTypes(files) {
  const exts = [...new Set(files.map((f) => path.extname(f).toLowerCase()).filter(Boolean))].sort();
  const types = { '.svg': 'image/svg+xml', '.css': 'text/css', '.json': 'application/json', '.js': 'application/javascript', '.md': 'text/markdown', '.xml': 'text/xml', '.vsixmanifest': 'text/xml', '.txt': 'text/plain' };
  const rows = exts.map((e) => `  <Default Extension="${escapeXml(e)}" ContentType="${types[e] ?? 'application/octet-stream'}" />`);
  return `<?xml version="1.0" encoding="utf-8"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\n${rows.join('\n')}\n</Types>\n`;
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

/** Builds the VSIX and resolves with its path. */
export async function packageVsix({ sidecarFromBuild = false, nativeLibs = 'all', compress = true, out } = {}) {
  const t0 = Date.now();
  sh(process.execPath, [path.join(clientRoot, 'scripts', 'build.mjs'), '--production']);
  const pkg = JSON.parse(readFileSync(path.join(clientRoot, 'package.json'), 'utf8'));
  const stage = path.join(clientRoot, 'out', 'vsix', 'extension');
  rmSync(path.dirname(stage), { recursive: true, force: true });
  mkdirSync(path.join(stage, 'dist'), { recursive: true });

  const { scripts: _s, devDependencies: _d, dependencies: _x, private: _p, ...manifest } = pkg;
  writeFileSync(path.join(stage, 'package.json'), JSON.stringify(manifest, null, 2));
  cpSync(path.join(clientRoot, 'dist', 'extension.js'), path.join(stage, 'dist', 'extension.js'));
  cpSync(path.join(clientRoot, 'dist', 'webview'), path.join(stage, 'dist', 'webview'), { recursive: true, filter: (f) => !f.endsWith('.map') });
  cpSync(path.join(clientRoot, 'media'), path.join(stage, 'media'), { recursive: true });
  const readme = path.join(repoRoot, 'docs', 'USER_GUIDE.md');
  writeFileSync(path.join(stage, 'README.md'), existsSync(readme) ? readFileSync(readme) : `# ${pkg.displayName}\n\n${pkg.description}\n`);
  if (existsSync(path.join(repoRoot, 'LICENSE'))) cpSync(path.join(repoRoot, 'LICENSE'), path.join(stage, 'LICENSE.txt'));

  stageSidecar(path.join(stage, 'sidecar'), { fromBuild: sidecarFromBuild });
  stageNativeLibraries(path.join(stage, 'sidecar'), nativeLibs);

  const files = listFiles(stage);
  const vsix = out ?? path.join(repoRoot, 'artifacts', 'vsix', `${pkg.name}-${TARGET}-${pkg.version}.vsix`);
  mkdirSync(path.dirname(vsix), { recursive: true });
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from(vsixManifest(pkg)), 'extension.vsixmanifest');
  zip.addBuffer(Buffer.from(contentTypes([...files, 'extension.vsixmanifest'])), '[Content_Types].xml');
  for (const f of files) {
    const full = path.join(stage, f);
    const mode = statSync(full).mode;
    zip.addFile(full, `extension/${f.split(path.sep).join('/')}`, { mode, compress });
  }
  zip.end();
  await new Promise((resolve, reject) => {
    zip.outputStream.pipe(createWriteStream(vsix)).on('close', resolve).on('error', reject);
  });
  const mb = (statSync(vsix).size / 2 ** 20).toFixed(1);
  process.stderr.write(`[package] ${path.relative(repoRoot, vsix)} (${files.length + 2} files, ${mb} MiB) in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  return vsix;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const outIdx = args.indexOf('--out');
  await packageVsix({ sidecarFromBuild: args.includes('--sidecar-from-build'), nativeLibs: args.includes('--no-native') ? false : args.includes('--cpu-only') ? 'cpu' : 'all', out: outIdx >= 0 ? path.resolve(args[outIdx + 1]) : undefined });
}
