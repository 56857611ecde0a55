// The chosen model outlives a window reload and a second browser (issue 18). In code-server,
// VS Code's extension state lives in the browser (IndexedDB): a fresh browser profile starts with
// none, and a reload starts a new extension host and a new sidecar. The choice must come back
// from the sidecar's store, the status bar must leave "starting", and the chat view must render.
import assert from 'node:assert/strict';
import path from 'node:path';
import { ask, chatFrame, showChat } from '../editorAssist.mjs';
import { openWorkbench, plain, pollUntil } from '../workbench.mjs';

const running = (page) => page.locator('.statusbar [aria-label="EditorAssist: running"]').first();

/** The chat model the status bar names (its text is "<icon> <ref>[ · speed]"). */
async function statusModel(page) {
  const text = plain(await running(page).innerText());
  return /(local\/[\w.-]+|[\w-]+\/[\w.:-]+)/.exec(text)?.[1];
}

/**
 * Asks a question and waits until the answer streams text, then stops it (the model chosen by the
 * history case writes up to 1,000 tokens, slowly); fails on an error answer.
 */
async function answers(page) {
  const frame = await showChat(page);
  const all = frame.locator('.msg.assistant');
  const before = await all.count();
  await ask(page, 'Still there?');
  await pollUntil(() => all.count(), (n) => n > before, { timeoutMs: 60_000, what: 'a new assistant message' });
  const last = all.nth(before);
  await pollUntil(async () => (await last.locator('.body').innerText()).trim().length, (n) => n > 0, { timeoutMs: 120_000, what: 'streamed text' });
  await frame.locator('#stop').click({ timeout: 5_000 }).catch(() => undefined); // it may have finished already
  await frame.locator('#stop').waitFor({ state: 'hidden', timeout: 60_000 });
  assert.equal(await last.locator('.finish.error').count(), 0, plain(await last.innerText()));
}

let chosen;

export default [
  {
    name: 'after a window reload the model is still chosen, the status bar leaves "starting" and the chat view renders',
    // The reloaded workbench takes most of a minute on a loaded 2-core machine before VS Code
    // activates extensions (onStartupFinished).
    timeoutMs: 240_000,
    async run({ page, shot, metrics }) {
      await running(page).waitFor({ state: 'visible', timeout: 60_000 });
      chosen = await statusModel(page);
      assert.ok(chosen?.startsWith('local/'), `a local model is chosen before the reload (status bar: ${plain(await running(page).innerText())})`);
      const t0 = Date.now();
      await page.reload({ waitUntil: 'domcontentloaded' });
      await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 120_000 });
      await page.locator('.statusbar [aria-label="EditorAssist: running"]', { hasText: chosen }).first().waitFor({ state: 'visible', timeout: 150_000 });
      metrics.reloadToRunningMs = Date.now() - t0;
      // The chat view comes back with its conversation and the model in the header, not blank.
      const frame = await showChat(page);
      await pollUntil(() => frame.locator('#model').innerText().then(plain).catch(() => ''), (t) => t === chosen, { what: 'the chat header to name the model' });
      assert.ok(await frame.locator('.msg').count() > 0, 'the conversation shown before the reload is shown again');
      assert.equal(await frame.locator('#empty').isHidden(), true);
      await shot('after-reload');
      await answers(page);
    },
  },
  {
    name: 'a second browser window (a fresh browser profile, no extension state) gets the same model',
    // A second Chromium and workbench: on a loaded 2-core machine that alone takes a minute.
    timeoutMs: 240_000,
    async run({ server, shot, metrics, artifacts }) {
      assert.ok(chosen, 'the reload case ran first');
      const t0 = Date.now();
      const second = await openWorkbench(server.url, { timeoutMs: 120_000 });
      try {
        const page = second.page;
        await page.locator('.statusbar [aria-label="EditorAssist: running"]', { hasText: chosen }).first().waitFor({ state: 'visible', timeout: 120_000 });
        metrics.secondWindowToRunningMs = Date.now() - t0;
        const frame = await showChat(page);
        await pollUntil(() => frame.locator('#model').innerText().then(plain).catch(() => ''), (t) => t === chosen, { what: 'the chat header to name the model' });
        assert.equal(await chatFrame(page).locator('#empty').isHidden(), true, 'no "pick a model" for a user who picked one');
        await page.screenshot({ path: path.join(artifacts, 'second-window.png') });
        await answers(page);
      } finally {
        // Leaving the page ends its window cleanly (its extension host and sidecar stop); closing
        // the browser alone would leave them waiting hours for a reconnection.
        await second.page.goto('about:blank').catch(() => undefined);
        await second.close();
      }
      await shot('first-window-after-second');
    },
  },
];
