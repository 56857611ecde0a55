// The chat view: it opens from the activity bar and renders its webview under the strict CSP.
// Until the sidecar offers chat/send it must say so instead of pretending.
import assert from 'node:assert/strict';
import { plain } from '../workbench.mjs';

/** The chat webview's document (VS Code nests it in two iframes). */
export function chatFrame(page) {
  return page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
}

export default [
  {
    name: 'the chat view opens from the activity bar under a strict CSP',
    async run({ page, shot }) {
      await page.keyboard.press('Escape');
      await page.locator('.statusbar [aria-label="EditorAssist: running"]').first().waitFor({ state: 'visible', timeout: 60_000 });
      await page.locator('.activitybar [aria-label^="EditorAssist"]').first().click();
      const frame = chatFrame(page);
      const input = frame.locator('#composer textarea');
      await input.waitFor({ state: 'visible', timeout: 30_000 });
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
    name: 'sending a message says plainly that this sidecar cannot chat yet',
    async run({ page, shot }) {
      const frame = chatFrame(page);
      const input = frame.locator('#composer textarea');
      await input.fill('Hello, EditorAssist');
      await input.press('Enter');
      const notice = frame.locator('#notice');
      await notice.waitFor({ state: 'visible', timeout: 10_000 });
      assert.match(plain(await notice.innerText()), /does not offer chat yet/);
      assert.equal(await frame.locator('.msg').count(), 0, 'no fake conversation is shown');
      await shot('chat-unavailable');
    },
  },
];
