// The "Settings…" flow's logic without VS Code: values shown and read back, the same ranges the
// sidecar checks, stop sequences with escapes. The flow itself runs in the e2e suite's Manage Models case.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lib } from './support.mjs';

describe('model settings', () => {
  it('reads numbers, clears on empty text, and refuses out-of-range values with the range', () => {
    assert.deepEqual(lib.parseParam('temperature', '0'), { ok: true, value: 0 });
    assert.deepEqual(lib.parseParam('contextLength', '8,192'), { ok: true, value: 8192 });
    assert.deepEqual(lib.parseParam('maxTokens', '  '), { ok: true, value: null });
    assert.match(lib.parseParam('temperature', '2.5').error, /between 0 and 2/);
    assert.match(lib.parseParam('topP', '0').error, /greater than 0/);
    assert.match(lib.parseParam('topK', '1.5').error, /whole number/);
    assert.match(lib.parseParam('contextLength', 'lots').error, /number/);
    assert.match(lib.parseParam('maxTokens', '4096', { contextLength: 4096 }).error, /smaller than the context length/);
    assert.match(lib.parseParam('contextLength', '256', { maxTokens: 512 }).error, /larger than Max tokens/);
  });

  it('writes and reads stop sequences with escapes, and the system prompt as it is', () => {
    assert.deepEqual(lib.splitStops('\\n\\n, ###,  </s> '), ['\n\n', '###', '</s>']);
    assert.deepEqual(lib.splitStops('a\\,b'), ['a,b']);
    const stop = ['\n\n', 'a,b', 'c\\d'];
    const text = lib.formatParam('stop', { stop });
    assert.equal(text, '\\n\\n, a\\,b, c\\\\d');
    assert.deepEqual(lib.parseParam('stop', text).value, stop);
    assert.match(lib.parseParam('stop', 'a,,b').error, /empty/);
    assert.deepEqual(lib.parseParam('systemPrompt', '  Be brief. ').value, '  Be brief. ');
  });

  it('lists each field with its value or what applies when unset; the context length only for local models', () => {
    const fields = lib.fieldsFor('local/tiny');
    assert.equal(fields[0].key, 'contextLength');
    assert.equal(lib.describeParam(fields[0], { contextLength: 8192 }), '8,192 tokens');
    assert.match(lib.describeParam(fields[0], {}), /default/);
    assert.ok(!lib.fieldsFor('openai/gpt-4o').some((f) => f.key === 'contextLength'));
    // Thinking is offered where the API must be asked for it (Anthropic), nowhere else.
    assert.ok(!lib.fieldsFor('openai/gpt-4o').some((f) => f.key === 'thinking'));
    assert.ok(!lib.fieldsFor('local/tiny').some((f) => f.key === 'reasoningBudget'));
    assert.deepEqual(lib.fieldsFor('anthropic/claude-sonnet-4-5').map((f) => f.key).slice(-2), ['thinking', 'reasoningBudget']);
    assert.deepEqual(lib.parseParam('thinking', ' On '), { ok: true, value: true });
    assert.deepEqual(lib.parseParam('thinking', 'off'), { ok: true, value: false });
    assert.equal(lib.parseParam('thinking', 'maybe').ok, false);
    assert.equal(lib.formatParam('thinking', { thinking: true }), 'on');
    assert.deepEqual(lib.parseParam('reasoningBudget', '2,048'), { ok: true, value: 2048 });
    assert.match(lib.parseParam('reasoningBudget', '100').error, /1,024/);
    const prompt = lib.PARAM_FIELDS.find((f) => f.key === 'systemPrompt');
    assert.ok(lib.describeParam(prompt, { systemPrompt: 'x'.repeat(100) }).endsWith('…'));
  });
});

describe('context fitting notice', () => {
  it('says how many earlier messages were left out and for which context', () => {
    assert.equal(lib.trimmedNotice({ trimmedMessages: 3, contextLength: 4096 }), "3 earlier messages left out to fit the model's 4,096-token context.");
    assert.equal(lib.trimmedNotice({ trimmedMessages: 1 }), "1 earlier message left out to fit the model's context.");
    assert.equal(lib.trimmedNotice({}), undefined);
  });
});
