// A server that speaks OpenAI's wire format for the tests that need a cloud API (none can be
// reached from here): GET /v1/models, POST /v1/chat/completions streamed as server-sent events,
// chunk by chunk as the official API sends them, with a usage chunk before [DONE]. Every request
// is recorded (method, url, headers, body) for the tests to assert on what left the sidecar.
import http from 'node:http';

/**
 * Starts the fake on `host` (loopback by default; the e2e test binds it to a non-loopback
 * address so the sidecar classifies it as a cloud service). `reply` is streamed as one delta per
 * element; with `state.hang` set, the stream stops after two deltas and stays open until the
 * client goes (`state.disconnected` resolves then).
 */
export function startFakeOpenAi({ host = '127.0.0.1', models = ['fake-model'], reply = ['Stream', 'ing ', 'works', '.'] } = {}) {
  const state = { reply, requests: [], hang: false, disconnected: null, onDisconnect: null };
  state.disconnected = new Promise((resolve) => { state.onDisconnect = resolve; });
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      state.requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      if (req.method === 'GET' && req.url === '/v1/models') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ object: 'list', data: models.map((id) => ({ id, object: 'model', created: 1700000000, owned_by: 'fake' })) }));
        return;
      }
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `Unknown request URL: ${req.method} ${req.url}`, type: 'invalid_request_error', code: 'unknown_url' } }));
        return;
      }
      const model = JSON.parse(body).model;
      const hang = state.hang;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.on('close', () => { if (!res.writableEnded) state.onDisconnect(); });
      const chunk = (delta, finish = null) => `data: ${JSON.stringify({
        id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1700000000, model,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], usage: null })}\n\n`;
      res.write(chunk({ role: 'assistant', content: '' }));
      for (const [i, t] of reply.entries()) {
        if (hang && i === 2) return; // keep the stream open: only cancellation ends it
        res.write(chunk({ content: t }));
      }
      res.write(chunk({}, 'stop'));
      res.write(`data: ${JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1700000000, model, choices: [],
        usage: { prompt_tokens: 17, completion_tokens: reply.length, total_tokens: 17 + reply.length, prompt_tokens_details: { cached_tokens: 0 } } })}\n\n`);
      res.end('data: [DONE]\n\n');
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      const h = host.includes(':') ? `[${host}]` : host;
      state.baseUrl = `http://${h}:${server.address().port}/v1`;
      state.close = () => new Promise((r) => { server.closeAllConnections(); server.close(r); });
      resolve(state);
    });
  });
}
