// The weights' checksum checked again from the backend: read in place on wasm (no copy, wte read
// through its transpose), through data() elsewhere. Both must equal the checksum of the weights
// read back the slow way (tf.transpose + data(), in the checkpoint's layout), and must change
// when one float of a weight changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../model/backend.ts';
import { Model } from '../../model/model.ts';
import { readWeights } from '../../model/gpt2.ts';
import { backendWeightsChecksum, weightsChecksum } from '../../model/weights-checksum.ts';

const BUNDLED = 'public/models/gutenberg-4m/';

/** A tensor's floats in the wasm heap (a fresh view each time: the heap's buffer changes as it grows). */
function heapFloats(t: tf.Tensor): Float32Array {
  const backend = tf.backend() as unknown as { dataIdMap: { get(id: object): { memoryOffset: number } }; wasm: { HEAPU8: Uint8Array } };
  const heap = backend.wasm.HEAPU8;
  return new Float32Array(heap.buffer, heap.byteOffset + backend.dataIdMap.get(t.dataId).memoryOffset, t.size);
}

/** Overwrite one float of a weight tensor in the backend, in place; returns a function that puts it back. */
function poke(t: tf.Tensor, index: number, value: number): () => void {
  const old = heapFloats(t)[index];
  heapFloats(t)[index] = value;
  return () => {
    heapFloats(t)[index] = old;
  };
}

for (const backend of ['wasm', 'cpu'] as const) {
  test(`${backend}: the weights' checksum read again from the backend equals the checksum at load and the slow read-back's`, async () => {
    await initBackend(backend);
    const model = await Model.load(BUNDLED);
    try {
      const slow = weightsChecksum(await readWeights(model.weights));
      assert.equal(slow, model.checksum);
      assert.equal(await model.verifyChecksum(), model.checksum);
    } finally {
      model.dispose();
    }
  });
}

test('wasm: one changed float in wte (held transposed) or in a block weight changes the checksum, read in place and read slowly alike', async () => {
  await initBackend('wasm');
  const model = await Model.load(BUNDLED);
  try {
    const w = model.weights;
    const [C, V] = w.wteT.shape;
    for (const [t, index] of [[w.wteT, 7 * V + 1234], [w.h[1].c_fc.w, 99], [w.ln_f.b, C - 1]] as const) {
      const restore = poke(t, index, 0.123456);
      try {
        const now = await backendWeightsChecksum(w);
        assert.notEqual(now, model.checksum, `a change at ${index} of a (${t.shape}) weight goes unseen`);
        assert.equal(now, weightsChecksum(await readWeights(w)), 'the in-place read walks the weights in the checkpoint\'s layout');
      } finally {
        restore();
      }
      assert.equal(await model.verifyChecksum(), model.checksum);
    }
  } finally {
    model.dispose();
  }
});
