// The chat webview in headless Chromium without VS Code: the real bundle (webview/main.ts) in
// the document chatView.ts writes, with a stub of VS Code's webview API, served from loopback.
// Used by webview.test.mjs and by the render part of bench/extension.mjs.
//
// `openChat({ manualFrames: true })` replaces requestAnimationFrame with a frame pump the caller
// runs (`window.__runFrame()`: the queued callbacks, then style and layout), so render cost can
// be measured as work done, not as frames waited for.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { lib } from './support.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const clientRoot = path.resolve(here, '..');
export const CHROMIUM = process.env.EDITORASSIST_CHROMIUM ?? '/usr/bin/chromium';
const outDir = path.join(clientRoot, 'out', 'test', 'webview');
const NONCE = 'bm9uY2Utbm9uY2Utbm9uY2U=';

function listen(handler) {
  return new Promise((resolve) => {
    const srv = http.createServer(handler);
    srv.listen(0, '127.0.0.1', () => resolve(srv));
  });
}

/** The webview's document as chatView.ts writes it, plus a stub of VS Code's webview API. */
function page(origin, { csp, manualFrames, renderModule }) {
  const policy = `default-src 'none'; script-src 'nonce-${NONCE}'; style-src ${origin}; img-src ${origin} data:; font-src ${origin}`;
  return `<!DOCTYPE html><html><head><meta charset="UTF-8">
${csp ? `<meta http-equiv="Content-Security-Policy" content="${policy}">` : ''}
<link rel="stylesheet" href="${origin}/chat.css"></head><body>
${lib.chatBodyHtml()}
<script nonce="${NONCE}">
  window.__posted = []; window.__violations = []; let saved;
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.blockedURI + ' ' + e.violatedDirective + ' @' + e.lineNumber + ':' + e.columnNumber + ' ' + (e.sample || '')));
  window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => saved, setState: (s) => { saved = s; window.__state = s; } });
  ${manualFrames ? `
  const queued = [];
  window.requestAnimationFrame = (cb) => queued.push(cb);
  window.__runFrame = () => {
    const t = performance.now();
    for (const cb of queued.splice(0)) cb(t);
    return document.body.offsetHeight; // style and layout, as the frame would before painting
  };` : ''}
</script>
${renderModule ? `<script nonce="${NONCE}" src="${origin}/render.js"></script>` : ''}
<script nonce="${NONCE}" src="${origin}/chat.js"></script></body></html>`;
}

/** Bundles the webview (into out/test/webview/), serves it on loopback and launches Chromium. */
export async function startWebviewHarness() {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  const bundle = path.join(outDir, 'chat.js');
  const renderBundle = path.join(outDir, 'render.js');
  const common = { bundle: true, platform: 'browser', format: 'iife', target: 'es2022', logLevel: 'error' };
  esbuild.buildSync({ ...common, entryPoints: [path.join(clientRoot, 'webview', 'main.ts')], outfile: bundle });
  // render.ts alone, as window.__render: the full re-render peer of the render benchmark.
  esbuild.buildSync({ ...common, entryPoints: [path.join(clientRoot, 'webview', 'render.ts')], outfile: renderBundle, globalName: '__render' });
  const site = await listen((req, res) => {
    const url = new URL(req.url, 'http://x');
    const origin = `http://127.0.0.1:${site.address().port}`;
    const js = { '/chat.js': bundle, '/render.js': renderBundle }[url.pathname];
    if (js) { res.setHeader('content-type', 'text/javascript'); return res.end(readFileSync(js)); }
    if (url.pathname === '/chat.css') { res.setHeader('content-type', 'text/css'); return res.end(readFileSync(path.join(clientRoot, 'webview', 'chat.css'))); }
    res.setHeader('content-type', 'text/html');
    const q = url.searchParams;
    res.end(page(origin, { csp: q.get('csp') !== '0', manualFrames: q.get('frames') === 'manual', renderModule: q.get('render') === '1' }));
  });
  const profileDir = mkdtempSync(path.join(os.tmpdir(), 'ea-webview-'));
  const browser = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  return {
    browser,
    /** Opens the chat webview in a new page; resolves once it has posted `ready`. */
    /** `renderModule`: also load render.ts alone, as `window.__render` (its exports). */
    async openChat({ csp = true, manualFrames = false, renderModule = manualFrames } = {}) {
      const p = await browser.newPage();
      const errors = [];
      p.on('pageerror', (e) => errors.push(e.message));
      await p.goto(`http://127.0.0.1:${site.address().port}/?csp=${csp ? 1 : 0}&frames=${manualFrames ? 'manual' : 'auto'}&render=${renderModule ? 1 : 0}`);
      await p.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
      return { p, errors };
    },
    async close() {
      await browser.close();
      rmSync(profileDir, { recursive: true, force: true });
      site.close();
    },
  };
}

/** Sends extension → webview messages and waits until the webview has handled them. */
export async function deliver(p, messages) {
  await p.evaluate(async (ms) => {
    for (const m of ms) window.postMessage(m, '*');
    await new Promise((r) => window.addEventListener('message', function done(e) { if (e.data === '__sync') { window.removeEventListener('message', done); r(); } }) || window.postMessage('__sync', '*'));
    await new Promise((r) => requestAnimationFrame(() => r())); // one frame: the renderer flushes
  }, messages);
}

/** Splits text into pieces of 1..7 characters (deterministic), like a tokenizer would. */
export function pieces(text, seed = 7) {
  const out = [];
  let x = seed;
  for (let i = 0; i < text.length;) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const n = 1 + (x % 7);
    out.push(text.slice(i, i + n));
    i += n;
  }
  return out;
}

export function stream(id, text) {
  return [{ type: 'assistantStart', id }, ...pieces(text).map((delta) => ({ type: 'assistantDelta', id, delta })),
    { type: 'assistantEnd', id, finishReason: 'stop', tokensPerSecond: 12.5 }];
}

/**
 * The first `n` deltas of a long, deterministic markdown answer shaped like a coding assistant's:
 * sections of prose (bold, inline code, links), a bullet list and a fenced code block of 6–30
 * lines. With `oneCodeBlock`, the whole answer is a single fenced file (the worst case for a
 * renderer that re-renders an open block).
 */
export function markdownDeltas(n, { oneCodeBlock = false } = {}) {
  const code = (k, lines) => Array.from({ length: lines }, (_, i) => i % 5 === 0
    ? `def step_${k}_${i}(items, limit=${i + 3}):`
    : `    total_${i} = sum(x.value for x in items if x.size > ${(k * 7 + i) % 97})  # keep ${i}`).join('\n');
  let text = oneCodeBlock ? 'Here is the whole module:\n\n```python\n' : '';
  for (let k = 0; pieces(text).length < n; k++) {
    if (oneCodeBlock) { text += `${code(k, 10)}\n`; continue; }
    const lines = 6 + ((k * 11) % 25);
    text += `## Step ${k + 1}: handle case ${k}\n\nThe function below **filters** the items by \`size\` and sums their \`value\`; `
      + `see [the guide](https://example.com/guide/${k}) for why the limit is ${k + 3}. It runs in linear time and keeps memory flat.\n\n`
      + `- first, read the items (\`items[${k}]\`)\n- then filter them by size\n- finally, return **the total**\n\n`
      + `\`\`\`python\n${code(k, lines)}\n\`\`\`\n\nThat covers case ${k}; the next step builds on it.\n\n`;
  }
  return pieces(text).slice(0, n);
}

/**
 * Streams `deltas` into the page (opened with manualFrames) one frame per delta — the most
 * re-rendering a stream can cause — and resolves with the total time in ms: message handling,
 * markdown rendering, style and layout. `renderer`: 'stream' is the webview's own (StreamRenderer
 * via its message handler); 'full' re-renders the whole answer every frame (the peer).
 */
export function timeStreamRender(p, deltas, renderer = 'stream') {
  return p.evaluate(({ deltas, renderer }) => {
    const send = (data) => window.dispatchEvent(new MessageEvent('message', { data }));
    send({ type: 'clear' });
    window.__runFrame();
    const id = `bench-${Math.random().toString(36).slice(2)}`;
    const t0 = performance.now();
    if (renderer === 'stream') {
      send({ type: 'assistantStart', id });
      for (const delta of deltas) {
        send({ type: 'assistantDelta', id, delta });
        window.__runFrame();
      }
      send({ type: 'assistantEnd', id, finishReason: 'stop' });
      window.__runFrame();
    } else {
      const article = document.createElement('article');
      article.className = 'msg assistant';
      const body = document.createElement('div');
      body.className = 'body';
      article.append(body);
      document.getElementById('log').append(article);
      let text = '';
      for (const delta of deltas) {
        text += delta;
        body.replaceChildren(window.__render.renderMarkdown(text));
        window.__runFrame();
      }
    }
    return performance.now() - t0;
  }, { deltas, renderer });
}
