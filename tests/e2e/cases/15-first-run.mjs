// What a new user sees first (issue 18): with no model chosen, the chat view says what to do and
// offers the three ways to get a model; each button opens its flow (the same commands as the
// palette), under the chat's strict CSP.
import assert from 'node:assert/strict';
import { chatFrame, showChat } from '../editorAssist.mjs';
import { plain, pollUntil } from '../workbench.mjs';

const quickInput = (page) => page.locator('.quick-input-widget');

/** Clicks an empty-state button and waits for the quick input it opens; returns what it shows, then closes it. */
async function opens(page, label) {
  await chatFrame(page).locator('#empty button', { hasText: label }).click();
  await quickInput(page).waitFor({ state: 'visible', timeout: 30_000 });
  const seen = await pollUntil(async () => plain(await quickInput(page).innerText().catch(() => '')), (t) => t.trim().length > 0,
    { what: `the flow "${label}" opens` });
  await page.keyboard.press('Escape');
  await quickInput(page).waitFor({ state: 'hidden', timeout: 10_000 });
  return seen;
}

export default [
  {
    name: 'with no model chosen, the chat view offers Select a model / Load a GGUF file / Download one, and each opens its flow',
    async run({ page, shot }) {
      await page.keyboard.press('Escape');
      await page.locator('.statusbar [aria-label="EditorAssist: running"]').first().waitFor({ state: 'visible', timeout: 60_000 });
      const frame = await showChat(page);
      const empty = frame.locator('#empty');
      await empty.waitFor({ state: 'visible', timeout: 30_000 });
      assert.match(plain(await empty.innerText()), /No chat model yet/);
      assert.deepEqual((await empty.locator('button').allInnerTexts()).map(plain), ['Select a model', 'Load a GGUF file…', 'Download one…']);
      await shot('empty-state');

      // Load a GGUF file…: code-server's file dialog (a path in a quick input) titled by the command.
      assert.match(await opens(page, 'Load a GGUF file…'), /Load a GGUF model/);
      // Select a model: the model picker.
      assert.match(await opens(page, 'Select a model'), /EditorAssist: Select Model/);
      // Download one…: the catalog.
      assert.match(await opens(page, 'Download one…'), /EditorAssist: Download Model/);
      assert.equal(await empty.isVisible(), true, 'still there: nothing was chosen');
      // Leave the layout as found: the chat case after this one opens the view from the activity bar.
      await page.locator('.activitybar [aria-label^="EditorAssist"]').first().click();
      await frame.locator('#composer textarea').waitFor({ state: 'hidden', timeout: 30_000 });
    },
  },
];
