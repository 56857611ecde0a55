// "Download Model…" and "Manage Models" against the real sidecar and a loopback Hugging Face (the
// runner starts it and sets editorAssist.downloads.huggingFaceEndpoint to it): the catalog shows
// its fit verdicts, a typed owner/repo/file.gguf downloads with a progress notification into the
// models folder, Manage Models lists it; deleting it while loaded shows the sidecar's refusal,
// and "Unload and Delete" removes the file. A gated repo is refused with the reason until a Hugging
// Face token is given (the refusal's button); the token then goes to the Hub and not to its CDN. A
// download interrupted by a sidecar restart continues by itself from its partial file.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { clearNotifications, plain, pollUntil, runCommand, waitForNotification } from '../workbench.mjs';
import { modelsDir, runToQuickInput } from './30-models.mjs';

const quickInput = (page) => page.locator('.quick-input-widget .quick-input-box input');
const rows = (page) => page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
/** Downloads `key` (owner/repo/file.gguf) through "Download Model…" → "Hugging Face file or URL…". */
async function downloadHuggingFaceFile(page, key) {
  await runToQuickInput(page, 'EditorAssist: Download Model…', 'EditorAssist: Download Model');
  await rowTexts(page);
  await quickInput(page).fill('Hugging Face file');
  await rows(page).filter({ hasText: 'Hugging Face file or URL…' }).first().click();
  await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Download from Hugging Face' }).waitFor({ state: 'visible', timeout: 20_000 });
  await quickInput(page).fill(key);
  const message = page.locator('.quick-input-widget .quick-input-message');
  await pollUntil(() => message.innerText().then(plain).catch(() => ''), (t) => !t.includes('Expected'), { what: 'the validation message to clear' });
  await quickInput(page).press('Enter');
}

const statusItem = (page) => page.locator('.statusbar [aria-label="EditorAssist: running"]').first();

async function rowTexts(page) {
  await rows(page).first().waitFor({ state: 'visible', timeout: 30_000 });
  return pollUntil(async () => (await rows(page).allInnerTexts()).map(plain), (t) => t.length > 0 && t.every((x) => x.length > 0),
    { what: 'quick pick rows to render' });
}

export default [
  {
    name: '"Download Model…" shows the catalog with fit verdicts and downloads a Hugging Face file from the configured endpoint with progress',
    async run({ page, profile, hf, shot }) {
      const key = Object.keys(hf.files)[0]; // owner/repo/file.gguf
      const fileName = key.split('/').pop();
      const ref = `local/${fileName.replace(/\.gguf$/, '')}`;
      const models = await modelsDir(profile);
      await statusItem(page).waitFor({ state: 'visible', timeout: 60_000 });
      await clearNotifications(page);

      await runToQuickInput(page, 'EditorAssist: Download Model…', 'EditorAssist: Download Model');
      const texts = await rowTexts(page);
      const catalogRows = texts.filter((t) => /(fits on the GPU|partly on the GPU|runs on the CPU|too large for this machine)/.test(t));
      assert.ok(catalogRows.length >= 3, `catalog entries show a fit verdict: ${JSON.stringify(texts)}`);
      assert.ok(catalogRows.every((t) => /(GiB|MiB) · (Q\d|IQ|F16|BF16)\S* · (chat|code completion)/.test(t)), `size · quantization · roles: ${JSON.stringify(catalogRows)}`);
      await shot('download-model-pick');

      // The free-form entry is the last one (the list is virtual: type to bring it into view).
      await quickInput(page).fill('Hugging Face file');
      await rows(page).filter({ hasText: 'Hugging Face file or URL…' }).first().click();
      await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Download from Hugging Face' }).waitFor({ state: 'visible', timeout: 20_000 });
      // What cannot be a model file is refused as typed.
      await quickInput(page).fill('owner/repo');
      const message = page.locator('.quick-input-widget .quick-input-message');
      await pollUntil(() => message.innerText().then(plain).catch(() => ''), (t) => t.includes('Expected owner/repo/file.gguf'), { what: 'the validation message' });
      await quickInput(page).fill(key);
      await pollUntil(() => message.innerText().then(plain).catch(() => ''), (t) => !t.includes('Expected'), { what: 'the validation message to clear' });
      await quickInput(page).press('Enter');

      // The progress notification: its title names the file, its message the bytes so far.
      const progress = await waitForNotification(page, new RegExp(`downloading ${key.replace(/[.]/g, '\\.')}`), { timeoutMs: 30_000 });
      assert.match(progress, /EditorAssist: downloading/);
      const toast = page.locator('.notifications-toasts .notification-toast', { hasText: `downloading ${key}` }).first();
      const seen = await pollUntil(() => toast.innerText().then(plain).catch(() => 'gone'), (t) => / of \d+ KiB/.test(t) || t === 'gone',
        { timeoutMs: 20_000, what: 'bytes in the progress notification' });
      assert.match(seen, /\d+ KiB of \d+ KiB/, `the notification shows progress: ${seen}`);
      await shot('download-progress');

      const done = await waitForNotification(page, new RegExp(`${ref.replace(/[.]/g, '\\.')} is downloaded`), { timeoutMs: 60_000 });
      assert.match(done, /Use for chat/);
      assert.doesNotMatch(done, /Use for completion/, 'not a catalog model: completion is not offered');
      const file = path.join(models, fileName);
      assert.ok(existsSync(file), `${file} exists`);
      assert.equal(createHash('sha256').update(readFileSync(file)).digest('hex'), hf.files[key].sha256, 'the file is the one served');
      assert.ok(!existsSync(`${file}.partial`), 'no partial file left');
      const [owner, repo] = key.split('/');
      assert.ok(hf.requests.some((r) => r.path === `/${owner}/${repo}/resolve/main/${fileName}`),
        `the sidecar asked the configured endpoint: ${JSON.stringify(hf.requests)}`);
      await shot('download-done');

      // Use it for chat: it is loaded and becomes the chat model.
      await page.locator('.notifications-toasts .notification-toast', { hasText: `${ref} is downloaded` }).getByRole('button', { name: 'Use for chat' }).click();
      await waitForNotification(page, new RegExp(`${ref.replace(/[.]/g, '\\.')} is loaded`), { timeoutMs: 60_000 });
      await page.locator('.statusbar [aria-label="EditorAssist: running"]', { hasText: ref }).first().waitFor({ state: 'visible', timeout: 20_000 });
    },
  },
  {
    name: '"Manage Models" lists the download with size and loaded state; deleting it while loaded shows the refusal, "Unload and Delete" removes the file',
    async run({ page, profile, hf, shot }) {
      const fileName = Object.keys(hf.files)[0].split('/').pop();
      const name = fileName.replace(/\.gguf$/, '');
      const ref = `local/${name}`;
      const file = path.join(await modelsDir(profile), fileName);
      await clearNotifications(page);

      await runToQuickInput(page, 'EditorAssist: Manage Models', 'EditorAssist: Manage Models');
      const texts = await rowTexts(page);
      assert.ok(texts.some((t) => /Models use \d[\d.]* (B|KiB|MiB|GiB)/.test(t) && /free on disk/.test(t)), `the storage header: ${JSON.stringify(texts)}`);
      assert.ok(texts.some((t) => t.includes('Free up space…')), 'Free up space… is offered');
      const row = rows(page).filter({ hasText: name }).first();
      const rowText = plain(await row.innerText());
      assert.match(rowText, new RegExp(`${name}\\s*${Math.round(hf.files[Object.keys(hf.files)[0]].size / 1024)} KiB · used .* · loaded · chat model`), rowText);
      await shot('manage-models');

      await row.click();
      await page.locator('.quick-input-widget .quick-input-title', { hasText: ref }).waitFor({ state: 'visible', timeout: 20_000 });
      const ops = await rowTexts(page);
      assert.deepEqual(ops.map((t) => t.trim()), ['Use for completion', 'Unload', 'Settings…', 'Delete'], 'already the chat model; loaded, so it can be unloaded; its settings');
      await rows(page).filter({ hasText: 'Delete' }).first().click();
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ state: 'visible', timeout: 20_000 });
      assert.match(plain(await dialog.innerText()), new RegExp(`Delete ${ref}\\?`));
      await dialog.getByRole('button', { name: 'Delete' }).click();

      // The sidecar refuses while the model is loaded; its reason is shown, the file stays.
      const refusal = await waitForNotification(page, /was not deleted/, { timeoutMs: 20_000 });
      assert.match(refusal, new RegExp(`${ref} was not deleted: '${ref}' is loaded; unload it before deleting it\\.`));
      assert.ok(existsSync(file), 'nothing was deleted');
      await shot('delete-loaded-refused');
      await page.locator('.notifications-toasts .notification-toast', { hasText: 'was not deleted' }).getByRole('button', { name: 'Unload and Delete' }).click();
      const deleted = await waitForNotification(page, new RegExp(`deleted ${ref}; \\d+ KiB freed`), { timeoutMs: 20_000 });
      assert.ok(deleted);
      await pollUntil(() => existsSync(file), (e) => !e, { what: `${file} to be removed` });
      // It is no longer the chat model, and Manage Models no longer lists it.
      await pollUntil(() => statusItem(page).innerText().then(plain), (t) => !t.includes(ref), { what: 'the status bar to drop the deleted model' });
      await runToQuickInput(page, 'EditorAssist: Manage Models', 'EditorAssist: Manage Models');
      const after = await rowTexts(page);
      assert.ok(!after.some((t) => t.includes(name)), `the deleted model is gone from the list: ${JSON.stringify(after)}`);
      await shot('manage-models-after-delete');
      await page.keyboard.press('Escape');
    },
  },
  {
    name: 'a gated repo is refused with the reason and a "Set Hugging Face Token…" button; with the token it downloads, and the token reaches the Hub, never its CDN',
    async run({ page, profile, hf, shot }) {
      const [[key, token]] = Object.entries(hf.gated);
      const fileName = key.split('/').pop();
      const file = path.join(await modelsDir(profile), fileName);
      const [owner, repo] = key.split('/');
      const resolvePath = `/${owner}/${repo}/resolve/main/${fileName}`;
      await clearNotifications(page);

      await downloadHuggingFaceFile(page, key);
      const refused = await waitForNotification(page, /refused access/, { timeoutMs: 30_000 });
      assert.match(refused, /Gated Hugging Face repos need an access token/, refused);
      assert.ok(!existsSync(file) && !existsSync(`${file}.partial`), 'nothing is left on disk');
      await shot('gated-refused');

      // The refusal offers to set the token; with it, the download is tried again by itself.
      const sentBefore = hf.requests.length;
      await page.locator('.notifications-toasts .notification-toast', { hasText: 'refused access' }).getByRole('button', { name: 'Set Hugging Face Token…' }).click();
      await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Hugging Face access token' }).waitFor({ state: 'visible', timeout: 20_000 });
      assert.equal(await quickInput(page).getAttribute('type'), 'password', 'the token is typed into a password box');
      await quickInput(page).fill(token);
      await quickInput(page).press('Enter');
      await waitForNotification(page, new RegExp(`local/${fileName.replace(/\.gguf$/, '').replace(/[.]/g, '\\.')} is downloaded`), { timeoutMs: 60_000 });
      assert.equal(createHash('sha256').update(readFileSync(file)).digest('hex'), hf.files[key].sha256, 'the gated file is the one served');
      const sent = hf.requests.slice(sentBefore);
      const hub = sent.filter((r) => r.host === 'hub' && r.path === resolvePath);
      const cdn = sent.filter((r) => r.host === 'cdn');
      assert.ok(hub.length > 0 && hub.every((r) => r.authorization === `Bearer ${token}`), `the Hub gets the token: ${JSON.stringify(hub)}`);
      assert.ok(cdn.length > 0 && cdn.every((r) => r.authorization === null), `the CDN (another host) never does: ${JSON.stringify(cdn)}`);
      await shot('gated-downloaded');
      await page.keyboard.press('Escape');
    },
  },
  {
    name: 'a download interrupted by a sidecar restart continues by itself from its partial file, with its progress notification',
    async run({ page, profile, hf, shot }) {
      const key = hf.slowFile;
      const fileName = key.split('/').pop();
      const file = path.join(await modelsDir(profile), fileName);
      await clearNotifications(page);
      await downloadHuggingFaceFile(page, key);
      const toast = page.locator('.notifications-toasts .notification-toast', { hasText: `downloading ${key}` }).first();
      await pollUntil(() => toast.innerText().then(plain).catch(() => ''), (t) => /[1-9]\d* KiB of/.test(t), { what: 'the download under way' });
      const cdnBefore = hf.requests.filter((r) => r.host === 'cdn').length;

      await runCommand(page, 'EditorAssist: Restart Sidecar');
      // The interrupted request says so; the new sidecar restores the job paused and the extension continues it.
      await waitForNotification(page, new RegExp(`download of ${key.replace(/[.]/g, '\\.')} was interrupted: the sidecar stopped. It continues when the sidecar is back`), { timeoutMs: 30_000 });
      await waitForNotification(page, new RegExp(`downloading ${fileName.replace(/[.]/g, '\\.')}`), { timeoutMs: 60_000 });
      await shot('download-continued');
      await waitForNotification(page, new RegExp(`local/${fileName.replace(/\.gguf$/, '').replace(/[.]/g, '\\.')} is downloaded`), { timeoutMs: 60_000 });
      assert.equal(createHash('sha256').update(readFileSync(file)).digest('hex'), hf.files[key].sha256, 'the file is whole and the one served');
      assert.ok(!existsSync(`${file}.partial`), 'no partial file left');
      const resumed = hf.requests.filter((r) => r.host === 'cdn').slice(cdnBefore);
      assert.ok(resumed.some((r) => /^bytes=[1-9]\d*-$/.test(r.range ?? '')), `the continued download asked only for the rest: ${JSON.stringify(resumed)}`);
      await page.keyboard.press('Escape');
    },
  },
];
