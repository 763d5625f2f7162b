/**
 * The safetensors format, read and written without dependencies:
 *
 *   [u64 little-endian N][N bytes of JSON header][data section]
 *
 * The header maps tensor names to `{dtype, shape, data_offsets: [begin, end]}` (offsets relative to
 * the start of the data section) plus an optional `"__metadata__"` map of strings.
 * Only the float dtypes a GPT-2 checkpoint uses are supported: F32, F16 and BF16.
 *
 * Typed-array views assume a little-endian host, which every browser and Node platform is.
 */

import { CheckpointError } from './config.ts';

/** The dtypes this reader understands. */
export type SafetensorsDtype = 'F32' | 'F16' | 'BF16';

export const SUPPORTED_DTYPES: readonly SafetensorsDtype[] = ['F32', 'F16', 'BF16'];

const DTYPE_BYTES: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2 };

/** One tensor of a parsed file: `bytes` is a view into the file's buffer (no copy). */
export interface SafetensorsEntry {
  dtype: SafetensorsDtype;
  shape: number[];
  bytes: Uint8Array;
}

export interface SafetensorsFile {
  /** The header's `__metadata__` (empty when absent). */
  metadata: Record<string, string>;
  /** Tensors in header order. */
  tensors: Map<string, SafetensorsEntry>;
  /** Size of the JSON header in bytes (without the 8-byte length prefix). */
  headerBytes: number;
}

/** The reference implementation refuses headers above 100 MB; so do we, before decoding them. */
const MAX_HEADER_BYTES = 100_000_000;

/**
 * The largest file this reader holds: one typed array of at most 2^32 − 1 bytes is what Node and
 * every browser allocate (a 124M GPT-2 in F32 is 0.5 GB; GPT-2 large in F32, 3.1 GB, still fits).
 */
export const MAX_SAFETENSORS_BYTES = 2 ** 32 - 1;

const isDtype = (d: unknown): d is SafetensorsDtype => d === 'F32' || d === 'F16' || d === 'BF16';

const shapeStr = (s: number[]) => `[${s.join(', ')}]`;

const gib = (n: number) => `${(n / 2 ** 30).toFixed(1)} GiB`;

/** Where one tensor's bytes lie in the data section (offsets relative to its start). */
export interface SafetensorsSlot {
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

/** A parsed header, checked against the file's size: enough to read the data section safely. */
export interface SafetensorsLayout {
  metadata: Record<string, string>;
  tensors: Map<string, SafetensorsSlot>; // header order
  headerBytes: number; // the JSON header's size, without the 8-byte length prefix
  dataStart: number; // 8 + headerBytes: where the data section starts in the file
}

/**
 * The JSON header's length from a file's first 8 bytes, checked against the file's size and the
 * header limit, so a reader knows how much to read next before reading anything else.
 *
 * @param first8 at least the file's first 8 bytes
 * @param fileSize the whole file's size in bytes
 * @throws CheckpointError for a short file, a header longer than the file, or a file too large
 */
export function safetensorsHeaderLength(first8: Uint8Array, fileSize: number, file = 'model.safetensors'): number {
  if (fileSize < 8 || first8.byteLength < 8) {
    throw new CheckpointError(file, `truncated: the file has ${Math.min(fileSize, first8.byteLength)} bytes, fewer than the 8-byte header length`);
  }
  const dv = new DataView(first8.buffer, first8.byteOffset, 8);
  // u64 as two u32 halves: exact below 2^53, and anything that big is "truncated" anyway.
  const n = dv.getUint32(0, true) + dv.getUint32(4, true) * 2 ** 32;
  if (n > fileSize - 8) {
    throw new CheckpointError(file, `truncated: header length is ${n} bytes but only ${fileSize - 8} bytes follow the length prefix (is this a safetensors file?)`);
  }
  if (n > MAX_HEADER_BYTES) throw new CheckpointError(file, `header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  if (fileSize > MAX_SAFETENSORS_BYTES) {
    throw new CheckpointError(file, `the file is ${gib(fileSize)}, larger than the ${gib(MAX_SAFETENSORS_BYTES + 1)} this loader can hold (is it the right file?)`);
  }
  return n;
}

/**
 * Parse a header's JSON and check every tensor against the file: known dtype, a shape whose size
 * matches its byte span, offsets inside the data section, and the spans tiling the data section
 * exactly (contiguous, no overlap, no gap, nothing after the last tensor), as the format requires.
 *
 * @param json the header's bytes (file bytes 8 .. 8 + length)
 * @param fileSize the whole file's size, so offsets are checked before any weight is read
 * @throws CheckpointError naming `file` and the tensor for every problem
 */
export function parseSafetensorsHeader(json: Uint8Array, fileSize: number, file = 'model.safetensors'): SafetensorsLayout {
  const n = json.byteLength;
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch (e) {
    throw new CheckpointError(file, `header is not valid JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new CheckpointError(file, 'header must be a JSON object mapping tensor names to {dtype, shape, data_offsets}');
  }

  const dataStart = 8 + n;
  const dataLen = fileSize - dataStart;
  const metadata: Record<string, string> = {};
  const tensors = new Map<string, SafetensorsSlot>();
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (info === null || typeof info !== 'object' || Array.isArray(info)) {
        throw new CheckpointError(file, '"__metadata__" must be an object of strings');
      }
      for (const [k, v] of Object.entries(info as Record<string, unknown>)) {
        if (typeof v !== 'string') throw new CheckpointError(file, `"__metadata__.${k}" must be a string, got ${JSON.stringify(v)}`);
        metadata[k] = v;
      }
      continue;
    }
    if (info === null || typeof info !== 'object') {
      throw new CheckpointError(file, `tensor ${name}: expected {dtype, shape, data_offsets}, got ${JSON.stringify(info)}`);
    }
    const { dtype, shape, data_offsets: offs } = info as Record<string, unknown>;
    if (!isDtype(dtype)) {
      throw new CheckpointError(file, `tensor ${name} has dtype ${JSON.stringify(dtype)}, which is not supported (supported: ${SUPPORTED_DTYPES.join(', ')})`);
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new CheckpointError(file, `tensor ${name}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
    }
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o) && o >= 0) || offs[0] > offs[1]) {
      throw new CheckpointError(file, `tensor ${name}: data_offsets must be [begin, end] with 0 ≤ begin ≤ end, got ${JSON.stringify(offs)}`);
    }
    const [begin, end] = offs as [number, number];
    if (end > dataLen) {
      throw new CheckpointError(file, `truncated: tensor ${name} needs bytes ${begin}..${end} but the data section has ${dataLen}`);
    }
    const numel = (shape as number[]).reduce((a, b) => a * b, 1);
    const want = numel * DTYPE_BYTES[dtype];
    if (end - begin !== want) {
      throw new CheckpointError(file, `tensor ${name}: data_offsets ${begin}..${end} span ${end - begin} bytes but shape ${shapeStr(shape as number[])} × ${dtype} (${DTYPE_BYTES[dtype]} bytes) needs ${want}`);
    }
    tensors.set(name, { dtype, shape: (shape as number[]).slice(), begin, end });
  }

  // The spans must tile the data section: sorted by offset, each starts where the last ended.
  const spans = [...tensors].sort((a, b) => a[1].begin - b[1].begin || a[1].end - b[1].end);
  let at = 0;
  let prev = '';
  for (const [name, { begin, end }] of spans) {
    if (begin < at) throw new CheckpointError(file, `tensor ${name} (bytes ${begin}..${end}) overlaps tensor ${prev}, which ends at ${at}: tensors must not share bytes`);
    if (begin > at) throw new CheckpointError(file, `a gap of ${begin - at} bytes (${at}..${begin}) lies before tensor ${name}: tensors must be contiguous`);
    at = end;
    if (end > begin || !prev) prev = name;
  }
  if (at !== dataLen) {
    throw new CheckpointError(file, `${dataLen - at} bytes follow the last tensor${prev ? ` (${prev}, ending at ${at})` : ''}: the data section must hold exactly the tensors`);
  }
  return { metadata, tensors, headerBytes: n, dataStart };
}

/**
 * Parse a safetensors file. Tensor bytes are views into `buf`; nothing is copied or converted
 * until {@link toFloat32} is called, so parsing a 500 MB file costs only the header.
 *
 * @param buf the whole file
 * @param file name used in error messages
 * @throws CheckpointError naming `file` (and the tensor) for every malformed or truncated input
 */
export function parseSafetensors(buf: ArrayBuffer | Uint8Array, file = 'model.safetensors'): SafetensorsFile {
  const u8 = buf instanceof Uint8Array ? buf : new Uint8Array(buf);
  const n = safetensorsHeaderLength(u8, u8.byteLength, file);
  return fromLayout(parseSafetensorsHeader(u8.subarray(8, 8 + n), u8.byteLength, file), u8);
}

/** Tensors as views into `file` (the whole file's bytes), for a layout already checked against it. */
export function fromLayout(layout: SafetensorsLayout, file: Uint8Array): SafetensorsFile {
  const tensors = new Map<string, SafetensorsEntry>();
  for (const [name, { dtype, shape, begin, end }] of layout.tensors) {
    tensors.set(name, { dtype, shape, bytes: file.subarray(layout.dataStart + begin, layout.dataStart + end) });
  }
  return { metadata: layout.metadata, tensors, headerBytes: layout.headerBytes };
}

/**
 * The first element of `data` that is NaN or ±Infinity, or -1 when every value is finite.
 * x·0 is 0 for every finite x and NaN otherwise, so one sum tells whether to look further: a
 * single branch-free pass (≈ 0.75 ns per value here) on the common, all-finite path.
 */
export function firstNonFinite(data: Float32Array): number {
  let s = 0;
  for (let i = 0; i < data.length; i++) s += data[i] * 0;
  if (s === 0) return -1;
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (x - x !== 0) return i;
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------
// Half-precision conversions

let f16Table: Float32Array | undefined;

/**
 * All 65 536 half values as float32, built once (256 KB). A table lookup per element is the
 * fastest conversion JS offers and is exact for every half, subnormals, ±inf and NaN included.
 */
function halfTable(): Float32Array {
  if (f16Table) return f16Table;
  const t = new Float32Array(65536);
  const bits = new Uint32Array(t.buffer);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0) {
      t[h] = (sign ? -1 : 1) * mant * 2 ** -24; // zero or subnormal: exact in float32
    } else if (exp === 31) {
      bits[h] = (sign | 0x7f800000 | (mant << 13)) >>> 0; // inf, or NaN keeping its payload
    } else {
      bits[h] = (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0; // rebias 15 → 127
    }
  }
  return (f16Table = t);
}

/** A Uint16Array over `bytes`, copying only when the view would be misaligned. */
function u16View(bytes: Uint8Array): Uint16Array {
  const n = bytes.byteLength >>> 1;
  if (bytes.byteOffset % 2 === 0) return new Uint16Array(bytes.buffer, bytes.byteOffset, n);
  return new Uint16Array(bytes.slice().buffer, 0, n);
}

/**
 * Convert a tensor to float32. F32 returns a view into the file's buffer when it is 4-byte aligned
 * (a copy otherwise); F16 and BF16 allocate a new array.
 */
export function toFloat32(entry: SafetensorsEntry): Float32Array {
  const { dtype, bytes } = entry;
  if (dtype === 'F32') {
    if (bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2);
    return new Float32Array(bytes.slice().buffer);
  }
  const src = u16View(bytes);
  const out = new Float32Array(src.length);
  if (dtype === 'F16') {
    const table = halfTable();
    for (let i = 0; i < src.length; i++) out[i] = table[src[i]];
  } else {
    // bfloat16 is the top half of a float32: widening is a shift.
    const o32 = new Uint32Array(out.buffer);
    for (let i = 0; i < src.length; i++) o32[i] = src[i] << 16;
  }
  return out;
}

/** Float32 bits → half bits, rounding to nearest, ties to even (as numpy and PyTorch do). */
export function f32BitsToF16(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return mant ? sign | 0x7e00 | (mant >>> 13) : sign | 0x7c00; // NaN stays NaN (quiet)
  const e = exp - 112; // half's biased exponent
  if (e >= 31) return sign | 0x7c00; // too big: inf
  if (e <= 0) {
    // Half subnormal: value = q · 2^-24 with q = (1.mant · 2^23) >> shift.
    const shift = 14 - e;
    if (shift > 25) return sign; // below half the smallest subnormal: ±0
    const full = mant | 0x800000;
    let q = full >>> shift;
    const rem = full & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && q & 1)) q++; // may carry into the smallest normal: still right
    return sign | q;
  }
  let q = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && q & 1)) q++; // a carry into exp 31 yields inf, as it should
  return sign | q;
}

/** Float32 bits → bfloat16 bits, rounding to nearest, ties to even. */
export function f32BitsToBF16(x: number): number {
  if ((x & 0x7f800000) === 0x7f800000 && x & 0x7fffff) return (x >>> 16) | 0x40; // keep NaN a NaN
  return ((x >>> 0) + 0x7fff + ((x >>> 16) & 1)) >>> 16;
}

/** Round a float32 array through `dtype` and back: what a write→read round trip yields. */
export function roundTo(dtype: SafetensorsDtype, data: Float32Array): Float32Array {
  if (dtype === 'F32') return data.slice();
  return toFloat32({ dtype, shape: [data.length], bytes: encode(dtype, data) });
}

function encode(dtype: SafetensorsDtype, data: Float32Array): Uint8Array {
  if (dtype === 'F32') return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  const out = new Uint16Array(data.length);
  const f = dtype === 'F16' ? f32BitsToF16 : f32BitsToBF16;
  for (let i = 0; i < bits.length; i++) out[i] = f(bits[i]);
  return new Uint8Array(out.buffer);
}

/**
 * Serialise tensors to safetensors bytes. Tensors are laid out like the reference implementation
 * (wider dtypes first, then by name) so every tensor is aligned to its element size, and the
 * header is padded with spaces to a multiple of 8 bytes.
 *
 * @param tensors float32 data, converted to `dtype` with round-to-nearest-even
 * @param metadata written as `__metadata__` when given
 */
export function writeSafetensors(
  tensors: Record<string, { dtype: SafetensorsDtype; shape: number[]; data: Float32Array }>,
  metadata?: Record<string, string>,
): Uint8Array {
  const names = Object.keys(tensors).sort((a, b) => {
    const d = DTYPE_BYTES[tensors[b].dtype] - DTYPE_BYTES[tensors[a].dtype];
    return d !== 0 ? d : a < b ? -1 : a > b ? 1 : 0;
  });
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const name of names) {
    const { dtype, shape, data } = tensors[name];
    if (!isDtype(dtype)) throw new CheckpointError('model.safetensors', `tensor ${name}: cannot write dtype ${JSON.stringify(dtype)} (supported: ${SUPPORTED_DTYPES.join(', ')})`);
    const numel = shape.reduce((a, b) => a * b, 1);
    if (numel !== data.length) {
      throw new CheckpointError('model.safetensors', `tensor ${name}: shape ${shapeStr(shape)} has ${numel} elements but the data has ${data.length}`);
    }
    const bytes = encode(dtype, data);
    header[name] = { dtype, shape, data_offsets: [offset, offset + bytes.byteLength] };
    blobs.push(bytes);
    offset += bytes.byteLength;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.byteLength / 8) * 8;
  if (padded !== json.byteLength) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.byteLength + offset);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, json.byteLength, true);
  dv.setUint32(4, Math.floor(json.byteLength / 2 ** 32), true);
  out.set(json, 8);
  let at = 8 + json.byteLength;
  for (const b of blobs) {
    out.set(b, at);
    at += b.byteLength;
  }
  return out;
}
