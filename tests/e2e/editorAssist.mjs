// What a person does with EditorAssist in the workbench (chat view, loading a model), shared by
// the e2e cases and the extension benchmark (bench/extension.mjs).
import path from 'node:path';
import { clearNotifications, pollUntil, runCommand, waitForNotification } from './workbench.mjs';

/** The chat webview's document (VS Code nests it in two iframes). */
export function chatFrame(page) {
  return page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
}

/** Types `text` into the chat composer and presses Enter. */
export async function ask(page, text) {
  const input = chatFrame(page).locator('#composer textarea');
  await input.fill(text);
  await input.press('Enter');
}

/**
 * Shows the chat view. Through the view's own "Focus on Chat View" command, which only ever opens
 * it: the activity-bar icon toggles its container, and right after a reload the view can be open
 * while its webview is still loading (no composer yet), so a click there closed it. The icon is
 * the fallback where the command is not offered.
 */
export async function showChat(page) {
  const frame = chatFrame(page);
  if (!(await frame.locator('#composer textarea').isVisible().catch(() => false))) {
    try {
      await runCommand(page, 'EditorAssist: Focus on Chat View', { timeoutMs: 10_000 });
    } catch {
      await page.keyboard.press('Escape');
      await page.locator('.activitybar [aria-label^="EditorAssist"]').first().click();
    }
  }
  await frame.locator('#composer textarea').waitFor({ state: 'visible', timeout: 30_000 });
  return frame;
}

/**
 * Loads the GGUF at `model` with "EditorAssist: Load Model File…" (code-server's simple file
 * dialog: a path in a quick input); resolves with its model ref once the notification says it is
 * loaded.
 */
export async function loadModelFile(page, model) {
  await clearNotifications(page);
  await runCommand(page, 'EditorAssist: Load Model File…', { opensQuickInput: true });
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 20_000 });
  // The dialog fills in its start folder asynchronously, and may do so after our path went in:
  // type the path until it sticks and the dialog lists the file.
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: path.basename(model) }).first();
  await pollUntil(async () => {
    if (await input.inputValue() !== model) await input.fill(model);
    return (await input.inputValue()) === model && (await row.isVisible());
  }, (ok) => ok, { timeoutMs: 30_000, what: 'the model file listed in the open dialog', intervalMs: 300 });
  await input.press('Enter');
  const loaded = await waitForNotification(page, /is loaded/, { timeoutMs: 120_000 });
  const ref = /(local\/[\w.-]+) is loaded/.exec(loaded)?.[1];
  if (!ref) throw new Error(`no model ref in: ${loaded}`);
  return ref;
}
