/**
 * Training the engine's own GPT-2 (model/gpt2.ts `forwardBatch`, same blocks as inference) on
 * tfjs in Node: AdamW, linear warmup then cosine decay, global-norm gradient clipping, a seeded
 * data order, periodic validation, and checkpoints that resume bit for bit.
 *
 * Training is the one place weights change. Each step: a batch of B windows of T+1 tokens →
 * logits → cross-entropy → gradients → AdamW update of every weight.
 *
 * In Node the batch is split across `workers` threads (train/parallel.ts, data parallel): each
 * holds a copy of the weights and the AdamW moments, computes the gradient of its share, the
 * shares are summed once (weighted by their share of windows, as the loss is the batch mean),
 * clipped by the global norm once, and every thread applies the same update to the same bits.
 * One worker is the plain single-thread step below.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GPT2Config } from '../model/config.ts';
import { forwardBatch, namedWeights, readWeights, uploadWeights, type GPT2Weights } from '../model/gpt2.ts';
import { nodeBuiltin } from '../model/node-builtin.ts';
import { tickDraw } from '../model/prng.ts';
import type * as Parallel from './parallel.ts';
import { randomParams } from './random-checkpoint.ts';
import { crossEntropy, registerGradients, TRAINING_OPS } from './ops.ts';

export interface TrainConfig {
  steps: number; // optimizer steps in all
  batch: number; // sequences per step (B)
  ctx: number; // tokens per sequence (T ≤ n_positions)
  lr: number; // peak learning rate
  minLr: number; // learning rate at the end of the cosine
  warmup: number; // steps of linear warmup
  weightDecay: number; // AdamW decoupled decay, on matrices only
  beta1: number;
  beta2: number;
  eps: number;
  clip: number; // global gradient-norm limit
  seed: number; // weight init and data order
  evalEvery: number; // steps between validations
  evalWindows: number; // validation windows of T+1 tokens (0 = the whole validation text)
}

export const DEFAULT_TRAIN: TrainConfig = {
  steps: 2000,
  batch: 16,
  ctx: 128,
  lr: 3e-3,
  minLr: 3e-4,
  warmup: 100,
  weightDecay: 0.1,
  beta1: 0.9,
  beta2: 0.95,
  eps: 1e-8,
  clip: 1.0,
  seed: 1,
  evalEvery: 100,
  evalWindows: 0,
};

/** Learning rate at `step` (0-based): linear warmup to `lr`, then cosine down to `minLr`. */
export function learningRate(c: TrainConfig, step: number): number {
  if (step < c.warmup) return (c.lr * (step + 1)) / c.warmup;
  const progress = Math.min(1, (step - c.warmup) / Math.max(1, c.steps - c.warmup));
  return c.minLr + 0.5 * (c.lr - c.minLr) * (1 + Math.cos(Math.PI * progress));
}

/** Start offsets of the B windows of step `step`: a function of (seed, step) only, so a resumed run reads the same batches. */
export function batchOffsets(c: TrainConfig, step: number, nTokens: number): number[] {
  const span = nTokens - c.ctx - 1;
  if (span <= 0) throw new RangeError(`the training text has ${nTokens} tokens; it needs more than ctx + 1 = ${c.ctx + 1}`);
  return Array.from({ length: c.batch }, (_, b) => Math.floor(tickDraw(c.seed, step * c.batch + b) * (span + 1)));
}

/** The inputs (B·T) and next-token targets (B·T) of the windows starting at `offsets`. */
export function windowTokens(ids: Uint16Array | Int32Array, offsets: number[], T: number): { x: Int32Array; y: Int32Array } {
  const B = offsets.length;
  const x = new Int32Array(B * T);
  const y = new Int32Array(B * T);
  offsets.forEach((o, b) => {
    for (let t = 0; t < T; t++) {
      x[b * T + t] = ids[o + t];
      y[b * T + t] = ids[o + t + 1];
    }
  });
  return { x, y };
}

function windows(ids: Uint16Array | Int32Array, offsets: number[], T: number): { x: tf.Tensor2D; y: tf.Tensor1D } {
  const { x, y } = windowTokens(ids, offsets, T);
  return { x: tf.tensor2d(x, [offsets.length, T], 'int32'), y: tf.tensor1d(y, 'int32') };
}

// train/parallel.ts, Node only: imported by a name the browser bundler does not follow (it would
// otherwise bundle worker_threads code into the pages that train in a Web Worker).
const PARALLEL = './parallel.ts';

/** Names of weights that get weight decay: matrices, not LayerNorm gains or biases. */
const decays = (name: string) => name.endsWith('.weight') && !/ln_|ln_f/.test(name);

export interface StepLog {
  step: number; // 1-based: the number of updates done after this step
  loss: number; // training loss of this step's batch (nats/token)
  lr: number;
  gradNorm: number; // before clipping
  ms: number; // wall time of the step
}

export interface EvalLog {
  step: number;
  loss: number; // validation nats/token
  bitsPerByte: number; // validation bits per UTF-8 byte of text
}

export interface TrainState {
  step: number; // updates done
  log: StepLog[];
  evals: EvalLog[];
  elapsedMs: number; // wall time spent training so far (across resumes)
}

export interface TrainerOptions {
  /**
   * Threads that share each step's batch (data parallel; Node only). Default: in Node the
   * machine's cores (os.availableParallelism()), in a browser 1; never more than the batch.
   * 1 is the plain single-thread step.
   */
  workers?: number;
}

/** The worker count `Trainer` uses for `requested` (undefined: the machine's cores) and a batch of `batch`. */
export async function resolveWorkers(requested: number | undefined, batch: number): Promise<number> {
  if (requested !== undefined && (!Number.isInteger(requested) || requested < 1)) throw new RangeError(`workers must be a whole number ≥ 1, got ${requested}`);
  const isNode = typeof process !== 'undefined' && !!process.versions?.node;
  if (!isNode && (requested ?? 1) > 1) throw new RangeError(`workers: ${requested} needs Node's worker threads; in a browser the trainer runs on one thread`);
  const wanted = requested ?? (isNode ? (await nodeBuiltin('node:os')).availableParallelism() : 1);
  return Math.max(1, Math.min(wanted, batch));
}

/** A model being trained: variables, AdamW moments and the state that a checkpoint saves. */
export class Trainer {
  readonly weights: GPT2Weights;
  private readonly vars: [string, tf.Variable][];
  private readonly m: Map<string, tf.Variable>;
  private readonly v: Map<string, tf.Variable>;
  state: TrainState = { step: 0, log: [], evals: [], elapsedMs: 0 };
  private nWorkers: number | null = null;
  private pool: Parallel.WorkerPool | null = null;
  private poolFailure: Error | null = null;

  constructor(
    readonly config: GPT2Config,
    readonly train: TrainConfig,
    init?: { params: Map<string, { shape: number[]; data: Float32Array }>; m?: Map<string, Float32Array>; v?: Map<string, Float32Array>; state?: TrainState },
    private readonly options: TrainerOptions = {},
  ) {
    if (train.ctx > config.n_positions) throw new RangeError(`ctx ${train.ctx} exceeds the model's n_positions ${config.n_positions}`);
    this.weights = uploadWeights(config, init?.params ?? randomParams(config, train.seed), { trainable: true });
    this.vars = namedWeights(this.weights) as [string, tf.Variable][];
    const moment = (saved?: Map<string, Float32Array>) =>
      new Map(this.vars.map(([name, t]) => [name, tf.variable(saved?.get(name) ? tf.tensor(saved.get(name)!, t.shape) : tf.zerosLike(t), false)]));
    this.m = moment(init?.m);
    this.v = moment(init?.v);
    if (init?.state) this.state = structuredClone(init.state);
  }

  /** Threads each step runs on (resolved on first use: see TrainerOptions.workers). */
  async workers(): Promise<number> {
    this.nWorkers ??= await resolveWorkers(this.options.workers, this.train.batch);
    return this.nWorkers;
  }

  /** One AdamW step on the batch for `state.step`; returns its log entry. */
  async step(trainIds: Uint16Array | Int32Array): Promise<StepLog> {
    if (this.poolFailure) throw new Error(`this trainer's worker pool failed (${this.poolFailure.message}); load the last checkpoint to continue`);
    await registerGradients();
    const c = this.train;
    const t0 = performance.now();
    const step = this.state.step;
    const lr = learningRate(c, step);
    const offsets = batchOffsets(c, step, trainIds.length);
    const n = await this.workers();
    let loss: number;
    let gradNorm: number;
    if (n === 1) {
      const { x, y } = windows(trainIds, offsets, c.ctx);
      const { value, grads } = tf.variableGrads(() => crossEntropy(forwardBatch(this.config, this.weights, x, TRAINING_OPS), y));
      x.dispose();
      y.dispose();
      const normT = tf.tidy(() => tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))));
      [loss, gradNorm] = [(await value.data())[0], (await normT.data())[0]];
      value.dispose();
      normT.dispose();
      this.update((p) => grads[p.name], gradNorm > c.clip ? c.clip / gradNorm : 1, step);
      for (const g of Object.values(grads)) g.dispose();
    } else {
      try {
        if (!this.pool) {
          const { WorkerPool } = (await import(/* @vite-ignore */ PARALLEL)) as typeof Parallel;
          this.pool = await WorkerPool.start(this, n);
        }
        ({ loss, gradNorm } = await this.pool.step(windowTokens(trainIds, offsets, c.ctx), step));
      } catch (e) {
        this.poolFailure = e as Error;
        this.pool?.close();
        this.pool = null;
        throw e;
      }
    }
    const ms = performance.now() - t0;
    const t = step + 1;
    this.state.step = t;
    this.state.elapsedMs += ms;
    const entry: StepLog = { step: t, loss, lr, gradNorm, ms };
    this.state.log.push(entry);
    return entry;
  }

  /** AdamW with decoupled weight decay: update `step` (0-based) with the gradient `gradOf(p)` scaled by `clip`. */
  private update(gradOf: (p: tf.Variable, name: string) => tf.Tensor, clip: number, step: number): void {
    const c = this.train;
    const lr = learningRate(c, step);
    const t = step + 1;
    const bc1 = 1 - c.beta1 ** t;
    const bc2 = 1 - c.beta2 ** t;
    tf.tidy(() => {
      for (const [name, p] of this.vars) {
        const g = tf.mul(gradOf(p, name), clip);
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        m.assign(tf.add(tf.mul(m, c.beta1), tf.mul(g, 1 - c.beta1)));
        v.assign(tf.add(tf.mul(v, c.beta2), tf.mul(tf.square(g), 1 - c.beta2)));
        const update = tf.div(tf.div(m, bc1), tf.add(tf.sqrt(tf.div(v, bc2)), c.eps));
        const decayed = decays(name) ? tf.mul(p, 1 - lr * c.weightDecay) : p;
        p.assign(tf.sub(decayed, tf.mul(update, lr)));
      }
    });
  }

  /** Number of floats in all weights together (the length of a flat gradient; train/parallel.ts). */
  get size(): number {
    return this.vars.reduce((a, [, p]) => a + p.size, 0);
  }

  /**
   * The mean loss of the windows (x, y) — `rows` windows of `ctx` tokens — and its gradient,
   * written flat into `out` in the weights' order. A data-parallel share (train/parallel.ts).
   */
  async shareGradient(x: Int32Array, y: Int32Array, rows: number, out: Float32Array): Promise<number> {
    await registerGradients();
    const xt = tf.tensor2d(x, [rows, this.train.ctx], 'int32');
    const yt = tf.tensor1d(y, 'int32');
    const { value, grads } = tf.variableGrads(() => crossEntropy(forwardBatch(this.config, this.weights, xt, TRAINING_OPS), yt));
    xt.dispose();
    yt.dispose();
    let at = 0;
    for (const [, p] of this.vars) {
      out.set(grads[p.name].dataSync() as Float32Array, at);
      at += p.size;
    }
    const loss = value.dataSync()[0];
    value.dispose();
    for (const g of Object.values(grads)) g.dispose();
    return loss;
  }

  /** The weights flat, in shareGradient's layout (engine layout: wte transposed). */
  flatWeights(): Float32Array {
    const out = new Float32Array(this.size);
    let at = 0;
    for (const [, p] of this.vars) {
      out.set(p.dataSync() as Float32Array, at);
      at += p.size;
    }
    return out;
  }

  /** Each worker thread's flat copy of the weights (empty with one worker), to check that every copy equals flatWeights(). */
  async workerWeights(): Promise<Float32Array[]> {
    return this.pool ? this.pool.replicaWeights() : [];
  }

  /** Apply update `step` (0-based) with the flat gradient `grad` (shareGradient's layout) scaled by `clip`. */
  applyGradient(grad: Float32Array, clip: number, step: number): void {
    const at = new Map<string, number>();
    let o = 0;
    for (const [name, p] of this.vars) {
      at.set(name, o);
      o += p.size;
    }
    this.update((p, name) => tf.tensor(grad.subarray(at.get(name)!, at.get(name)! + p.size), p.shape, 'float32'), clip, step);
  }

  /**
   * Validation loss over non-overlapping windows of the validation ids, and bits per byte:
   * total nats / (ln 2 × UTF-8 bytes of the predicted tokens).
   */
  async evaluate(valIds: Uint16Array | Int32Array, tokenBytes: (id: number) => number): Promise<EvalLog> {
    const T = this.train.ctx;
    let starts: number[] = [];
    for (let o = 0; o + T + 1 <= valIds.length; o += T) starts.push(o);
    if (this.train.evalWindows > 0 && starts.length > this.train.evalWindows) {
      const every = starts.length / this.train.evalWindows;
      starts = Array.from({ length: this.train.evalWindows }, (_, i) => starts[Math.floor(i * every)]);
    }
    if (starts.length === 0) throw new RangeError(`the validation text has ${valIds.length} tokens; it needs at least ctx + 1 = ${T + 1}`);
    let nats = 0;
    let bytes = 0;
    let count = 0;
    for (let i = 0; i < starts.length; i += this.train.batch) {
      const offs = starts.slice(i, i + this.train.batch);
      const { x, y } = windows(valIds, offs, T);
      const l = tf.tidy(() => crossEntropy(forwardBatch(this.config, this.weights, x), y));
      nats += (await l.data())[0] * offs.length * T;
      count += offs.length * T;
      l.dispose();
      x.dispose();
      y.dispose();
      for (const o of offs) for (let t = 1; t <= T; t++) bytes += tokenBytes(valIds[o + t]);
    }
    const entry: EvalLog = { step: this.state.step, loss: nats / count, bitsPerByte: nats / Math.LN2 / bytes };
    this.state.evals.push(entry);
    return entry;
  }

  /** The weights in checkpoint layout (HF names, wte un-transposed). */
  params(): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
    return readWeights(this.weights);
  }

  /** AdamW moments by weight name (wte's in the engine's transposed layout, as trained). */
  async moments(): Promise<{ m: Map<string, Float32Array>; v: Map<string, Float32Array> }> {
    const read = async (mm: Map<string, tf.Variable>) => new Map(await Promise.all([...mm].map(async ([k, t]) => [k, (await t.data()) as Float32Array] as const)));
    return { m: await read(this.m), v: await read(this.v) };
  }

  /** Stop the worker threads (if any) and free every tensor. */
  dispose(): void {
    this.pool?.close();
    this.pool = null;
    for (const [, t] of this.vars) t.dispose();
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    for (const t of Object.values(this.weights.k)) t.dispose();
  }
}
