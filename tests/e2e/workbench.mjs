// Drives the VS Code workbench in Chromium with playwright-core: what a person does with the
// keyboard and the mouse, observed through the DOM. Every wait has a deadline; none is a sleep.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM } from './setup.mjs';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'];

/** Launches Chromium with a fresh profile and opens `url`; resolves once the workbench shows. */
export async function openWorkbench(url, { timeoutMs = 90_000 } = {}) {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'editorassist-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1440, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  const t0 = Date.now();
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: timeoutMs });
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
  // The status bar is the last part to come up; once it is there the workbench takes input.
  await page.locator('.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
  return {
    context, page, profile, consoleErrors, workbenchMs: Date.now() - t0,
    close: async () => { await context.close(); rmSync(profile, { recursive: true, force: true }); },
  };
}

/** Text as a person reads it: non-breaking spaces (Monaco renders them) become spaces. */
export function plain(text) {
  return (text ?? '').replace(/\u00a0/g, ' ');
}

/** Runs a command through the command palette (F1), as a person would. */
export async function runCommand(page, title, { timeoutMs = 20_000, opensQuickInput = false } = {}) {
  await page.keyboard.press('Escape');
  await page.locator('.monaco-workbench').click({ position: { x: 700, y: 400 }, trial: false }).catch(() => undefined);
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  await row.click();
  if (opensQuickInput) {
    // The command asks in a quick input of its own: wait until the palette's text is gone.
    await pollUntil(() => input.inputValue().catch(() => '>'), (v) => v.length > 0 && !v.startsWith('>'), { timeoutMs, what: `${title} to open its input` });
    return;
  }
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: timeoutMs });
}

/** Waits for a notification toast whose text matches `pattern`; resolves with its text. */
export async function waitForNotification(page, pattern, { timeoutMs = 30_000 } = {}) {
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: pattern }).first();
  await toast.waitFor({ state: 'visible', timeout: timeoutMs });
  return plain(await toast.innerText());
}

/** Polls `read()` until `pred(value)` holds; rejects with the last value after the deadline. */
export async function pollUntil(read, pred, { timeoutMs = 30_000, intervalMs = 200, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await read();
    if (pred(last)) return last;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)?.slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Dismisses every notification, so a later wait sees only new ones. */
export async function clearNotifications(page) {
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.locator('.notifications-toasts .notification-toast').first().waitFor({ state: 'hidden', timeout: 10_000 });
}
