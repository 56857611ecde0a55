// Packs the test-only fake language model vendor (fixtures/host-lm-vendor) into a VSIX, which the
// fixture installs next to EditorAssist with code-server's own CLI (as users install extensions).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../tools/common.mjs';

const fixtureDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'host-lm-vendor');

/** Resolves with the path of `host-lm-vendor.vsix` under `outDir`. */
export function packHostVendor(outDir) {
  const vsce = path.join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
  if (!existsSync(vsce)) throw new Error('@vscode/vsce is not installed (npm ci at the repository root installs it)');
  const stage = path.join(outDir, 'host-lm-vendor');
  cpSync(fixtureDir, stage, { recursive: true });
  const vsix = path.join(outDir, 'host-lm-vendor.vsix');
  const r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--out', vsix], { cwd: stage, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`packing the fake vendor extension failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return vsix;
}
