// A local model (a generated GGUF with random weights, through the real libllama) calling a tool: the
// grammar-constrained JSON path (LOCAL_RUNTIME.md, "Tool calls"). Random weights say nothing sensible,
// so the test forces the tool: the grammar alone must make the output a parseable call whose
// arguments follow the tool's schema, and the sidecar must hand it to this client as an object.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { writeTestModel } from '../tools/common.mjs';
import { initialize, startSidecar, stopSidecar, tempDir } from './sidecar.mjs';

describe('local model tool calls', () => {
  const dir = tempDir();
  const model = writeTestModel(path.join(dir, 'tool-test.gguf'));
  const s = startSidecar({ args: [] });
  const ready = initialize(s.connection, path.join(dir, 'storage'), { settings: { 'local.allowGpu': false } });
  after(async () => { await ready; assert.equal(await stopSidecar(s), 0); });

  test('a forced tool gives a call whose arguments match the schema', async () => {
    await ready;
    const { ref } = await s.connection.sendRequest('models/load', { path: model, contextLength: 1024 });
    const calls = [];
    s.connection.onRequest('chat/toolCall', (p) => { calls.push(p); return { content: 'ok' }; });
    const statuses = [];
    s.connection.onNotification('chat/toolStatus', (p) => statuses.push(p));
    const tools = [{
      name: 'set_color', description: 'Sets the color.',
      parameters: { type: 'object', properties: { color: { enum: ['red', 'green', 'blue'] }, bold: { type: 'boolean' } } },
    }];
    for (const seed of [1, 2, 3]) {
      calls.length = 0;
      const r = await s.connection.sendRequest('chat/send', {
        streamId: `lt-${seed}`, model: ref, messages: [{ role: 'user', content: 'Make it red.' }],
        tools, toolChoice: { name: 'set_color' }, maxSteps: 1, params: { maxTokens: 160, temperature: 1, seed },
      });
      // maxSteps 1: the call is parsed and reported, not run (the step limit ends the turn).
      assert.equal(r.finishReason, 'stepLimit', JSON.stringify(r));
      const reported = statuses.filter((x) => x.streamId === `lt-${seed}`).at(-1);
      assert.equal(reported.name, 'set_color');
      assert.ok(['red', 'green', 'blue'].includes(reported.arguments.color), JSON.stringify(reported.arguments));
      assert.equal(typeof reported.arguments.bold, 'boolean');
    }
    // And with two steps the call runs in the client with the parsed arguments.
    const r = await s.connection.sendRequest('chat/send', {
      streamId: 'lt-run', model: ref, messages: [{ role: 'user', content: 'Make it red.' }],
      tools, toolChoice: { name: 'set_color' }, maxSteps: 2, params: { maxTokens: 160, temperature: 0, seed: 9 },
    });
    assert.equal(calls.length, 1);
    assert.ok(['red', 'green', 'blue'].includes(calls[0].arguments.color));
    assert.equal(r.toolCalls[0].result, 'ok');
    assert.equal(r.privacy, 'onDevice');
  });
});
