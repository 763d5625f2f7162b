import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../model/backend.ts';
import { makeConfig } from '../../model/config.ts';
import { forward, KVCache, logitLens } from '../../model/gpt2.ts';
import { Model } from '../../model/model.ts';
import { LENS_ROWS, NO_TRACE, TraceRecorder, type AttentionParts, type Recorder } from '../../model/trace.ts';
import { makeByteVocab, randomParams } from '../../train/random-checkpoint.ts';

before(async () => {
  await initBackend('wasm');
});

const H = 2;
const T = 3;
const hd = 4;
const C = H * hd;

/** Report one layer to `rec` the way the forward pass does: inside a tidy, so only kept copies survive. */
function reportLayer(rec: Recorder, layer: number): void {
  tf.tidy(() => {
    const t3 = (shape: [number, number, number]) => tf.randomNormal(shape) as tf.Tensor3D;
    const a: AttentionParts = {
      q: t3([H, T, hd]), k: t3([H, T, hd]), v: t3([H, T, hd]),
      scores: t3([H, T, T]), scaled: t3([H, T, T]), weights: t3([H, T, T]), heads: t3([H, T, hd]),
    };
    rec.attention(layer, a);
    rec.mlp(layer, tf.randomNormal([T, 4 * C]), tf.randomNormal([T, 4 * C]));
    rec.block(layer, tf.randomNormal([T, C]));
  });
}

/** A stand-in logit lens: the top k of the residual stream itself. */
const lens = (x: tf.Tensor2D, k: number) => tf.topk(x, Math.min(k, x.shape[1]));

test('a TraceRecorder keeps only the items and layers asked for, and frees every kept tensor once read', async () => {
  const before = tf.memory().numTensors;
  const rec = new TraceRecorder({ qkv: true, mlp: true, lens: 2, layers: [1, 7] }, { start: 5, tokens: [1, 2, 3], nLayer: 2 }, lens);
  tf.tidy(() => rec.embeddings(tf.zeros([T, C]), tf.zeros([T, C]), tf.zeros([T, C])));
  reportLayer(rec, 0);
  reportLayer(rec, 1);
  tf.tidy(() => rec.logits(tf.zeros([T, 10])));
  assert.ok(tf.memory().numTensors > before, 'recorded tensors outlive the tidies they were made in');
  const trace = await rec.read();
  assert.equal(tf.memory().numTensors, before);
  assert.equal(trace.start, 5);
  assert.deepEqual(trace.tokens, [1, 2, 3]);
  assert.equal(trace.embedding, undefined);
  assert.equal(trace.logits, undefined);
  assert.deepEqual(trace.layers.map((l) => l.layer), [1], 'only layers that exist and were asked for');
  const lt = trace.layers[0];
  assert.deepEqual(Object.keys(lt), ['layer', 'q', 'k', 'v', 'mlpIn', 'mlp', 'lens']);
  assert.deepEqual(lt.k?.shape, [H, T, hd], 'keys are shown like q and v, not transposed');
  assert.equal(lt.lens?.ids.length, T);
  assert.equal(lt.lens?.ids[0].length, 2);
});

test('attentionEveryLayer: the weights of every layer, the other items only at the layers asked for', async () => {
  const before = tf.memory().numTensors;
  const rec = new TraceRecorder({ qkv: true, heads: true, mlp: true, lens: 2, layers: [1], attentionEveryLayer: true }, { start: 0, tokens: [1, 2, 3], nLayer: 3 }, lens);
  for (const l of [0, 1, 2]) reportLayer(rec, l);
  const trace = await rec.read();
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(trace.layers.map((l) => [l.layer, Object.keys(l)]), [
    [0, ['layer', 'attention']],
    [1, ['layer', 'q', 'k', 'v', 'attention', 'heads', 'mlpIn', 'mlp', 'lens']],
    [2, ['layer', 'attention']],
  ]);
  assert.deepEqual(trace.layers[0].attention?.shape, [H, T, T]);
});

test('a TraceRecorder of a failed pass frees what it kept when disposed', () => {
  const before = tf.memory().numTensors;
  const rec = new TraceRecorder({ embeddings: true, attention: true, residual: true, lens: true }, { start: 0, tokens: [1, 2, 3], nLayer: 1 }, lens);
  tf.tidy(() => rec.embeddings(tf.zeros([T, C]), tf.zeros([T, C]), tf.zeros([T, C])));
  reportLayer(rec, 0);
  rec.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('NO_TRACE keeps nothing', () => {
  const before = tf.memory().numTensors;
  reportLayer(NO_TRACE, 0);
  assert.equal(tf.memory().numTensors, before);
});

test('tracing does not change the arithmetic: a fully traced tick returns the untraced logits bit for bit', async () => {
  const config = makeConfig({ n_layer: 2, n_head: 2, n_embd: 16, n_positions: 32, vocab_size: 300 });
  const model = await Model.fromFiles({ config, params: randomParams(config, 4), ...makeByteVocab(config.vocab_size), dtype: 'F32', bytes: 0 });
  const ids = [3, 14, 15, 9, 26, 5];
  const run = async (trace?: object) => {
    const cache = new KVCache(config.n_layer);
    const r = await forward(config, model.weights, ids, cache, { trace });
    const logits = (await r.logits.data()) as Float32Array;
    r.logits.dispose();
    cache.clear();
    return { logits, trace: r.trace };
  };
  try {
    const plain = await run();
    assert.equal(plain.trace, undefined);
    const before = tf.memory().numTensors;
    const traced = await run({ embeddings: true, qkv: true, scores: true, attention: true, heads: true, mlp: true, residual: true, lens: 3 });
    assert.equal(tf.memory().numTensors, before, 'a traced tick leaks nothing');
    assert.deepEqual(traced.logits, plain.logits);
    // The last layer's logit lens is the model's own prediction.
    const last = traced.trace!.layers[config.n_layer - 1].lens!.ids[ids.length - 1][0];
    assert.equal(last, plain.logits.indexOf(Math.max(...plain.logits)));
  } finally {
    model.dispose();
  }
});

test('norm and adds record ln_1 (its output equals a float64 LayerNorm of the stream entering the block, with the weights’ γ and β) and what attention and the MLP add (the stream before plus both is the stream after), for a prefill and a decode tick', async () => {
  const config = makeConfig({ n_layer: 2, n_head: 2, n_embd: 16, n_positions: 32, vocab_size: 300 });
  const params = randomParams(config, 5);
  const model = await Model.fromFiles({ config, params, ...makeByteVocab(config.vocab_size), dtype: 'F32', bytes: 0 });
  const C = config.n_embd;
  const cache = new KVCache(config.n_layer);
  try {
    for (const ids of [[3, 14, 15, 9], [26]]) {
      const before = tf.memory().numTensors;
      const r = await forward(config, model.weights, ids, cache, { trace: { embeddings: true, residual: true, norm: true, adds: true } });
      r.logits.dispose();
      assert.equal(tf.memory().numTensors, before + (ids.length === 4 ? 2 * config.n_layer : 0), 'only the cache grows');
      const tr = r.trace!;
      for (const lt of tr.layers) {
        const input = lt.layer === 0 ? tr.embedding!.data : tr.layers[lt.layer - 1].residual!.data;
        const g = params.get(`h.${lt.layer}.ln_1.weight`)!.data;
        const b = params.get(`h.${lt.layer}.ln_1.bias`)!.data;
        assert.deepEqual(Array.from(lt.ln1Gamma!.data), Array.from(g));
        assert.deepEqual(Array.from(lt.ln1Beta!.data), Array.from(b));
        assert.deepEqual(lt.ln1!.shape, [ids.length, C]);
        for (let t = 0; t < ids.length; t++) {
          const x = Array.from(input.subarray(t * C, (t + 1) * C));
          const mean = x.reduce((a, v) => a + v, 0) / C;
          const variance = x.reduce((a, v) => a + (v - mean) ** 2, 0) / C;
          for (let i = 0; i < C; i++) {
            const want = ((x[i] - mean) / Math.sqrt(variance + config.layer_norm_epsilon)) * g[i] + b[i];
            assert.ok(Math.abs(lt.ln1!.data[t * C + i] - want) < 1e-4, `ln_1 layer ${lt.layer} t ${t} i ${i}`);
            const sum = x[i] + lt.attnOut!.data[t * C + i] + lt.mlpOut!.data[t * C + i];
            assert.ok(Math.abs(lt.residual!.data[t * C + i] - sum) < 1e-4, `x + attn + mlp = residual, layer ${lt.layer}`);
          }
        }
      }
    }
  } finally {
    cache.clear();
    model.dispose();
  }
});

test('lateTrace: the logits come with readTrace in place of the trace; reading it gives what an eager pass gives, lens included, and frees what the pass kept', async () => {
  const config = makeConfig({ n_layer: 2, n_head: 2, n_embd: 16, n_positions: 32, vocab_size: 300 });
  const model = await Model.fromFiles({ config, params: randomParams(config, 6), ...makeByteVocab(config.vocab_size), dtype: 'F32', bytes: 0 });
  const opts = { embeddings: true, attention: true, residual: true, mlp: true, lens: 4 };
  const cacheA = new KVCache(config.n_layer);
  const cacheB = new KVCache(config.n_layer);
  try {
    for (const ids of [[3, 14, 15, 9], [26], [5]]) {
      const eager = await forward(config, model.weights, ids, cacheA, { trace: opts });
      const eagerLogits = await eager.logits.data();
      eager.logits.dispose();
      const before = tf.memory().numTensors;
      const late = await forward(config, model.weights, ids, cacheB, { trace: opts, lateTrace: true });
      assert.equal(late.trace, undefined);
      assert.equal(typeof late.readTrace, 'function');
      assert.deepEqual(await late.logits.data(), eagerLogits);
      late.logits.dispose();
      assert.ok(tf.memory().numTensors > before, 'what the trace needs is kept until it is read');
      const trace = await late.readTrace!();
      assert.equal(tf.memory().numTensors, before + (ids.length === 4 ? 2 * config.n_layer : 0), 'only the cache grows');
      assert.deepEqual(trace, eager.trace);
      assert.equal(trace.layers[1].lens?.ids.length, ids.length);
    }
    // Untraced, lateTrace changes nothing: no readTrace to call.
    const plain = await forward(config, model.weights, [7], cacheB, { lateTrace: true });
    plain.logits.dispose();
    assert.equal(plain.readTrace, undefined);
  } finally {
    cacheA.clear();
    cacheB.clear();
    model.dispose();
  }
});

test('the lens of every layer, read in stacks of LENS_ROWS rows, equals each layer\'s own stream through logitLens', async () => {
  const config = makeConfig({ n_layer: 3, n_head: 2, n_embd: 16, n_positions: 64, vocab_size: 300 });
  const model = await Model.fromFiles({ config, params: randomParams(config, 7), ...makeByteVocab(config.vocab_size), dtype: 'F32', bytes: 0 });
  const ids = Array.from({ length: 30 }, (_, i) => (i * 37) % 300); // 3 layers × 30 positions: 90 rows, over LENS_ROWS
  assert.ok(ids.length * config.n_layer > LENS_ROWS);
  const cache = new KVCache(config.n_layer);
  try {
    const r = await forward(config, model.weights, ids, cache, { trace: { residual: true, lens: 4 } });
    r.logits.dispose();
    for (const lt of r.trace!.layers) {
      const x = tf.tensor2d(lt.residual!.data, lt.residual!.shape as [number, number]);
      const { values, indices } = logitLens(model.weights, x, 4);
      const [vals, idx] = [await values.data(), await indices.data()];
      tf.dispose([x, values, indices]);
      for (let t = 0; t < ids.length; t++) {
        assert.deepEqual(Array.from(lt.lens!.ids[t]), Array.from(idx.slice(t * 4, t * 4 + 4)), `layer ${lt.layer}, position ${t}`);
        for (let j = 0; j < 4; j++) assert.ok(Math.abs(lt.lens!.probs[t][j] - vals[t * 4 + j]) < 1e-6);
      }
    }
  } finally {
    cache.clear();
    model.dispose();
  }
});
