// EditorAssist's models for other extensions and VS Code's chat (vscode.lm). A test extension
// (tests/e2e/fixtures/lm-consumer, installed beside EditorAssist) calls
// vscode.lm.selectChatModels({ vendor: 'editorassist' }) as any extension would: a generated local
// GGUF answers it, streamed; a scripted model server on loopback (tests/tools/fakeToolModels.mjs,
// as the agent cases use) calls the test extension's tool, the extension runs it and sends the
// result back, and the model's answer quotes it.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeTestModel } from '../../tools/common.mjs';
import { lastToolResult, startFakeToolModels } from '../../tools/fakeToolModels.mjs';
import { loadModelFile } from '../editorAssist.mjs';
import { pollUntil, runCommand } from '../workbench.mjs';
import { extensionLog } from './30-models.mjs';
import { configureProvider } from './60-agent.mjs';

export default [
  {
    name: 'another extension gets a streamed answer from a local GGUF and a tool-call round trip through vscode.lm',
    timeoutMs: 240_000,
    async run({ page, profile, shot }) {
      await page.locator('.statusbar [aria-label="EditorAssist: running"]').first().waitFor({ state: 'visible', timeout: 60_000 });
      assert.match(extensionLog(profile), /EditorAssist's models are offered to VS Code's chat \(vendor "editorassist"\)/);
      // The slower generated model: its tokens arrive apart, so the stream shows as a stream.
      const ref = await loadModelFile(page, writeTestModel(path.join(profile.base, 'lm-streaming.gguf'), 'streaming'));
      assert.equal(ref, 'local/lm-streaming');

      const model = await startFakeToolModels({ models: ['agent-model'] });
      try {
        model.nextArgs = { city: 'Paris' };
        configureProvider(profile, model.baseUrl);
        await pollUntil(() => extensionLog(profile), (t) => t.includes(`Provider vllm now at ${model.baseUrl}`), { timeoutMs: 30_000, what: 'the vllm address applied' });

        const resultFile = path.join(profile.base, 'workspace', 'lm-consumer-result.json');
        await runCommand(page, 'LM Consumer: Run Language Model Checks');
        const result = await pollUntil(() => (existsSync(resultFile) ? JSON.parse(readFileSync(resultFile, 'utf8')) : undefined), Boolean,
          { timeoutMs: 200_000, intervalMs: 500, what: 'the test extension\'s result file' });
        await shot('lm-consumer-done');
        assert.equal(result.error, undefined, result.error);

        // EditorAssist's models, as vscode.lm lists them to another extension.
        const local = result.models.find((m) => m.id === ref);
        const tools = result.models.find((m) => m.id === 'vllm/agent-model');
        assert.ok(local && tools, JSON.stringify(result.models));
        assert.equal(local.vendor, 'editorassist');
        assert.equal(local.family, 'local');
        assert.ok(local.maxInputTokens > 0);

        // The local model's answer came streamed: text parts that reached the extension at different times.
        const texts = result.local.parts.filter((p) => p.type === 'text');
        assert.ok(result.local.text.length > 0, `the local model wrote nothing in ${result.local.attempts} attempts`);
        assert.ok(new Set(texts.map((p) => p.ms)).size >= 2, `streamed, not in one piece: ${JSON.stringify(result.local.parts)}`);
        // Counted by the loaded model's own tokenizer: the 27-character text is not the estimate (9).
        assert.ok(result.local.tokens > 0);
        assert.notEqual(result.local.tokens, 9);

        // The tool round trip: the call reached the extension, its result reached the model.
        const call = result.tool.first.find((p) => p.type === 'toolCall');
        assert.ok(call, JSON.stringify(result.tool.first));
        assert.equal(call.name, 'get_weather');
        assert.deepEqual(call.input, { city: 'Paris' });
        assert.equal(result.tool.answer, 'Tool said: Sunny, 21 °C in Paris');
        const posts = model.requests.filter((r) => r.method === 'POST');
        assert.equal(posts.length, 2);
        assert.deepEqual(posts[0].body.tools.map((t) => t.function.name), ['get_weather']);
        assert.equal(lastToolResult('openai', posts[1].body), 'Sunny, 21 °C in Paris');
        assert.ok(result.tool.tokens > 0);
        const ms = texts.map((p) => p.ms);
        console.log(`    vscode.lm → EditorAssist: local answer in ${texts.length} text parts (first after ${ms[0]} ms, last after ${ms.at(-1)} ms, `
          + `${result.local.attempts} attempt(s)); countTokens ${result.local.tokens}; tool round trip ${result.tool.first.at(-1).ms} ms + ${result.tool.second.at(-1).ms} ms`);
      } finally {
        await model.close();
      }
    },
  },
];
