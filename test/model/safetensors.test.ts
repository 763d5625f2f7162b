import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CheckpointError } from '../../model/config.ts';
import { f32BitsToBF16, f32BitsToF16, firstNonFinite, MAX_SAFETENSORS_BYTES, parseSafetensors, roundTo, safetensorsHeaderLength, toFloat32, writeSafetensors } from '../../model/safetensors.ts';
import { mulberry32 } from '../../train/random-checkpoint.ts';

/** A safetensors file from a raw header object and data section (for malformed inputs). */
function rawFile(header: unknown, data: Uint8Array = new Uint8Array(0), headerText?: string): Uint8Array {
  const json = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function throwsCheckpoint(fn: () => unknown, ...parts: (string | RegExp)[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CheckpointError, `expected CheckpointError, got ${String(e)}`);
    for (const p of parts) {
      if (typeof p === 'string') assert.ok(e.message.includes(p), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(p)}`);
      else assert.match(e.message, p);
    }
    return true;
  });
}

const f32 = (xs: number[]) => new Float32Array(xs);

/** Independent reference for half → float: the formula, not bit tricks. */
function halfValue(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 31;
  const m = h & 1023;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

test('F32 round trip is exact, with metadata, and the header is space-padded to 8 bytes', () => {
  const a = f32([1, -2.5, 3.14159, 1e-30, -0, Infinity, NaN, 65519.99]);
  const b = f32([0.1, 0.2, 0.3]);
  const buf = writeSafetensors({ 'x.a': { dtype: 'F32', shape: [2, 4], data: a }, 'b': { dtype: 'F32', shape: [3], data: b } }, { format: 'pt', note: 'héllo' });
  const n = new DataView(buf.buffer).getUint32(0, true);
  assert.equal((8 + n) % 8, 0);
  const headerText = new TextDecoder().decode(buf.subarray(8, 8 + n));
  assert.match(headerText, /^\{.*\} *$/);
  const f = parseSafetensors(buf);
  assert.deepEqual(f.metadata, { format: 'pt', note: 'héllo' });
  assert.deepEqual([...f.tensors.keys()].sort(), ['b', 'x.a']);
  const ea = f.tensors.get('x.a')!;
  assert.equal(ea.dtype, 'F32');
  assert.deepEqual(ea.shape, [2, 4]);
  assert.deepEqual(toFloat32(ea), a);
  assert.deepEqual(toFloat32(f.tensors.get('b')!), b);
  // Aligned F32 is a view into the file, not a copy.
  assert.equal(toFloat32(ea).buffer, buf.buffer);
});

test('F16: every half value converts exactly and survives float → half → float', () => {
  const all = new Uint16Array(65536).map((_, i) => i);
  const f = toFloat32({ dtype: 'F16', shape: [65536], bytes: new Uint8Array(all.buffer) });
  const bits = new Uint32Array(f.buffer);
  for (let h = 0; h < 65536; h++) {
    const want = halfValue(h);
    if (Number.isNaN(want)) {
      assert.ok(Number.isNaN(f[h]), `half ${h.toString(16)} should be NaN`);
      assert.ok(Number.isNaN(halfValue(f32BitsToF16(bits[h]))), `NaN ${h.toString(16)} should stay NaN`);
    } else {
      assert.ok(Object.is(f[h], want), `half 0x${h.toString(16)}: got ${f[h]}, want ${want}`);
      assert.equal(f32BitsToF16(bits[h]), h, `half 0x${h.toString(16)} round trip`);
    }
  }
});

test('F16 rounding: round-to-nearest-even, overflow to inf, underflow to zero, subnormals', () => {
  const cases: [number, number][] = [
    [0, 0], [-0, -0], [1, 1], [-2, -2], [0.5, 0.5], [65504, 65504], [-65504, -65504],
    [2 ** -14, 2 ** -14], // smallest normal
    [2 ** -24, 2 ** -24], // smallest subnormal
    [3 * 2 ** -24, 3 * 2 ** -24],
    [1023 * 2 ** -24, 1023 * 2 ** -24], // largest subnormal
    [65519, 65504], // below the midpoint to inf
    [65520, Infinity], // the midpoint ties to even: inf
    [1e6, Infinity], [-1e6, -Infinity], [Infinity, Infinity], [-Infinity, -Infinity],
    [2 ** -26, 0], [2 ** -25, 0], // half the smallest subnormal ties to even: 0
    [1.5 * 2 ** -25, 2 ** -24], // above the midpoint rounds up
    [2.5 * 2 ** -24, 2 * 2 ** -24], [3.5 * 2 ** -24, 4 * 2 ** -24], // subnormal ties to even
    [1 + 2 ** -11, 1], [1 + 3 * 2 ** -11, 1 + 2 ** -9], // normal ties to even
    [1 + 2 ** -11 + 2 ** -20, 1 + 2 ** -10],
    [(2 ** -14) * (1 - 2 ** -12), 2 ** -14], // rounds up from subnormal into the smallest normal
  ];
  const input = f32(cases.map((c) => c[0]));
  const out = roundTo('F16', input);
  cases.forEach(([x, want], i) => assert.ok(Object.is(out[i], want), `F16(${x}) = ${out[i]}, want ${want}`));
  assert.ok(Number.isNaN(roundTo('F16', f32([NaN]))[0]));

  // Random values land within half an ulp (relative 2^-11) of the input.
  const r = mulberry32(7);
  const xs = new Float32Array(10000).map(() => (r() - 0.5) * 2 ** Math.floor(r() * 20 - 10));
  const ys = roundTo('F16', xs);
  for (let i = 0; i < xs.length; i++) {
    if (Math.abs(xs[i]) >= 2 ** -14) assert.ok(Math.abs(ys[i] - xs[i]) <= Math.abs(xs[i]) * 2 ** -11, `${xs[i]} → ${ys[i]}`);
    else assert.ok(Math.abs(ys[i] - xs[i]) <= 2 ** -25);
  }
});

test('BF16 round trip: exact for representable values, RNE otherwise, inf/NaN kept', () => {
  const cases: [number, number][] = [
    [0, 0], [-0, -0], [1, 1], [-3.5, -3.5], [2 ** -130, 2 ** -130], [3.3895313892515355e38, 3.3895313892515355e38],
    [1 + 2 ** -8, 1], // tie → even
    [1 + 3 * 2 ** -8, 1 + 2 ** -6], // tie → even (up)
    [1 + 2 ** -8 + 2 ** -20, 1 + 2 ** -7],
    [Infinity, Infinity], [-Infinity, -Infinity],
    [3.4e38, Infinity], // rounds past the largest bf16
  ];
  const input = f32(cases.map((c) => c[0]));
  const buf = writeSafetensors({ t: { dtype: 'BF16', shape: [cases.length], data: input } });
  const out = toFloat32(parseSafetensors(buf).tensors.get('t')!);
  cases.forEach(([x, want], i) => assert.ok(Object.is(out[i], want), `BF16(${x}) = ${out[i]}, want ${want}`));
  assert.ok(Number.isNaN(roundTo('BF16', f32([NaN]))[0]));
  // A NaN whose payload sits only in the low 16 bits must not become inf.
  assert.equal(f32BitsToBF16(0x7f800001), 0x7fc0);

  const r = mulberry32(11);
  const xs = new Float32Array(10000).map(() => (r() - 0.5) * 2 ** Math.floor(r() * 60 - 30));
  const ys = roundTo('BF16', xs);
  for (let i = 0; i < xs.length; i++) assert.ok(Math.abs(ys[i] - xs[i]) <= Math.abs(xs[i]) * 2 ** -8, `${xs[i]} → ${ys[i]}`);
});

test('F16 file round trip, mixed dtypes laid out aligned', () => {
  const r = mulberry32(3);
  const a = new Float32Array(1001).map(() => r() - 0.5);
  const b = new Float32Array(7).map(() => r() * 10);
  const c = new Float32Array(5).map(() => r());
  const buf = writeSafetensors({
    a: { dtype: 'F16', shape: [7, 11, 13], data: a },
    b: { dtype: 'BF16', shape: [7], data: b },
    c: { dtype: 'F32', shape: [5], data: c },
  });
  const f = parseSafetensors(buf);
  assert.deepEqual(toFloat32(f.tensors.get('a')!), roundTo('F16', a));
  assert.deepEqual(toFloat32(f.tensors.get('b')!), roundTo('BF16', b));
  assert.deepEqual(toFloat32(f.tensors.get('c')!), c);
  for (const t of f.tensors.values()) assert.equal(t.bytes.byteOffset % (t.dtype === 'F32' ? 4 : 2), 0);
});

test('misaligned tensors (odd offsets, Uint8Array with an odd byteOffset) are copied, not misread', () => {
  const vals = f32([1.5, -2.25, 1e-3]);
  const halfBytes = new Uint8Array(new Uint16Array([0x3c00]).buffer); // 1.0 as F16
  const data = new Uint8Array(2 + 12);
  data.set(halfBytes, 0);
  data.set(new Uint8Array(vals.buffer), 2); // F32 at data offset 2
  const file = rawFile({ h: { dtype: 'F16', shape: [1], data_offsets: [0, 2] }, f: { dtype: 'F32', shape: [3], data_offsets: [2, 14] } }, data);
  // Put the whole file at an odd offset inside a bigger buffer, too.
  const big = new Uint8Array(file.length + 1);
  big.set(file, 1);
  const offsets: number[] = [];
  for (const input of [file, big.subarray(1)]) {
    const f = parseSafetensors(input);
    offsets.push(f.tensors.get('f')!.bytes.byteOffset % 4);
    assert.deepEqual(toFloat32(f.tensors.get('f')!), vals);
    assert.deepEqual(toFloat32(f.tensors.get('h')!), f32([1]));
  }
  assert.ok(offsets.some((o) => o !== 0), 'the test must exercise a misaligned F32 tensor');
  // Also accepts a bare ArrayBuffer; scalars (shape []) and empty tensors are valid.
  const s = writeSafetensors({ s: { dtype: 'F32', shape: [], data: f32([42]) }, e: { dtype: 'F16', shape: [0, 3], data: f32([]) } });
  const fs = parseSafetensors(s.slice().buffer);
  assert.deepEqual(toFloat32(fs.tensors.get('s')!), f32([42]));
  assert.equal(toFloat32(fs.tensors.get('e')!).length, 0);
});

test('errors: short file, truncated header, bad JSON', () => {
  throwsCheckpoint(() => parseSafetensors(new Uint8Array(5), 'w.safetensors'), 'w.safetensors', 'truncated', '5 bytes');
  const good = writeSafetensors({ a: { dtype: 'F32', shape: [2], data: f32([1, 2]) } });
  throwsCheckpoint(() => parseSafetensors(good.subarray(0, 20)), 'model.safetensors', 'truncated', 'header length');
  const huge = new Uint8Array(16);
  new DataView(huge.buffer).setUint32(4, 1, true); // 2^32-byte header
  throwsCheckpoint(() => parseSafetensors(huge), 'truncated');
  throwsCheckpoint(() => parseSafetensors(rawFile(null, new Uint8Array(0), '{"a": {"dtype": "F32",')), 'model.safetensors', 'not valid JSON');
  throwsCheckpoint(() => parseSafetensors(rawFile([1, 2])), 'JSON object');
});

test('errors: unknown dtype names the tensor, the dtype and the supported ones', () => {
  for (const dtype of ['I8', 'F64']) {
    throwsCheckpoint(() => parseSafetensors(rawFile({ 'h.0.mlp.c_fc.weight': { dtype, shape: [2], data_offsets: [0, 16] } }, new Uint8Array(16))),
      'h.0.mlp.c_fc.weight', dtype, 'F32, F16, BF16');
  }
});

test('errors: offsets past the data section ("truncated") or inconsistent with shape × dtype', () => {
  throwsCheckpoint(() => parseSafetensors(rawFile({ 'wte.weight': { dtype: 'F32', shape: [4, 4], data_offsets: [0, 64] } }, new Uint8Array(40))),
    'truncated: tensor wte.weight needs bytes 0..64 but the data section has 40');
  // A real file cut short: the last tensor's bytes are missing.
  const full = writeSafetensors({ a: { dtype: 'F16', shape: [100], data: new Float32Array(100) } });
  throwsCheckpoint(() => parseSafetensors(full.subarray(0, full.length - 10), 'gpt2/model.safetensors'), 'gpt2/model.safetensors', 'truncated: tensor a needs bytes 0..200 but the data section has 190');
  throwsCheckpoint(() => parseSafetensors(rawFile({ 'ln_f.bias': { dtype: 'F16', shape: [3, 2], data_offsets: [0, 8] } }, new Uint8Array(8))),
    'ln_f.bias', '[3, 2]', 'needs 12', 'span 8');
  throwsCheckpoint(() => parseSafetensors(rawFile({ x: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, new Uint8Array(8))), 'tensor x', 'data_offsets');
  throwsCheckpoint(() => parseSafetensors(rawFile({ x: { dtype: 'F32', shape: [-2], data_offsets: [0, 0] } })), 'tensor x', 'shape');
  throwsCheckpoint(() => parseSafetensors(rawFile({ __metadata__: { n: 3 } })), '__metadata__');
});

test('writeSafetensors refuses data whose length disagrees with the shape', () => {
  throwsCheckpoint(() => writeSafetensors({ t: { dtype: 'F32', shape: [2, 2], data: f32([1, 2, 3]) } }), 'tensor t', '[2, 2]', '4 elements', '3');
});

test('overlapping, gapped and over-long data sections are refused (tensors must tile the data section exactly)', () => {
  const t = (a: number, b: number) => ({ dtype: 'F32', shape: [(b - a) / 4], data_offsets: [a, b] });
  throwsCheckpoint(() => parseSafetensors(rawFile({ a: t(0, 16), b: t(8, 24) }, new Uint8Array(24))), 'tensor b (bytes 8..24) overlaps tensor a', 'must not share bytes');
  throwsCheckpoint(() => parseSafetensors(rawFile({ a: t(0, 16), b: t(0, 16) }, new Uint8Array(16))), /tensor [ab] \(bytes 0\.\.16\) overlaps tensor [ab]/);
  throwsCheckpoint(() => parseSafetensors(rawFile({ a: t(0, 8), b: t(16, 24) }, new Uint8Array(24))), 'a gap of 8 bytes (8..16) lies before tensor b', 'contiguous');
  throwsCheckpoint(() => parseSafetensors(rawFile({ a: t(8, 16) }, new Uint8Array(16))), 'a gap of 8 bytes (0..8) lies before tensor a');
  throwsCheckpoint(() => parseSafetensors(rawFile({ a: t(0, 8) }, new Uint8Array(12))), '4 bytes follow the last tensor (a, ending at 8)');
  // Tensors listed out of order, and empty tensors, are fine.
  const ok = parseSafetensors(rawFile({ b: t(8, 16), e: { dtype: 'F16', shape: [0], data_offsets: [16, 16] }, a: t(0, 8) }, new Uint8Array(16)));
  assert.deepEqual([...ok.tensors.keys()], ['b', 'e', 'a']);
});

test('the header length is read and checked from 8 bytes and the file size alone; a file over 4 GiB is refused with its size', () => {
  const eight = new Uint8Array(8);
  new DataView(eight.buffer).setUint32(0, 100, true);
  assert.equal(safetensorsHeaderLength(eight, 5000), 100);
  throwsCheckpoint(() => safetensorsHeaderLength(eight, 50), 'truncated: header length is 100 bytes but only 42 bytes follow');
  throwsCheckpoint(() => safetensorsHeaderLength(eight, 5 * 2 ** 30), 'the file is 5.0 GiB, larger than the 4.0 GiB this loader can hold');
  assert.equal(safetensorsHeaderLength(eight, MAX_SAFETENSORS_BYTES), 100);
});

test('firstNonFinite finds the first NaN or ±Infinity in one pass, and -1 when all are finite', () => {
  assert.equal(firstNonFinite(f32([0, -0, 1e-45, 3.4e38, -3.4e38])), -1);
  assert.equal(firstNonFinite(f32([1, 2, NaN, Infinity])), 2);
  assert.equal(firstNonFinite(f32([1, -Infinity])), 1);
  assert.equal(firstNonFinite(new Float32Array(0)), -1);
});
