// A loopback stand-in for the Hugging Face Hub, for the e2e test (the extension points
// editorAssist.downloads.huggingFaceEndpoint at it). Like the Hub, `/<owner>/<repo>/resolve/<rev>/<file>`
// answers 302 to a CDN path with X-Linked-Size and X-Linked-Etag (the file's SHA-256, which the
// sidecar verifies); the CDN path serves the bytes with ETag and Range, paced so that a small file
// still takes a few seconds and the progress notification can be seen. Unknown files: 404 with
// X-Error-Code: EntryNotFound. Every request is recorded.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';

/**
 * Serves `files` ({'owner/repo/file.gguf': localPath}) on 127.0.0.1; `chunkBytes` every `paceMs`.
 * Resolves with {url, requests, files: {key: {bytes, sha256}}, close()}.
 */
export async function startFakeHuggingFace(files, { chunkBytes = 16 * 1024, paceMs = 100 } = {}) {
  const byKey = new Map();
  const bySha = new Map();
  for (const [key, file] of Object.entries(files)) {
    const bytes = readFileSync(file);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    byKey.set(key, { bytes, sha256 });
    bySha.set(sha256, bytes);
  }
  const requests = [];
  const sockets = new Set();
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    requests.push({ method: req.method, path: url.pathname, range: req.headers.range ?? null });
    const resolve = /^\/([^/]+)\/([^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (resolve) {
      const [, owner, repo, , file] = resolve.map(decodeURIComponent);
      const f = byKey.get(`${owner}/${repo}/${file}`);
      if (!f) {
        res.writeHead(404, { 'Content-Type': 'text/plain', 'X-Error-Code': 'EntryNotFound' });
        res.end('Entry not found');
        return;
      }
      res.writeHead(302, {
        Location: `/cdn/${f.sha256}`, 'X-Linked-Size': String(f.bytes.length), 'X-Linked-Etag': `"${f.sha256}"`,
        ETag: `"${f.sha256}"`, 'X-Repo-Commit': '0000000000000000000000000000000000000000', 'Content-Length': '0',
      });
      res.end();
      return;
    }
    const cdn = /^\/cdn\/([0-9a-f]{64})$/.exec(url.pathname);
    const bytes = cdn && bySha.get(cdn[1]);
    if (!bytes) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
      return;
    }
    const etag = `"${cdn[1]}"`;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = m && (!req.headers['if-range'] || req.headers['if-range'] === etag) ? Math.min(Number(m[1]), bytes.length) : 0;
    res.writeHead(start > 0 ? 206 : 200, {
      'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes.length - start), ETag: etag, 'Accept-Ranges': 'bytes',
      ...(start > 0 ? { 'Content-Range': `bytes ${start}-${bytes.length - 1}/${bytes.length}` } : {}),
    });
    if (req.method === 'HEAD') { res.end(); return; }
    for (let pos = start; pos < bytes.length && !res.destroyed; pos += chunkBytes) {
      res.write(bytes.subarray(pos, Math.min(pos + chunkBytes, bytes.length)));
      await new Promise((r) => setTimeout(r, paceMs));
    }
    res.end();
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    files: Object.fromEntries([...byKey].map(([k, v]) => [k, { size: v.bytes.length, sha256: v.sha256 }])),
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}
