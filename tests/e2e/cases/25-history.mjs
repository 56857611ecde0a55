// Stop and chat history in the real VS Code: Stop ends a streaming answer in the sidecar and the
// partial answer stays; the conversation lives in the sidecar's SQLite, so after the sidecar is
// killed (and comes back by itself) "Chat History…" opens it again, partial answer included.
import assert from 'node:assert/strict';
import path from 'node:path';
import { writeTestModel } from '../../tools/common.mjs';
import { plain, pollUntil, runCommand } from '../workbench.mjs';
import { sidecarPids } from './10-sidecar.mjs';
import { ask, loadModelFile, showChat } from '../editorAssist.mjs';

const QUESTION = 'Count from one to a thousand, slowly';
let partial; // the stopped answer's text, checked again after the restart

export default [
  {
    name: 'Stop ends a streaming answer in the sidecar and keeps what was written',
    async run({ page, profile, shot }) {
      // A model slow enough to press Stop in time (the profile allows long answers).
      const ref = await loadModelFile(page, writeTestModel(path.join(profile.base, 'e2e-streaming.gguf'), 'streaming'));
      const frame = await showChat(page);
      await page.locator('.statusbar [aria-label="EditorAssist: running"]', { hasText: ref }).first().waitFor({ state: 'visible', timeout: 10_000 });
      await runCommand(page, 'EditorAssist: New Chat');
      await pollUntil(() => frame.locator('.msg').count(), (n) => n === 0, { what: 'an empty chat' });

      await ask(page, QUESTION);
      const answer = frame.locator('.msg.assistant').last();
      await pollUntil(async () => (await answer.locator('.body').innerText()).trim().length, (n) => n > 0, { timeoutMs: 60_000, what: 'streamed text' });
      const stop = frame.locator('#stop');
      assert.equal(await stop.isVisible(), true, 'Stop shows while the answer streams');
      await stop.click();
      await stop.waitFor({ state: 'hidden', timeout: 30_000 });
      assert.equal(plain(await answer.locator('.finish').innerText()), 'Stopped.');
      partial = plain(await answer.locator('.body').innerText());
      assert.ok(partial.length > 0);
      await shot('chat-stopped');
    },
  },
  {
    name: 'after the sidecar is killed, "Chat History…" opens the conversation again',
    async run({ page, profile, shot }) {
      assert.ok(partial, 'the Stop case ran first');
      const frame = await showChat(page);
      await runCommand(page, 'EditorAssist: New Chat');
      await pollUntil(() => frame.locator('.msg').count(), (n) => n === 0, { what: 'an empty chat' });

      const [pid] = await pollUntil(() => sidecarPids(profile.extensionsDir), (p) => p.length === 1, { what: 'one sidecar process' });
      process.kill(pid, 'SIGKILL');
      await pollUntil(() => sidecarPids(profile.extensionsDir), (p) => p.length === 1 && p[0] !== pid, { what: 'a new sidecar process' });
      await page.locator('.statusbar [aria-label="EditorAssist: running"]').first().waitFor({ state: 'visible', timeout: 30_000 });

      // The palette's own input turns into the history pick: wait for its title, not for it to close.
      await page.keyboard.press('Escape');
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: 20_000 });
      await input.fill('>EditorAssist: Chat History…');
      await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'EditorAssist: Chat History…' }).first().click();
      await page.locator('.quick-input-widget .quick-input-title', { hasText: 'EditorAssist: Chat History' }).waitFor({ state: 'visible', timeout: 20_000 });
      const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: QUESTION }).first();
      await row.waitFor({ state: 'visible', timeout: 20_000 });
      assert.match(plain(await row.innerText()), /2 messages/);
      await shot('chat-history');
      await row.click();

      await frame.locator('.msg.user', { hasText: QUESTION }).first().waitFor({ state: 'visible', timeout: 20_000 });
      const answer = frame.locator('.msg.assistant').last();
      await pollUntil(async () => plain(await answer.locator('.body').innerText()), (t) => t === partial,
        { what: 'the stopped answer, as it was' });
      assert.equal(plain(await answer.locator('.finish').innerText()), 'Stopped.');
      assert.equal(await frame.locator('.msg').count(), 2);
      await shot('chat-history-opened');
    },
  },
];
