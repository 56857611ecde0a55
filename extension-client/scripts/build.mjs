// Builds the extension: type-check with tsc, then bundle with esbuild.
//   dist/extension.js  the extension (CommonJS, `vscode` external)
//   out/sidecar.cjs    the vscode-free sidecar layer, for the unit tests under test/
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');

const tsc = spawnSync(process.execPath, [path.join(root, '..', 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root, '--noEmit'],
  { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
};
await esbuild.build({ ...common, entryPoints: [path.join(root, 'src', 'extension.ts')], outfile: path.join(root, 'dist', 'extension.js'), external: ['vscode'] });
await esbuild.build({ ...common, entryPoints: [path.join(root, 'src', 'sidecar', 'index.ts')], outfile: path.join(root, 'out', 'sidecar.cjs'), sourcemap: 'inline' });
console.log('extension-client: built dist/extension.js and out/sidecar.cjs');
