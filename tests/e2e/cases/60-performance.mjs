// "EditorAssist: Show Performance" against the real sidecar: after a chat with a generated local
// model, the panel shows metrics/get as a table (requests, speeds, memory, a sparkline of recent
// tok/s) under a CSP as strict as the chat's, refreshed while it is open; Manage Models offers it too.
import assert from 'node:assert/strict';
import path from 'node:path';
import { writeTestModel } from '../../tools/common.mjs';
import { loadModelFile, showChat } from '../editorAssist.mjs';
import { plain, pollUntil, runCommand } from '../workbench.mjs';
import { runToQuickInput } from './30-models.mjs';

/** The panel's document: the webview frame whose page has the Performance heading. */
async function performanceFrame(page) {
  return findFrame(page, (f) => f.locator('h2', { hasText: 'Performance' }).count(), 'the Performance panel');
}

/** The chat view's document, found by its composer (with the panel open there are two webviews). */
async function chatDocument(page) {
  return findFrame(page, (f) => f.locator('#composer textarea').count(), 'the chat view');
}

async function findFrame(page, has, what) {
  return pollUntil(async () => {
    for (const f of page.frames()) if (await has(f).catch(() => 0)) return f;
    return undefined;
  }, (f) => f !== undefined, { timeoutMs: 30_000, what });
}

/** Asks in the chat and waits until the answer has finished (Stop hidden again). */
async function askAndWait(page, text) {
  const chat = await chatDocument(page);
  const answers = chat.locator('.msg.assistant');
  const before = await answers.count();
  await chat.locator('#composer textarea').fill(text);
  await chat.locator('#composer textarea').press('Enter');
  await pollUntil(() => answers.count(), (n) => n > before, { timeoutMs: 30_000, what: 'a new answer' });
  await pollUntil(() => chat.locator('#stop').isVisible(), (v) => !v, { timeoutMs: 30_000, what: 'the answer to finish' });
}

let loadedRef;

export default [
  {
    name: 'Performance: a generated model loaded and asked once, for the figures',
    async run({ page, profile }) {
      const model = writeTestModel(path.join(profile.base, 'e2e-perf.gguf'));
      const ref = await loadModelFile(page, model);
      await showChat(page);
      // A random-weight model may end an answer before its first token (no speed to show): ask
      // again, with other words, until one answer has text.
      for (let i = 1; i <= 5; i++) {
        await askAndWait(page, `First question, take ${i}`);
        const last = (await chatDocument(page)).locator('.msg.assistant .body').last();
        if ((await last.innerText()).trim().length > 0) break;
      }
      loadedRef = ref;
    },
  },
  {
    name: '"Show Performance" shows a table of per-model figures after a chat, refreshed while open',
    async run({ page, shot }) {
      const ref = loadedRef;
      assert.ok(ref, 'the previous case loaded a model and chatted');
      await runCommand(page, 'EditorAssist: Show Performance');
      const frame = await performanceFrame(page);
      const csp = await frame.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'nonce-[A-Za-z0-9+/=]{16,}'/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);

      const row = frame.locator('#metrics tbody tr', { hasText: ref });
      await row.waitFor({ state: 'visible', timeout: 30_000 });
      const header = (await frame.locator('#metrics thead th').allInnerTexts()).map(plain);
      assert.deepEqual(header, ['Model', 'Requests', 'Errors', 'TTFT p50', 'TTFT p95', 'Decode tok/s p50', 'Prompt tok/s p50', 'Recent tok/s', 'Last load', 'Memory', 'Completions']);
      const cells = (await row.locator('td').allInnerTexts()).map(plain);
      assert.equal(cells[0], ref);
      assert.ok(Number(cells[1]) >= 1, `requests: ${cells}`);
      assert.equal(cells[2], '0');
      assert.match(cells[3], /^\d[\d,.]* (ms|s)$/, `TTFT: ${cells}`);
      assert.match(cells[5], /^\d/, `decode tok/s: ${cells}`);
      assert.match(cells[9], /weights \+ .* KV \(.* ctx\) · CPU/, `memory: ${cells}`);
      assert.match(plain(await frame.locator('#summary').innerText()), /Sidecar memory \d/);

      // Refreshed while open: one more answer shows up without reopening the panel.
      const requests = Number(cells[1]);
      await askAndWait(page, 'Second question');
      await pollUntil(() => row.locator('td').nth(1).innerText().then(Number).catch(() => 0), (n) => n > requests,
        { timeoutMs: 20_000, what: 'the request count to move in the open panel' });
      // Two answers draw the sparkline of recent tok/s.
      await row.locator('svg.spark polyline').waitFor({ state: 'attached', timeout: 10_000 });
      await shot('performance-view');
    },
  },
  {
    name: 'Manage Models offers Performance and Model settings…',
    async run({ page }) {
      await runToQuickInput(page, 'EditorAssist: Manage Models', 'EditorAssist: Manage Models');
      const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.fill('Performance');
      await rows.filter({ hasText: 'Performance' }).first().waitFor({ state: 'visible', timeout: 20_000 });
      await input.fill('Model settings');
      await rows.filter({ hasText: 'Model settings…' }).first().waitFor({ state: 'visible', timeout: 20_000 });
      await page.keyboard.press('Escape');
    },
  },
];
