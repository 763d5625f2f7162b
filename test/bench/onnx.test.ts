// The ONNX writer (bench/onnx/): its wire format, a tiny graph that onnxruntime-web parses and
// runs, and the GPT-2 graph of the bundled model against the float64 reference, prefill and
// cached decode, run in onnxruntime-web's Node build (wasm, one thread).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as ort from 'onnxruntime-web';
import { loadModelFiles } from '../../model/checkpoint.ts';
import { encodeModel, varint } from '../../bench/onnx/proto.ts';
import { causalMask, gpt2Onnx } from '../../bench/onnx/gpt2.ts';
import { OrtGpt2 } from '../../bench/onnx/ort-gpt2.ts';
import { referenceForward } from '../reference/gpt2-f64.ts';

before(() => {
  ort.env.wasm.numThreads = 1;
});

test('varints: 7 bits a byte, low group first; a negative int64 takes ten bytes', () => {
  assert.deepEqual([...varint(0)], [0]);
  assert.deepEqual([...varint(1)], [1]);
  assert.deepEqual([...varint(300)], [0xac, 0x02]);
  assert.deepEqual([...varint(2 ** 35)], [0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
  assert.deepEqual([...varint(-1)], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
});

test('a tiny graph (Gemm with int and float attributes, Add, an int64 initializer) runs in onnxruntime-web with the right numbers', async () => {
  // y = 0.5 · x · Wᵀ + b, then z = Gather(y, [-1]) along rows: the last row.
  const W = Float32Array.of(1, 2, 3, 4, 5, 6); // [2, 3]
  const b = Float32Array.of(10, 20);
  const bytes = encodeModel({
    opset: 20,
    nodes: [
      { op: 'Gemm', inputs: ['x', 'W', 'b'], outputs: ['y'], attrs: { transB: 1, alpha: { float: 0.5 } } },
      { op: 'Gather', inputs: ['y', 'last'], outputs: ['z'], attrs: { axis: 0 } },
    ],
    initializers: [
      { name: 'W', type: 'FLOAT', dims: [2, 3], data: W },
      { name: 'b', type: 'FLOAT', dims: [2], data: b },
      { name: 'last', type: 'INT64', dims: [1], data: BigInt64Array.of(-1n) },
    ],
    inputs: [{ name: 'x', type: 'FLOAT', dims: ['N', 3] }],
    outputs: [{ name: 'z', type: 'FLOAT', dims: [1, 2] }],
  });
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  try {
    assert.deepEqual(session.inputNames, ['x']);
    assert.deepEqual(session.outputNames, ['z']);
    const x = Float32Array.of(1, 0, 0, 1, 1, 2); // rows [1, 0, 0] and [1, 1, 2]
    const { z } = await session.run({ x: new ort.Tensor('float32', x, [2, 3]) });
    assert.deepEqual(z.dims, [1, 2]);
    // last row: 0.5 · [1+2+6, 4+5+12] + [10, 20]
    assert.deepEqual([...(z.data as Float32Array)], [14.5, 30.5]);
  } finally {
    await session.release();
  }
});

test('causal mask: query t sees keys up to P + t', () => {
  const NEG = -1e9;
  assert.deepEqual([...causalMask(2, 1)], [0, 0, NEG, 0, 0, 0]);
  assert.deepEqual([...causalMask(1, 3)], [0, 0, 0, 0]);
});

test('the bundled model as ONNX: prefill and each cached decode step give the float64 reference logits (≤ 1e-4 of their range)', async () => {
  const files = await loadModelFiles(new URL('../../public/models/gutenberg-4m', import.meta.url).pathname);
  const model = await OrtGpt2.create(ort, files.config, gpt2Onnx(files.config, files.params));
  try {
    const ids = [5, 17, 290, 3, 3, 101, 64, 250, 12, 7];
    const ref = referenceForward(files.config, files.params, ids);
    const check = (got: Float32Array, t: number) => {
      const want = ref.logits[t];
      assert.equal(got.length, files.config.vocab_size);
      let diff = 0;
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < want.length; i++) {
        diff = Math.max(diff, Math.abs(got[i] - want[i]));
        lo = Math.min(lo, want[i]);
        hi = Math.max(hi, want[i]);
      }
      assert.ok(hi - lo > 1, `position ${t}: logits should spread (range ${hi - lo})`);
      assert.ok(diff <= 1e-4 * (hi - lo), `position ${t}: max |Δ| ${diff} > 1e-4 × range ${hi - lo}`);
    };
    // A 6-token prefill (the mask decides what the cached keys and values of later blocks hold),
    // then four decode steps, each seeing the cache.
    check(await model.step(ids.slice(0, 6)), 5);
    for (let t = 6; t < ids.length; t++) {
      check(await model.step([ids[t]]), t);
      assert.equal(model.length, t + 1);
    }
    // A tick that does not keep its cache leaves it as it was.
    const again = await model.step([ids[9]], false);
    assert.equal(model.length, ids.length);
    assert.ok(again.length === files.config.vocab_size);
  } finally {
    await model.release();
  }
});
