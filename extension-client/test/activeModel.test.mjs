// The chosen chat model outlives a reload, a new browser (VS Code's globalState starts empty
// there in code-server) and a sidecar restart: the sidecar's store keeps it (issue 18).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeSupervisorsStoppedAfterEach, lib } from './support.mjs';

const start = fakeSupervisorsStoppedAfterEach();

/** VS Code's Memento, in memory: one per browser profile in code-server. */
function memento(initial = {}) {
  const values = { ...initial };
  return { values, get: (k) => values[k], update: async (k, v) => { if (v === undefined) delete values[k]; else values[k] = v; } };
}

describe('ActiveModel', () => {
  it('a choice is kept in globalState and in the sidecar\'s store', async () => {
    const { sup, events } = start('');
    await sup.start();
    const state = memento();
    const active = new lib.ActiveModel(state, sup);
    const seen = [];
    active.onDidChange((r) => seen.push(r));
    await active.set('local/tiny');
    assert.equal(active.ref, 'local/tiny');
    assert.equal(state.values[lib.ACTIVE_MODEL_KEY], 'local/tiny');
    assert.deepEqual(seen, ['local/tiny']);
    assert.ok(events().includes('settings/update {"chat.model":"local/tiny"}'), events().join('\n'));
    await active.set(undefined);
    assert.ok(events().includes('settings/update {"chat.model":null}'), 'clearing the choice removes the stored key');
  });

  it('a new browser (empty globalState) adopts the model chosen elsewhere when the sidecar starts', async () => {
    const { sup } = start('');
    await sup.start();
    await new lib.ActiveModel(memento(), sup).set('local/tiny');
    const fresh = new lib.ActiveModel(memento(), sup);
    const seen = [];
    fresh.onDidChange((r) => seen.push(r));
    assert.equal(fresh.ref, undefined);
    await fresh.restore();
    assert.equal(fresh.ref, 'local/tiny');
    assert.deepEqual(seen, ['local/tiny'], 'the status bar and the chat header hear of it');
    await fresh.restore();
    assert.deepEqual(seen, ['local/tiny'], 'nothing changed: no second event');
  });

  it('a choice made before the sidecar kept it (an older version) is handed to the sidecar', async () => {
    const { sup, events } = start('');
    await sup.start();
    const active = new lib.ActiveModel(memento({ [lib.ACTIVE_MODEL_KEY]: 'openai/gpt-4.1-mini' }), sup);
    await active.restore();
    assert.ok(events().includes('settings/update {"chat.model":"openai/gpt-4.1-mini"}'), events().join('\n'));
    assert.equal(active.ref, 'openai/gpt-4.1-mini');
  });

  it('while the sidecar is down, a choice stays local and is handed over at the next start', async () => {
    const { sup, events } = start('');
    const active = new lib.ActiveModel(memento(), sup);
    await active.set('local/offline-choice');
    assert.equal(active.ref, 'local/offline-choice');
    await sup.start();
    await active.restore();
    assert.ok(events().includes('settings/update {"chat.model":"local/offline-choice"}'), events().join('\n'));
  });
});
