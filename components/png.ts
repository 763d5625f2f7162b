/**
 * A PNG written by hand, as a data: URL: 8-bit RGBA pixels, filter 0, deflate's stored (uncompressed)
 * blocks. For charts of thousands of coloured cells, one image per row costs a few typed-array
 * writes where one SVG element per cell cost the browser an element each (and a tick redraws them
 * all). No canvas, so it also runs in Node and in a printed page. PNG spec: RFC 2083.
 */

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array, from: number, to: number): number {
  let c = 0xffffffff;
  for (let i = from; i < to; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const B64 = Uint8Array.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', (c) => c.charCodeAt(0));
const EQUALS = 61; // '='

/**
 * Base64 of the bytes: the platform's own where it has one (Uint8Array.prototype.toBase64), else
 * the characters' codes written into a Uint16Array and decoded as UTF-16 in one call (a string
 * built piece by piece, or String.fromCharCode over the bytes and btoa, took ≈ 4–15× as long).
 */
export function base64(bytes: Uint8Array): string {
  const native = (bytes as Uint8Array & { toBase64?: () => string }).toBase64;
  if (typeof native === 'function') return native.call(bytes);
  const codes = new Uint16Array(Math.ceil(bytes.length / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    codes[o++] = B64[n >> 18];
    codes[o++] = B64[(n >> 12) & 63];
    codes[o++] = B64[(n >> 6) & 63];
    codes[o++] = B64[n & 63];
  }
  const rest = bytes.length - i;
  if (rest > 0) {
    const n = (bytes[i] << 16) | (rest === 2 ? bytes[i + 1] << 8 : 0);
    codes[o++] = B64[n >> 18];
    codes[o++] = B64[(n >> 12) & 63];
    codes[o++] = rest === 2 ? B64[(n >> 6) & 63] : EQUALS;
    codes[o++] = EQUALS;
  }
  return new TextDecoder('utf-16le').decode(codes);
}

/** Adler-32 of bytes[from, to): the sums are reduced mod 65521 every 5,552 bytes, the most that cannot overflow. */
function adler32(bytes: Uint8Array, from: number, to: number): number {
  let a = 1;
  let b = 0;
  for (let i = from; i < to; ) {
    const end = Math.min(to, i + 5552);
    for (; i < end; i++) {
      a += bytes[i];
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

const STORED_MAX = 65535; // bytes in one stored deflate block

/** A data: URL of a width × height RGBA PNG; `rgba` holds the pixels row by row, 4 bytes each. */
export function pngDataUrl(width: number, height: number, rgba: Uint8Array): string {
  if (!(width >= 1 && height >= 1) || rgba.length !== width * height * 4) throw new Error(`pngDataUrl: ${rgba.length} bytes for ${width} × ${height} pixels`);
  const stride = width * 4 + 1; // each scanline starts with its filter byte (0: none)
  const raw = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) raw.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * stride + 1);
  const blocks = Math.max(1, Math.ceil(raw.length / STORED_MAX));
  const zlen = 2 + raw.length + blocks * 5 + 4;
  const size = 8 + (12 + 13) + (12 + zlen) + 12;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 0);
  let p = 8;
  const chunk = (type: string, length: number, write: (at: number) => void) => {
    view.setUint32(p, length);
    for (let i = 0; i < 4; i++) out[p + 4 + i] = type.charCodeAt(i);
    write(p + 8);
    view.setUint32(p + 8 + length, crc32(out, p + 4, p + 8 + length));
    p += 12 + length;
  };
  chunk('IHDR', 13, (at) => {
    view.setUint32(at, width);
    view.setUint32(at + 4, height);
    out.set([8, 6, 0, 0, 0], at + 8); // 8 bits, RGBA, deflate, filter method 0, no interlace
  });
  chunk('IDAT', zlen, (at) => {
    out[at] = 0x78; // zlib: deflate, 32 KiB window
    out[at + 1] = 0x01; // no dictionary, fastest; (0x78 << 8 | 0x01) % 31 === 0
    let q = at + 2;
    for (let k = 0; k < blocks; k++) {
      const from = k * STORED_MAX;
      const len = Math.min(STORED_MAX, raw.length - from);
      out[q] = k === blocks - 1 ? 1 : 0;
      view.setUint16(q + 1, len, true);
      view.setUint16(q + 3, ~len & 0xffff, true);
      out.set(raw.subarray(from, from + len), q + 5);
      q += 5 + len;
    }
    view.setUint32(q, adler32(raw, 0, raw.length));
  });
  chunk('IEND', 0, () => {});
  return `data:image/png;base64,${base64(out)}`;
}

/** Image pixels per cell of `width` px: at least one, and one per screen pixel up to 8 (a viewer that smooths blurs only the edges). */
export const pixelsPerCell = (width: number): number => Math.max(1, Math.min(8, Math.ceil(width)));

/**
 * A colour ramp (t ∈ [0, 1] → a CSS colour) as RGB bytes, tabled once in `steps` steps: for
 * images whose pixels are a ramp's colours. The nearest step's colour, so within one step of 255.
 */
export function rampBytes(ramp: (t: number) => string, parse: (css: string) => { r: number; g: number; b: number }, steps = 2048): (t: number) => [number, number, number] {
  let lut: Uint8Array | null = null;
  return (t) => {
    if (!lut) {
      lut = new Uint8Array(steps * 3);
      for (let i = 0; i < steps; i++) {
        const c = parse(ramp(i / (steps - 1)));
        lut[i * 3] = c.r;
        lut[i * 3 + 1] = c.g;
        lut[i * 3 + 2] = c.b;
      }
    }
    const i = Math.round(Math.max(0, Math.min(1, Number.isFinite(t) ? t : 0)) * (steps - 1)) * 3;
    return [lut[i], lut[i + 1], lut[i + 2]];
  };
}

/**
 * Rows of values as one image: `scale` pixels per cell across, `scaleY` down; each pixel the colour
 * `colour` gives (opaque), or transparent where the value is not a number or the row is short.
 */
export function cellsImage(rows: ArrayLike<number>[], colour: (v: number) => [number, number, number], scale = 1, scaleY = 1): string {
  const cols = Math.max(1, ...rows.map((r) => r.length));
  const w = cols * scale;
  const h = Math.max(1, rows.length) * scaleY;
  const rgba = new Uint8Array(w * h * 4);
  rows.forEach((row, i) => {
    for (let j = 0; j < row.length; j++) {
      const v = row[j];
      if (!Number.isFinite(v)) continue;
      const [r, g, b] = colour(v);
      for (let y = i * scaleY; y < (i + 1) * scaleY; y++) {
        for (let k = (y * w + j * scale) * 4, end = k + scale * 4; k < end; k += 4) {
          rgba[k] = r;
          rgba[k + 1] = g;
          rgba[k + 2] = b;
          rgba[k + 3] = 255;
        }
      }
    }
  });
  return pngDataUrl(w, h, rgba);
}
