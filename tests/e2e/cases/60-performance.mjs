// "EditorAssist: Show Performance" against the real sidecar: after a chat with a generated local
// model, the panel shows metrics/get as a table (requests, speeds, memory, a sparkline of recent
// tok/s) under a CSP as strict as the chat's, refreshed while it is open; Manage Models offers it too.
import assert from 'node:assert/strict';
import path from 'node:path';
import { writeTestModel } from '../../tools/common.mjs';
import { ask, loadModelFile, showChat } from '../editorAssist.mjs';
import { plain, pollUntil, runCommand } from '../workbench.mjs';
import { runToQuickInput } from './30-models.mjs';

/** The panel's document: the webview frame whose page has the Performance heading. */
async function performanceFrame(page) {
  return pollUntil(async () => {
    for (const f of page.frames()) {
      if (await f.locator('h2', { hasText: 'Performance' }).count().catch(() => 0)) return f;
    }
    return undefined;
  }, (f) => f !== undefined, { timeoutMs: 30_000, what: 'the Performance panel' });
}

export default [
  {
    name: '"Show Performance" shows a table of per-model figures after a chat, refreshed while open',
    async run({ page, profile, shot }) {
      const model = writeTestModel(path.join(profile.base, 'e2e-perf.gguf'));
      const ref = await loadModelFile(page, model);
      const chat = await showChat(page);
      const answers = chat.locator('.msg.assistant');
      for (const text of ['First question', 'Second question']) {
        const before = await answers.count();
        await ask(page, text);
        await pollUntil(() => answers.count(), (n) => n > before, { timeoutMs: 30_000, what: 'a new answer' });
        await chat.locator('#send').waitFor({ state: 'visible', timeout: 60_000 });
        await pollUntil(() => chat.locator('#stop').isVisible(), (v) => !v, { timeoutMs: 60_000, what: 'the answer to finish' });
      }

      await runCommand(page, 'EditorAssist: Show Performance');
      const frame = await performanceFrame(page);
      const csp = await frame.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'nonce-[A-Za-z0-9+/=]{16,}'/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);

      const row = frame.locator('#metrics tbody tr', { hasText: ref });
      await row.waitFor({ state: 'visible', timeout: 30_000 });
      const header = (await frame.locator('#metrics thead th').allInnerTexts()).map(plain);
      assert.deepEqual(header, ['Model', 'Requests', 'Errors', 'TTFT p50', 'TTFT p95', 'Decode tok/s p50', 'Prompt tok/s p50', 'Recent tok/s', 'Last load', 'Memory']);
      const cells = (await row.locator('td').allInnerTexts()).map(plain);
      assert.equal(cells[0], ref);
      assert.ok(Number(cells[1]) >= 2, `requests: ${cells}`);
      assert.equal(cells[2], '0');
      assert.match(cells[3], /^\d[\d,.]* (ms|s)$/, `TTFT: ${cells}`);
      assert.match(cells[5], /^\d/, `decode tok/s: ${cells}`);
      assert.match(cells[9], /weights \+ .* KV \(.* ctx\) · CPU/, `memory: ${cells}`);
      assert.ok(await row.locator('svg.spark polyline').count() === 1, 'a sparkline of recent tok/s');
      assert.match(plain(await frame.locator('#summary').innerText()), /Sidecar memory \d/);
      await shot('performance-view');

      // Refreshed while open: one more answer shows up without reopening the panel.
      const requests = Number(cells[1]);
      await runCommand(page, 'EditorAssist: Show Performance'); // reveals the same panel, no second one
      await showChat(page);
      await ask(page, 'Third question');
      await pollUntil(() => row.locator('td').nth(1).innerText().then(Number).catch(() => 0), (n) => n > requests,
        { timeoutMs: 60_000, what: 'the request count to move in the open panel' });
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
