/**
 * Training the engine's own GPT-2 (model/gpt2.ts `forwardBatch`, same blocks as inference) on
 * tfjs in Node: AdamW, linear warmup then cosine decay, global-norm gradient clipping, a seeded
 * data order, periodic validation, and checkpoints that resume bit for bit.
 *
 * Training is the one place weights change. Each step: a batch of B windows of T+1 tokens →
 * logits → cross-entropy → gradients → AdamW update of every weight.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GPT2Config } from '../model/config.ts';
import { forwardBatch, namedWeights, readWeights, uploadWeights, type GPT2Weights } from '../model/gpt2.ts';
import { tickDraw } from '../model/prng.ts';
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

function windows(ids: Uint16Array | Int32Array, offsets: number[], T: number): { x: tf.Tensor2D; y: tf.Tensor1D } {
  const B = offsets.length;
  const x = new Int32Array(B * T);
  const y = new Int32Array(B * T);
  offsets.forEach((o, b) => {
    for (let t = 0; t < T; t++) {
      x[b * T + t] = ids[o + t];
      y[b * T + t] = ids[o + t + 1];
    }
  });
  return { x: tf.tensor2d(x, [B, T], 'int32'), y: tf.tensor1d(y, 'int32') };
}

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

/** A model being trained: variables, AdamW moments and the state that a checkpoint saves. */
export class Trainer {
  readonly weights: GPT2Weights;
  private readonly vars: [string, tf.Variable][];
  private readonly m: Map<string, tf.Variable>;
  private readonly v: Map<string, tf.Variable>;
  state: TrainState = { step: 0, log: [], evals: [], elapsedMs: 0 };

  constructor(
    readonly config: GPT2Config,
    readonly train: TrainConfig,
    init?: { params: Map<string, { shape: number[]; data: Float32Array }>; m?: Map<string, Float32Array>; v?: Map<string, Float32Array>; state?: TrainState },
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

  /** One AdamW step on the batch for `state.step`; returns its log entry. */
  async step(trainIds: Uint16Array | Int32Array): Promise<StepLog> {
    await registerGradients();
    const c = this.train;
    const t0 = performance.now();
    const step = this.state.step;
    const lr = learningRate(c, step);
    const { x, y } = windows(trainIds, batchOffsets(c, step, trainIds.length), c.ctx);
    const { value, grads } = tf.variableGrads(() => crossEntropy(forwardBatch(this.config, this.weights, x, TRAINING_OPS), y));
    x.dispose();
    y.dispose();
    const normT = tf.tidy(() => tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))));
    const [loss, gradNorm] = [(await value.data())[0], (await normT.data())[0]];
    value.dispose();
    normT.dispose();
    const clip = gradNorm > c.clip ? c.clip / gradNorm : 1;
    const t = step + 1;
    const bc1 = 1 - c.beta1 ** t;
    const bc2 = 1 - c.beta2 ** t;
    tf.tidy(() => {
      for (const [name, p] of this.vars) {
        const g = tf.mul(grads[p.name], clip);
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        m.assign(tf.add(tf.mul(m, c.beta1), tf.mul(g, 1 - c.beta1)));
        v.assign(tf.add(tf.mul(v, c.beta2), tf.mul(tf.square(g), 1 - c.beta2)));
        const update = tf.div(tf.div(m, bc1), tf.add(tf.sqrt(tf.div(v, bc2)), c.eps));
        const decayed = decays(name) ? tf.mul(p, 1 - lr * c.weightDecay) : p;
        p.assign(tf.sub(decayed, tf.mul(update, lr)));
      }
    });
    for (const g of Object.values(grads)) g.dispose();
    const ms = performance.now() - t0;
    this.state.step = t;
    this.state.elapsedMs += ms;
    const entry: StepLog = { step: t, loss, lr, gradNorm, ms };
    this.state.log.push(entry);
    return entry;
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

  dispose(): void {
    for (const [, t] of this.vars) t.dispose();
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    for (const t of Object.values(this.weights.k)) t.dispose();
  }
}
