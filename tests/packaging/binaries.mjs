// Reads what the packaging test needs from a VSIX without unpacking it: a minimal zip reader
// (central directory → entries, stored or deflated) and the header of a native binary (ELF,
// PE/PE32+, Mach-O) — a few bytes each, parsed here so the test depends on no tool.
import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';

/** Every entry of a zip file: { name, mode (unix, from the external attributes), size, data() }. */
export function readZip(file) {
  const buf = readFileSync(file);
  // End of central directory: the last "PK\x05\x06" (a comment of up to 64 KiB may follow it).
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error(`${file}: not a zip (no end of central directory)`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${file}: bad central directory entry ${n}`);
    const method = buf.readUInt16LE(p + 10);
    const compressed = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28), extraLen = buf.readUInt16LE(p + 30), commentLen = buf.readUInt16LE(p + 32);
    const external = buf.readUInt32LE(p + 38);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    entries.push({
      name, size, mode: external >>> 16,
      data() {
        const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
        const raw = buf.subarray(start, start + compressed);
        if (method === 0) return raw;
        if (method === 8) return inflateRawSync(raw);
        throw new Error(`${name}: compression method ${method}`);
      },
    });
  }
  return entries;
}

const ELF_MACHINES = { 0x3e: 'x86-64', 0xb7: 'aarch64', 0x03: 'x86', 0x28: 'arm' };
const PE_MACHINES = { 0x8664: 'x64', 0xaa64: 'arm64', 0x14c: 'x86', 0x1c4: 'arm' };
const MACHO_CPUS = { 0x01000007: 'x86_64', 0x0100000c: 'arm64', 7: 'i386', 12: 'arm' };

/**
 * What a file's first bytes say it is: `{ format: 'elf'|'pe'|'macho', machine, bits, managed? }`
 * for a binary (`managed`: a .NET assembly, whose PE machine field says nothing about where it
 * runs), or undefined for anything else.
 */
export function binaryKind(b) {
  if (b.length >= 20 && b[0] === 0x7f && b.toString('latin1', 1, 4) === 'ELF') {
    const le = b[5] === 1;
    const machine = le ? b.readUInt16LE(18) : b.readUInt16BE(18);
    return { format: 'elf', bits: b[4] === 2 ? 64 : 32, machine: ELF_MACHINES[machine] ?? `0x${machine.toString(16)}` };
  }
  if (b.length >= 64 && b.toString('latin1', 0, 2) === 'MZ') {
    const pe = b.readUInt32LE(0x3c);
    if (pe + 24 > b.length || b.toString('latin1', pe, pe + 4) !== 'PE\0\0') return undefined;
    const machine = b.readUInt16LE(pe + 4);
    const opt = pe + 24;
    const magic = b.readUInt16LE(opt);
    // The CLI header is data directory 14; its offset in the optional header differs for PE32/PE32+.
    const cli = opt + (magic === 0x20b ? 112 : 96) + 14 * 8;
    const managed = cli + 8 <= b.length && b.readUInt32LE(cli + 4) !== 0;
    return { format: 'pe', bits: magic === 0x20b ? 64 : 32, machine: PE_MACHINES[machine] ?? `0x${machine.toString(16)}`, managed };
  }
  if (b.length >= 8) {
    const magic = b.readUInt32LE(0);
    if (magic === 0xfeedfacf || magic === 0xfeedface) {
      const cpu = b.readUInt32LE(4);
      return { format: 'macho', bits: magic === 0xfeedfacf ? 64 : 32, machine: MACHO_CPUS[cpu] ?? `0x${cpu.toString(16)}` };
    }
    if (b.readUInt32BE(0) === 0xcafebabe && b.readUInt32BE(4) > 0 && b.readUInt32BE(4) < 16) {
      // A universal (fat) Mach-O: the architectures it holds.
      const n = b.readUInt32BE(4);
      const machines = Array.from({ length: n }, (_, i) => MACHO_CPUS[b.readUInt32BE(8 + i * 20)] ?? 'other');
      return { format: 'macho', bits: 64, machine: machines.join('+'), fat: machines };
    }
  }
  return undefined;
}

/**
 * Whether a thin 64-bit Mach-O carries a code signature (an LC_CODE_SIGNATURE load command).
 * macOS on Apple silicon refuses to run arm64 code without one (an ad-hoc signature suffices).
 */
export function machoHasCodeSignature(b) {
  if (b.readUInt32LE(0) !== 0xfeedfacf) return false;
  const ncmds = b.readUInt32LE(16);
  let p = 32; // the 64-bit header's size
  for (let i = 0; i < ncmds && p + 8 <= b.length; i++) {
    const cmd = b.readUInt32LE(p), size = b.readUInt32LE(p + 4);
    if (cmd === 0x1d) return true;
    if (size < 8) break;
    p += size;
  }
  return false;
}
