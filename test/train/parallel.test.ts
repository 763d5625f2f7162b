// Data-parallel training (train/parallel.ts): N worker threads against the one-thread step, on a
// tiny model with real tfjs (wasm), a few steps each.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../model/backend.ts';
import { makeConfig } from '../../model/config.ts';
import { Tokenizer } from '../../model/tokenizer.ts';
import { trainBPE } from '../../train/bpe.ts';
import { shareBounds, weightedSum } from '../../train/parallel.ts';
import { runTraining } from '../../train/run.ts';
import { DEFAULT_TRAIN, resolveWorkers, Trainer, type TrainConfig } from '../../train/trainer.ts';

const text = `The Mouse gave a sudden leap out of the water, and seemed to quiver all over with fright.
"I beg your pardon!" cried Alice hastily, afraid that she had hurt the poor animal's feelings.
`.repeat(10);
const config = makeConfig({ n_layer: 2, n_head: 2, n_embd: 32, n_positions: 32, vocab_size: 300 });
const train: TrainConfig = { ...DEFAULT_TRAIN, steps: 40, batch: 4, ctx: 16, lr: 1e-2, minLr: 1e-3, warmup: 3, evalEvery: 10, seed: 11 };
let dir: string;
let tokenizer: Tokenizer;
let ids: Int32Array;

before(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'tokenclock-parallel-'));
  const bpe = trainBPE(text, { vocabSize: 300 });
  tokenizer = Tokenizer.fromFiles(bpe.vocabJson, bpe.mergesTxt);
  ids = Int32Array.from(tokenizer.encode(text));
});
after(() => rm(dir, { recursive: true, force: true }));

async function run(batch: number, workers: number, steps: number) {
  const t = new Trainer(config, { ...train, batch }, undefined, { workers });
  for (let i = 0; i < steps; i++) await t.step(ids);
  const out = { log: t.state.log, weights: t.flatWeights(), replicas: await t.workerWeights(), workers: await t.workers() };
  t.dispose();
  return out;
}

// Tolerance. The two runs differ only in summation order: one thread sums each weight's gradient
// over all B·T positions inside its matrix products; two threads each sum their share and the
// shares are added (weighted n_k / B). That is float32 rounding, ~1e-7 relative: losses agree to
// 1e-5 relative (measured ≤ 3e-7), gradient norms to 1e-4 (measured ≤ 4e-6). Weights get a looser bound: AdamW divides by √v, so where
// an element's gradient is near zero a rounding-sized difference can move it by a fraction of the
// learning rate (measured: ≤ 1.2e-4 at lr 1e-2 after 5 steps, in 9 of 36,096 weights).
for (const batch of [4, 5]) {
  const shares = shareBounds(batch, 2);
  test(`two workers equal one worker to float tolerance (batch ${batch}: shares of ${shares[1] - shares[0]} and ${shares[2] - shares[1]} windows)`, async () => {
    const steps = 5;
    const one = await run(batch, 1, steps);
    const two = await run(batch, 2, steps);
    assert.equal(one.workers, 1);
    assert.equal(two.workers, 2);
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(a);
    for (let s = 0; s < steps; s++) {
      assert.ok(rel(one.log[s].loss, two.log[s].loss) < 1e-5, `step ${s + 1} loss ${one.log[s].loss} vs ${two.log[s].loss}`);
      assert.ok(rel(one.log[s].gradNorm, two.log[s].gradNorm) < 1e-4, `step ${s + 1} gradient norm ${one.log[s].gradNorm} vs ${two.log[s].gradNorm}`);
    }
    let max = 0;
    let over = 0;
    for (let i = 0; i < one.weights.length; i++) {
      const d = Math.abs(one.weights[i] - two.weights[i]);
      max = Math.max(max, d);
      if (d > 1e-5) over++;
    }
    assert.ok(max < 0.1 * train.lr, `max |Δweight| ${max}`);
    assert.ok(over < one.weights.length / 1000, `${over} of ${one.weights.length} weights differ by more than 1e-5`);
    // Every thread applied the same update to the same bits: the worker's copy is rank 0's.
    assert.equal(two.replicas.length, 1);
    assert.deepEqual(two.replicas[0], two.weights);
  });
}

test('the batch splits into contiguous shares that differ by at most one window', () => {
  assert.deepEqual(shareBounds(8, 2), [0, 4, 8]);
  assert.deepEqual(shareBounds(5, 2), [0, 2, 5]);
  assert.deepEqual(shareBounds(7, 3), [0, 2, 4, 7]);
});

test('the shares\' gradients are summed weighted by their share of the batch, with the squared norm', () => {
  const a = Float32Array.from([1, -2, 0.5]);
  const b = Float32Array.from([3, 2, 0.25]);
  const two = new Float32Array(3);
  assert.equal(weightedSum([a, b], [0.4, 0.6], two), two.reduce((s, g) => s + g * g, 0));
  assert.deepEqual(two, Float32Array.from([0.4 + 1.8, -0.8 + 1.2, 0.2 + 0.15]));
  const three = new Float32Array(3);
  weightedSum([a, b, Float32Array.from([9, 9, 9])], [0.4, 0.6, 0], three); // the general loop agrees with the two-share one
  assert.deepEqual(three, two);
});

test('workers: the machine\'s cores by default, never more than the batch, refused when not a whole number ≥ 1', async () => {
  const { availableParallelism } = await import('node:os');
  assert.equal(await resolveWorkers(undefined, 64), Math.min(64, availableParallelism()));
  assert.equal(await resolveWorkers(8, 3), 3);
  assert.equal(await resolveWorkers(1, 8), 1);
  await assert.rejects(resolveWorkers(0, 8), /workers must be a whole number ≥ 1, got 0/);
  await assert.rejects(resolveWorkers(1.5, 8), /workers must be a whole number ≥ 1, got 1.5/);
});

test('a failing worker rejects the step with its message, the trainer refuses to go on, and every thread ends', () => {
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'worker-failure.ts')], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(child.signal, null, 'the process did not exit by itself (a worker thread kept it alive)');
  assert.equal(child.status, 0, child.stderr);
  const out = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { seen: string[]; step: number };
  assert.equal(out.seen[0], 'trainer worker 1 failed: GatherV2: the index value 50 is not in [0, 49]');
  assert.match(out.seen[1], /^this trainer's worker pool failed \(trainer worker 1 failed: GatherV2.*\); load the last checkpoint to continue$/);
  assert.equal(out.step, 0);
});

test('a resumed two-worker run equals an uninterrupted one bit for bit', async () => {
  const opts = { config, train: { ...train, steps: 12, evalEvery: 4 }, trainIds: ids, valIds: ids, tokenizer, quiet: true, workers: 2 };
  const full = await runTraining({ ...opts, out: join(dir, 'full') });
  assert.equal(await full.workers(), 2);
  const fullParams = await full.params();
  const fullLog = full.state.log.map((s) => [s.loss, s.gradNorm]);
  full.dispose();
  const part = await runTraining({ ...opts, out: join(dir, 'part'), stopAfter: 5 });
  assert.equal(part.state.step, 5);
  part.dispose();
  const resumed = await runTraining({ ...opts, out: join(dir, 'part') });
  assert.equal(resumed.state.step, 12);
  assert.deepEqual(resumed.state.log.map((s) => [s.loss, s.gradNorm]), fullLog);
  const got = await resumed.params();
  for (const [name, p] of fullParams) assert.deepEqual(got.get(name)!.data, p.data, name);
  assert.deepEqual((await resumed.workerWeights())[0], resumed.flatWeights());
  resumed.dispose();
});
