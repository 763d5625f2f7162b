// An independent PNG reader for the tests: chunks checked by their CRC-32, IDAT inflated by Node's
// zlib (which checks Adler-32), scanlines unfiltered (filter 0 only: what components/png.ts writes).
import { inflateSync } from 'node:zlib';
import assert from 'node:assert/strict';

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

export interface Png { width: number; height: number; pixel: (x: number, y: number) => [number, number, number, number] }

export function decodePng(url: string): Png {
  const prefix = 'data:image/png;base64,';
  assert.ok(url.startsWith(prefix), url.slice(0, 40));
  const buf = Buffer.from(url.slice(prefix.length), 'base64');
  assert.deepEqual([...buf.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  let p = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  const types: string[] = [];
  while (p < buf.length) {
    const len = buf.readUInt32BE(p);
    const type = buf.toString('latin1', p + 4, p + 8);
    assert.equal(buf.readUInt32BE(p + 8 + len), crc32(buf.subarray(p + 4, p + 8 + len)), `${type} CRC`);
    const body = buf.subarray(p + 8, p + 8 + len);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      assert.deepEqual([...body.subarray(8)], [8, 6, 0, 0, 0], '8-bit RGBA, not interlaced');
    }
    if (type === 'IDAT') idat.push(body);
    types.push(type);
    p += 12 + len;
  }
  assert.deepEqual(types, ['IHDR', 'IDAT', 'IEND']);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4 + 1;
  assert.equal(raw.length, height * stride);
  for (let y = 0; y < height; y++) assert.equal(raw[y * stride], 0, 'filter 0');
  return {
    width, height,
    pixel: (x, y) => {
      const i = y * stride + 1 + x * 4;
      return [raw[i], raw[i + 1], raw[i + 2], raw[i + 3]];
    },
  };
}
