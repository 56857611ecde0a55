// End-to-end test in a real VS Code: code-server + Debian Chromium + the real sidecar.
//
//   node tests/e2e/run.mjs [name-filter]
//
// One shared fixture (VSIX built and installed once, code-server started once, one browser
// page) runs every case in cases/*.mjs in order. Prints per-case results, writes screenshots
// to artifacts/e2e/ and {passed, failed} to artifacts/test-results/e2e.json; exits non-zero
// on any failure. Expects the solution to be built (npm test builds it first).
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot, writeTestModel } from '../tools/common.mjs';
import { startFakeOpenAi } from '../tools/fakeOpenAi.mjs';
import { startFakeHuggingFace } from './fakeHuggingFace.mjs';
import { packHostVendor } from './hostVendor.mjs';
import { E2eFixture } from './fixture.mjs';
import { packLmConsumer } from './fixtures/lm-consumer/pack.mjs';

/** What the fake Hugging Face serves (owner/repo/file; cases find it in hf.files). */
const HF_TEST_FILE = 'editorassist-test/Tiny-GGUF/tiny-e2e-q8_0.gguf';
/** A file in a gated repo: only a request with this token gets it (cases read hf.gated). */
const HF_GATED_FILE = 'editorassist-test/Gated-GGUF/gated-e2e-q8_0.gguf';
const HF_GATED_TOKEN = 'hf_e2eGatedAccessToken0123456789';
/** A larger file (the test model plus 1 MiB of padding, ~7 s at the fake's pace): a restart lands mid-download. */
const HF_SLOW_FILE = 'editorassist-test/Padded-GGUF/padded-e2e-q8_0.gguf';

const CASE_TIMEOUT_MS = 90_000;

/** What the fake cloud answers every chat with (cases read it as cloud.reply). */
const CLOUD_REPLY = ['Answer ', 'from ', 'the ', 'fake ', 'cloud.'];

/**
 * An address of this machine that is not loopback: a server there counts as a cloud service to
 * the sidecar, as a real one on the network would. Undefined when there is none (the cloud case
 * then fails and says why).
 */
function nonLoopbackAddress() {
  return Object.values(os.networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
}
const filter = process.argv[2];
const artifacts = path.join(repoRoot, 'artifacts', 'e2e');
const resultsFile = path.join(repoRoot, 'artifacts', 'test-results', 'e2e.json');
rmSync(artifacts, { recursive: true, force: true });
mkdirSync(artifacts, { recursive: true });
mkdirSync(path.dirname(resultsFile), { recursive: true });

const results = [];
const timings = {};
const t0 = Date.now();
const fixture = new E2eFixture(timings);
let exitCode = 1;

try {
  const cases = await loadCases();
  // The test models write gibberish until they hit the limit: long enough that Stop can be
  // pressed while the slower "streaming" model answers, short for the tiny model (~1 s).
  // A loopback Hugging Face serves a generated test model, and a fake OpenAI on this machine's
  // network address stands in for the cloud; the extension's settings point the sidecar at both.
  let hf, cloud;
  await fixture.start({
    artifacts, settings: { 'editorAssist.chat.maxTokens': 1000 },
    prepare: async (scratch) => {
      mkdirSync(path.join(scratch, 'hf'));
      const hfModel = writeTestModel(path.join(scratch, 'hf', 'model.gguf'));
      const padded = path.join(scratch, 'hf', 'padded.gguf');
      writeFileSync(padded, Buffer.concat([readFileSync(hfModel), Buffer.alloc(1024 * 1024, 0x5a)]));
      hf = await startFakeHuggingFace({ [HF_TEST_FILE]: hfModel, [HF_GATED_FILE]: hfModel, [HF_SLOW_FILE]: padded },
        { gated: { [HF_GATED_FILE]: HF_GATED_TOKEN } });
      hf.slowFile = HF_SLOW_FILE;
      const address = nonLoopbackAddress();
      if (address) cloud = await startFakeOpenAi({ host: address, models: ['gpt-4.1-mini', 'gpt-4.1-nano'], reply: CLOUD_REPLY });
      return {
        // Test extensions installed beside EditorAssist: one uses EditorAssist's models through vscode.lm
        // (cases/70-lm-chat), one is a fake language model vendor for the "VS Code" models (cases/70-host-models).
        extensions: [packLmConsumer(scratch), packHostVendor(scratch)],
        machineSettings: {
          'editorAssist.downloads.huggingFaceEndpoint': hf.url,
          ...(cloud ? { 'editorAssist.providers.baseUrls': { openai: cloud.baseUrl } } : {}),
        },
        close: async () => { await hf.close(); await cloud?.close(); },
      };
    },
  });
  const { workbench, server, profile } = fixture;
  await workbench.page.screenshot({ path: path.join(artifacts, '00-workbench.png') });

  let n = 0;
  for (const c of cases) {
    n++;
    const shot = (name) => workbench.page.screenshot({ path: path.join(artifacts, `${String(n).padStart(2, '0')}-${name}.png`) });
    const start = Date.now();
    try {
      // A case that starts a browser of its own may ask for more time (`timeoutMs`).
      await withTimeout(c.run({ page: workbench.page, server, profile, hf, cloud, shot, artifacts, metrics: timings }), c.timeoutMs ?? CASE_TIMEOUT_MS, c.name);
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
  if (fixture.page) await fixture.page.screenshot({ path: path.join(artifacts, 'FAILED-fixture.png') }).catch(() => undefined);
} finally {
  // Keep the VS Code logs (the extension's channel included) as artifacts, then clean up.
  await fixture.stop({ keepLogsIn: path.join(artifacts, 'vscode-logs') });
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
