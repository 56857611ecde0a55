// Builds the extension: type-check with tsc, then bundle with esbuild.
//   dist/extension.js  the extension (CommonJS, `vscode` external)
//   dist/webview/      the chat webview bundle (chat.js, chat.css)
import { spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');

for (const project of [root, path.join(root, 'webview')]) {
  const tsc = spawnSync(process.execPath, [path.join(root, '..', 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project, '--noEmit'],
    { stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
}

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
// The chat webview: a browser bundle loaded by nonce under a strict CSP (no inline code).
await esbuild.build({
  ...common, platform: 'browser', format: 'iife', target: 'es2022',
  entryPoints: [path.join(root, 'webview', 'main.ts')], outfile: path.join(root, 'dist', 'webview', 'chat.js'),
});
copyFileSync(path.join(root, 'webview', 'chat.css'), path.join(root, 'dist', 'webview', 'chat.css'));
console.log('extension-client: built dist/extension.js and dist/webview/');
