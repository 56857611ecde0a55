// `npm start [-- FOLDER]`: builds everything, packs the VSIX, and opens a real VS Code
// (code-server, in your browser) with EditorAssist installed, on http://127.0.0.1:$PORT
// (default 8080). The profile lives in .tools/start-profile so settings and chat history
// persist between runs. Ctrl+C stops code-server, the extension host and the sidecar.
//
// To use a desktop VS Code instead: `npm run package`, then
// `code --install-extension artifacts/vsix/<name>.vsix` (see docs/USER_GUIDE.md).
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { build } from './build.mjs';
import { log, repoRoot } from './common.mjs';

build();

// Imported after the build: these need the npm packages that build() installs.
const { setup, toolsDir } = await import('../e2e/setup.mjs');
const { prepareProfile, startCodeServer } = await import('../e2e/codeServer.mjs');
const { packageDevVsix } = await import('../../extension-client/scripts/package.mjs');

setup();
const folder = path.resolve(process.argv[2] ?? repoRoot);
if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new Error(`not a folder: ${folder}`);
const port = Number.parseInt(process.env.PORT ?? '8080', 10);

// No native libraries in this VSIX: the profile lives inside the repository, and the sidecar
// finds llama.cpp in its node_modules/@node-llama-cpp (it searches every folder above it).
const vsix = await packageDevVsix({ out: path.join(toolsDir, 'start', 'editorassist.vsix') });
const profile = prepareProfile({ vsix, root: path.join(toolsDir, 'start-profile') });
const server = await startCodeServer({ profile, folder, port, logFile: path.join(toolsDir, 'start', 'code-server.log'), env: { EDITORASSIST_SIDECAR: '' } });

log(`code-server is up in ${server.startMs} ms with EditorAssist installed.`);
console.log(`\n  Open ${server.url} in your browser (folder: ${folder}).\n  Press Ctrl+C to stop.\n`);

let stopping = false;
const stop = async (signal) => {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping code-server…`);
  await server.stop();
  process.exit(0);
};
void server.exited.then((how) => {
  if (stopping) return;
  log(`code-server exited on its own (${JSON.stringify(how)}); see .tools/start/code-server.log`);
  process.exit(1);
});
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
// Keep running until a signal arrives (the child's pipes keep the event loop alive too).
setInterval(() => {}, 1 << 30);
