import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base64, pngDataUrl } from '../../components/png.ts';
import { decodePng } from './png-decode.ts';

test('pngDataUrl: the pixels read back by an independent decoder (CRCs, zlib, filter bytes)', () => {
  const w = 5;
  const h = 3;
  const rgba = new Uint8Array(w * h * 4).map((_, i) => (i * 37 + 11) % 256);
  const png = decodePng(pngDataUrl(w, h, rgba));
  assert.deepEqual([png.width, png.height], [w, h]);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) assert.deepEqual(png.pixel(x, y), [...rgba.subarray((y * w + x) * 4, (y * w + x) * 4 + 4)]);
});

test('pngDataUrl: an image larger than one stored deflate block (64 KiB) spans several', () => {
  const w = 200;
  const h = 100; // 80,100 bytes of scanlines
  const rgba = new Uint8Array(w * h * 4).map((_, i) => (i * 7) % 251);
  const png = decodePng(pngDataUrl(w, h, rgba));
  assert.deepEqual(png.pixel(199, 99), [...rgba.subarray(rgba.length - 4)]);
  assert.deepEqual(png.pixel(3, 81), [...rgba.subarray((81 * w + 3) * 4, (81 * w + 3) * 4 + 4)]);
});

test('pngDataUrl refuses a size that does not match its pixels', () => {
  assert.throws(() => pngDataUrl(2, 2, new Uint8Array(12)), /12 bytes for 2 × 2/);
  assert.throws(() => pngDataUrl(0, 1, new Uint8Array(0)), /pixels/);
});

test('base64 equals Node’s own encoding for every length of remainder, and the platform’s where there is one', () => {
  for (const n of [0, 1, 2, 3, 4, 5, 6, 7, 100, 65_537]) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 151 + 7) & 255);
    const want = Buffer.from(bytes).toString('base64');
    assert.equal(base64(bytes), want, `${n} bytes`);
    // The same bytes through the fallback, whether or not this platform has Uint8Array.prototype.toBase64.
    const plain = Object.assign(bytes.slice(), { toBase64: undefined });
    assert.equal(base64(plain), want, `${n} bytes, without toBase64`);
  }
});
