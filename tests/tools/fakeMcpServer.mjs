#!/usr/bin/env node
// A tiny MCP server for the tests and the benchmark, written against the MCP specification
// (JSON-RPC 2.0; stdio transport: one JSON message per line on stdin/stdout, logs on stderr;
// streamable HTTP transport: POST a message, the answer comes back as application/json).
//
//   node fakeMcpServer.mjs                 stdio server
//   node fakeMcpServer.mjs --http [port]   HTTP server on 127.0.0.1 (prints "listening <url>" on stdout)
//   node fakeMcpServer.mjs --fail-start    writes a reason on stderr and exits 2 before answering anything
//
// Tools: echo {text} → "echo: <text>"; add {a, b} → the sum; fail → isError; sleep {ms} → waits
// (notifications/cancelled ends it early); crash → the process exits 3; "dotted.name" → "dotted";
// grow (stdio) → adds a tool "extra" and sends notifications/tools/list_changed.
// With MCP_FIXTURE_CALLS=<file>, the name of every tool call is appended to that file before it
// runs, so a test can tell that a call did (or did not) reach the server.
import { appendFileSync } from 'node:fs';
import http from 'node:http';
import readline from 'node:readline';

const args = process.argv.slice(2);
const name = process.env.MCP_FIXTURE_NAME ?? 'fixture';

export const TOOLS = [
  { name: 'echo', description: 'Echoes the text back.', inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] } },
  { name: 'add', description: 'Adds two numbers.', inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] } },
  { name: 'fail', description: 'Always fails.', inputSchema: { type: 'object', properties: {} } },
  { name: 'sleep', description: 'Waits ms milliseconds.', inputSchema: { type: 'object', properties: { ms: { type: 'number' } } } },
  { name: 'crash', description: 'Exits the server process.', inputSchema: { type: 'object', properties: {} } },
  { name: 'dotted.name', description: 'A tool whose name has a dot.', inputSchema: { type: 'object', properties: {} } },
  { name: 'grow', description: 'Adds the tool "extra" and tells the client its tools changed.', inputSchema: { type: 'object', properties: {} } },
];

const text = (t, isError = false) => ({ content: [{ type: 'text', text: t }], isError });
const pending = new Map(); // request id → cancel()

async function callTool(params) {
  const tool = params?.name;
  const a = params?.arguments ?? {};
  if (process.env.MCP_FIXTURE_CALLS) appendFileSync(process.env.MCP_FIXTURE_CALLS, `${tool}\n`);
  switch (tool) {
    case 'echo': return text(`echo: ${a.text ?? ''}`);
    case 'add': return text(String(Number(a.a) + Number(a.b)));
    case 'fail': return text('it failed on purpose', true);
    case 'dotted.name': return text('dotted');
    case 'crash':
      process.stderr.write('fixture: crashing on request\n');
      process.exit(3);
      break;
    case 'sleep': return null; // handled by the caller (cancellable)
    default: return undefined;
  }
}

/** Handles one message; returns the response object, or undefined for notifications. */
async function handle(msg, send) {
  if (msg.method === 'notifications/cancelled') {
    pending.get(msg.params?.requestId)?.();
    return undefined;
  }
  if (msg.id === undefined || msg.id === null) return undefined; // other notifications
  const ok = (result) => ({ jsonrpc: '2.0', id: msg.id, result });
  const err = (code, message) => ({ jsonrpc: '2.0', id: msg.id, error: { code, message } });
  switch (msg.method) {
    case 'initialize':
      return ok({
        protocolVersion: msg.params?.protocolVersion ?? '2025-06-18',
        capabilities: { tools: { listChanged: true } },
        serverInfo: { name, version: '1.0.0' },
      });
    case 'ping': return ok({});
    case 'tools/list': return ok({ tools: TOOLS });
    case 'tools/call': {
      if (msg.params?.name === 'grow' && send) {
        if (!TOOLS.some((t) => t.name === 'extra')) TOOLS.push({ name: 'extra', description: 'Added while connected.', inputSchema: { type: 'object', properties: {} } });
        send({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
        return ok(text('grown'));
      }
      if (msg.params?.name === 'sleep') {
        const ms = Number(msg.params?.arguments?.ms ?? 1000);
        const outcome = await new Promise((resolve) => {
          const timer = setTimeout(() => resolve('slept'), ms);
          pending.set(msg.id, () => { clearTimeout(timer); resolve('cancelled'); });
          if (process.env.MCP_FIXTURE_CALLS) appendFileSync(process.env.MCP_FIXTURE_CALLS, 'sleep\n');
        });
        pending.delete(msg.id);
        if (outcome === 'cancelled') {
          if (process.env.MCP_FIXTURE_CALLS) appendFileSync(process.env.MCP_FIXTURE_CALLS, 'sleep-cancelled\n');
          return undefined; // a cancelled request gets no answer (MCP spec)
        }
        return ok(text(outcome));
      }
      const r = await callTool(msg.params);
      return r === undefined ? err(-32602, `Unknown tool: ${msg.params?.name}`) : ok(r);
    }
    default:
      return err(-32601, `Method not found: ${msg.method}`);
  }
}

if (args.includes('--fail-start')) {
  process.stderr.write('fixture: cannot start: bad configuration\n');
  process.exit(2);
} else if (args.includes('--http')) {
  const port = Number(args[args.indexOf('--http') + 1]) || 0;
  const server = http.createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', async () => {
      let msg;
      try { msg = JSON.parse(body); } catch { res.writeHead(400).end(); return; }
      if (process.env.MCP_FIXTURE_HEADERS && msg.method === 'tools/call') appendFileSync(process.env.MCP_FIXTURE_HEADERS, `${req.headers.authorization ?? ''}\n`);
      const out = await handle(msg);
      if (!out) { res.writeHead(202).end(); return; }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(out));
    });
  });
  server.listen(port, '127.0.0.1', () => {
    process.stdout.write(`listening http://127.0.0.1:${server.address().port}/mcp\n`);
  });
} else {
  process.stderr.write(`fixture: ${name} started\n`);
  const send = (m) => process.stdout.write(`${JSON.stringify(m)}\n`);
  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    if (!line.trim()) return;
    let msg;
    try { msg = JSON.parse(line); } catch { send({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } }); return; }
    void handle(msg, send).then((out) => { if (out) send(out); });
  });
  rl.on('close', () => process.exit(0));
}
