// `node bench/extension.mjs [--write] [messages=10]`: the extension in a real VS Code (issue 6),
// each figure against a peer measured side by side in the same run.
//
//   (a) Activation. VS Code's own figure (Developer: Show Running Extensions: code loading +
//       activate call) for EditorAssist and for built-in extensions activated in the same window
//       (peer: Merge Conflict, a small built-in with the same `onStartupFinished` event; Git as a
//       heavier reference). Also the extension's own log line `Activated in N ms` (activate()
//       start → resolved) next to the sidecar's spawn → `initialize` answered in the same start.
//   (b) Chat, Enter → first token painted in the webview (the webview's own measurement, logged
//       by the extension) vs the sidecar's own time to first token for the same request
//       (chat/send timings.ttftMs). One warm-up message, then `messages` more, typed in the real
//       chat view with a generated GGUF loaded with "Load Model File…". Overhead target ≤ 30 ms.
//   (c) Webview render cost of a long streamed answer: the chat bundle in headless Chromium (no VS
//       Code), 500 / 1,000 / 2,000 / 5,000 deltas of a markdown answer, one frame per delta (frames
//       pumped by the bench: the time is render work, not frames waited for). Peer: re-rendering
//       the whole answer every frame (render.ts's renderMarkdown on the full text).
//
// Uses the e2e fixture (tests/e2e/fixture.mjs: VSIX, code-server, Debian Chromium) and the
// webview harness (extension-client/test/webviewHarness.mjs). Raw numbers go to
// artifacts/bench/extension.json; `--write` replaces the extension section of docs/BENCHMARKS.md.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from '../tests/tools/build.mjs';
import { log, repoRoot, writeBenchmarkSection, writeTestModel } from '../tests/tools/common.mjs';
import { E2eFixture } from '../tests/e2e/fixture.mjs';
import { CODE_SERVER_VERSION } from '../tests/e2e/setup.mjs';
import { ask, loadModelFile, showChat } from '../tests/e2e/editorAssist.mjs';
import { pollUntil, runCommand } from '../tests/e2e/workbench.mjs';

const write = process.argv.includes('--write');
const MESSAGES = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 10);
const MAX_TOKENS = 32;
const RENDER_SIZES = [500, 1000, 2000, 5000];
const PEER_EXTENSIONS = ['Merge Conflict', 'Git'];

build();
const artifacts = path.join(repoRoot, 'artifacts', 'bench', 'extension');
mkdirSync(artifacts, { recursive: true });
const loadBefore = os.loadavg();
const results = { date: new Date().toISOString(), machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length }, loadBefore };

const fixture = new E2eFixture();
try {
  await fixture.start({ artifacts, settings: { 'editorAssist.chat.maxTokens': MAX_TOKENS } });
  results.activation = await activation(fixture);
  results.chat = await chatFirstToken(fixture);
} catch (e) {
  await fixture.page?.screenshot({ path: path.join(artifacts, 'FAILED.png') }).catch(() => undefined);
  throw e;
} finally {
  await fixture.stop({ keepLogsIn: path.join(artifacts, 'vscode-logs') });
}
results.render = await renderCost();
results.loadAfter = os.loadavg();

const md = report(results);
console.log(md);
writeFileSync(path.join(repoRoot, 'artifacts', 'bench', 'extension.json'), JSON.stringify(results, null, 2));
if (write) writeBenchmarkSection('extension', md);

// ---------------------------------------------------------------------------------------------

async function activation(fx) {
  const page = fx.page;
  await page.locator('.statusbar [aria-label="EditorAssist: running"]').first().waitFor({ state: 'visible', timeout: 60_000 });
  const text = await pollUntil(() => readFileSync(fx.extensionLog() ?? '/dev/null', 'utf8'),
    (t) => /Activated in \d+ ms/.test(t) && /ready \d+ ms after spawn/.test(t), { what: 'activation and sidecar lines in the log' });
  const own = {
    activatedMs: Number(/Activated in (\d+) ms/.exec(text)[1]),
    sidecarSpawnToInitializeMs: Number(/ready (\d+) ms after spawn/.exec(text)[1]),
    sidecarReadyAfterActivationMs: Number(/Sidecar ready (\d+) ms after activation began/.exec(text)?.[1]),
  };
  const vscode = await runningExtensions(page, ['EditorAssist', ...PEER_EXTENSIONS]);
  await page.keyboard.press('Escape');
  log(`activation: ${JSON.stringify({ own, vscode })}`);
  return { own, vscode };
}

/**
 * Activation times as VS Code shows them in "Developer: Show Running Extensions" (its list is
 * virtual: scrolled until every name in `names` has been seen). Returns {name: {ms, startup}}.
 */
async function runningExtensions(page, names) {
  await runCommand(page, 'Developer: Show Running Extensions');
  const rows = page.locator('.runtime-extensions-editor .monaco-list-row');
  await rows.first().waitFor({ state: 'visible', timeout: 30_000 });
  const found = {};
  for (let i = 0; i < 40 && names.some((n) => !found[n]); i++) {
    for (const row of await rows.all()) {
      const name = (await row.locator('.name').innerText().catch(() => '')).trim();
      const time = /(Startup )?Activation: (\d+)ms/.exec(await row.locator('.activation-time').innerText().catch(() => ''));
      if (name && time) found[name] = { ms: Number(time[2]), startup: Boolean(time[1]) };
    }
    const box = await page.locator('.runtime-extensions-editor .monaco-list').first().boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, 200);
    await page.waitForTimeout(100); // let the virtual list render the rows scrolled into view
  }
  for (const n of names) if (!found[n]) throw new Error(`${n} is not in Running Extensions: ${JSON.stringify(found)}`);
  return found;
}

async function chatFirstToken(fx) {
  const page = fx.page;
  const model = writeTestModel(path.join(fx.profile.base, 'bench-tiny.gguf'), 'bench-tiny');
  const ref = await loadModelFile(page, model);
  const frame = await showChat(page);
  const line = /Chat first token painted ([\d.]+) ms after Enter \(sidecar time to first token ([\d.]+) ms; extension host request → first delta ([\d.]+) ms; webview first delta → painted ([\d.]+) ms\)/g;
  const lines = () => [...readFileSync(fx.extensionLog(), 'utf8').matchAll(line)]
    .map((m) => ({ paintMs: Number(m[1]), ttftMs: Number(m[2]), hostMs: Number(m[3]), deltaToPaintMs: Number(m[4]) }));
  const samples = [];
  for (let i = 0; i <= MESSAGES; i++) {
    const before = lines().length;
    await ask(page, `Question ${i}: what does step ${i} of the build do?`);
    await frame.locator('#stop').waitFor({ state: 'hidden', timeout: 60_000 });
    const all = await pollUntil(lines, (l) => l.length > before, { timeoutMs: 30_000, what: `the first-token line for message ${i}` });
    if (i > 0) samples.push(all.at(-1)); // the first one warms up
    log(`message ${i}: ${JSON.stringify(all.at(-1))}`);
  }
  return { model: ref, maxTokens: MAX_TOKENS, samples };
}

async function renderCost() {
  const { startWebviewHarness, markdownDeltas, timeStreamRender } = await import('../extension-client/test/webviewHarness.mjs');
  const harness = await startWebviewHarness();
  try {
    const { p, errors } = await harness.openChat({ manualFrames: true });
    const out = {};
    for (const shape of ['mixed', 'oneCodeBlock']) {
      const deltas = (n) => markdownDeltas(n, { oneCodeBlock: shape === 'oneCodeBlock' });
      await timeStreamRender(p, deltas(500)); // warm-up
      await timeStreamRender(p, deltas(500), 'full');
      out[shape] = [];
      for (const n of RENDER_SIZES) {
        const d = deltas(n);
        let ours = Infinity;
        for (let k = 0; k < 3; k++) ours = Math.min(ours, await timeStreamRender(p, d)); // best of 3
        const full = await timeStreamRender(p, d, 'full'); // quadratic: once
        out[shape].push({ deltas: n, chars: d.join('').length, streamMs: ours, fullMs: full });
        log(`render ${shape} ${n}: ${ours.toFixed(0)} ms (full re-render ${full.toFixed(0)} ms)`);
      }
    }
    if (errors.length) throw new Error(`webview errors: ${errors.join('; ')}`);
    return out;
  } finally {
    await harness.close();
  }
}

// ---------------------------------------------------------------------------------------------

function pct(xs, p) { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * p))]; }

function report(r) {
  const f1 = (x) => x.toFixed(1);
  const a = r.activation;
  const ea = a.vscode.EditorAssist;
  const activationTable = `| activation (one start) | EditorAssist | peer | ratio EditorAssist / peer |
|---|---|---|---|
${PEER_EXTENSIONS.map((n) => `| VS Code's figure (code loading + activate call) | ${ea.ms} ms | ${n} (built-in): ${a.vscode[n].ms} ms | ${(ea.ms / a.vscode[n].ms).toFixed(2)} |`).join('\n')}
| extension's own log: activate() start → resolved | ${a.own.activatedMs} ms | sidecar spawn → \`initialize\` answered: ${a.own.sidecarSpawnToInitializeMs} ms | ${(a.own.activatedMs / a.own.sidecarSpawnToInitializeMs).toFixed(2)} |`;

  const s = r.chat.samples;
  const paint = s.map((x) => x.paintMs), ttft = s.map((x) => x.ttftMs), over = s.map((x) => x.paintMs - x.ttftMs);
  const hostSide = s.map((x) => x.hostMs - x.ttftMs), webviewSide = s.map((x) => x.deltaToPaintMs);
  const channel = s.map((x) => x.paintMs - x.hostMs - x.deltaToPaintMs);
  const overP50 = pct(over, 0.5);
  const chatTable = `| chat, ${s.length} messages after 1 warm-up (${r.chat.model}, CPU, ≤ ${r.chat.maxTokens} tokens) | Enter → first token painted (webview) | sidecar's own time to first token (peer) | overhead (difference, per message) | ratio painted / sidecar |
|---|---|---|---|---|
| p50 | ${f1(pct(paint, 0.5))} ms | ${f1(pct(ttft, 0.5))} ms | **${f1(overP50)} ms** (target ≤ 30 ms: ${overP50 <= 30 ? 'met' : 'missed'}) | ${(pct(paint, 0.5) / pct(ttft, 0.5)).toFixed(2)} |
| p95 | ${f1(pct(paint, 0.95))} ms | ${f1(pct(ttft, 0.95))} ms | ${f1(pct(over, 0.95))} ms | ${(pct(paint, 0.95) / pct(ttft, 0.95)).toFixed(2)} |

| where the overhead goes (per message, from the same log lines) | p50 | p95 |
|---|---|---|
| extension host ↔ sidecar: request → first delta at the host, minus the sidecar's TTFT (JSON-RPC both ways, routing before the sidecar's clock starts) | ${f1(pct(hostSide, 0.5))} ms | ${f1(pct(hostSide, 0.95))} ms |
| webview ↔ extension host: Enter → painted, minus request → first delta at the host, minus the webview's part (VS Code's webview messages both ways; in code-server browser ↔ remote extension host) | ${f1(pct(channel, 0.5))} ms | ${f1(pct(channel, 0.95))} ms |
| webview: first delta received → painted (render, then the next frame) | ${f1(pct(webviewSide, 0.5))} ms | ${f1(pct(webviewSide, 0.95))} ms |`;

  const us = (ms, n) => `${(ms / n * 1000).toFixed(0)} µs`;
  const rows = (shape) => r.render[shape].map((x) => `| ${x.deltas.toLocaleString('en')} (${(x.chars / 1000).toFixed(1)}k chars) | ${us(x.streamMs, x.deltas)} | ${us(x.fullMs, x.deltas)} | ${(x.fullMs / x.streamMs).toFixed(1)} |`).join('\n');
  const growth = (shape, key) => {
    const first = r.render[shape][0], last = r.render[shape].at(-1);
    return ((last[key] / last.deltas) / (first[key] / first.deltas)).toFixed(2);
  };
  const renderTable = (shape, title) => `| ${title}: deltas | chat webview (streaming renderer), per delta | full re-render per frame (peer), per delta | ratio peer / webview |
|---|---|---|---|
${rows(shape)}
| **per delta at 5,000 / at 500** (≈ 1: linear; ≈ 10: quadratic) | **${growth(shape, 'streamMs')}** | ${growth(shape, 'fullMs')} | |`;

  const load = (l) => l.map((x) => x.toFixed(1)).join(' / ');
  return `${activationTable}

${chatTable}

${renderTable('mixed', 'answer of prose, lists and code blocks')}

${renderTable('oneCodeBlock', 'answer that is one long code block')}

Machine: ${r.machine.cpu}, ${r.machine.cores} cores, shared with other builds (load average 1/5/15 min: ${load(r.loadBefore)} at the start, ${load(r.loadAfter)} at the end); ${r.date.slice(0, 10)}.
Activation: one start of code-server ${CODE_SERVER_VERSION} in headless Debian Chromium. Chat: percentiles are nearest-rank${Math.floor(s.length * 0.95) >= s.length - 1 ? ` (with ${s.length} messages, p95 is the largest)` : ''}; the overhead is each message's painted − sidecar time, so its p50 is not the difference of the p50s.
Render: one frame per delta, frames run by the bench (style and layout forced, no paint), best of 3 for the webview, one run for the peer.`;
}
