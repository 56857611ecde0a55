// Builds everything a run needs: npm packages, the C# solution, and the extension bundle.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { configuration, ensureNpmDeps, log, publishedSidecarDir, repoRoot, requireDotnet, run, runtimeIdentifier, serverDll } from './common.mjs';

export function build() {
  requireDotnet();
  ensureNpmDeps();
  if (!existsSync(serverDll)) log('First build of the C# solution (NuGet restore, then every project of EditorAssist.sln): about 2-4 minutes on 2 cores; later builds are incremental.');
  run('dotnet', ['build', 'EditorAssist.sln', '-c', configuration, '--nologo', '-v', 'q', '-clp:ErrorsOnly']);
  const extManifest = path.join(repoRoot, 'extension-client', 'package.json');
  if (existsSync(extManifest)) {
    const pkg = JSON.parse(readFileSync(extManifest, 'utf8'));
    if (pkg.scripts?.build) run('npm', ['run', 'build', '-w', 'extension-client']);
  }
}

/**
 * Publishes the sidecar ReadyToRun into artifacts/sidecar: what the extension ships and what the
 * benchmarks measure. ReadyToRun cuts start-up JIT work (see docs/BENCHMARKS.md).
 */
/**
 * The SDK compiles each assembly's ReadyToRun image into obj/<config>/net10.0/<rid>/R2R/ and skips
 * one whose image is newer than its input. A package upgraded to a build whose file is *older* than
 * that image (NuGet keeps the package's own timestamps) then ships the stale image: a publish held
 * Microsoft.Extensions.AI.Abstractions 10.5 while the code needed 10.11, and MCP failed to load.
 * Every ReadyToRun publish starts from an empty image folder.
 */
export function clearReadyToRunImages(rid) {
  rmSync(path.join(repoRoot, 'server', 'EditorAssist.Server', 'obj', configuration, 'net10.0', rid, 'R2R'), { recursive: true, force: true });
}

export function publishSidecar() {
  requireDotnet();
  clearReadyToRunImages(runtimeIdentifier());
  run('dotnet', ['publish', 'server/EditorAssist.Server/EditorAssist.Server.csproj', '-c', 'Release', '-r', runtimeIdentifier(),
    '--self-contained', 'false', '-p:PublishReadyToRun=true', '-o', publishedSidecarDir, '--nologo', '-v', 'q', '-clp:ErrorsOnly']);
  return publishedSidecarDir;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) build();
