// `npm test`: builds, then runs every suite in turn and prints one closing summary line.
// Suites: C# (dotnet test), the cross-implementation suite (node --test tests/interop),
// the extension's unit tests, the platform VSIXs (tests/packaging) and the end-to-end test in a
// real VS Code (tests/e2e).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from './build.mjs';
import { configuration, log, repoRoot, run, runAsync } from './common.mjs';

const only = process.argv.slice(2); // e.g. `npm test -- dotnet interop`
const want = (name) => only.length === 0 || only.includes(name);

build();
// The extension bundle is built by esbuild, which does not type-check: do it here.
if (want('extension')) run('npm', ['run', 'typecheck', '-w', 'extension-client']);

const results = []; // {suite, passed, failed}
const resultsDir = path.join(repoRoot, 'artifacts', 'test-results');
rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });

if (want('dotnet')) {
  const code = await runAsync('dotnet', ['test', 'EditorAssist.sln', '-c', configuration, '--no-build', '--nologo',
    '--logger', 'trx', '--results-directory', resultsDir, '--logger', 'console;verbosity=minimal']);
  results.push({ suite: 'dotnet', ...countTrx(resultsDir), code });
}

if (want('interop') && existsSync(path.join(repoRoot, 'tests', 'interop'))) {
  results.push(await nodeSuite('interop', path.join('tests', 'interop')));
}

if (want('extension') && existsSync(path.join(repoRoot, 'extension-client', 'test'))) {
  results.push(await nodeSuite('extension', path.join('extension-client', 'test')));
}

if (want('package') && existsSync(path.join(repoRoot, 'tests', 'packaging'))) {
  // Every target's VSIX, then the checks on them (docs/PACKAGING.md). Cross targets skip
  // ReadyToRun here (minutes each on 2 cores; nothing checked depends on it); linux-x64 is
  // built as shipped and shared with the e2e. Unchanged inputs reuse .cache/vsix/.
  results.push(await packagingSuite());
}

if (want('e2e') && existsSync(path.join(repoRoot, 'tests', 'e2e', 'run.mjs'))) {
  const code = await runAsync(process.execPath, [path.join('tests', 'e2e', 'run.mjs')]);
  results.push({ suite: 'e2e', ...readCounts(path.join(resultsDir, 'e2e.json')), code });
}

let passed = 0, failed = 0, bad = false;
for (const r of results) {
  log(`${r.suite}: ${r.passed} passed, ${r.failed} failed (exit ${r.code})`);
  passed += r.passed; failed += r.failed;
  if (r.code !== 0 || r.failed > 0 || r.passed === 0) bad = true;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(bad ? 1 : 0);

async function packagingSuite() {
  const { packageTarget } = await import('../../extension-client/scripts/package.mjs');
  const { TARGET_NAMES } = await import('../../extension-client/scripts/targets.mjs');
  try {
    for (const t of TARGET_NAMES) await packageTarget(t, { cache: true, readyToRun: t === 'linux-x64' });
  } catch (e) {
    log(`packaging failed: ${e?.stack ?? e}`);
    return { suite: 'package', passed: 0, failed: 1, code: 1 };
  }
  return nodeSuite('package', path.join('tests', 'packaging'));
}

async function nodeSuite(suite, dir) {
  const files = readdirSync(path.join(repoRoot, dir), { recursive: true })
    .filter((f) => /\.test\.m?js$/.test(f)).map((f) => path.join(dir, f));
  const report = path.join(resultsDir, `${suite}.tap`);
  const code = await runAsync(process.execPath, ['--test', '--test-concurrency=1',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${report}`, ...files]);
  const tap = existsSync(report) ? readFileSync(report, 'utf8') : '';
  const num = (k) => Number((tap.match(new RegExp(`^# ${k} (\\d+)`, 'm')) ?? [])[1] ?? 0);
  return { suite, passed: num('pass'), failed: num('fail'), code };
}

function countTrx(dir) {
  let passed = 0, failed = 0;
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.trx'))) {
    const xml = readFileSync(path.join(dir, f), 'utf8');
    const m = xml.match(/<Counters [^>]*>/);
    if (!m) continue;
    passed += Number((m[0].match(/ passed="(\d+)"/) ?? [])[1] ?? 0);
    failed += Number((m[0].match(/ failed="(\d+)"/) ?? [])[1] ?? 0);
  }
  return { passed, failed };
}

function readCounts(file) {
  if (!existsSync(file)) return { passed: 0, failed: 0 };
  const j = JSON.parse(readFileSync(file, 'utf8'));
  return { passed: j.passed ?? 0, failed: j.failed ?? 0 };
}
