/**
 * The nearest tokens to a token in embedding space: the rows of wte that point most nearly the
 * same way as token `id`'s, by cosine similarity, over the whole vocabulary. The rows' lengths are
 * computed once per model and kept (V numbers, not a normalised copy of wte: that would double
 * the table's memory, 154 MB for GPT-2 124M); each query is one (1, C) × (C, V) product (about 20 ms
 * for GPT-2 124M on wasm; the lengths about 0.5 s once).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GPT2Weights } from './gpt2.ts';

/** One neighbour: a token id and the cosine of its row of wte with the query's. */
export interface Neighbour {
  id: number;
  cosine: number;
}

export class EmbeddingNeighbours {
  private inverse: tf.Tensor2D | null = null; // (1, V): 1 / |wte[i]| (0 for a zero row)

  constructor(private readonly w: Pick<GPT2Weights, 'wteT'>) {}

  /** The k tokens (other than `id`) whose rows of wte are nearest to row `id` by cosine, nearest first. */
  async nearest(id: number, k: number): Promise<Neighbour[]> {
    const [C, V] = this.w.wteT.shape;
    if (!Number.isInteger(id) || id < 0 || id >= V) throw new RangeError(`token id must be a whole number below ${V}, got ${id}`);
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a whole number ≥ 1, got ${k}`);
    const n = Math.min(k + 1, V);
    this.inverse ??= tf.tidy(() => {
      // Σ_c wte[i, c]² for every i as one product (1, C) × (C, V): on wasm a reduction down the columns of (C, V) is 2–4× slower.
      const norm = tf.sqrt(tf.matMul(tf.ones([1, C]), tf.square(this.w.wteT))); // (1, V)
      return tf.keep(tf.where(tf.greater(norm, 0), tf.div(1, norm), tf.zerosLike(norm)) as tf.Tensor2D);
    });
    const inverse = this.inverse;
    const { values, indices } = tf.tidy(() => {
      // Column id of wteT by gather, as the forward pass embeds: a strided slice of it takes seconds on wasm for GPT-2's (768, 50257).
      const row = tf.reshape(tf.gather(this.w.wteT, tf.tensor1d([id], 'int32'), 1), [1, C]); // wte[id] as (1, C)
      const cos = tf.mul(tf.mul(tf.matMul(row, this.w.wteT), inverse), tf.slice(inverse, [0, id], [1, 1])); // (1, V)
      return tf.topk(tf.reshape(cos, [V]), n);
    });
    try {
      const [vals, idx] = (await Promise.all([values.data(), indices.data()])) as [Float32Array, Int32Array];
      const out: Neighbour[] = [];
      for (let i = 0; i < idx.length && out.length < k; i++) if (idx[i] !== id) out.push({ id: idx[i], cosine: vals[i] });
      return out;
    } finally {
      tf.dispose([values, indices]);
    }
  }

  /** Free the kept lengths. */
  dispose(): void {
    this.inverse?.dispose();
    this.inverse = null;
  }
}
