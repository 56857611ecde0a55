// The chat view against the real sidecar and its local runtime: the view opens under the
// strict CSP; without a model the sidecar's answer (1001) is shown; a GGUF test model loaded
// with "Load Model File…" answers, streamed, with its name and speed in the header.
import assert from 'node:assert/strict';
import path from 'node:path';
import { writeTestModel } from '../../tools/common.mjs';
import { ask, chatFrame, loadModelFile, showChat } from '../editorAssist.mjs';
import { plain, pollUntil } from '../workbench.mjs';

export default [
  {
    name: 'the chat view opens under a strict CSP',
    async run({ page, shot }) {
      await page.keyboard.press('Escape');
      await page.locator('.statusbar [aria-label="EditorAssist: running"]').first().waitFor({ state: 'visible', timeout: 60_000 });
      const frame = await showChat(page);
      const csp = await frame.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'nonce-[A-Za-z0-9+/=]{16,}'(;|$)/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      // Our page has exactly one script, the bundle, loaded by nonce. (VS Code adds its own
      // inline messaging shim to every webview document; that one is VS Code's, not ours.)
      const scripts = await frame.locator('script').evaluateAll((els) => els.map((s) => ({ nonce: s.nonce, src: s.getAttribute('src') })));
      const ours = scripts.filter((s) => s.src);
      assert.equal(ours.length, 1, JSON.stringify(scripts));
      assert.match(ours[0].src, /\/dist\/webview\/chat\.js$/);
      assert.ok(ours[0].nonce.length >= 16, JSON.stringify(scripts));
      await shot('chat-view');
    },
  },
  {
    name: 'without a model, the answer says to choose one (the sidecar\'s 1001)',
    async run({ page, shot }) {
      await ask(page, 'Hello, EditorAssist');
      const frame = chatFrame(page);
      const error = frame.locator('.msg.assistant .finish.error').last();
      await error.waitFor({ state: 'visible', timeout: 30_000 });
      assert.match(plain(await error.innerText()), /No chat model is chosen yet\. Pick one with "EditorAssist: Select Model"/);
      assert.doesNotMatch(plain(await error.innerText()), /Ollama|Tried/, "no provider the user never set up is named");
      await shot('chat-no-model');
    },
  },
  {
    name: 'a GGUF loaded with "Load Model File…" answers in the chat, streamed',
    async run({ page, profile, shot, metrics }) {
      const model = writeTestModel(path.join(profile.base, 'e2e-tiny.gguf'));
      const ref = await loadModelFile(page, model);
      // The status bar names the chat model now.
      await page.locator('.statusbar [aria-label="EditorAssist: running"]', { hasText: ref }).first().waitFor({ state: 'visible', timeout: 10_000 });

      const frame = await showChat(page);
      const answers = frame.locator('.msg.assistant');
      // The previous case left an (error) answer: wait for a new one, not that one.
      const before = await answers.count();
      const t0 = Date.now();
      await ask(page, 'Say hello');
      await pollUntil(() => answers.count(), (n) => n > before, { timeoutMs: 30_000, what: 'a new assistant message' });
      const last = answers.nth(before);
      // The answer streams: text shows before the end (Stop is visible while it streams).
      await pollUntil(async () => (await last.locator('.body').innerText()).trim().length, (n) => n > 0, { timeoutMs: 120_000, what: 'streamed text' });
      await frame.locator('#stop').waitFor({ state: 'hidden', timeout: 120_000 });
      metrics.chatAnswerMs = Date.now() - t0;
      assert.equal(await last.locator('.finish.error').count(), 0, await last.innerText());
      assert.equal(plain(await frame.locator('#model').innerText()), ref);
      assert.match(plain(await frame.locator('#speed').innerText()), /^\d+(\.\d)? tok\/s$/);
      assert.equal(await frame.locator('#badge').isHidden(), true, 'an on-device model carries no cloud badge');
      // The status bar names the model with the answer's speed.
      const status = page.locator('.statusbar [aria-label="EditorAssist: running"]').first();
      await pollUntil(() => status.innerText().then(plain), (t) => new RegExp(`${ref.replace(/[.]/g, '\\.')} · \\d+\\.\\d tok/s`).test(t),
        { what: 'the status bar to show the model and its tokens/s' });
      await shot('chat-answer');
    },
  },
];
