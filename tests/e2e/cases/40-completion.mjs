// Inline completion in the real workbench: a GGUF with FIM tokens loaded with "Load Model
// File…" becomes the completion model (the chat model is local, so it is the fallback); typing
// in a Python file shows ghost text from completion/inline; the toggle turns it off (no more
// requests, no ghost text) and on again.
import assert from 'node:assert/strict';
import path from 'node:path';
import { writeTestModel } from '../../tools/common.mjs';
import { clearNotifications, plain, pollUntil, runCommand } from '../workbench.mjs';
import { loadModelFile } from '../editorAssist.mjs';

const STATUS = '.statusbar [aria-label^="EditorAssist inline completion"]';
const GHOST = '.monaco-editor .ghost-text-decoration, .monaco-editor .ghost-text';

/** The completion status item's label: "EditorAssist inline completion: on; 3 answered, 1 superseded". */
async function status(page) {
  const label = await page.locator(STATUS).first().getAttribute('aria-label').catch(() => '');
  const m = /: (\w+); (\d+) answered, (\d+) superseded/.exec(label ?? '');
  return m ? { state: m[1], answered: Number(m[2]), superseded: Number(m[3]) } : { state: 'missing', answered: 0, superseded: 0, label };
}

async function loadModel(page, profile) {
  const ref = await loadModelFile(page, writeTestModel(path.join(profile.base, 'e2e-coder.gguf')));
  await clearNotifications(page);
  return ref;
}

/** Opens hello.py from the workspace with Quick Open and puts the cursor on its last (empty) line. */
async function openHello(page) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 20_000 });
  await input.fill('hello.py');
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'hello.py' }).first().waitFor({ state: 'visible', timeout: 20_000 });
  await input.press('Enter');
  const editor = page.locator('.editor-instance .monaco-editor').first();
  await editor.waitFor({ state: 'visible', timeout: 20_000 });
  await editor.locator('.view-lines').click();
  await page.keyboard.press('Control+End');
  return editor;
}

export default [
  {
    name: 'typing in a Python file shows ghost text from the local FIM model',
    async run({ page, profile, shot, metrics }) {
      await page.locator('.statusbar [aria-label="EditorAssist: running"]').first().waitFor({ state: 'visible', timeout: 60_000 });
      const ref = await loadModel(page, profile);
      assert.equal((await status(page)).state, 'on');
      await openHello(page);
      const before = await status(page);
      // Ends in a space: the word-suggest widget closes, so the inline provider is asked plainly.
      await page.keyboard.type('\ndef add(a, b):\n', { delay: 30 });
      await page.keyboard.type('return a + ', { delay: 30 });
      const t0 = Date.now();
      const ghost = page.locator(GHOST).first();
      await ghost.waitFor({ state: 'attached', timeout: 30_000 });
      metrics.completionGhostMs = Date.now() - t0;
      const text = plain(await page.locator(GHOST).allInnerTexts().then((t) => t.join('')));
      assert.ok(text.length > 0, 'ghost text is not empty');
      const after = await pollUntil(() => status(page), (s) => s.answered > before.answered, { what: 'an answered completion/inline in the status item' });
      assert.equal(after.state, 'on');
      const tooltip = await page.locator(STATUS).first().getAttribute('aria-label');
      await shot('completion-ghost-text');
      // Accepting with Tab inserts the suggestion: the cursor moves past it. (The editor's
      // lines already show the ghost text, so the cursor position is what tells.)
      const cursor = page.locator('.statusbar-item', { hasText: /^Ln \d+, Col \d+/ }).first();
      const at = plain(await cursor.innerText());
      await page.keyboard.press('Tab');
      await pollUntil(() => page.locator(GHOST).count(), (n) => n === 0, { what: 'the ghost text to be accepted' });
      await pollUntil(async () => plain(await cursor.innerText()), (t) => t !== at, { what: `${ref}: the cursor to move past the accepted text (${tooltip})`, timeoutMs: 5000 });
      // Leave the file as it was for later cases.
      await page.keyboard.press('Control+Z');
    },
  },
  {
    name: '"Toggle Inline Completion" turns it off (no requests, no ghost text) and on again',
    async run({ page, shot }) {
      await runCommand(page, 'EditorAssist: Toggle Inline Completion');
      await pollUntil(() => status(page), (s) => s.state === 'off', { what: 'the status item to say off' });
      const off = await status(page);
      const editor = await openHello(page);
      await page.keyboard.type('\nz = 1 + ', { delay: 30 });
      // Nothing may arrive; give a request every chance to happen (well past the debounce and
      // a tiny-model answer), checking all along that none does.
      await pollUntil(async () => ({ s: await status(page), ghosts: await page.locator(GHOST).count() }),
        (v) => { assert.equal(v.ghosts, 0, 'ghost text while off'); assert.equal(v.s.answered, off.answered, 'a request while off'); return false; },
        { timeoutMs: 2000, what: 'nothing' }).catch((e) => { if (!/not met within/.test(e.message)) throw e; });
      await shot('completion-off');
      await runCommand(page, 'EditorAssist: Toggle Inline Completion');
      await pollUntil(() => status(page), (s) => s.state === 'on', { what: 'the status item to say on' });
      await editor.locator('.view-lines').click();
      await page.keyboard.press('Control+End');
      await page.keyboard.type('2 + ', { delay: 30 });
      await page.locator(GHOST).first().waitFor({ state: 'attached', timeout: 30_000 });
      assert.ok((await status(page)).answered > off.answered);
      await page.keyboard.press('Escape');
    },
  },
];
