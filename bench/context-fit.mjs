// The cost of context fitting (issue 16): how long counting a 100-message history takes before a
// local generation (the model's own tokenizer, message by message). A generated test model is loaded
// with a 4,096-token context; the same 100-message conversation (~3× the context, so turns are left
// out) is sent N times with maxTokens 1; the sidecar logs each count at debug level and this script
// reports the median and p95. Usage: node bench/context-fit.mjs [runs=30] (after a Release build).
import path from 'node:path';
import { writeTestModel } from '../tests/tools/common.mjs';
import { initialize, startSidecar, stopSidecar, tempDir } from '../tests/interop/sidecar.mjs';

const RUNS = Number(process.argv[2] ?? 30);
const dir = tempDir('ea-bench-fit-');
const model = writeTestModel(path.join(dir, 'fit.gguf'));
const s = startSidecar({ args: ['--log-level', 'debug'] });
await initialize(s.connection, path.join(dir, 'storage'), { settings: { 'local.allowGpu': false } });
const { ref } = await s.connection.sendRequest('models/load', { path: model, contextLength: 4096 });
const messages = [{ role: 'system', content: 'You are terse.' }];
for (let i = 0; i < 99; i++) messages.push({ role: i % 2 ? 'assistant' : 'user', content: `message ${i} `.padEnd(120, 'lorem ipsum ') });
let trimmed;
for (let i = 0; i < RUNS + 3; i++) {
  const r = await s.connection.sendRequest('chat/send', { streamId: `f${i}`, model: ref, messages, params: { maxTokens: 1 } });
  trimmed = r.trimmedMessages;
}
await stopSidecar(s);
const times = [...s.stderr().matchAll(/Context fit: 100 messages counted in ([\d.]+) ms/g)].map((m) => Number(m[1])).slice(3).sort((a, b) => a - b);
if (times.length < RUNS) throw new Error(`expected ${RUNS} timings, found ${times.length}`);
const at = (p) => times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)];
console.log(JSON.stringify({ messages: 100, contextLength: 4096, trimmedMessages: trimmed, runs: times.length, p50Ms: at(50), p95Ms: at(95) }, null, 2));
