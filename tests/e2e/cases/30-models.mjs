// "Select Model" against the real sidecar: a GGUF in the extension's models folder is listed
// under Local and choosing it loads it and makes it the chat model (status bar); local-only
// mode shows in the status bar and hides the cloud providers' models from the picker; an OpenAI
// model served by a fake on this machine's network address asks consent, shows the Cloud badge
// and answers in the chat with the key from SecretStorage.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeTestModel } from '../../tools/common.mjs';
import { clearNotifications, plain, pollUntil, runCommand, waitForNotification } from '../workbench.mjs';
import { findFile } from '../fixture.mjs';
import { ask, showChat } from '../editorAssist.mjs';

const EXTENSION_ID = 'editorassist.editorassist-vscode';
const quickInput = (page) => page.locator('.quick-input-widget .quick-input-box input');
const rows = (page) => page.locator('.quick-input-widget .quick-input-list .monaco-list-row');

/** The sidecar's models folder: <globalStorageUri>/models (the extension passes globalStorageUri as storageDir). */
export async function modelsDir(profile) {
  const globalStorage = path.join(profile.userDataDir, 'User', 'globalStorage');
  const dir = await pollUntil(() => (existsSync(globalStorage) ? readdirSync(globalStorage).find((d) => d.toLowerCase() === EXTENSION_ID) : undefined),
    Boolean, { what: 'the extension\'s global storage folder' });
  const models = path.join(globalStorage, dir, 'models');
  mkdirSync(models, { recursive: true });
  return models;
}

/** Runs "EditorAssist: Select Model" from the palette and waits until the picker shows its items. */
export async function openPicker(page) {
  await runToQuickInput(page, 'EditorAssist: Select Model', 'EditorAssist: Select Model');
  // The palette gives way to our QuickPick: its input loses the palette's text and items are listed.
  await pollUntil(() => quickInput(page).inputValue(), (v) => !v.startsWith('>'), { what: 'the picker input to replace the palette' });
  await rows(page).first().waitFor({ state: 'visible', timeout: 30_000 });
}

/** Labels of the rows the picker shows after typing `filter`. */
async function visibleRows(page, filter) {
  await quickInput(page).fill(filter);
  return pollUntil(async () => (await rows(page).allInnerTexts()).map(plain),
    (texts) => texts.every((t) => t.length > 0), { what: 'picker rows to render' });
}

export default [
  {
    name: '"Select Model" lists a GGUF in the models folder under Local; choosing it loads it and makes it the chat model',
    async run({ page, profile, shot }) {
      await page.locator('.statusbar [aria-label="EditorAssist: running"]').first().waitFor({ state: 'visible', timeout: 60_000 });
      writeTestModel(path.join(await modelsDir(profile), 'picker-e2e.gguf'));
      await clearNotifications(page);
      await openPicker(page);
      await page.locator('.quick-input-widget .quick-input-list', { hasText: 'Local' }).waitFor({ state: 'visible', timeout: 10_000 });
      const row = rows(page).filter({ hasText: 'picker-e2e' }).first();
      await row.waitFor({ state: 'visible', timeout: 20_000 });
      assert.match(plain(await row.innerText()), /picker-e2e\s*[1-9]\d* (B|KiB|MiB)\b/, `the local entry shows its size: ${plain(await row.innerText())}`);
      await shot('select-model');
      await row.click();
      await waitForNotification(page, /local\/picker-e2e is loaded/, { timeoutMs: 60_000 });
      await page.locator('.statusbar [aria-label="EditorAssist: running"]', { hasText: 'local/picker-e2e' }).first().waitFor({ state: 'visible', timeout: 10_000 });
      assert.equal(await page.locator('.statusbar [aria-label^="EditorAssist privacy: Cloud"]').count(), 0, 'no cloud badge for an on-device model');
      // The chat header names the chosen model before it has answered, without a Cloud badge.
      const frame = await showChat(page);
      await pollUntil(() => frame.locator('#model').innerText().then(plain).catch(() => ''), (t) => t === 'local/picker-e2e', { what: 'the chat header to name the chosen model' });
      assert.equal(await frame.locator('#badge').isHidden(), true);
      // Chosen again, it shows as the current one.
      await openPicker(page);
      assert.match(plain(await rows(page).filter({ hasText: 'picker-e2e' }).first().innerText()), /loaded/);
      await page.keyboard.press('Escape');
      await shot('select-model-active');
    },
  },
  {
    name: 'local-only mode shows in the status bar and hides cloud models from "Select Model"',
    async run({ page, shot }) {
      await openPicker(page);
      const before = await visibleRows(page, 'openai/');
      assert.ok(before.some((t) => /gpt/i.test(t)), `cloud models are offered outside local-only mode: ${JSON.stringify(before)}`);
      await page.keyboard.press('Escape');

      await toggleLocalOnly(page);
      const badge = page.locator('.statusbar [aria-label="EditorAssist privacy: local only"]').first();
      await badge.waitFor({ state: 'visible', timeout: 20_000 });
      await openPicker(page);
      const after = await visibleRows(page, 'openai/');
      assert.ok(!after.some((t) => /gpt/i.test(t)), `no cloud model in local-only mode: ${JSON.stringify(after)}`);
      assert.ok((await visibleRows(page, 'picker-e2e')).some((t) => t.includes('picker-e2e')), 'local models stay');
      await shot('local-only-picker');
      await page.keyboard.press('Escape');

      await toggleLocalOnly(page);
      await badge.waitFor({ state: 'hidden', timeout: 20_000 });
    },
  },
  {
    name: 'an API key set in SecretStorage reaches the sidecar after a restart; a cloud model asks consent once, shows the Cloud badge and answers from the (fake) cloud',
    // Two sidecar restarts, a consent dialog and a chat: past the default 90 s at load 50 on 2 cores.
    timeoutMs: 180_000,
    async run({ page, profile, cloud, shot }) {
      assert.ok(cloud, 'the fake cloud needs an IPv4 address of this machine that is not loopback (tests/e2e/run.mjs); none was found');
      const KEY = 'sk-e2e-not-a-real-key-4242';
      await clearNotifications(page);
      await runToQuickInput(page, 'EditorAssist: Set API Key…', 'EditorAssist: Set API Key');
      await rows(page).filter({ hasText: 'OpenAI' }).first().click();
      await page.locator('.quick-input-widget .quick-input-title', { hasText: 'API key for OpenAI' }).waitFor({ state: 'visible', timeout: 20_000 });
      assert.equal(await quickInput(page).getAttribute('type'), 'password', 'the key is typed into a password box');
      await quickInput(page).fill(KEY);
      await quickInput(page).press('Enter');
      await waitForNotification(page, /API key for OpenAI is stored/);

      // A fresh sidecar knows no keys: the extension passes the stored one at start.
      await runCommand(page, 'EditorAssist: Restart Sidecar');
      await pollUntil(() => extensionLog(profile), (t) => t.includes('Passed stored API keys to the sidecar for: openai'),
        { timeoutMs: 30_000, what: 'the stored key pushed to the restarted sidecar' });
      await page.locator('.statusbar [aria-label="EditorAssist: running"]').first().waitFor({ state: 'visible', timeout: 30_000 });

      // The sidecar has the key, so choosing an OpenAI model asks no key; it asks consent, once.
      await pickRef(page, 'openai/gpt-4.1-mini');
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ state: 'visible', timeout: 20_000 });
      assert.match(plain(await dialog.innerText()), /OpenAI is a cloud service[\s\S]*Prompts and code are sent to OpenAI/);
      await shot('cloud-consent');
      await dialog.getByRole('button', { name: 'Use OpenAI' }).click();
      await page.locator('.statusbar [aria-label="EditorAssist: running"]', { hasText: 'openai/gpt-4.1-mini' }).first().waitFor({ state: 'visible', timeout: 20_000 });
      const cloudBadge = page.locator('.statusbar [aria-label^="EditorAssist privacy: Cloud"]').first();
      await cloudBadge.waitFor({ state: 'visible', timeout: 20_000 });
      const frame = await showChat(page);
      await frame.locator('#badge').waitFor({ state: 'visible', timeout: 20_000 });
      assert.equal(plain(await frame.locator('#badge').innerText()), 'Cloud');

      // The chat goes to the provider's configured URL (editorAssist.providers.baseUrls): a server
      // on this machine's network address, which the sidecar classes as cloud like any remote host.
      const answers = frame.locator('.msg.assistant');
      const before = await answers.count();
      const sentBefore = cloud.requests.length;
      await ask(page, 'Which service answers this?');
      await pollUntil(() => answers.count(), (n) => n > before, { what: 'an answer from the cloud model' });
      await pollUntil(() => answers.nth(before).locator('.body').innerText().then(plain), (t) => t.trim() === cloud.reply.join(''),
        { what: 'the fake cloud\'s streamed answer in the chat' });
      await frame.locator('#stop').waitFor({ state: 'hidden', timeout: 30_000 });
      const sent = cloud.requests.slice(sentBefore).filter((r) => r.url === '/v1/chat/completions');
      assert.equal(sent.length, 1, JSON.stringify(cloud.requests.map((r) => r.url)));
      assert.equal(sent[0].headers.authorization, `Bearer ${KEY}`, 'the key from SecretStorage goes to the provider');
      const body = JSON.parse(sent[0].body);
      assert.equal(body.model, 'gpt-4.1-mini');
      assert.equal(body.stream, true);
      assert.match(body.messages.at(-1).content, /Which service answers this\?/);
      assert.equal(plain(await frame.locator('#model').innerText()), 'openai/gpt-4.1-mini');
      await shot('cloud-badge');

      await pickRef(page, 'openai/gpt-4.1-nano');
      await page.locator('.statusbar [aria-label="EditorAssist: running"]', { hasText: 'openai/gpt-4.1-nano' }).first().waitFor({ state: 'visible', timeout: 20_000 });
      assert.equal(await dialog.isVisible(), false, 'consent is asked once per provider');
      assert.ok(!extensionLog(profile).includes(KEY), 'the key never reaches the log');

      // Back to the local model: the badges go; then forget the key.
      await pickRef(page, 'picker-e2e'); // a local entry's label is its name (its description: size, quant)
      await page.locator('.statusbar [aria-label="EditorAssist: running"]', { hasText: 'local/picker-e2e' }).first().waitFor({ state: 'visible', timeout: 60_000 });
      await cloudBadge.waitFor({ state: 'hidden', timeout: 20_000 });
      await frame.locator('#badge').waitFor({ state: 'hidden', timeout: 20_000 });
      await runToQuickInput(page, 'EditorAssist: Remove API Key', 'EditorAssist: Remove API Key');
      await rows(page).filter({ hasText: 'OpenAI' }).first().click();
      await waitForNotification(page, /API key for OpenAI is removed/);
    },
  },
];

async function toggleLocalOnly(page) {
  await runCommand(page, 'EditorAssist: Toggle Local-Only Mode');
}

/** Runs a palette command that opens a titled quick input of its own; waits for that title. */
export async function runToQuickInput(page, command, title) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = quickInput(page);
  await input.waitFor({ state: 'visible', timeout: 20_000 });
  await input.fill(`>${command}`);
  await rows(page).filter({ hasText: command }).first().click();
  await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout: 20_000 });
}

/** The extension's log of the live window (a reload or a second window writes another: the newest). */
export function extensionLog(profile) {
  const file = findFile(path.join(profile.userDataDir, 'logs'), 'EditorAssist.log', { newest: true });
  return file ? readFileSync(file, 'utf8') : '';
}

/** Picks `ref` in Select Model by typing it (the picker matches descriptions, which are refs). */
async function pickRef(page, ref) {
  await openPicker(page);
  await quickInput(page).fill(ref);
  // OpenRouter lists models named like other providers' refs (openrouter/openai/…): not those.
  await rows(page).filter({ hasText: ref, hasNotText: `openrouter/${ref}` }).first().click();
}
