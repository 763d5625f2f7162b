import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../model/backend.ts';
import { makeConfig } from '../../model/config.ts';
import { Tokenizer } from '../../model/tokenizer.ts';
import { trainBPE } from '../../train/bpe.ts';
import { crossEntropy, product } from '../../train/ops.ts';
import { runTraining } from '../../train/run.ts';
import { batchOffsets, DEFAULT_TRAIN, learningRate, type TrainConfig } from '../../train/trainer.ts';

const text = `Alice was beginning to get very tired of sitting by her sister on the bank, and of having nothing to do.
Once or twice she had peeped into the book her sister was reading, but it had no pictures or conversations in it.
"And what is the use of a book," thought Alice, "without pictures or conversations?"
So she was considering in her own mind whether the pleasure of making a daisy-chain would be worth the trouble.
`.repeat(6);
const config = makeConfig({ n_layer: 2, n_head: 2, n_embd: 32, n_positions: 32, vocab_size: 300 });
const train: TrainConfig = { ...DEFAULT_TRAIN, steps: 40, batch: 4, ctx: 16, lr: 1e-2, minLr: 1e-3, warmup: 5, evalEvery: 10, seed: 7 };
let dir: string;
let tokenizer: Tokenizer;
let ids: Int32Array;

before(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'tokenclock-train-'));
  const bpe = trainBPE(text, { vocabSize: 300 });
  tokenizer = Tokenizer.fromFiles(bpe.vocabJson, bpe.mergesTxt);
  ids = Int32Array.from(tokenizer.encode(text));
});
after(() => rm(dir, { recursive: true, force: true }));

test('cross-entropy equals its definition, log Σ exp − picked logit', () => {
  const logits = tf.tensor2d([[1, 2, 3], [0, 0, 5]]);
  const targets = tf.tensor1d([2, 0], 'int32');
  const expected = (Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3 + (Math.log(2 + Math.exp(5)) - 0)) / 2;
  assert.ok(Math.abs(crossEntropy(logits, targets).dataSync()[0] - expected) < 1e-5);
  logits.dispose();
  targets.dispose();
});

test('the head-by-head batched product equals tf.matMul', () => {
  const a = tf.randomNormal([6, 5, 4], 0, 1, 'float32', 1);
  const b = tf.randomNormal([6, 4, 3], 0, 1, 'float32', 2);
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(product(a, b), tf.matMul(a, b)))).dataSync()[0]);
  assert.ok(diff < 1e-5, `max |Δ| ${diff}`);
  a.dispose();
  b.dispose();
});

test('learning rate warms up linearly, then decays by cosine to minLr', () => {
  assert.ok(Math.abs(learningRate(train, 0) - train.lr / 5) < 1e-12);
  assert.ok(Math.abs(learningRate(train, 4) - train.lr) < 1e-12);
  assert.ok(Math.abs(learningRate(train, train.steps) - train.minLr) < 1e-12);
  assert.ok(learningRate(train, 20) < learningRate(train, 10));
});

test('batches depend only on (seed, step)', () => {
  assert.deepEqual(batchOffsets(train, 3, 1000), batchOffsets(train, 3, 1000));
  assert.notDeepEqual(batchOffsets(train, 3, 1000), batchOffsets(train, 4, 1000));
  for (const o of batchOffsets(train, 9, 100)) assert.ok(o >= 0 && o <= 100 - train.ctx - 1);
});

test('a tiny model trains: the loss falls, weights change, the log and checkpoint are written', async () => {
  const t = await runTraining({ out: join(dir, 'a'), config, train, trainIds: ids, valIds: ids, tokenizer, quiet: true });
  const first = t.state.log.slice(0, 5).reduce((a, s) => a + s.loss, 0) / 5;
  const last = t.state.log.slice(-5).reduce((a, s) => a + s.loss, 0) / 5;
  assert.ok(last < first - 1, `loss fell from ${first} to ${last}`);
  assert.equal(t.state.evals.length, 4);
  assert.ok(t.state.evals[3].loss < t.state.evals[0].loss);
  assert.ok(t.state.evals[3].bitsPerByte > 0);
  t.dispose();
});

test('resuming from a checkpoint continues bit for bit like an uninterrupted run (one worker; parallel.test.ts resumes two)', async () => {
  const full = await runTraining({ out: join(dir, 'full'), config, train: { ...train, steps: 20 }, trainIds: ids, valIds: ids, tokenizer, quiet: true, workers: 1 });
  const fullParams = await full.params();
  const fullLog = full.state.log.map((s) => s.loss);
  full.dispose();
  const part = await runTraining({ out: join(dir, 'part'), config, train: { ...train, steps: 20 }, trainIds: ids, valIds: ids, tokenizer, quiet: true, workers: 1, stopAfter: 7 });
  assert.equal(part.state.step, 7);
  part.dispose();
  const resumed = await runTraining({ out: join(dir, 'part'), config, train: { ...train, steps: 20 }, trainIds: ids, valIds: ids, tokenizer, quiet: true, workers: 1 });
  assert.equal(resumed.state.step, 20);
  assert.deepEqual(resumed.state.log.map((s) => s.loss), fullLog);
  const got = await resumed.params();
  for (const [name, p] of fullParams) assert.deepEqual(got.get(name)!.data, p.data, name);
  resumed.dispose();
});

test('hand-written gradients (TRAINING_OPS, closed-form cross-entropy) equal tfjs autodiff', async () => {
  // tfjs's own gradients need gather's UnsortedSegmentSum, which only the cpu backend has.
  await initBackend('cpu');
  try {
    const { registerGradients, TRAINING_OPS } = await import('../../train/ops.ts');
    const { forwardBatch, INFERENCE_OPS, namedWeights, uploadWeights } = await import('../../model/gpt2.ts');
    const { randomParams } = await import('../../train/random-checkpoint.ts');
    await registerGradients();
    const cfg = makeConfig({ n_layer: 2, n_head: 2, n_embd: 16, n_positions: 8, vocab_size: 40 });
    const w = uploadWeights(cfg, randomParams(cfg, 3), { trainable: true });
    const x = tf.tensor2d([[1, 5, 9, 2, 2, 7], [3, 3, 0, 39, 12, 4]], [2, 6], 'int32');
    const y = tf.tensor1d([5, 9, 2, 2, 7, 1, 3, 0, 39, 12, 4, 8], 'int32');
    const autodiff = tf.variableGrads(() => {
      const logits = forwardBatch(cfg, w, x, INFERENCE_OPS);
      const picked = tf.sum(tf.mul(logits, tf.cast(tf.oneHot(y, cfg.vocab_size), 'float32')), 1);
      return tf.mean(tf.sub(tf.logSumExp(logits, 1), picked)) as tf.Scalar;
    });
    const ours = tf.variableGrads(() => crossEntropy(forwardBatch(cfg, w, x, TRAINING_OPS), y));
    assert.ok(Math.abs(autodiff.value.dataSync()[0] - ours.value.dataSync()[0]) < 1e-5);
    for (const [name, v] of namedWeights(w)) {
      const a = autodiff.grads[(v as tf.Variable).name].dataSync();
      const b = ours.grads[(v as tf.Variable).name].dataSync();
      let diff = 0;
      let scale = 0;
      for (let i = 0; i < a.length; i++) {
        diff = Math.max(diff, Math.abs(a[i] - b[i]));
        scale = Math.max(scale, Math.abs(a[i]));
      }
      assert.ok(scale > 0, `${name}: zero gradient`);
      assert.ok(diff <= 1e-4 * scale + 1e-7, `${name}: max |Δ| ${diff} (scale ${scale})`);
    }
  } finally {
    await initBackend('wasm');
  }
});

for (const workers of [1, 2]) test(`a training step leaks no tensors (${workers} worker${workers > 1 ? 's' : ''})`, async () => {
  const { Trainer } = await import('../../train/trainer.ts');
  const t = new Trainer(config, { ...train, steps: 30 }, undefined, { workers });
  for (let i = 0; i < 3; i++) await t.step(ids);
  const after3 = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) await t.step(ids);
  assert.equal(tf.memory().numTensors, after3);
  await t.evaluate(ids, (id) => tokenizer.tokenBytes(id).length);
  assert.equal(tf.memory().numTensors, after3);
  t.dispose();
});
