import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../model/backend.ts';
import { batchedSwap, GELU, LAYER_NORM } from '../../model/wasm-kernels.ts';

// The replaced wasm kernels (Slice, SplitV, Transpose) against plain index arithmetic written here,
// and our LayerNorm and GELU against their formulas written out here.

const strides = (shape: number[]) => shape.map((_, a) => shape.slice(a + 1).reduce((n, s) => n * s, 1));
const size = (shape: number[]) => shape.reduce((n, s) => n * s, 1);

/** Every index of `shape`, in row-major order. */
function* indices(shape: number[]): Generator<number[]> {
  if (size(shape) === 0) return;
  const i = new Array(shape.length).fill(0);
  for (;;) {
    yield i.slice();
    let a = shape.length - 1;
    for (; a >= 0; a--) {
      if (++i[a] < shape[a]) break;
      i[a] = 0;
    }
    if (a < 0) return;
  }
}

const values = (shape: number[], seed: number) => Float32Array.from({ length: size(shape) }, (_, k) => Math.sin(k * 12.9898 + seed) * 1000);

function refTranspose(x: Float32Array, shape: number[], perm: number[]): Float32Array {
  const st = strides(shape);
  const out: number[] = [];
  for (const o of indices(perm.map((p) => shape[p]))) out.push(x[o.reduce((at, v, k) => at + v * st[perm[k]], 0)]);
  return Float32Array.from(out);
}

function refSlice(x: Float32Array, shape: number[], begin: number[], sz: number[]): Float32Array {
  const st = strides(shape);
  const out: number[] = [];
  for (const o of indices(sz)) out.push(x[o.reduce((at, v, a) => at + (v + begin[a]) * st[a], 0)]);
  return Float32Array.from(out);
}

test('transpose on wasm equals the index arithmetic, for batched swaps (ours) and every other permutation (tfjs)', async () => {
  await initBackend('wasm');
  const cases: [number[], number[]][] = [
    [[2048, 3], [1, 0]],
    [[64, 96], [1, 0]],
    [[8, 50, 70], [0, 2, 1]],
    [[6, 40, 30], [1, 2, 0]],
    [[6, 40, 30], [2, 0, 1]],
    [[6, 40, 30], [1, 0, 2]],
    [[3, 20, 1, 70], [0, 3, 2, 1]],
    [[2, 3, 40, 50], [0, 1, 3, 2]],
    [[4, 30, 3, 40], [2, 0, 3, 1]],
    [[3, 5, 7, 11, 13], [4, 3, 2, 1, 0]],
    [[9, 77, 65], [0, 2, 1]], // edges that are not multiples of the tile
  ];
  for (const [shape, perm] of cases) {
    const data = values(shape, shape.length + perm[0]);
    const x = tf.tensor(data, shape);
    const y = tf.transpose(x, perm);
    assert.deepEqual(y.shape, perm.map((p) => shape[p]));
    assert.deepEqual(y.dataSync(), refTranspose(data, shape, perm), `shape ${shape} perm ${perm}`);
    const i = tf.transpose(tf.tensor(Int32Array.from(data, (v) => Math.round(v)), shape, 'int32'), perm);
    assert.deepEqual(i.dataSync(), Int32Array.from(refTranspose(data, shape, perm), (v) => Math.round(v)), `int32 shape ${shape} perm ${perm}`);
    tf.dispose([x, y, i]);
  }
});

test('batchedSwap finds (batch, rows, cols) when a permutation is one, and only then', () => {
  assert.deepEqual(batchedSwap([2048, 768], [1, 0]), [1, 2048, 768]);
  assert.deepEqual(batchedSwap([32, 256, 64], [0, 2, 1]), [32, 256, 64]);
  assert.deepEqual(batchedSwap([32, 256, 64], [1, 2, 0]), [1, 32, 256 * 64]); // (N, M·K) → (M·K, N)
  assert.deepEqual(batchedSwap([32, 256, 64], [2, 0, 1]), [1, 32 * 256, 64]);
  assert.deepEqual(batchedSwap([2, 3, 4, 5], [0, 1, 3, 2]), [6, 4, 5]);
  assert.deepEqual(batchedSwap([1, 4, 5], [0, 2, 1]), [1, 4, 5]);
  assert.equal(batchedSwap([32, 256, 64], [1, 0, 2]), null); // rows of 64 stay whole: tfjs copies them
  assert.equal(batchedSwap([3, 4, 5], [2, 1, 0]), null);
  assert.equal(batchedSwap([3, 4], [0, 1]), null);
});

test('slice and split on wasm copy exactly the box asked for, from views of any rank', async () => {
  await initBackend('wasm');
  const cases: [number[], number[], number[]][] = [
    [[300, 200], [10, 20], [100, 50]],
    [[300, 200], [7, 0], [5, 200]], // whole rows: one run
    [[40, 30, 20], [3, 4, 5], [10, 20, 15]],
    [[40, 30, 20], [3, 0, 0], [10, 30, 20]],
    [[5, 6, 7, 8], [1, 2, 3, 4], [3, 3, 3, 3]],
    [[3, 4, 5, 6, 7], [1, 1, 1, 1, 1], [2, 2, 2, 2, 2]],
    [[10], [3], [4]],
    [[10, 10], [2, 2], [0, 5]],
  ];
  for (const [shape, begin, sz] of cases) {
    const data = values(shape, begin[0]);
    const x = tf.tensor(data, shape);
    const y = tf.slice(x, begin, sz);
    assert.deepEqual(y.shape, sz);
    assert.deepEqual(y.dataSync(), refSlice(data, shape, begin, sz), `shape ${shape} begin ${begin} size ${sz}`);
    tf.dispose([x, y]);
  }
  const shape = [64, 96];
  const data = values(shape, 5);
  const x = tf.tensor2d(data, shape as [number, number]);
  for (const [axis, parts] of [[1, 3], [0, 4], [1, [16, 32, 48]]] as [number, number | number[]][]) {
    const ys = tf.split(x, parts, axis);
    let at = 0;
    for (const y of ys) {
      const begin = axis === 0 ? [at, 0] : [0, at];
      assert.deepEqual(y.dataSync(), refSlice(data, shape, begin, y.shape), `split axis ${axis} part at ${at}`);
      at += y.shape[axis];
    }
    tf.dispose(ys);
  }
  x.dispose();
  const s = tf.tensor1d(['a', 'b', 'c'], 'string');
  assert.deepEqual(tf.slice(s, [1], [2]).arraySync(), ['b', 'c']); // strings: tfjs's own kernel
});

test('our LayerNorm kernel on wasm equals LayerNorm written out here, and tfjs\'s composed ops to float32 rounding', async () => {
  await initBackend('wasm');
  const eps = 1e-5;
  const cases: { shape: number[]; scale: number; offset: number }[] = [
    { shape: [1, 8], scale: 1, offset: 0 },
    { shape: [1, 1, 256], scale: 3, offset: 0 }, // a decode tick's row
    { shape: [7, 768], scale: 0.5, offset: 40 }, // a prefill, far from zero (the two-pass variance matters)
    { shape: [2, 3, 16], scale: 1e-4, offset: 0 }, // a variance near ε
  ];
  for (const { shape, scale, offset } of cases) {
    const C = shape[shape.length - 1];
    const x = values(shape, 1).map((v) => (v / 1000) * scale + offset);
    const g = values([C], 2).map((v) => v / 500);
    const b = values([C], 3).map((v) => v / 2000);
    // Written out: float64 sums over each row.
    const want = new Float64Array(x.length);
    for (let o = 0; o < x.length; o += C) {
      const row = Array.from(x.subarray(o, o + C));
      const mean = row.reduce((s, v) => s + v, 0) / C;
      const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / C;
      row.forEach((v, i) => (want[o + i] = ((v - mean) / Math.sqrt(variance + eps)) * g[i] + b[i]));
    }
    const xt = tf.tensor(x, shape);
    const gt = tf.tensor1d(g);
    const bt = tf.tensor1d(b);
    const got = tf.engine().runKernel(LAYER_NORM, { x: xt, gamma: gt, beta: bt }, { eps }) as tf.Tensor;
    assert.deepEqual(got.shape, shape);
    const ours = got.dataSync();
    for (let i = 0; i < x.length; i++) assert.ok(Math.abs(ours[i] - want[i]) <= 1e-6 * (1 + Math.abs(want[i])), `${shape} [${i}]: ${ours[i]} vs ${want[i]}`);
    // tfjs's own ops, in float32: the same to its rounding.
    const composed = tf.tidy(() => {
      const mean = tf.mean(xt, -1, true);
      const xc = tf.sub(xt, mean);
      return tf.add(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), eps))), gt), bt);
    }).dataSync();
    const tol = Math.max(...want.map(Math.abs)) * 1e-4;
    for (let i = 0; i < x.length; i++) assert.ok(Math.abs(ours[i] - composed[i]) <= tol, `${shape} [${i}]: ${ours[i]} vs tfjs ${composed[i]}`);
    tf.dispose([xt, gt, bt, got]);
  }
  // A constant row has no variance: it normalises to the bias.
  const flat = tf.fill([2, 4], 5);
  const out = tf.engine().runKernel(LAYER_NORM, { x: flat, gamma: tf.ones([4]), beta: tf.tensor1d([1, 2, 3, 4]) }, { eps }) as tf.Tensor;
  assert.deepEqual(Array.from(out.dataSync()), [1, 2, 3, 4, 1, 2, 3, 4]);
});

test('our GELU kernel on wasm equals GPT-2\'s tanh GELU written out here', async () => {
  await initBackend('wasm');
  const xs = Float32Array.from([0, -0.5, 0.5, 1, -1, 3, -3, 8, -8, 20, -20, 100, -100, 1e-7, -1e-7, ...values([1000], 4).map((v) => v / 200)]);
  const want = Array.from(xs, (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))));
  for (const shape of [[xs.length], [1, 1, xs.length]]) {
    const x = tf.tensor(xs, shape);
    const got = tf.engine().runKernel(GELU, { x }) as tf.Tensor;
    assert.deepEqual(got.shape, shape);
    const ours = got.dataSync();
    for (let i = 0; i < xs.length; i++) assert.ok(Math.abs(ours[i] - want[i]) <= 1e-6 * (1 + Math.abs(want[i])), `gelu(${xs[i]}) = ${ours[i]}, not ${want[i]}`);
    tf.dispose([x, got]);
  }
});
