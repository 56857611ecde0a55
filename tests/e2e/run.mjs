// End-to-end test in a real VS Code: code-server + Debian Chromium + the real sidecar.
//
//   node tests/e2e/run.mjs [name-filter]
//
// One shared fixture (VSIX built and installed once, code-server started once, one browser
// page) runs every case in cases/*.mjs in order. Prints per-case results, writes screenshots
// to artifacts/e2e/ and {passed, failed} to artifacts/test-results/e2e.json; exits non-zero
// on any failure. Expects the solution to be built (npm test builds it first).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { log, repoRoot, serverDll, writeTestModel } from '../tools/common.mjs';
import { packageVsix } from '../../extension-client/scripts/package.mjs';
import { prepareProfile, startCodeServer } from './codeServer.mjs';
import { startFakeHuggingFace } from './fakeHuggingFace.mjs';
import { setup } from './setup.mjs';
import { openWorkbench } from './workbench.mjs';

const CASE_TIMEOUT_MS = 90_000;
/** What the fake Hugging Face serves (owner/repo/file; cases find it in hf.files). */
const HF_TEST_FILE = 'editorassist-test/Tiny-GGUF/tiny-e2e-q8_0.gguf';
const filter = process.argv[2];
const artifacts = path.join(repoRoot, 'artifacts', 'e2e');
const resultsFile = path.join(repoRoot, 'artifacts', 'test-results', 'e2e.json');
rmSync(artifacts, { recursive: true, force: true });
mkdirSync(artifacts, { recursive: true });
mkdirSync(path.dirname(resultsFile), { recursive: true });

const results = [];
const timings = {};
const t0 = Date.now();
let server, workbench, profile, scratch, vsix, hf, exitCode = 1;

try {
  const cases = await loadCases();
  let t = Date.now();
  setup();
  timings.setupMs = Date.now() - t;

  if (!existsSync(serverDll)) throw new Error(`the sidecar is not built (${serverDll}); run \`npm run build\` first`);
  t = Date.now();
  // The sidecar from the fresh solution build, with the CPU build of llama.cpp inside the VSIX
  // (as users get it; the Vulkan build and compression are left out here only for speed).
  vsix = await packageVsix({ sidecarFromBuild: true, nativeLibs: 'cpu', compress: false, out: path.join(os.tmpdir(), `editorassist-e2e-${process.pid}.vsix`) });
  timings.packageMs = Date.now() - t;

  t = Date.now();
  scratch = mkdtempSync(path.join(os.tmpdir(), 'editorassist-e2e-'));
  // A loopback Hugging Face serving the generated test model; the extension's setting points the sidecar at it.
  mkdirSync(path.join(scratch, 'hf'));
  hf = await startFakeHuggingFace({ [HF_TEST_FILE]: writeTestModel(path.join(scratch, 'hf', 'model.gguf')) });
  // The test models write gibberish until they hit the limit: long enough that Stop can be
  // pressed while the slower "streaming" model answers, short for the tiny model (~1 s).
  profile = prepareProfile({
    vsix, root: scratch, settings: { 'editorAssist.chat.maxTokens': 1000 },
    machineSettings: { 'editorAssist.downloads.huggingFaceEndpoint': hf.url },
  });
  timings.installMs = Date.now() - t;
  const folder = path.join(scratch, 'workspace');
  mkdirSync(folder);
  writeFileSync(path.join(folder, 'hello.py'), 'def hello():\n    return "world"\n');

  // EDITORASSIST_SIDECAR is cleared so the extension runs the sidecar bundled in the VSIX.
  server = await startCodeServer({ profile, folder, logFile: path.join(artifacts, 'code-server.log'), env: { EDITORASSIST_SIDECAR: '' } });
  timings.codeServerStartMs = server.startMs;
  log(`code-server ${server.url} ready in ${server.startMs} ms`);

  workbench = await openWorkbench(server.url);
  timings.workbenchMs = workbench.workbenchMs;
  log(`workbench rendered in ${workbench.workbenchMs} ms`);
  await workbench.page.screenshot({ path: path.join(artifacts, '00-workbench.png') });

  let n = 0;
  for (const c of cases) {
    n++;
    const shot = (name) => workbench.page.screenshot({ path: path.join(artifacts, `${String(n).padStart(2, '0')}-${name}.png`) });
    const start = Date.now();
    try {
      await withTimeout(c.run({ page: workbench.page, server, profile, hf, shot, artifacts, metrics: timings }), CASE_TIMEOUT_MS, c.name);
      results.push({ name: c.name, ok: true, ms: Date.now() - start });
      console.log(`  ✔ ${c.name} (${Date.now() - start} ms)`);
    } catch (e) {
      results.push({ name: c.name, ok: false, ms: Date.now() - start, error: String(e?.stack ?? e) });
      console.log(`  ✖ ${c.name} (${Date.now() - start} ms)\n    ${String(e?.message ?? e).split('\n').join('\n    ')}`);
      await shot(`FAILED-${slug(c.name)}`).catch(() => undefined);
      await workbench.page.keyboard.press('Escape').catch(() => undefined);
    }
  }
  exitCode = results.every((r) => r.ok) && results.length > 0 ? 0 : 1;
} catch (e) {
  console.error(`e2e fixture failed: ${e?.stack ?? e}`);
  results.push({ name: 'fixture', ok: false, error: String(e?.stack ?? e) });
  if (workbench) await workbench.page.screenshot({ path: path.join(artifacts, 'FAILED-fixture.png') }).catch(() => undefined);
} finally {
  await workbench?.close().catch(() => undefined);
  await server?.stop().catch(() => undefined);
  await hf?.close().catch(() => undefined);
  // Keep the VS Code logs (the extension's channel included) as artifacts, then clean up.
  if (profile) cpSync(path.join(profile.userDataDir, 'logs'), path.join(artifacts, 'vscode-logs'), { recursive: true, force: true, errorOnExist: false });
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  if (vsix) rmSync(vsix, { force: true });
}

const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
timings.totalMs = Date.now() - t0;
writeFileSync(resultsFile, JSON.stringify({ passed, failed, timings, cases: results }, null, 2));
console.log(`e2e: ${passed} passed, ${failed} failed in ${(timings.totalMs / 1000).toFixed(1)} s ${JSON.stringify(timings)}`);
process.exit(exitCode);

async function loadCases() {
  const dir = path.join(path.dirname(new URL(import.meta.url).pathname), 'cases');
  const all = [];
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.mjs')).sort()) {
    const mod = await import(pathToFileURL(path.join(dir, f)).href);
    all.push(...mod.default.map((c) => ({ ...c, name: `${f.replace(/^\d+-/, '').replace(/\.mjs$/, '')}: ${c.name}` })));
  }
  return filter ? all.filter((c) => c.name.includes(filter)) : all;
}

function withTimeout(p, ms, what) {
  let timer;
  return Promise.race([p, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms); })])
    .finally(() => clearTimeout(timer));
}

function slug(s) {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 60);
}
