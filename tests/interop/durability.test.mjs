// Chat history survives a crash: the real sidecar is SIGKILLed in the middle of a burst of chat/send
// writes (the history path the extension uses), restarted on the same storage folder, and every turn
// whose answer the client received must be in chat/session, with the store opening cleanly (no
// corrupt file moved aside). The kill comes right after the Nth acknowledged answer, so it lands
// while the rest of the burst is still being written: no timers, same shape on a loaded machine.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startFakeOpenAi } from '../tools/fakeOpenAi.mjs';
import { initialize, startSidecar, stopSidecar, tempDir } from './sidecar.mjs';

const BURST = 60;     // chat/send requests sent at once
const KILL_AFTER = 25; // acknowledged answers before SIGKILL

describe('chat history durability across a SIGKILL', () => {
  let fake;
  before(async () => { fake = await startFakeOpenAi({ reply: ['Noted', '.'] }); });
  after(async () => { if (fake) await fake.close(); });

  test(`every acknowledged chat/send of a ${BURST}-request burst is kept after SIGKILL at the ${KILL_AFTER}th answer`, async () => {
    const storageDir = tempDir();
    const s = startSidecar({ args: [] });
    await initialize(s.connection, storageDir);
    await s.connection.sendRequest('providers/configure', { providerId: 'vllm', baseUrl: fake.baseUrl });
    // One long conversation the burst appends to, as a user's session grows, plus new sessions.
    const opened = await s.connection.sendRequest('chat/send', {
      streamId: 'open', model: 'vllm/fake-model', messages: [{ role: 'user', content: 'first turn' }] });
    const acked = [{ sessionId: opened.sessionId, text: 'first turn' }];

    let acks = 0;
    let killed;
    const allKilled = new Promise((resolve) => { killed = resolve; });
    const burst = [];
    for (let i = 0; i < BURST; i++) {
      const text = `turn ${i} ${'x'.repeat(i * 37)}`; // varied sizes: some rows span pages
      const sessionId = i % 3 === 0 ? undefined : opened.sessionId;
      burst.push(s.connection.sendRequest('chat/send', {
        streamId: `b${i}`, sessionId, model: 'vllm/fake-model', messages: [{ role: 'user', content: text }] })
        .then((r) => {
          if (acks >= KILL_AFTER) return; // answered after the kill was ordered: not counted
          acked.push({ sessionId: r.sessionId, text });
          if (++acks === KILL_AFTER) { s.child.kill('SIGKILL'); killed(); }
        }, () => { /* lost with the process: allowed, it was never acknowledged */ }));
    }
    // If the burst ends without KILL_AFTER answers (every request failed), fail instead of waiting.
    await Promise.race([allKilled, Promise.all(burst)]);
    assert.equal(acks, KILL_AFTER, s.stderr());
    assert.equal(await s.exited, 'SIGKILL');
    s.connection.dispose(); // rejects the requests still pending: they died with the process
    await Promise.all(burst);
    assert.equal(acked.length, KILL_AFTER + 1);
    // The kill left an un-checkpointed WAL: the restart below goes through SQLite's recovery.
    assert.ok(existsSync(path.join(storageDir, 'editorassist.db-wal')));

    const again = startSidecar({ args: [] });
    const init = await initialize(again.connection, storageDir);
    assert.equal(init.storage.recoveredCorruptFile ?? null, null, 'the store did not open cleanly');
    assert.deepEqual(readdirSync(storageDir).filter((f) => f.includes('.corrupt-')), []);
    const sessions = new Map();
    for (const id of new Set(acked.map((a) => a.sessionId))) {
      const { messages } = await again.connection.sendRequest('chat/session', { sessionId: id });
      // Each turn is stored whole (user message and answer in one transaction) and numbered without gaps.
      assert.deepEqual(messages.map((m) => m.seq), messages.map((_, i) => i + 1));
      for (let i = 0; i < messages.length; i += 2) {
        assert.equal(messages[i].role, 'user');
        assert.equal(messages[i + 1]?.content, 'Noted.');
      }
      sessions.set(id, new Set(messages.filter((m) => m.role === 'user').map((m) => m.content)));
    }
    const missing = acked.filter((a) => !sessions.get(a.sessionId).has(a.text));
    assert.deepEqual(missing.map((a) => a.text.slice(0, 12)), [], 'acknowledged turns missing after the restart');
    // And the store still takes writes.
    const more = await again.connection.sendRequest('chat/send', {
      streamId: 'after', sessionId: opened.sessionId, model: 'vllm/fake-model', messages: [{ role: 'user', content: 'after restart' }] });
    assert.equal(more.sessionId, opened.sessionId);
    assert.equal(await stopSidecar(again), 0);
  });
});
