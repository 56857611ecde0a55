// `npm run package`: installs npm packages, then packs one VSIX per platform
// (extension-client/scripts/package.mjs bundles the extension and publishes the sidecar itself).
// Works from a fresh clone like `npm start` / `npm test`. Arguments pass through:
//   npm run package -- --target linux-x64
import path from 'node:path';
import { ensureNpmDeps, repoRoot, requireDotnet, run } from './common.mjs';

requireDotnet();
ensureNpmDeps();
run(process.execPath, [path.join(repoRoot, 'extension-client', 'scripts', 'package.mjs'), ...process.argv.slice(2)]);
