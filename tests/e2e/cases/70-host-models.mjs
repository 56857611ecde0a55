// VS Code's own models through EditorAssist (issue 15, part 1): a test extension
// (fixtures/host-lm-vendor) contributes a fake chat model with vscode.lm.registerLanguageModelChatProvider;
// EditorAssist lists it under "VS Code" in Select Model with vendor and family, asks consent for that
// vendor, shows the Cloud badge, streams its answer into the chat, passes Stop on to the vendor's
// CancellationToken, and refuses it in local-only mode.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { clearNotifications, plain, pollUntil, runCommand, waitForNotification } from '../workbench.mjs';
import { findFile } from '../fixture.mjs';
import { ask, showChat } from '../editorAssist.mjs';
import { extensionLog, openPicker } from './30-models.mjs';

const quickInput = (page) => page.locator('.quick-input-widget .quick-input-box input');
const rows = (page) => page.locator('.quick-input-widget .quick-input-list .monaco-list-row');

/** The fake vendor's own log channel: what vscode.lm asked of it. */
function vendorLog(profile) {
  const file = findFile(path.join(profile.userDataDir, 'logs'), 'Fake Vendor.log', { newest: true });
  return file ? readFileSync(file, 'utf8') : '';
}

export default [
  {
    name: 'a model another extension contributes to VS Code is listed under "VS Code", asks consent for its vendor, shows the Cloud badge, streams into the chat, stops, and is refused in local-only mode',
    timeoutMs: 180_000,
    async run({ page, profile, shot }) {
      await page.locator('.statusbar [aria-label="EditorAssist: running"]').first().waitFor({ state: 'visible', timeout: 60_000 });
      // An earlier case's webview panel (Show Performance) would make the chat's webview ambiguous.
      await runCommand(page, 'View: Close All Editors');
      // The extension reports vscode.lm's models to the sidecar at start and on onDidChangeChatModels.
      await pollUntil(() => extensionLog(profile), (t) => /VS Code chat models reported to the sidecar: [^\n]*fakevendor\/fake-1/.test(t),
        { timeoutMs: 60_000, what: 'the fake vendor\'s model reported to the sidecar' });
      await clearNotifications(page);
      await openPicker(page);
      // Unfiltered, the list shows its group labels (a filter hides them): page down to the VS Code group.
      const group = page.locator('.quick-input-widget .quick-input-list', { hasText: 'VS Code · Cloud' });
      await pollUntil(async () => {
        if (await group.isVisible() && await rows(page).filter({ hasText: 'Fake One' }).first().isVisible()) return true;
        await quickInput(page).press('PageDown');
        return false;
      }, Boolean, { what: 'the "VS Code · Cloud" group with the fake vendor\'s model' });
      await shot('host-models-group');
      await quickInput(page).fill('Fake One');
      const row = rows(page).filter({ hasText: 'Fake One' }).first();
      await row.waitFor({ state: 'visible', timeout: 20_000 });
      assert.match(plain(await row.innerText()), /fakevendor · fake-family/, 'vendor and family are shown');
      await shot('host-models-picker');
      await row.click();

      // Consent names the vendor, which is who gets the code.
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ state: 'visible', timeout: 20_000 });
      assert.match(plain(await dialog.innerText()), /fakevendor \(a VS Code model\) is a cloud service/);
      await shot('host-models-consent');
      await dialog.getByRole('button', { name: 'Use fakevendor (a VS Code model)' }).click();
      await page.locator('.statusbar [aria-label="EditorAssist: running"]', { hasText: 'host/fakevendor/fake-1' }).first().waitFor({ state: 'visible', timeout: 20_000 });
      await page.locator('.statusbar [aria-label^="EditorAssist privacy: Cloud"]').first().waitFor({ state: 'visible', timeout: 20_000 });

      const frame = await showChat(page);
      await frame.locator('#badge').waitFor({ state: 'visible', timeout: 20_000 });
      assert.equal(plain(await frame.locator('#badge').innerText()), 'Cloud');
      const answers = frame.locator('.msg.assistant');
      const before = await answers.count();
      await ask(page, 'Say hello through VS Code.');
      await pollUntil(() => answers.count(), (n) => n > before, { what: 'an answer from the VS Code model' });
      await pollUntil(() => answers.nth(before).locator('.body').innerText().then(plain), (t) => t.trim() === 'Hello from the fake vendor.',
        { what: 'the fake vendor\'s streamed answer in the chat' });
      await frame.locator('#stop').waitFor({ state: 'hidden', timeout: 30_000 });
      assert.equal(await answers.nth(before).locator('.finish.error').count(), 0);
      assert.match(vendorLog(profile), /fakevendor: request for fake-1 with \d+ messages, last: [^\n]*Say hello through VS Code\./);
      await shot('host-models-chat');

      // Stop reaches the vendor: its CancellationToken trips mid-answer.
      await ask(page, 'Answer slowly, please.');
      await pollUntil(() => answers.count(), (n) => n > before + 1, { what: 'the slow answer to start' });
      await pollUntil(() => answers.nth(before + 1).locator('.body').innerText().then(plain), (t) => t.startsWith('Hello'), { what: 'the first part of the slow answer' });
      await frame.locator('#stop').click();
      await frame.locator('#stop').waitFor({ state: 'hidden', timeout: 30_000 });
      await pollUntil(() => vendorLog(profile), (t) => t.includes('fakevendor: cancelled'), { timeoutMs: 20_000, what: 'the vendor\'s token to be cancelled' });
      assert.notEqual(plain(await answers.nth(before + 1).locator('.body').innerText()).trim(), 'Hello from the fake vendor.', 'the answer stopped early');

      // Local-only: the sidecar refuses it before anything reaches the vendor.
      // (The status bar keeps the chosen model's Cloud badge, so the mode is read from its notification.)
      await clearNotifications(page);
      await runCommand(page, 'EditorAssist: Toggle Local-Only Mode');
      await waitForNotification(page, /local-only mode is on/);
      const requests = (vendorLog(profile).match(/fakevendor: request/g) ?? []).length;
      await ask(page, 'Is this refused?');
      const error = frame.locator('.msg.assistant .finish.error').last();
      await error.waitFor({ state: 'visible', timeout: 30_000 });
      assert.match(plain(await error.innerText()), /Local-only mode is on/);
      assert.equal((vendorLog(profile).match(/fakevendor: request/g) ?? []).length, requests, 'nothing was sent to the vendor');
      await shot('host-models-local-only');
      await runCommand(page, 'EditorAssist: Toggle Local-Only Mode');
      await waitForNotification(page, /local-only mode is off/);
    },
  },
];
