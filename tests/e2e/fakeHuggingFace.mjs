// A loopback stand-in for the Hugging Face Hub, for the e2e test (the extension points
// editorAssist.downloads.huggingFaceEndpoint at it). Like the Hub, `/<owner>/<repo>/resolve/<rev>/<file>`
// answers 302 to a CDN on another host (127.0.0.2 here, as cdn-lfs.huggingface.co is) with
// X-Linked-Size and X-Linked-Etag (the file's SHA-256, which the sidecar verifies); the CDN serves
// the bytes with ETag and Range, paced so that a small file still takes a few seconds and the
// progress notification can be seen. Unknown files: 404 with X-Error-Code: EntryNotFound. A gated
// file answers 401 with X-Error-Code: GatedRepo unless the request carries its token. Every
// request is recorded with the host it reached and its Authorization header.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';

/**
 * Serves `files` ({'owner/repo/file.gguf': localPath}) on 127.0.0.1 (the Hub) and 127.0.0.2 (the
 * CDN); `chunkBytes` every `paceMs`. `gated` maps a file key to the token it needs.
 * Resolves with {url, requests, files: {key: {size, sha256}}, gated, close()}.
 */
export async function startFakeHuggingFace(files, { chunkBytes = 16 * 1024, paceMs = 100, gated = {} } = {}) {
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
  let cdnOrigin;
  const hub = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    requests.push({ host: 'hub', method: req.method, path: url.pathname, range: req.headers.range ?? null, authorization: req.headers.authorization ?? null });
    const resolve = /^\/([^/]+)\/([^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (resolve) {
      const [, owner, repo, , file] = resolve.map(decodeURIComponent);
      const f = byKey.get(`${owner}/${repo}/${file}`);
      if (!f) {
        res.writeHead(404, { 'Content-Type': 'text/plain', 'X-Error-Code': 'EntryNotFound' });
        res.end('Entry not found');
        return;
      }
      const token = gated[`${owner}/${repo}/${file}`];
      if (token && req.headers.authorization !== `Bearer ${token}`) {
        res.writeHead(401, { 'Content-Type': 'text/plain', 'X-Error-Code': 'GatedRepo',
          'X-Error-Message': `Access to model ${owner}/${repo} is restricted. You must have access to it and be authenticated to access it. Please log in.` });
        res.end('Access restricted');
        return;
      }
      res.writeHead(302, {
        Location: `${cdnOrigin}/cdn/${f.sha256}`, 'X-Linked-Size': String(f.bytes.length), 'X-Linked-Etag': `"${f.sha256}"`,
        ETag: `"${f.sha256}"`, 'X-Repo-Commit': '0000000000000000000000000000000000000000', 'Content-Length': '0',
      });
      res.end();
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found');
  });
  const cdnServer = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.2');
    requests.push({ host: 'cdn', method: req.method, path: url.pathname, range: req.headers.range ?? null, authorization: req.headers.authorization ?? null });
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
  for (const server of [hub, cdnServer]) server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((r) => hub.listen(0, '127.0.0.1', r));
  await new Promise((r) => cdnServer.listen(0, '127.0.0.2', r));
  cdnOrigin = `http://127.0.0.2:${cdnServer.address().port}`;
  const closeServer = (server) => new Promise((r) => server.close(() => r()));
  return {
    url: `http://127.0.0.1:${hub.address().port}`,
    requests,
    files: Object.fromEntries([...byKey].map(([k, v]) => [k, { size: v.bytes.length, sha256: v.sha256 }])),
    gated,
    close: async () => { for (const s of sockets) s.destroy(); await Promise.all([closeServer(hub), closeServer(cdnServer)]); },
  };
}
