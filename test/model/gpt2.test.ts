import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../model/backend.ts';
import { loadModelFiles } from '../../model/checkpoint.ts';
import { makeConfig, type GPT2Config } from '../../model/config.ts';
import { forward, forwardBatch, KVCache, type LayerTrace } from '../../model/gpt2.ts';
import { Model } from '../../model/model.ts';
import { Session } from '../../model/tick.ts';
import { referenceForward } from '../reference/gpt2-f64.ts';
import { writeRandomCheckpoint } from '../../train/random-checkpoint.ts';

const config: GPT2Config = makeConfig({ n_layer: 2, n_head: 4, n_embd: 32, n_positions: 64, vocab_size: 300 });
const ids = [5, 17, 290, 3, 3, 101, 64, 250, 12, 7, 299, 0];
let dir: string;

before(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'tokenclock-gpt2-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Largest |a - b| over all entries, and the largest |b| (the logit scale). */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): { diff: number; scale: number } {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return { diff, scale };
}

for (const dtype of ['F32', 'F16', 'BF16'] as const) {
  for (const prefix of [false, true]) {
    test(`logits match the float64 reference within 1e-4 of the logit scale (${dtype}${prefix ? ', transformer. prefix' : ''})`, async () => {
      const folder = join(dir, `${dtype}-${prefix}`);
      await writeRandomCheckpoint(folder, { config, dtype, prefix, seed: 7 });
      const files = await loadModelFiles(folder);
      const model = await Model.fromFiles(files);
      try {
        const cache = new KVCache(config.n_layer);
        const { logits } = await forward(config, model.weights, ids, cache, { allLogits: true });
        const got = (await logits.data()) as Float32Array;
        logits.dispose();
        cache.clear();
        const ref = referenceForward(config, files.params, ids);
        for (let t = 0; t < ids.length; t++) {
          const { diff, scale } = maxDiff(got.subarray(t * config.vocab_size, (t + 1) * config.vocab_size), ref.logits[t]);
          assert.ok(scale > 0.01, 'random logits should not be all zero');
          assert.ok(diff <= 1e-4 * scale, `position ${t}: max |Δ| ${diff} > 1e-4 × ${scale}`);
        }
      } finally {
        model.dispose();
      }
    });
  }
}

test('trace: attention weights, MLP activations and residual stream match the reference', async () => {
  const folder = join(dir, 'trace');
  await writeRandomCheckpoint(folder, { config, dtype: 'F32', seed: 3 });
  const files = await loadModelFiles(folder);
  const model = await Model.fromFiles(files);
  const ref = referenceForward(config, files.params, ids);
  const cache = new KVCache(config.n_layer);
  const { logits, trace } = await forward(config, model.weights, ids, cache, {
    trace: { embeddings: true, qkv: true, scores: true, attention: true, heads: true, mlp: true, residual: true, lens: 5, logits: true },
  });
  logits.dispose();
  cache.clear();
  model.dispose();
  assert.ok(trace);
  const T = ids.length;
  const H = config.n_head;
  assert.deepEqual(trace.embedding?.shape, [T, config.n_embd]);
  for (let l = 0; l < config.n_layer; l++) {
    const lt: LayerTrace = trace.layers[l];
    assert.deepEqual(lt.attention?.shape, [H, T, T]);
    for (let h = 0; h < H; h++) {
      for (let i = 0; i < T; i++) {
        const rowStart = (h * T + i) * T;
        let sum = 0;
        for (let j = 0; j < T; j++) {
          const a: number = lt.attention!.data[rowStart + j];
          sum += a;
          if (j > i) {
            assert.equal(a, 0, 'no attention to the future');
            assert.equal(lt.scaledMasked!.data[rowStart + j], -Infinity, 'masked score is -Infinity');
          } else {
            assert.ok(Math.abs(a - ref.attention[l][h][i][j]) < 1e-5, `attention l${l} h${h} (${i},${j})`);
            const hd = config.n_embd / H;
            assert.ok(Math.abs(lt.scaledMasked!.data[rowStart + j] - lt.scores!.data[rowStart + j] / Math.sqrt(hd)) < 1e-5);
          }
        }
        assert.ok(Math.abs(sum - 1) < 1e-5, 'softmax row sums to 1');
      }
    }
    for (let t = 0; t < T; t++) {
      const C = config.n_embd;
      const r = maxDiff(lt.residual!.data.subarray(t * C, (t + 1) * C), ref.residual[l][t]);
      assert.ok(r.diff <= 1e-4 * Math.max(1, r.scale), `residual l${l} t${t}: ${r.diff}`);
      const m = maxDiff(lt.mlp!.data.subarray(t * 4 * C, (t + 1) * 4 * C), ref.mlp[l][t]);
      assert.ok(m.diff <= 1e-4 * Math.max(1, m.scale), `mlp l${l} t${t}: ${m.diff}`);
    }
    assert.equal(lt.lens?.ids.length, T);
    assert.equal(lt.lens?.ids[0].length, 5);
  }
  // The last layer's logit lens is the model's own prediction.
  const last = trace.layers[config.n_layer - 1].lens!;
  const refLast = ref.logits[T - 1];
  let argmax = 0;
  for (let v = 1; v < refLast.length; v++) if (refLast[v] > refLast[argmax]) argmax = v;
  assert.equal(last.ids[T - 1][0], argmax);
});

test('KV-cache decode gives the logits of a full recompute (max |Δ| ≤ 1e-4)', async () => {
  const folder = join(dir, 'kv');
  await writeRandomCheckpoint(folder, { config, dtype: 'F32', seed: 11 });
  const model = await Model.load(folder);
  try {
    const cache = new KVCache(config.n_layer);
    const first = await forward(config, model.weights, ids.slice(0, 4), cache);
    first.logits.dispose();
    for (let n = 4; n < ids.length; n++) {
      const dec = await forward(config, model.weights, [ids[n]], cache);
      const viaCache = (await dec.logits.data()) as Float32Array;
      dec.logits.dispose();
      const fresh = new KVCache(config.n_layer);
      const full = await forward(config, model.weights, ids.slice(0, n + 1), fresh);
      const recomputed = (await full.logits.data()) as Float32Array;
      full.logits.dispose();
      fresh.clear();
      assert.equal(cache.length, n + 1);
      const { diff } = maxDiff(viaCache, recomputed);
      assert.ok(diff <= 1e-4, `position ${n}: max |Δ| = ${diff}`);
    }
    cache.clear();
  } finally {
    model.dispose();
  }
});

test('no leaks: tensor count after 200 ticks equals the count after 10', async () => {
  const folder = join(dir, 'leak');
  await writeRandomCheckpoint(folder, { config, dtype: 'F16', seed: 5 });
  const model = await Model.load(folder);
  const session = new Session(model, { prompt: '', seed: 1 });
  const counts: number[] = [];
  let n = 0;
  for await (const rec of session.run({ steps: 200, trace: n % 7 === 0 ? { attention: true, lens: true } : undefined })) {
    n++;
    assert.ok(rec.cacheLength <= config.n_positions);
    if (n === 10 || n === 200) counts.push(tf.memory().numTensors);
  }
  assert.equal(counts[1], counts[0]);
  session.dispose();
  model.dispose();
});

test('the context window slides when it reaches n_positions, and the tick says so', async () => {
  const small = makeConfig({ ...config, n_positions: 16 });
  const folder = join(dir, 'window');
  await writeRandomCheckpoint(folder, { config: small, dtype: 'F32', seed: 9 });
  const model = await Model.load(folder);
  const session = new Session(model, { prompt: '', seed: 3, sampling: { temperature: 1 } });
  const slides: number[] = [];
  for await (const rec of session.run({ steps: 40 })) {
    assert.ok(rec.cacheLength <= 16);
    if (rec.window) {
      slides.push(rec.index);
      assert.equal(rec.window.kept, 8);
      assert.equal(rec.kind, 'prefill');
      assert.equal(rec.position, 0);
    }
  }
  assert.ok(slides.length >= 2, `expected the window to slide, got ${slides}`);
  assert.equal(session.ids.length, 41);
  session.dispose();
  model.dispose();
});

test('weights never change: the checksum after 30 ticks equals the one taken at load', async () => {
  const folder = join(dir, 'checksum');
  await writeRandomCheckpoint(folder, { config, dtype: 'F32', seed: 2 });
  const model = await Model.load(folder);
  const session = new Session(model, { prompt: '', seed: 8 });
  for await (const rec of session.run({ steps: 30 })) assert.equal(rec.weightsChecksum, model.checksum);
  assert.equal(await model.verifyChecksum(), model.checksum);
  assert.match(model.checksum, /^[0-9a-f]{8}$/);
  session.dispose();
  model.dispose();
});

test('the same seed gives the same run; an untraced tick carries no trace', async () => {
  const folder = join(dir, 'seed');
  await writeRandomCheckpoint(folder, { config, dtype: 'F32', seed: 4 });
  const model = await Model.load(folder);
  const runIds = async (seed: number) => {
    const s = new Session(model, { prompt: '', seed, sampling: { temperature: 1.2, topK: 50, topP: 0.95 } });
    const out: number[] = [];
    for await (const rec of s.run({ steps: 20 })) {
      assert.equal(rec.trace, undefined);
      out.push(rec.id);
    }
    s.dispose();
    return out;
  };
  const a = await runIds(123);
  assert.deepEqual(await runIds(123), a);
  assert.notDeepEqual(await runIds(124), a);
  model.dispose();
});

test('re-drawing a past tick from its stored logits needs no forward pass and matches a fresh tick', async () => {
  const folder = join(dir, 'resample');
  await writeRandomCheckpoint(folder, { config, dtype: 'F32', seed: 6 });
  const model = await Model.load(folder);
  const s = new Session(model, { prompt: '', seed: 77, sampling: { temperature: 0.7 } });
  const rec = await s.tick();
  const again = Session.resample(rec, rec.sampling);
  assert.equal(again.id, rec.id);
  const before = tf.memory().numTensors;
  const greedy = Session.resample(rec, { temperature: 0, topK: 0, topP: 1 });
  assert.equal(tf.memory().numTensors, before, 'no tensors: no forward pass');
  assert.equal(greedy.rank, 0);
  s.dispose();
  model.dispose();
});

test('a long prefill run in chunks through the cache gives the same logits as one pass', async () => {
  const folder = join(dir, 'chunk');
  await writeRandomCheckpoint(folder, { config, dtype: 'F32', seed: 12 });
  const model = await Model.load(folder);
  const one = new KVCache(config.n_layer);
  const a = await forward(config, model.weights, ids, one, { allLogits: true });
  const chunked = new KVCache(config.n_layer);
  const b = await forward(config, model.weights, ids, chunked, { allLogits: true, prefillChunk: 5 });
  assert.deepEqual(b.logits.shape, a.logits.shape);
  const { diff } = maxDiff((await b.logits.data()) as Float32Array, (await a.logits.data()) as Float32Array);
  assert.ok(diff <= 1e-4, `max |Δ| = ${diff}`);
  assert.equal(chunked.length, ids.length);
  const before = tf.memory().numTensors;
  const c = await forward(config, model.weights, [1, 2, 3, 4, 5, 6, 7], chunked, { prefillChunk: 3 });
  assert.deepEqual(c.logits.shape, [1, config.vocab_size]);
  c.logits.dispose();
  assert.equal(tf.memory().numTensors, before, 'chunking leaks nothing');
  for (const t of [a.logits, b.logits]) t.dispose();
  one.clear();
  chunked.clear();
  model.dispose();
});

test('the tick loop is cancellable: aborting stops before the next tick, the session stays usable', async () => {
  const folder = join(dir, 'abort');
  await writeRandomCheckpoint(folder, { config, dtype: 'F32', seed: 13 });
  const model = await Model.load(folder);
  const s = new Session(model, { prompt: '', seed: 1 });
  const ac = new AbortController();
  const seen: number[] = [];
  for await (const rec of s.run({ steps: 50, signal: ac.signal })) {
    seen.push(rec.index);
    assert.ok(rec.ms.forward > 0 && rec.ms.total >= rec.ms.forward);
    assert.ok(rec.flops > 0);
    if (seen.length === 3) ac.abort();
  }
  assert.deepEqual(seen, [0, 1, 2]);
  const next = await s.tick();
  assert.equal(next.index, 3);
  assert.equal(next.kind, 'decode');
  assert.equal(next.cacheLength, 4);
  s.dispose();
  model.dispose();
});

test('forwardBatch (the training forward) gives every position of every sequence the reference logits', async () => {
  const folder = join(dir, 'batch');
  await writeRandomCheckpoint(folder, { config, dtype: 'F32', seed: 21 });
  const files = await loadModelFiles(folder);
  const model = await Model.fromFiles(files);
  const seqs = [ids.slice(0, 8), ids.slice(4, 12)];
  const logits = tf.tidy(() => forwardBatch(config, model.weights, tf.tensor2d(seqs, [2, 8], 'int32')));
  const got = (await logits.data()) as Float32Array;
  logits.dispose();
  seqs.forEach((seq, b) => {
    const ref = referenceForward(config, files.params, seq);
    for (let t = 0; t < 8; t++) {
      const row = got.subarray((b * 8 + t) * config.vocab_size, (b * 8 + t + 1) * config.vocab_size);
      const { diff, scale } = maxDiff(row, ref.logits[t]);
      assert.ok(diff <= 1e-4 * scale, `sequence ${b} position ${t}: ${diff}`);
    }
  });
  model.dispose();
});

test('forward refuses token ids outside the vocabulary and leaves the cache as it was', async () => {
  const folder = join(dir, 'badids');
  await writeRandomCheckpoint(folder, { config, dtype: 'F32', seed: 31 });
  const model = await Model.load(folder);
  const cache = new KVCache(config.n_layer);
  const ok = await forward(config, model.weights, [1, 2], cache);
  ok.logits.dispose();
  const before = tf.memory().numTensors;
  await assert.rejects(forward(config, model.weights, [config.vocab_size], cache), /token id 300 is outside the vocabulary \(0\.\.299\)/);
  await assert.rejects(forward(config, model.weights, [1.5], cache), /outside the vocabulary/);
  await assert.rejects(forward(config, model.weights, [], cache), /at least one token/);
  assert.equal(cache.length, 2);
  assert.equal(tf.memory().numTensors, before);
  cache.clear();
  model.dispose();
});

test('a switched-off head outputs exactly zero, and the rest of the pass equals the reference with that head zeroed', async () => {
  const folder = join(dir, 'headmask');
  await writeRandomCheckpoint(folder, { config, dtype: 'F32', seed: 5 });
  const files = await loadModelFiles(folder);
  const model = await Model.fromFiles(files);
  const heads: [number, number][] = [[0, 2], [1, 1]];
  const ref = referenceForward(config, files.params, ids, { heads });
  const plain = referenceForward(config, files.params, ids);
  const before = tf.memory().numTensors;
  const run = async (slice: number[], cache: KVCache) => forward(config, model.weights, slice, cache, {
    trace: { heads: true, residual: true, attention: true }, allLogits: true, intervention: { heads },
  });
  const cache = new KVCache(config.n_layer);
  const { logits, trace } = await run(ids, cache);
  const got = (await logits.data()) as Float32Array;
  logits.dispose();
  // A decode tick (one row: the engine's blockRow) through the same cache.
  const dec = await run([ids[3]], cache);
  dec.logits.dispose();
  cache.clear();
  assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
  model.dispose();
  const T = ids.length;
  const C = config.n_embd;
  const hd = C / config.n_head;
  for (const tr of [trace!, dec.trace!]) {
    const t = tr.tokens.length;
    for (const [l, h] of heads) {
      const out = tr.layers[l].heads!.data.subarray(h * t * hd, (h + 1) * t * hd);
      assert.ok(out.every((v) => v === 0), `layer ${l} head ${h}: every output number is 0`);
      const other = tr.layers[l].heads!.data.subarray(((h + 1) % config.n_head) * t * hd, (((h + 1) % config.n_head) + 1) * t * hd);
      assert.ok(other.some((v) => v !== 0), 'the other heads still work');
    }
  }
  for (let l = 0; l < config.n_layer; l++) {
    for (let t = 0; t < T; t++) {
      const r = maxDiff(trace!.layers[l].residual!.data.subarray(t * C, (t + 1) * C), ref.residual[l][t]);
      assert.ok(r.diff <= 1e-4 * Math.max(1, r.scale), `residual l${l} t${t}: ${r.diff}`);
    }
  }
  let changed = 0;
  for (let t = 0; t < T; t++) {
    const { diff, scale } = maxDiff(got.subarray(t * config.vocab_size, (t + 1) * config.vocab_size), ref.logits[t]);
    assert.ok(diff <= 1e-4 * scale, `position ${t}: max |Δ| ${diff} > 1e-4 × ${scale}`);
    changed = Math.max(changed, maxDiff(ref.logits[t], plain.logits[t]).diff);
  }
  assert.ok(changed > 1e-3, `switching the heads off changes the logits (max |Δ| ${changed})`);
});

test('a skipped block adds nothing: its residual out equals its residual in, and the pass equals the reference', async () => {
  const folder = join(dir, 'skip');
  await writeRandomCheckpoint(folder, { config, dtype: 'F32', seed: 9 });
  const files = await loadModelFiles(folder);
  const model = await Model.fromFiles(files);
  for (const skip of [0, 1]) {
    const ref = referenceForward(config, files.params, ids, { skipBlocks: [skip] });
    const cache = new KVCache(config.n_layer);
    const { logits, trace } = await forward(config, model.weights, ids, cache, {
      trace: { embeddings: true, residual: true }, allLogits: true, intervention: { skipBlocks: [skip] },
    });
    const got = (await logits.data()) as Float32Array;
    logits.dispose();
    cache.clear();
    const into = skip === 0 ? trace!.embedding! : trace!.layers[skip - 1].residual!;
    assert.deepEqual(trace!.layers[skip].residual!.data, into.data, `block ${skip}: out equals in, bit for bit`);
    for (let t = 0; t < ids.length; t++) {
      const { diff, scale } = maxDiff(got.subarray(t * config.vocab_size, (t + 1) * config.vocab_size), ref.logits[t]);
      assert.ok(diff <= 1e-4 * scale, `skip ${skip}, position ${t}: max |Δ| ${diff} > 1e-4 × ${scale}`);
    }
  }
  await assert.rejects(forward(config, model.weights, [1], new KVCache(config.n_layer), { intervention: { heads: [[0, config.n_head]] } }), /switched-off head/);
  await assert.rejects(forward(config, model.weights, [1], new KVCache(config.n_layer), { intervention: { skipBlocks: [config.n_layer] } }), /skipped block/);
  model.dispose();
});
