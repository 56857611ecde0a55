// The chat webview in headless Chromium (Debian's, via playwright-core): the real bundle under
// the real CSP, fed the messages the extension sends. Model output is hostile here: an XSS
// corpus streamed in small random pieces must leave no script run, no handler, no dangerous
// element, and no request to a loopback "attacker" server — with the CSP, and without it
// (so the sanitizer alone is proven, not just the CSP).
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { deliver, markdownDeltas, startWebviewHarness, stream, timeStreamRender } from './webviewHarness.mjs';

let harness, attacker, attackerHits = [];

before(async () => {
  harness = await startWebviewHarness();
  attacker = await new Promise((resolve) => {
    const srv = http.createServer((req, res) => { attackerHits.push(req.url); res.end('x'); });
    srv.listen(0, '127.0.0.1', () => resolve(srv));
  });
});

after(async () => {
  await harness?.close();
  attacker?.close();
});

const openChat = (options) => harness.openChat(options);

describe('chat webview (Chromium)', () => {
  it('renders streamed markdown, with code-block actions that post the right messages', async () => {
    const { p, errors } = await openChat();
    await deliver(p, [{ type: 'userMessage', id: 'u1', text: 'show me <b>code</b>' }, ...stream('a1',
      '# Title\n\nSome **bold** text and a [link](https://example.com/docs?q=1).\n\n```python\nprint("hi")\n```\n\nDone.\n')]);
    assert.equal(await p.locator('.msg.user .body').innerText(), 'show me <b>code</b>', 'user text is shown literally');
    assert.equal(await p.locator('.msg.assistant h1').innerText(), 'Title');
    assert.equal(await p.locator('.msg.assistant strong').innerText(), 'bold');
    assert.equal(await p.locator('.msg.assistant pre code').textContent(), 'print("hi")\n');
    // Highlighted: the string and the built-in are spans, in their own colours (the default theme's here).
    assert.equal(await p.locator('.msg.assistant pre code .hljs-string').innerText(), '"hi"');
    assert.equal(await p.locator('.msg.assistant pre code .hljs-built_in').innerText(), 'print');
    const colours = await p.locator('.msg.assistant pre code').evaluate((code) => [code, code.querySelector('.hljs-string'), code.querySelector('.hljs-built_in')]
      .map((el) => getComputedStyle(el).color));
    assert.equal(new Set(colours).size, 3, `code, string and built-in differ in colour: ${colours}`);
    assert.equal(await p.locator('#speed').innerText(), '12.5 tok/s');
    await p.locator('.code-actions button', { hasText: 'Copy' }).click();
    await p.locator('.code-actions button', { hasText: 'Insert' }).click();
    await p.locator('.code-actions button', { hasText: 'New file' }).click();
    await p.locator('a[data-url]').click();
    const posted = await p.evaluate(() => window.__posted.filter((m) => m.type !== 'ready'));
    assert.deepEqual(posted, [
      { type: 'copyCode', code: 'print("hi")\n' },
      { type: 'insertCode', code: 'print("hi")\n' },
      { type: 'newFile', code: 'print("hi")\n', language: 'python' },
      { type: 'openLink', url: 'https://example.com/docs?q=1' },
    ]);
    assert.equal(await p.locator('a[href]').count(), 0, 'links never navigate by themselves');
    assert.deepEqual(errors, []);
    await p.close();
  });

  it('with no model chosen, an empty chat offers the three ways to get one; each posts its command', async () => {
    const { p, errors } = await openChat();
    const empty = p.locator('#empty');
    assert.equal(await empty.isHidden(), true, 'hidden until the extension says whether a model is chosen');
    await deliver(p, [{ type: 'state', available: true, model: null }]);
    assert.equal(await empty.isVisible(), true);
    const labels = await empty.locator('button').allInnerTexts();
    assert.deepEqual(labels, ['Select a model', 'Load a GGUF file…', 'Download one…']);
    for (const label of labels) await empty.locator('button', { hasText: label }).click();
    assert.deepEqual(await p.evaluate(() => window.__posted.filter((m) => m.type === 'runCommand')), [
      { type: 'runCommand', command: 'selectModel' },
      { type: 'runCommand', command: 'loadModelFile' },
      { type: 'runCommand', command: 'downloadModel' },
    ]);
    // A state without `model` (the sidecar came or went) changes nothing; a chosen model hides it.
    await deliver(p, [{ type: 'state', available: false, reason: 'The EditorAssist sidecar is not running.' }]);
    assert.equal(await empty.isVisible(), true);
    await deliver(p, [{ type: 'state', available: true, model: 'local/tiny' }]);
    assert.equal(await empty.isHidden(), true);
    assert.equal(await p.locator('#model').innerText(), 'local/tiny');
    // No model again, but a conversation on screen: the conversation stays in view.
    await deliver(p, [{ type: 'state', available: true, model: null }, { type: 'userMessage', id: 'u1', text: 'hi' }]);
    assert.equal(await empty.isHidden(), true);
    await deliver(p, [{ type: 'clear' }]);
    assert.equal(await empty.isVisible(), true, 'a new chat without a model shows it again');
    assert.deepEqual(errors, []);
    await p.close();
  });

  it('a run of bytes that were not valid UTF-8 shows as one marked placeholder, in prose and in code', async () => {
    const { p, errors } = await openChat();
    await deliver(p, stream('a1', 'ok \uFFFD\uFFFD\uFFFD then \uFFFD end\n\n```\nx = "\uFFFD\uFFFD"\n```\n'));
    const marks = p.locator('.msg.assistant .invalid-utf8');
    assert.equal(await marks.count(), 3, 'one per run, not one per byte');
    assert.deepEqual(await marks.evaluateAll((els) => els.map((e) => [e.textContent, e.title])), [
      ['\uFFFD', "3 bytes of the model's output were not valid UTF-8 text"],
      ['\uFFFD', "A byte of the model's output was not valid UTF-8 text"],
      ['\uFFFD', "2 bytes of the model's output were not valid UTF-8 text"],
    ]);
    assert.match(await p.locator('.msg.assistant p').first().innerText(), /^ok \uFFFD then \uFFFD end$/);
    assert.deepEqual(errors, []);
    await p.close();
  });

  it('highlights code blocks by the language their fence names (aliases too), and leaves unknown languages as text', async () => {
    const { p, errors } = await openChat();
    await deliver(p, stream('a1', [
      '```ts\nconst n: number = 42; // the answer\n```', '```cs\npublic sealed class A { }\n```',
      '```brainfudge\n+[-->++<]>.\n```', '```\nno language\n```',
    ].join('\n\n')));
    const blocks = p.locator('.msg.assistant pre code');
    assert.equal(await blocks.count(), 4);
    assert.deepEqual(await blocks.nth(0).locator('span').evaluateAll((s) => s.map((e) => `${e.className}=${e.textContent}`)),
      ['hljs-keyword=const', 'hljs-attr=n', 'hljs-built_in=number', 'hljs-number=42', 'hljs-comment=// the answer']);
    assert.ok(await blocks.nth(1).locator('.hljs-keyword').count() >= 2, 'C# by its alias cs');
    for (const i of [2, 3]) assert.equal(await blocks.nth(i).locator('span').count(), 0, 'no guessing: plain text');
    assert.equal(await blocks.nth(2).textContent(), '+[-->++<]>.\n');
    assert.deepEqual(errors, []);
    await p.close();
  });

  it('Stop posts stop while an answer streams, and a cancelled answer says so', async () => {
    const { p } = await openChat();
    await deliver(p, [{ type: 'assistantStart', id: 'a1' }, { type: 'assistantDelta', id: 'a1', delta: 'Partial answ' }]);
    await p.locator('#stop').click();
    assert.deepEqual(await p.evaluate(() => window.__posted.at(-1)), { type: 'stop' });
    await deliver(p, [{ type: 'assistantEnd', id: 'a1', finishReason: 'cancelled' }]);
    assert.equal(await p.locator('.finish.cancelled').innerText(), 'Stopped.');
    assert.equal(await p.locator('#stop').isHidden(), true);
    await p.close();
  });

  it('shows the answering model, a Cloud badge only for cloud models, and offers Regenerate', async () => {
    const { p } = await openChat();
    await deliver(p, [{ type: 'assistantStart', id: 'a1' }, { type: 'assistantDelta', id: 'a1', delta: 'local answer' },
      { type: 'assistantEnd', id: 'a1', finishReason: 'stop', model: 'local/qwen2.5-coder-1.5b-q8_0', privacy: 'onDevice' }]);
    assert.equal(await p.locator('#model').innerText(), 'local/qwen2.5-coder-1.5b-q8_0');
    assert.equal(await p.locator('#badge').isHidden(), true);
    await p.locator('#regenerate').click();
    assert.deepEqual(await p.evaluate(() => window.__posted.at(-1)), { type: 'regenerate' });
    await deliver(p, [{ type: 'removeMessage', id: 'a1' }, ...stream('a2', 'cloud answer'.padEnd(20, '.'))]);
    await deliver(p, [{ type: 'assistantEnd', id: 'a2', finishReason: 'stop', model: 'openai/gpt-4.1-mini', privacy: 'cloud' }]);
    assert.equal(await p.locator('.msg.assistant').count(), 1, 'the regenerated answer replaced the old one');
    assert.equal(await p.locator('#badge').innerText(), 'Cloud');
    await p.locator('#include-selection').check();
    await p.locator('#input').fill('explain this');
    await p.locator('#input').press('Enter');
    assert.deepEqual(await p.evaluate(() => window.__posted.at(-1)), { type: 'send', text: 'explain this', includeSelection: true });
    await p.close();
  });

  for (const csp of [true, false]) {
    it(`an XSS corpus streamed in pieces runs nothing and fetches nothing (${csp ? 'with' : 'without'} the CSP)`, async () => {
      attackerHits = [];
      const { p, errors } = await openChat({ csp });
      const evil = `http://127.0.0.1:${attacker.address().port}`;
      const requests = [];
      p.on('request', (r) => { if (r.url().startsWith(evil)) requests.push(r.url()); });
      const corpus = [
        '<script>window.__pwned = "script"</script>',
        `<img src=x onerror="window.__pwned='onerror'">`,
        `<img src="${evil}/img">`, `![alt text](${evil}/md-image.png)`,
        '[js](javascript:window.__pwned=%22js%22)', '<a href="jav&#x61;script:window.__pwned=1">entity js</a>',
        '[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
        `<svg onload="window.__pwned='svg'"><script>window.__pwned='svgscript'</script><image href="${evil}/svg"/></svg>`,
        `<iframe src="${evil}/iframe"></iframe>`, `<iframe srcdoc="<script>parent.__pwned='srcdoc'</script>"></iframe>`,
        `<div style="background:url(${evil}/css-inline)">styled</div>`, `<style>body{background:url(${evil}/css-block)}</style>`,
        `<link rel="stylesheet" href="${evil}/link.css">`, `<meta http-equiv="refresh" content="0;url=${evil}/refresh">`,
        `<base href="${evil}/">`, `<a href="${evil}/a" ping="${evil}/ping">pinged</a>`,
        `<form action="${evil}/form"><button>go</button></form>`, `<object data="${evil}/object"></object>`, `<embed src="${evil}/embed">`,
        `<video src="${evil}/video" autoplay></video><audio src="${evil}/audio" autoplay></audio>`,
        `<input type="image" src="${evil}/input">`, `<details open ontoggle="window.__pwned='toggle'">d</details>`,
        `<math><mtext><table><mglyph><style><img src=x onerror="window.__pwned='mxss'"></style></mglyph></table></mtext></math>`,
        `<p onclick="window.__pwned='click'" onmouseover="window.__pwned='hover'">hover me</p>`,
        '```html\n<script>window.__pwned = "code"</script>\n```',
      ].join('\n\n');
      await deliver(p, stream('x1', corpus));
      // Hover and click everything a user might touch.
      for (const el of await p.locator('#log *').all()) await el.hover({ timeout: 1000 }).catch(() => undefined);
      await p.locator('#log p', { hasText: 'hover me' }).click();
      await p.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

      assert.equal(await p.evaluate(() => window.__pwned), undefined, 'no injected script ran');
      const bad = await p.evaluate(() => {
        const found = [];
        for (const el of document.querySelectorAll('#log *')) {
          for (const a of el.attributes) if (/^on/i.test(a.name) || a.name === 'style' || a.name === 'srcdoc' || a.name === 'href' || a.name === 'ping') found.push(`${el.tagName}[${a.name}]`);
          if (/^(SCRIPT|IFRAME|OBJECT|EMBED|STYLE|LINK|META|BASE|FORM|INPUT|SVG|MATH|VIDEO|AUDIO)$/i.test(el.tagName)) found.push(el.tagName);
          if (el.tagName === 'IMG' && !/^data:image\//.test(el.getAttribute('src') ?? '')) found.push(`IMG src=${el.getAttribute('src')}`);
        }
        return found;
      });
      assert.deepEqual(bad, [], 'no dangerous element or attribute survived');
      assert.match(await p.locator('#log pre code').innerText(), /<script>window.__pwned = "code"<\/script>/, 'code stays visible as text');
      assert.ok(await p.locator('#log pre code .hljs-tag').count() > 0, 'highlighted as HTML, still only text in spans');
      assert.deepEqual(requests, [], 'the page requested nothing from the attacker');
      assert.deepEqual(attackerHits, [], 'the attacker server saw nothing');
      if (csp) {
        // Chromium reports inline handlers and <style> that DOMPurify meets while parsing the
        // input in its inert DOMParser document (nothing runs there). No URL may be among them:
        // the page never even tried to fetch anything the CSP had to stop.
        const blocked = (await p.evaluate(() => window.__violations)).filter((v) => !v.startsWith('inline '));
        assert.deepEqual(blocked, [], 'no fetch was left for the CSP to block');
      }
      assert.deepEqual(errors, []);
      await p.close();
    });
  }

  it('shows a streamed answer exactly as the whole answer rendered at once', async () => {
    const { p, errors } = await openChat({ renderModule: true });
    for (const oneCodeBlock of [false, true]) {
      // Ends inside a code block when oneCodeBlock: the open fence grown in place must match too.
      const deltas = markdownDeltas(1200, { oneCodeBlock });
      const id = `eq${oneCodeBlock}`;
      await deliver(p, [{ type: 'clear' }, { type: 'assistantStart', id }]);
      for (let i = 0; i < deltas.length; i += 3) {
        await deliver(p, deltas.slice(i, i + 3).map((delta) => ({ type: 'assistantDelta', id, delta })));
      }
      const view = (frame) => p.evaluate(({ text, frame }) => {
        const norm = (el) => (frame === 'mid' ? el.textContent.trimEnd() : el.innerHTML.replace(/>\s+</g, '><').replace(/<\/?div>/g, '').trim());
        const el = document.createElement('div');
        el.append(window.__render.renderMarkdown(text));
        return [norm(document.querySelector('.msg.assistant .body')), norm(el)];
      }, { text: deltas.join(''), frame });
      // While it streams (an open fence grows in place): the same text…
      const [midStreamed, midWhole] = await view('mid');
      assert.equal(midStreamed, midWhole);
      // …and once it ends, the same markup.
      await deliver(p, [{ type: 'assistantEnd', id, finishReason: 'stop' }]);
      const [streamed, whole] = await view('end');
      assert.ok(streamed.length > 5_000, `a long answer (${streamed.length} characters of HTML)`);
      assert.equal(streamed, whole);
    }
    assert.deepEqual(errors, []);
    await p.close();
  });

  it('renders 5,000 deltas in linear time: per character, the work at 5,000 deltas is at most 1.5x the work at 500', async () => {
    // The work is counted (characters rendered or written into the DOM), not timed, so a busy
    // machine cannot fail it and a quadratic renderer cannot pass it: re-rendering the whole answer
    // per delta would do ~10x more work per character at 5,000 deltas than at 500.
    const { p, errors } = await openChat({ renderModule: true });
    const workPerChar = (deltas) => p.evaluate((deltas) => {
      const r = new window.__render.StreamRenderer(document.createElement('div'));
      for (const d of deltas) { r.append(d); r.flush(); } // one render per delta: the most a stream can cause
      r.finish();
      return r.work / r.text.length;
    }, deltas);
    for (const oneCodeBlock of [false, true]) {
      const what = oneCodeBlock ? 'one code block' : 'prose, lists and code blocks';
      const small = await workPerChar(markdownDeltas(500, { oneCodeBlock }));
      const large = await workPerChar(markdownDeltas(5000, { oneCodeBlock }));
      console.log(`# webview render work (${what}): ${small.toFixed(2)} characters per character at 500 deltas, ${large.toFixed(2)} at 5,000`);
      assert.ok(small >= 1, `${what}: every character is rendered at least once (${small})`);
      assert.ok(large / small <= 1.5, `${what}: ${(large / small).toFixed(2)}x the work per character at 5,000 deltas: not linear`);
    }
    // The same stream timed in frames pumped by the test: reported, not asserted (wall-clock).
    const timed = await openChat({ manualFrames: true });
    const small = markdownDeltas(500), large = markdownDeltas(5000);
    await timeStreamRender(timed.p, small); // warm-up
    const perSmall = (await timeStreamRender(timed.p, small)) / small.length;
    const perLarge = (await timeStreamRender(timed.p, large)) / large.length;
    console.log(`# webview render time: ${(perSmall * 1000).toFixed(0)} µs/delta at 500, ${(perLarge * 1000).toFixed(0)} µs/delta at 5,000`);
    assert.deepEqual([...errors, ...timed.errors], []);
    await p.close();
    await timed.p.close();
  });

  it('reports the first token painted after Enter, once, for the answer that Enter started', async () => {
    const { p, errors } = await openChat();
    // An answer nobody typed for (e.g. after Regenerate) is not timed.
    await deliver(p, stream('a0', 'untimed answer'));
    await p.locator('#input').fill('time me');
    const t0 = Date.now();
    await p.locator('#input').press('Enter');
    assert.deepEqual(await p.evaluate(() => window.__posted.at(-1)), { type: 'send', text: 'time me' });
    await deliver(p, [{ type: 'userMessage', id: 'u1', text: 'time me' }, { type: 'assistantStart', id: 'a1' }]);
    assert.equal(await p.evaluate(() => window.__posted.some((m) => m.type === 'firstTokenPainted')), false, 'nothing before a token');
    await deliver(p, [{ type: 'assistantDelta', id: 'a1', delta: 'Hel' }, { type: 'assistantDelta', id: 'a1', delta: 'lo' }]);
    await p.waitForFunction(() => window.__posted.some((m) => m.type === 'firstTokenPainted'));
    const elapsed = Date.now() - t0;
    await deliver(p, [{ type: 'assistantDelta', id: 'a1', delta: ' again' }, { type: 'assistantEnd', id: 'a1', finishReason: 'stop' }]);
    await deliver(p, stream('a2', 'another untimed answer'));
    const reports = await p.evaluate(() => window.__posted.filter((m) => m.type === 'firstTokenPainted'));
    assert.equal(reports.length, 1, JSON.stringify(reports));
    assert.equal(reports[0].id, 'a1');
    assert.ok(reports[0].ms > 0 && reports[0].ms <= elapsed, `${reports[0].ms} ms within the ${elapsed} ms the test waited`);
    assert.ok(reports[0].deltaToPaintMs >= 0 && reports[0].deltaToPaintMs <= reports[0].ms, JSON.stringify(reports[0]));
    assert.deepEqual(errors, []);
    await p.close();
  });
});
