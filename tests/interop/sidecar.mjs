// Spawns the real sidecar process and connects to it with vscode-jsonrpc, the client library the
// extension uses. Shared by the interop tests and the transport benchmark.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as rpc from 'vscode-jsonrpc/node.js';
import { serverDll } from '../tools/common.mjs';

export { rpc };

const made = [];
// Test folders go when the test file's process ends (sidecars are stopped by then).
process.on('exit', () => { for (const d of made) rmSync(d, { recursive: true, force: true }); });

export function tempDir(prefix = 'ea-interop-') {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/**
 * Starts the sidecar. Returns the child, a vscode-jsonrpc connection (already listening), a
 * promise of the exit code, and the stderr text collected so far.
 */
export function startSidecar({ args = ['--diagnostics'], env = {}, connect = true, dll = serverDll } = {}) {
  const child = spawn('dotnet', [dll, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, DOTNET_NOLOGO: '1', ...env },
  });
  const stderr = [];
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => stderr.push(d));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  let connection;
  if (connect) {
    connection = rpc.createMessageConnection(
      new rpc.StreamMessageReader(child.stdout),
      new rpc.StreamMessageWriter(child.stdin));
    connection.listen();
  }
  return { child, connection, exited, stderr: () => stderr.join('') };
}

export async function initialize(connection, storageDir = tempDir(), extra = {}) {
  return connection.sendRequest('initialize', {
    processId: process.pid,
    clientInfo: { name: 'interop-test', version: '1' },
    storageDir,
    ...extra,
  });
}

/** Orderly end: shutdown, exit, and wait for the process. Resolves with its exit code. */
export async function stopSidecar(s) {
  await s.connection.sendRequest('shutdown');
  await s.connection.sendNotification('exit');
  const code = await s.exited;
  s.connection.dispose();
  return code;
}

/** Encodes one LSP frame. */
export function frame(json) {
  const body = Buffer.from(typeof json === 'string' ? json : JSON.stringify(json), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]);
}

/**
 * Splits a byte stream into frames; throws if any byte is not part of a well-formed frame whose body
 * parses as a JSON object. Used to prove stdout carries nothing but protocol.
 */
export function parseFrames(buffer) {
  const messages = [];
  let pos = 0;
  while (pos < buffer.length) {
    const headerEnd = buffer.indexOf('\r\n\r\n', pos, 'ascii');
    if (headerEnd < 0) throw new Error(`Trailing bytes after frame ${messages.length}: ${JSON.stringify(buffer.subarray(pos, pos + 80).toString())}`);
    const header = buffer.subarray(pos, headerEnd).toString('ascii');
    const m = /^Content-Length: (\d+)$/i.exec(header);
    if (!m) throw new Error(`Not a frame header at byte ${pos}: ${JSON.stringify(header.slice(0, 80))}`);
    const start = headerEnd + 4;
    const end = start + Number(m[1]);
    if (end > buffer.length) throw new Error(`Truncated frame at byte ${pos}`);
    const msg = JSON.parse(buffer.subarray(start, end).toString('utf8'));
    if (typeof msg !== 'object' || msg === null || msg.jsonrpc !== '2.0') throw new Error(`Not a JSON-RPC message: ${buffer.subarray(start, end)}`);
    messages.push(msg);
    pos = end;
  }
  return messages;
}
