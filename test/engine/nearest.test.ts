// The nearest tokens in embedding space, asked of the engine with the bundled model loaded: the
// answer equals cosine similarities computed here in float64 from the file's own wte (every token
// of the vocabulary, sorted); the kept row lengths are freed with the model.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { parseSafetensors, toFloat32 } from '../../model/safetensors.ts';
import { localEngine } from '../../engine/local.ts';

const dir = fileURLToPath(new URL('../../public/models/gutenberg-4m/', import.meta.url));

/** cos(wte[id], wte[j]) for every j, in float64. */
function cosines(wte: Float32Array, V: number, C: number, id: number): Float64Array {
  const norm = (i: number) => {
    let s = 0;
    for (let c = 0; c < C; c++) s += wte[i * C + c] ** 2;
    return Math.sqrt(s);
  };
  const out = new Float64Array(V);
  const ni = norm(id);
  for (let j = 0; j < V; j++) {
    let dot = 0;
    for (let c = 0; c < C; c++) dot += wte[id * C + c] * wte[j * C + c];
    out[j] = dot / (ni * norm(j));
  }
  return out;
}

describe('nearest (the bundled model)', () => {
  const engine = localEngine();
  let wte: Float32Array;
  let V = 0;
  let C = 0;
  before(async () => {
    await engine.request({ type: 'load', source: { kind: 'url', url: dir, label: 'bundled' }, backend: 'wasm' });
    const st = parseSafetensors(await readFile(`${dir}model.safetensors`));
    const entry = st.tensors.get('wte.weight') ?? st.tensors.get('transformer.wte.weight');
    assert.ok(entry, 'the file has wte');
    [V, C] = entry.shape;
    wte = toFloat32(entry);
  });
  after(() => {
    engine.host.model?.dispose();
  });

  for (const id of [0, 262, 4095]) {
    it(`token ${id}: the 12 nearest rows of wte, as float64 cosines over the whole vocabulary rank them`, async () => {
      const res = await engine.request({ type: 'nearest', id, k: 12 });
      assert.equal(res.id, id);
      assert.equal(res.neighbours.length, 12);
      const cos = cosines(wte, V, C, id);
      const order = Array.from({ length: V }, (_, j) => j).filter((j) => j !== id).sort((a, b) => cos[b] - cos[a]);
      res.neighbours.forEach((n, r) => {
        assert.ok(Math.abs(n.cosine - cos[n.id]) < 1e-5, `${n.id}: ${n.cosine} vs ${cos[n.id]}`);
        // Ranks agree up to ties closer than float32 can tell apart.
        assert.ok(Math.abs(n.cosine - cos[order[r]]) < 1e-5, `rank ${r}: ${n.cosine} vs ${cos[order[r]]}`);
      });
      assert.ok(!res.neighbours.some((n) => n.id === id), 'the token itself is left out');
      const { tokenizer } = engine.host.model!;
      for (const n of res.neighbours) assert.equal(n.text, tokenizer.tokenPiece(n.id).text);
    });
  }

  it('keeps one tensor (the row lengths) across requests, and refuses an id outside the vocabulary', async () => {
    await engine.request({ type: 'nearest', id: 5, k: 3 });
    const before = tf.memory().numTensors;
    await engine.request({ type: 'nearest', id: 6, k: 3 });
    assert.equal(tf.memory().numTensors, before);
    await assert.rejects(engine.request({ type: 'nearest', id: V, k: 3 }), /token id/);
  });
});
