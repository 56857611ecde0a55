// A scripted model server for the tool loop, speaking three wire formats on one port:
//   OpenAI  POST /v1/chat/completions  streamed `tool_calls`, the arguments split into fragments
//           (id and name only on the first), finish_reason "tool_calls";
//   Ollama  the same endpoint under an Ollama root (GET /api/version, /api/tags): each call whole
//           in one chunk, as Ollama's OpenAI-compatible endpoint sends it;
//   Anthropic POST /v1/messages  `tool_use` content blocks with `input_json_delta` fragments,
//           stop_reason "tool_use".
// What the model "says" is decided per request by `script(request)`, which gets the parsed body and
// its wire format and returns { text?, calls?: [{ name, arguments }], reasoning?, reasoningField?,
// signature? } (reasoning: streamed first, as `reasoning_content` — or `reasoningField`, or 'inline':
// a <think> span at the start of the content — deltas in
// OpenAI's format, as a signed `thinking` block in Anthropic's). The default script calls the
// first offered tool with `state.nextArgs` once, then answers with the tool result it was given,
// so a test sees both directions. Every request is recorded.
import http from 'node:http';

/** The default script: one call, then an answer quoting the result. */
export function callOnceThenQuote(state) {
  return ({ format, body }) => {
    const result = lastToolResult(format, body);
    if (result !== undefined) return { text: `Tool said: ${result}` };
    const tool = format === 'anthropic' ? body.tools?.[0]?.name : body.tools?.[0]?.function?.name;
    return tool ? { calls: [{ name: state.nextTool ?? tool, arguments: state.nextArgs ?? {} }] } : { text: 'No tools.' };
  };
}

/** The content of the newest tool result in a request body (undefined: none yet). */
export function lastToolResult(format, body) {
  const messages = body.messages ?? [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (format === 'anthropic') {
      if (m.role === 'user' && Array.isArray(m.content)) {
        const r = m.content.filter((b) => b.type === 'tool_result').at(-1);
        if (r) return typeof r.content === 'string' ? r.content : JSON.stringify(r.content);
      }
      if (m.role === 'user') return undefined;
    } else {
      if (m.role === 'tool') return m.content;
      if (m.role === 'user') return undefined;
    }
  }
  return undefined;
}

export function startFakeToolModels({ host = '127.0.0.1', models = ['tool-model'], script } = {}) {
  const state = { requests: [], nextArgs: undefined, nextTool: undefined, script: undefined };
  state.script = script ?? callOnceThenQuote(state);
  let callCounter = 0;
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => { raw += d; });
    req.on('end', () => {
      const body = raw ? JSON.parse(raw) : undefined;
      state.requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      const json = (status, value) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(value)); };
      if (req.method === 'GET' && req.url === '/api/version') return json(200, { version: '0.9.0-fake' });
      if (req.method === 'GET' && req.url === '/api/tags') return json(200, { models: models.map((name) => ({ name, model: name })) });
      if (req.method === 'GET' && (req.url === '/v1/models' || req.url.startsWith('/v1/models?'))) {
        return json(200, { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 1700000000, owned_by: 'fake', type: 'model', display_name: id })) });
      }
      // Azure OpenAI: the same wire format under /openai/deployments/<deployment>/chat/completions?api-version=…
      const azure = /^\/openai\/deployments\/[^/]+\/chat\/completions\?/.test(req.url);
      if (req.method === 'POST' && (req.url === '/v1/chat/completions' || azure)) {
        const format = req.headers['x-fake-format'] ?? state.openAiFormat ?? 'openai';
        return streamOpenAi(res, body, state.script({ format, body }), format, () => ++callCounter);
      }
      if (req.method === 'POST' && req.url === '/v1/messages') {
        return streamAnthropic(res, body, state.script({ format: 'anthropic', body }), () => ++callCounter);
      }
      json(404, { error: { message: `Unknown request URL: ${req.method} ${req.url}` } });
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      state.root = `http://${host}:${server.address().port}`;
      state.baseUrl = `${state.root}/v1`;
      state.close = () => new Promise((r) => { server.closeAllConnections(); server.close(r); });
      resolve(state);
    });
  });
}

/** Splits text into `n` pieces (the last may be empty-free); fragments prove the sidecar reassembles them. */
function pieces(text, n = 3) {
  const size = Math.max(1, Math.ceil(text.length / n));
  const out = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length ? out : [''];
}

function streamOpenAi(res, body, turn, format, nextId) {
  const model = body.model;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const chunk = (delta, finish = null) => `data: ${JSON.stringify({
    id: 'chatcmpl-tools', object: 'chat.completion.chunk', created: 1700000000, model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], usage: null })}\n\n`;
  res.write(chunk({ role: 'assistant', content: '' }));
  if (turn.reasoningField === 'inline') {
    // A server without a reasoning parser: the think span is part of the content, cut anywhere.
    for (const t of pieces(`<think>${turn.reasoning}</think>\n\n${turn.text ?? ''}`, 2)) res.write(chunk({ content: t }));
  } else {
    if (turn.reasoning) for (const t of pieces(turn.reasoning, 3)) res.write(chunk({ [turn.reasoningField ?? 'reasoning_content']: t }));
    if (turn.text) for (const t of pieces(turn.text, 2)) res.write(chunk({ content: t }));
  }
  const calls = turn.calls ?? [];
  calls.forEach((c, index) => {
    const id = `call_${nextId()}`;
    const args = typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments);
    if (format === 'ollama') {
      res.write(chunk({ tool_calls: [{ index, id, type: 'function', function: { name: c.name, arguments: args } }] }));
    } else {
      const [first, ...rest] = pieces(args, 3);
      res.write(chunk({ tool_calls: [{ index, id, type: 'function', function: { name: c.name, arguments: first } }] }));
      for (const p of rest) res.write(chunk({ tool_calls: [{ index, function: { arguments: p } }] }));
    }
  });
  res.write(chunk({}, calls.length ? 'tool_calls' : 'stop'));
  res.write(`data: ${JSON.stringify({ id: 'chatcmpl-tools', object: 'chat.completion.chunk', created: 1700000000, model, choices: [],
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } })}\n\n`);
  res.end('data: [DONE]\n\n');
}

function streamAnthropic(res, body, turn, nextId) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const ev = (type, data) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  ev('message_start', { message: { id: 'msg_fake', type: 'message', role: 'assistant', model: body.model, content: [],
    stop_reason: null, stop_sequence: null, usage: { input_tokens: 10, output_tokens: 1 } } });
  let index = 0;
  if (turn.reasoning) {
    ev('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } });
    for (const t of pieces(turn.reasoning, 3)) ev('content_block_delta', { index, delta: { type: 'thinking_delta', thinking: t } });
    ev('content_block_delta', { index, delta: { type: 'signature_delta', signature: turn.signature ?? 'sig-fake' } });
    ev('content_block_stop', { index });
    index++;
  }
  if (turn.text) {
    ev('content_block_start', { index, content_block: { type: 'text', text: '' } });
    for (const t of pieces(turn.text, 2)) ev('content_block_delta', { index, delta: { type: 'text_delta', text: t } });
    ev('content_block_stop', { index });
    index++;
  }
  for (const c of turn.calls ?? []) {
    const args = typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments);
    ev('content_block_start', { index, content_block: { type: 'tool_use', id: `toolu_${nextId()}`, name: c.name, input: {} } });
    for (const p of pieces(args, 3)) ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: p } });
    ev('content_block_stop', { index });
    index++;
  }
  ev('message_delta', { delta: { stop_reason: turn.calls?.length ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: 5 } });
  ev('message_stop', {});
  res.end();
}
