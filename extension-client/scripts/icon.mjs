// Draws the Marketplace icon (media/icon.png, 128×128): a rounded blue tile with a white chat
// bubble holding a spark. Run once when the design changes; the PNG is committed.
//   node scripts/icon.mjs
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const N = 128;
const px = Buffer.alloc(N * N * 4);

function inRoundRect(x, y, x0, y0, x1, y1, r) {
  const cx = Math.min(Math.max(x, x0 + r), x1 - r), cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r && x >= x0 && x <= x1 && y >= y0 && y <= y1;
}
/** Coverage of a pixel by a shape, 4×4 supersampled (smooth edges). */
function cover(x, y, inside) {
  let n = 0;
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) if (inside(x + (i + 0.5) / 4, y + (j + 0.5) / 4)) n++;
  return n / 16;
}
const tile = (x, y) => inRoundRect(x, y, 4, 4, 124, 124, 24);
const bubble = (x, y) => inRoundRect(x, y, 26, 30, 102, 86, 16) ||
  // the bubble's tail, bottom left
  (y >= 84 && y <= 104 && x >= 38 && x <= 58 && (x - 38) >= (y - 84) * 0.0 && x - 38 <= 20 - (y - 84));
// A four-pointed spark in the bubble's middle: |dx|^0.5 + |dy|^0.5 <= r^0.5.
const spark = (x, y) => Math.sqrt(Math.abs(x - 64)) + Math.sqrt(Math.abs(y - 58)) <= Math.sqrt(22);

for (let y = 0; y < N; y++) {
  for (let x = 0; x < N; x++) {
    const t = cover(x, y, tile), b = cover(x, y, bubble), s = cover(x, y, spark);
    // Tile: a vertical blue gradient; bubble white; spark in the tile's blue.
    const g = y / N;
    const blue = [Math.round(20 + 30 * g), Math.round(110 - 40 * g), Math.round(220 - 40 * g)];
    let c = blue.map((v) => v * (1 - b) + 255 * b);
    c = c.map((v, i) => v * (1 - s) + blue[i] * s);
    const o = (y * N + x) * 4;
    px[o] = Math.round(c[0]); px[o + 1] = Math.round(c[1]); px[o + 2] = Math.round(c[2]); px[o + 3] = Math.round(255 * t);
  }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0); ihdr.writeUInt32BE(N, 4); ihdr[8] = 8; ihdr[9] = 6; // 8-bit RGBA
const raw = Buffer.alloc(N * (N * 4 + 1));
for (let y = 0; y < N; y++) px.copy(raw, y * (N * 4 + 1) + 1, y * N * 4, (y + 1) * N * 4); // filter 0 per row
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'media', 'icon.png');
writeFileSync(out, png);
console.log(`${out}: ${png.length} bytes`);
