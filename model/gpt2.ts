/**
 * GPT-2 on TensorFlow.js, in forward order: LayerNorm, attention, MLP, block, model.
 *
 * One call of `forward` is the arithmetic of one tick: it reads the new token ids, the KV cache
 * of every earlier position, and returns the logits for the new positions. The weights are
 * uploaded once at load and are never written again — inference does not learn.
 *
 * What a pass records is decided by the `Recorder` it reports to (model/trace.ts); tracing is
 * opt-in per item (`TraceOptions`), and an untraced call creates no trace tensors at all.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Param } from './checkpoint.ts';
import type { GPT2Config } from './config.ts';
import { NO_TRACE, TraceRecorder, type Recorder, type Trace, type TraceOptions } from './trace.ts';
import { GELU, LAYER_NORM } from './wasm-kernels.ts';

export type { LayerTrace, LensLayer, Trace, TraceArray, TraceOptions } from './trace.ts';

type T2 = tf.Tensor2D;
type T3 = tf.Tensor3D;


interface LayerNormW { g: tf.Tensor1D; b: tf.Tensor1D }
interface LinearW {
  w: T2; // y = x @ w + b, w is [in, out]
  b: tf.Tensor1D;
  w3?: T3; // w as (1, in, out), sharing its data: the rank _FusedMatMul takes (inference only; saves a Reshape per product)
}
interface BlockW { ln_1: LayerNormW; c_attn: LinearW; attn_proj: LinearW; ln_2: LayerNormW; c_fc: LinearW; mlp_proj: LinearW }

/** The weights as tfjs tensors, named after the checkpoint. */
export interface GPT2Weights {
  wteT: T2; // (C, V): wte transposed once at load, so the LM head is a plain matmul (transposed matmuls skip XNNPACK on wasm)
  wpe: T2; // (n_positions, C)
  h: BlockW[];
  ln_f: LayerNormW;
  k: Consts; // scalars used every tick, uploaded once (a number operand would upload a new tensor per op)
  eps: number; // LayerNorm's ε as a number, for FusedBatchNorm's attribute
}

interface Consts { eps: tf.Scalar; one: tf.Scalar; geluA: tf.Scalar; geluB: tf.Scalar; attnScale: tf.Scalar }

/**
 * The KV cache: for each layer, the keys and values, both (H, P, hd), of every position seen so
 * far. It is what the clock carries from one tick to the next. Both grow along axis 1, which
 * tfjs-backend-wasm's Concat copies as H contiguous blocks per input (keys stored transposed,
 * (H, hd, P), grew along their last axis: H·hd row copies in JavaScript per layer per tick).
 */
export class KVCache {
  k: (T3 | null)[];
  v: (T3 | null)[];
  length = 0; // positions cached

  constructor(readonly nLayer: number) {
    this.k = new Array(nLayer).fill(null);
    this.v = new Array(nLayer).fill(null);
  }

  /** Bytes held by the cache (float32 keys and values, all layers). */
  get bytes(): number {
    let n = 0;
    for (let l = 0; l < this.nLayer; l++) n += (this.k[l]?.size ?? 0) + (this.v[l]?.size ?? 0);
    return n * 4;
  }

  /**
   * Forget every position from `n` on (e.g. to go back to an earlier tick). Keys and values of
   * positions < n are kept exactly.
   */
  truncate(n: number): void {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`cannot truncate the KV cache to ${n} positions`);
    if (n >= this.length) return;
    if (n === 0) return this.clear();
    for (let l = 0; l < this.nLayer; l++) {
      const k = this.k[l]!;
      const v = this.v[l]!;
      this.k[l] = tf.slice(k, [0, 0, 0], [-1, n, -1]);
      this.v[l] = tf.slice(v, [0, 0, 0], [-1, n, -1]);
      k.dispose();
      v.dispose();
    }
    this.length = n;
  }

  /** Copy the cache into `into` (emptied first): new tensors sharing the data, so either can go on alone. */
  copyTo(into: KVCache): void {
    into.clear();
    for (let l = 0; l < this.nLayer; l++) {
      const k = this.k[l];
      const v = this.v[l];
      into.k[l] = k && tf.clone(k);
      into.v[l] = v && tf.clone(v);
    }
    into.length = this.length;
  }

  /** Free every cached tensor and start empty. */
  clear(): void {
    for (let l = 0; l < this.nLayer; l++) {
      this.k[l]?.dispose();
      this.v[l]?.dispose();
      this.k[l] = this.v[l] = null;
    }
    this.length = 0;
  }
}

/**
 * A causal experiment on the computation, never on the weights: heads whose output is switched
 * off and blocks that are skipped. Off by default; an absent intervention adds no op and no tensor.
 */
export interface Intervention {
  heads?: [number, number][]; // [layer, head]: that head's output (weights · v) is exactly zero before the output projection
  skipBlocks?: number[]; // blocks that add nothing to the residual stream (neither attention nor MLP)
}

/** Check an intervention against the model's shape; the message says which entry is wrong. */
export function validateIntervention(config: GPT2Config, iv: Intervention): void {
  const inRange = (n: unknown, max: number) => Number.isInteger(n) && (n as number) >= 0 && (n as number) < max;
  for (const pair of iv.heads ?? []) {
    if (!Array.isArray(pair) || pair.length !== 2 || !inRange(pair[0], config.n_layer) || !inRange(pair[1], config.n_head)) {
      throw new RangeError(`a switched-off head must be [layer 0..${config.n_layer - 1}, head 0..${config.n_head - 1}], got ${JSON.stringify(pair)}`);
    }
  }
  for (const l of iv.skipBlocks ?? []) {
    if (!inRange(l, config.n_layer)) throw new RangeError(`a skipped block must be 0..${config.n_layer - 1}, got ${JSON.stringify(l)}`);
  }
}

/** Layer l's head mask, (H, 1, 1): 0 for a switched-off head, 1 for the others; null when none is off there. */
function headMask(config: GPT2Config, iv: Intervention | undefined, l: number): T3 | null {
  const off = iv?.heads?.filter(([layer]) => layer === l);
  if (!off?.length) return null;
  const m = new Float32Array(config.n_head).fill(1);
  for (const [, h] of off) m[h] = 0;
  return tf.tensor3d(m, [config.n_head, 1, 1]);
}

/** Result of one forward call; `logits` is owned by the caller (dispose it). */
export interface ForwardResult {
  logits: T2; // (1, V) for the last new position, or (T, V) with allLogits
  trace?: Trace;
  /**
   * With `lateTrace`, in place of `trace`: runs the logit lens and copies the trace out of tfjs,
   * when the caller has what it needs first (a tick's token). Call it exactly once: it frees the
   * recorded tensors, also when it fails.
   */
  readTrace?: () => Promise<Trace>;
}

/**
 * Upload checkpoint parameters (HF names, prefix already stripped) as tfjs tensors — or, for the
 * trainer, as trainable variables (the only difference between the model that learns and the one
 * that infers).
 */
export function uploadWeights(config: GPT2Config, params: Map<string, Param>, opts: { trainable?: boolean } = {}): GPT2Weights {
  const get = (name: string): Param => {
    const p = params.get(name);
    if (!p) throw new Error(`missing tensor ${name}`);
    return p;
  };
  const own = <T extends tf.Tensor>(t: T, _name: string): T => {
    if (!opts.trainable) return t;
    const v = tf.variable(t, true); // an engine-unique name, so two trainers can coexist
    t.dispose();
    return v as unknown as T;
  };
  const t1 = (name: string) => own(tf.tensor1d(get(name).data), name);
  const t2 = (name: string) => {
    const p = get(name);
    return own(tf.tensor2d(p.data, p.shape as [number, number]), name);
  };
  const ln = (pre: string): LayerNormW => ({ g: t1(`${pre}.weight`), b: t1(`${pre}.bias`) });
  // Conv1D stores weights [in, out], which is exactly the orientation x @ w wants.
  const lin = (pre: string): LinearW => {
    const w = t2(`${pre}.weight`);
    return { w, b: t1(`${pre}.bias`), ...(opts.trainable ? {} : { w3: tf.reshape(w, [1, ...w.shape]) as T3 }) };
  };
  const wte = get('wte.weight');
  return {
    wteT: own(tf.tidy(() => tf.transpose(tf.tensor2d(wte.data, wte.shape as [number, number]))), 'wte.weight'),
    wpe: t2('wpe.weight'),
    h: Array.from({ length: config.n_layer }, (_, i) => ({
      ln_1: ln(`h.${i}.ln_1`),
      c_attn: lin(`h.${i}.attn.c_attn`),
      attn_proj: lin(`h.${i}.attn.c_proj`),
      ln_2: ln(`h.${i}.ln_2`),
      c_fc: lin(`h.${i}.mlp.c_fc`),
      mlp_proj: lin(`h.${i}.mlp.c_proj`),
    })),
    ln_f: ln('ln_f'),
    eps: config.layer_norm_epsilon,
    k: {
      eps: tf.scalar(config.layer_norm_epsilon),
      one: tf.scalar(1),
      geluA: tf.scalar(0.044715),
      geluB: tf.scalar(2 * Math.sqrt(2 / Math.PI)),
      attnScale: tf.scalar(1 / Math.sqrt(config.n_embd / config.n_head)),
    },
  };
}

/** Every weight tensor under its checkpoint name (`wte.weight` is held transposed, as wteT). */
export function namedWeights(w: GPT2Weights): [string, tf.Tensor][] {
  const out: [string, tf.Tensor][] = [['wte.weight', w.wteT], ['wpe.weight', w.wpe]];
  const ln = (name: string, p: LayerNormW) => out.push([`${name}.weight`, p.g], [`${name}.bias`, p.b]);
  const lin = (name: string, p: LinearW) => out.push([`${name}.weight`, p.w], [`${name}.bias`, p.b]);
  w.h.forEach((b, i) => {
    ln(`h.${i}.ln_1`, b.ln_1);
    lin(`h.${i}.attn.c_attn`, b.c_attn);
    lin(`h.${i}.attn.c_proj`, b.attn_proj);
    ln(`h.${i}.ln_2`, b.ln_2);
    lin(`h.${i}.mlp.c_fc`, b.c_fc);
    lin(`h.${i}.mlp.c_proj`, b.mlp_proj);
  });
  ln('ln_f', w.ln_f);
  return out;
}

/**
 * Read every weight back from the backend, in the checkpoint's own layout (wte un-transposed),
 * so it can be compared with — or checksummed like — the parameters in the file.
 */
export async function readWeights(w: GPT2Weights): Promise<Map<string, Param>> {
  const out = new Map<string, Param>();
  for (const [name, t] of namedWeights(w)) {
    const plain = name === 'wte.weight' ? tf.transpose(t) : t;
    out.set(name, { shape: plain.shape.slice(), data: (await plain.data()) as Float32Array });
    if (plain !== t) plain.dispose();
  }
  return out;
}

/** Free every weight tensor. */
export function disposeWeights(w: GPT2Weights): void {
  for (const [, t] of namedWeights(w)) t.dispose();
  for (const b of w.h) for (const p of [b.c_attn, b.attn_proj, b.c_fc, b.mlp_proj]) p.w3?.dispose();
  for (const t of Object.values(w.k)) t.dispose();
}

/**
 * Elements up to which inference uses our LayerNorm and GELU kernels (model/wasm-kernels.ts): one
 * launch in place of 4–9 (LayerNorm) or 6 (GELU) of tfjs's, each ≈ 4–5 µs. Our loops are plain
 * JavaScript, and over more elements tfjs's vectorised kernels win (Node, wasm: GELU over 1,024
 * elements 0.016 vs 0.042 ms, over 16,384 0.54 vs 0.29 ms; LayerNorm (1, 768) 0.008 vs 0.032 ms,
 * (64, 768) 0.84 vs 0.70 ms). A decode tick's rows (C, 4C ≤ 3,072 on GPT-2 124M) are under it.
 */
const OWN_KERNEL_MAX = 4096;
const ownKernel = (x: tf.Tensor, ops: BlockOps, name: string) => ops === INFERENCE_OPS && x.size <= OWN_KERNEL_MAX && !!tf.getKernel(name, tf.getBackend());

function layerNorm<T extends T2 | T3>(x: T, p: LayerNormW, w: GPT2Weights, ops: BlockOps = INFERENCE_OPS): T {
  // Inference of a few rows on the wasm backend: one launch of our own kernel (model/wasm-kernels.ts).
  if (ownKernel(x, ops, LAYER_NORM)) {
    return tf.engine().runKernel(LAYER_NORM, { x, gamma: p.g, beta: p.b }, { eps: w.eps }) as T;
  }
  if (x.size === x.shape[x.rank - 1]) {
    // One row (a decode tick, or the LM head's last row): its mean and variance are single numbers,
    // which FusedBatchNorm broadcasts like g and b over the row — (x − mean)·g/√(var + ε) + b in one
    // kernel: 4 launches instead of 9, equal to float32 rounding (≤ 1 ulp of the normalised value).
    const mean = tf.mean(x, -1, true);
    const variance = tf.mean(tf.squaredDifference(x, mean), -1, true);
    return tf.engine().runKernel('FusedBatchNorm', { x, mean, variance, offset: p.b, scale: p.g }, { varianceEpsilon: w.eps }) as T;
  }
  const mean = tf.mean(x, -1, true);
  const xc = tf.sub(x, mean);
  const variance = tf.mean(tf.square(xc), -1, true);
  const xn = tf.mul(xc, tf.rsqrt(tf.add(variance, w.k.eps))) as T;
  return ops.scaleShift ? (ops.scaleShift(xn as T2, p.g, p.b) as T) : (tf.add(tf.mul(xn, p.g), p.b) as T);
}

/**
 * GPT-2's GELU, the tanh form: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
 * Since 0.5·(1 + tanh z) = sigmoid(2z), it is computed as x·sigmoid(2z): fewer kernels, same value.
 */
function gelu<T extends T2 | T3>(x: T, k: Consts, ops: BlockOps = INFERENCE_OPS): T {
  if (ownKernel(x, ops, GELU)) return tf.engine().runKernel(GELU, { x }) as T; // one launch (model/wasm-kernels.ts)
  const z = tf.mul(x, tf.add(k.one, tf.mul(k.geluA, tf.square(x)))); // x + 0.044715·x³
  return tf.mul(x, tf.sigmoid(tf.mul(k.geluB, z))) as T; // geluB = 2·√(2/π)
}

/** Causal mask for T new rows after P cached positions: 0 where allowed, -Infinity in the future. */
function causalMask(T: number, P: number): T2 {
  const m = new Float32Array(T * (P + T));
  for (let i = 0; i < T; i++) for (let j = P + i + 1; j < P + T; j++) m[i * (P + T) + j] = -Infinity;
  return tf.tensor2d(m, [T, P + T]);
}

/**
 * The three places the model multiplies by its weights, swappable so training can use versions
 * whose gradients avoid transposed matmuls (slow on wasm): see train/ops.ts. Inference uses
 * tfjs's kernels directly.
 */
export interface BlockOps {
  matMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor; // a @ b over the last two axes, never transposed
  matMulBT(a: tf.Tensor, b: tf.Tensor): tf.Tensor; // a @ bᵀ over the last two axes (attention's q·kᵀ)
  linear(x: T2, p: LinearW): T2; // x @ w + b
  embed(wteT: T2, ids: tf.Tensor1D): T2; // rows of wte for `ids`: (N, C)
  scaleShift?(xn: T2, g: tf.Tensor1D, b: tf.Tensor1D): T2; // LayerNorm's xn·g + b (unset: tfjs's mul and add)
}

/**
 * Rows from which attention's batched products go head by head. tfjs-backend-wasm runs a batched
 * product (H, T, ·) as a scalar loop (~2 GFLOP/s); one plain (T, K) · (K, P) product per head
 * goes to XNNPACK. For one new row (a decode tick) the loop is cheaper than H calls.
 */
const HEAD_BY_HEAD_ROWS = 8;
const headRows = (a: tf.Tensor) => a.rank === 3 && a.shape[1]! >= HEAD_BY_HEAD_ROWS;

/** a (N, M, K) · b (N, K, P) as N plain products: split (one copy), multiply, concatenate (training's products too: train/ops.ts). */
export function headByHead(a: T3, b: T3): T3 {
  const [N, M, K] = a.shape;
  const P = b.shape[2];
  const as = tf.split(a, N, 0);
  const bs = tf.split(b, N, 0);
  const outs = as.map((an, n) => tf.matMul(tf.reshape(an, [M, K]) as T2, tf.reshape(bs[n], [K, P]) as T2));
  return tf.reshape(tf.concat(outs, 0), [N, M, P]) as T3;
}

export const INFERENCE_OPS: BlockOps = {
  matMul: (a, b) => (headRows(a) ? headByHead(a as T3, b as T3) : tf.matMul(a as T3, b as T3)),
  // Batched, so tfjs-backend-wasm runs its scalar loop either way; with b transposed both operands
  // are read along rows: the same sums in the same order (bit-equal), ~10–30% faster. Head by
  // head, b is transposed first (XNNPACK takes b untransposed only).
  matMulBT: (a, b) => (headRows(a) ? headByHead(a as T3, tf.transpose(b, [0, 2, 1]) as T3) : tf.matMul(a as T3, b as T3, false, true)),
  linear: (x, p) => {
    if (!p.w3) return tf.fused.matMul({ a: x, b: p.w, bias: p.b }) as T2;
    // What tf.fused.matMul does, with the weights' (1, in, out) view made once at load.
    const [n, k] = x.shape;
    const y = tf.engine().runKernel('_FusedMatMul', { a: tf.reshape(x, [1, n, k]), b: p.w3, bias: p.b }, { transposeA: false, transposeB: false, activation: 'linear' }) as T3;
    return tf.reshape(y, [n, p.w3.shape[2]]) as T2;
  },
  embed: (wteT, ids) => tf.transpose(tf.gather(wteT, ids, 1)) as T2,
};

/**
 * One transformer block over B sequences of T new positions each, after P cached ones:
 *   x ← x + attn(ln_1(x));  x ← x + mlp(ln_2(x))
 * x is (B·T, C). Heads are batched as B·H: keys and values are (B·H, P+T, hd), and the scores
 * are q·kᵀ (a matmul with b transposed). Returns the new stream and
 * the keys and values including the new positions (the caller decides whether to cache them).
 * Attention and MLP internals are reported to `rec` as they are computed.
 */
export function block(
  config: GPT2Config,
  w: GPT2Weights,
  l: number,
  xIn: T2,
  io: { B: number; T: number; pastK: T3 | null; pastV: T3 | null; mask: T2 | null; headMask?: T3 | null },
  ops: BlockOps = INFERENCE_OPS,
  rec: Recorder = NO_TRACE,
): { x: T2; k: T3; v: T3 } {
  const { B, T } = io;
  if (B * T === 1 && ops === INFERENCE_OPS && w.h[l].c_attn.w3) return blockRow(config, w, l, xIn, io, rec);
  const H = config.n_head;
  const C = config.n_embd;
  const hd = C / H;
  const b = w.h[l];
  let x = xIn;

  // --- attention ---
  const ln1 = layerNorm(x, b.ln_1, w, ops); // (B·T, C)
  rec.norm(l, ln1, b.ln_1.g, b.ln_1.b);
  const qkv = ops.linear(ln1, b.c_attn); // (B·T, 3C)
  // Split heads: (B·T, C) → (B·H, T, hd). With one new token the transposes are pure reshapes,
  // and one row [q | k | v] is already (3·H, 1, hd): one reshape and one split.
  const one = T === 1;
  const heads4 = (t: T2) => (one ? tf.reshape(t, [B * H, 1, hd]) : tf.reshape(tf.transpose(tf.reshape(t, [B, T, H, hd]), [0, 2, 1, 3]), [B * H, T, hd])) as T3;
  const [q, kNew, vNew] = B * T === 1 ? (tf.split(tf.reshape(qkv, [3 * H, 1, hd]), 3, 0) as T3[]) : (tf.split(qkv, 3, 1) as T2[]).map(heads4); // each (B·H, T, hd)
  const k = io.pastK ? (tf.concat([io.pastK, kNew], 1) as T3) : kNew; // (B·H, P+T, hd)
  const v = io.pastV ? (tf.concat([io.pastV, vNew], 1) as T3) : vNew; // (B·H, P+T, hd)

  const scores = ops.matMulBT(q, k) as T3; // (B·H, T, P+T)
  let scaled = tf.mul(scores, w.k.attnScale) as T3; // ÷ √hd
  if (io.mask) scaled = tf.add(scaled, io.mask) as T3; // the mask broadcasts over B·H
  const att = tf.softmax(scaled) as T3; // (B·H, T, P+T)
  let heads = ops.matMul(att, v) as T3; // (B·H, T, hd)
  if (io.headMask) heads = tf.mul(heads, io.headMask) as T3; // switched-off heads: their output is zero (one sequence: mask (H, 1, 1))
  rec.attention(l, { q, k: kNew, v: vNew, scores, scaled, weights: att, heads });
  const y = (one ? tf.reshape(heads, [B, C]) : tf.reshape(tf.transpose(tf.reshape(heads, [B, H, T, hd]), [0, 2, 1, 3]), [B * T, C])) as T2; // heads side by side
  const attnOut = ops.linear(y, b.attn_proj); // (B·T, C): what attention adds to the stream
  x = tf.add(x, attnOut) as T2;

  // --- MLP ---
  const fc = ops.linear(layerNorm(x, b.ln_2, w, ops), b.c_fc); // (B·T, 4C)
  const act = gelu(fc, w.k, ops); // (B·T, 4C)
  rec.mlp(l, fc, act);
  const mlpOut = ops.linear(act, b.mlp_proj); // (B·T, C): what the MLP adds
  rec.adds(l, attnOut, mlpOut);
  x = tf.add(x, mlpOut) as T2;
  return { x, k, v };
}

/** x (1, 1, in) @ w + b through the weights' (1, in, out) view: no reshape around the product. */
function linearRow(x: T3, p: LinearW): T3 {
  return tf.engine().runKernel('_FusedMatMul', { a: x, b: p.w3!, bias: p.b }, { transposeA: false, transposeB: false, activation: 'linear' }) as T3;
}

/**
 * `block` for one new position of one sequence (a decode tick), the same arithmetic with the
 * residual stream held as (1, 1, C) — the rank _FusedMatMul takes — so the four products need
 * no reshapes around them: 2 Reshape launches per layer instead of 10. The MLP's internals are
 * reshaped to (1, 4C) only when a trace is recording.
 */
function blockRow(config: GPT2Config, w: GPT2Weights, l: number, xIn: T2, io: { pastK: T3 | null; pastV: T3 | null; headMask?: T3 | null }, rec: Recorder): { x: T2; k: T3; v: T3 } {
  const H = config.n_head;
  const C = config.n_embd;
  const hd = C / H;
  const b = w.h[l];
  let x = tf.reshape(xIn, [1, 1, C]) as T3;

  // --- attention ---
  const ln1 = layerNorm(x, b.ln_1, w); // (1, 1, C)
  if (rec !== NO_TRACE) rec.norm(l, tf.reshape(ln1, [1, C]), b.ln_1.g, b.ln_1.b);
  const qkv = linearRow(ln1, b.c_attn); // (1, 1, 3C): [q | k | v]
  const [q, kNew, vNew] = tf.split(tf.reshape(qkv, [3 * H, 1, hd]), 3, 0) as T3[]; // each (H, 1, hd)
  const k = io.pastK ? (tf.concat([io.pastK, kNew], 1) as T3) : kNew; // (H, P+1, hd)
  const v = io.pastV ? (tf.concat([io.pastV, vNew], 1) as T3) : vNew; // (H, P+1, hd)
  const scores = INFERENCE_OPS.matMulBT(q, k) as T3; // (H, 1, P+1); no mask: every cached position is in the past
  const scaled = tf.mul(scores, w.k.attnScale) as T3; // ÷ √hd
  const att = tf.softmax(scaled) as T3;
  let heads = tf.matMul(att, v) as T3; // (H, 1, hd)
  if (io.headMask) heads = tf.mul(heads, io.headMask) as T3; // switched-off heads: their output is zero
  rec.attention(l, { q, k: kNew, v: vNew, scores, scaled, weights: att, heads });
  const attnOut = linearRow(tf.reshape(heads, [1, 1, C]), b.attn_proj); // (1, 1, C), heads side by side: what attention adds
  x = tf.add(x, attnOut) as T3;

  // --- MLP ---
  const fc = linearRow(layerNorm(x, b.ln_2, w), b.c_fc); // (1, 1, 4C)
  const act = gelu(fc, w.k);
  if (rec !== NO_TRACE) rec.mlp(l, tf.reshape(fc, [1, 4 * C]), tf.reshape(act, [1, 4 * C]));
  const mlpOut = linearRow(act, b.mlp_proj); // (1, 1, C): what the MLP adds
  if (rec !== NO_TRACE) rec.adds(l, tf.reshape(attnOut, [1, C]), tf.reshape(mlpOut, [1, C]));
  x = tf.add(x, mlpOut) as T3;
  return { x: tf.reshape(x, [1, C]) as T2, k, v };
}

/** Final LayerNorm and the LM head (tied to wte): (N, C) → (N, V). */
export function lmHead(w: GPT2Weights, x: T2, ops: BlockOps = INFERENCE_OPS): T2 {
  return ops.matMul(layerNorm(x, w.ln_f, w, ops), w.wteT) as T2;
}

/**
 * The logit lens: read the residual stream after any block as if it were the last one, through
 * ln_f and the LM head. Returns the top k tokens at each position and their probabilities.
 */
export function logitLens(w: GPT2Weights, x: T2, k: number): { values: T2; indices: T2 } {
  const probs = tf.softmax(lmHead(w, x)); // (T, V)
  return tf.topk(probs, Math.min(k, w.wteT.shape[1])) as { values: T2; indices: T2 }; // (T, k) each
}

/** The last row of a (N, D) tensor, as (1, D). */
const lastRow = (t: T2): T2 => (t.shape[0] === 1 ? t : tf.slice(t, [t.shape[0] - 1, 0], [1, t.shape[1]]));

/**
 * The whole model over a batch of full sequences, as training runs it: ids (B, T) → logits
 * (B·T, V). The same blocks as inference, without a cache.
 */
export function forwardBatch(config: GPT2Config, w: GPT2Weights, ids: tf.Tensor2D, ops: BlockOps = INFERENCE_OPS): T2 {
  const [B, T] = ids.shape;
  if (T > config.n_positions) throw new RangeError(`sequence of ${T} exceeds n_positions = ${config.n_positions}`);
  const C = config.n_embd;
  const tok = ops.embed(w.wteT, tf.reshape(ids, [B * T]) as tf.Tensor1D); // (B·T, C)
  const pos = tf.tile(tf.slice(w.wpe, [0, 0], [T, C]), [B, 1]) as T2; // (B·T, C)
  let x = tf.add(tok, pos) as T2;
  const mask = T > 1 ? causalMask(T, 0) : null;
  for (let l = 0; l < config.n_layer; l++) x = block(config, w, l, x, { B, T, pastK: null, pastV: null, mask }, ops).x;
  return lmHead(w, x, ops);
}

/** Every layer's keys and values including the new positions, not yet in the cache. */
interface KV { k: T3[]; v: T3[] }

/**
 * The model proper, for T new tokens after the P = cache.length cached ones:
 *   x ← wte[ids] + wpe[P…P+T-1];  x ← block_l(x) for each layer;  logits ← lm_head(ln_f(x))
 * Logits are computed for every new position with `allRows`, else for the last one only. Each
 * layer's keys and values go to `kv`, kept out of tidy; the caller commits them to the cache.
 */
function gpt2(config: GPT2Config, w: GPT2Weights, ids: number[], cache: KVCache, kv: KV, allRows: boolean, rec: Recorder, iv?: Intervention): T2 {
  const T = ids.length;
  const P = cache.length;
  const tok = INFERENCE_OPS.embed(w.wteT, tf.tensor1d(ids, 'int32')); // (T, C)
  // Rows P…P+T-1 of wpe by gather: tfjs-backend-wasm's Slice copies its whole input first (3 MB a tick for GPT-2).
  const pos = tf.gather(w.wpe, tf.range(P, P + T, 1, 'int32')) as T2; // (T, C)
  let x = tf.add(tok, pos) as T2; // (T, C) the residual stream
  rec.embeddings(tok, pos, x);
  const mask = T > 1 ? causalMask(T, P) : null;

  for (let l = 0; l < config.n_layer; l++) {
    // One tidy per block, so a long prefill's (H, T, P+T) attention tensors are freed block by
    // block instead of piling up across all of them.
    const xIn = x;
    x = tf.tidy(() => {
      const io = { B: 1, T, pastK: cache.k[l], pastV: cache.v[l], mask, ...(iv ? { headMask: headMask(config, iv, l) } : {}) };
      const out = block(config, w, l, xIn, io, INFERENCE_OPS, rec);
      kv.k.push(tf.keep(out.k));
      kv.v.push(tf.keep(out.v));
      // A skipped block still computes (its keys and values fill the cache, its trace records them) but adds nothing.
      const x = iv?.skipBlocks?.includes(l) ? xIn : out.x;
      rec.block(l, x);
      return x;
    });
  }

  // Only the positions whose logits are wanted go through the (large) LM head.
  const logits = lmHead(w, allRows ? x : lastRow(x)); // (T or 1, V)
  rec.logits(logits);
  return logits;
}

export interface ForwardOptions {
  trace?: TraceOptions; // internals to record (off: nothing recorded)
  allLogits?: boolean; // logits for every new position, not just the last
  prefillChunk?: number; // untraced runs longer than this go through in chunks (default 256)
  intervention?: Intervention; // heads switched off, blocks skipped (off: the plain model, no extra op)
  lateTrace?: boolean; // a traced pass returns readTrace instead of trace: the logits come before the lens and the copies
}

/**
 * Run the model on `ids`, the new tokens at positions cache.length … cache.length + T - 1.
 * Appends their keys and values to `cache`. Trace arrays are copied out before returning.
 *
 * A long untraced prefill runs in chunks through the cache — the same arithmetic, but memory for
 * attention grows with chunk × context instead of context²; a 1,024-token prompt on GPT-2 124M
 * would otherwise need gigabytes of score matrices.
 */
export async function forward(
  config: GPT2Config,
  w: GPT2Weights,
  ids: number[],
  cache: KVCache,
  opts: ForwardOptions = {},
): Promise<ForwardResult> {
  const chunk = opts.prefillChunk ?? 256;
  if (opts.trace || ids.length <= chunk) return forwardOnce(config, w, ids, cache, opts);
  if (cache.length + ids.length > config.n_positions) {
    throw new RangeError(`context of ${cache.length + ids.length} positions exceeds n_positions = ${config.n_positions}`);
  }
  const parts: T2[] = [];
  try {
    for (let i = 0; i < ids.length; i += chunk) {
      const last = i + chunk >= ids.length;
      const r = await forwardOnce(config, w, ids.slice(i, i + chunk), cache, { allLogits: opts.allLogits, intervention: opts.intervention });
      if (opts.allLogits || last) parts.push(r.logits);
      else r.logits.dispose();
    }
    return { logits: parts.length === 1 ? parts[0] : (tf.concat(parts, 0) as T2) };
  } finally {
    if (parts.length > 1) parts.forEach((p) => p.dispose());
  }
}

async function forwardOnce(
  config: GPT2Config,
  w: GPT2Weights,
  ids: number[],
  cache: KVCache,
  opts: ForwardOptions,
): Promise<ForwardResult> {
  const T = ids.length;
  const P = cache.length;
  if (T === 0) throw new RangeError('forward needs at least one token');
  for (const id of ids) {
    if (!Number.isInteger(id) || id < 0 || id >= config.vocab_size) {
      throw new RangeError(`token id ${id} is outside the vocabulary (0..${config.vocab_size - 1})`);
    }
  }
  if (P + T > config.n_positions) {
    throw new RangeError(`context of ${P + T} positions exceeds n_positions = ${config.n_positions}`);
  }
  if (opts.intervention) validateIntervention(config, opts.intervention);
  const tracer = opts.trace && new TraceRecorder(opts.trace, { start: P, tokens: ids, nLayer: config.n_layer }, (x, k) => logitLens(w, x, k));
  const allRows = !!(opts.allLogits || opts.trace?.logits);
  const kv: KV = { k: [], v: [] };
  let logits: T2;
  try {
    logits = tf.tidy(() => {
      const out = gpt2(config, w, ids, cache, kv, allRows, tracer ?? NO_TRACE, opts.intervention);
      return allRows && !opts.allLogits ? lastRow(out) : out; // traced logits for every position, returned for the last
    });
  } catch (e) {
    // Nothing half-done survives a failure (e.g. out of memory): the cache is left as it was.
    tf.dispose([...kv.k, ...kv.v]);
    tracer?.dispose();
    throw e;
  }
  // Commit the new cache only after the whole pass succeeded.
  for (let l = 0; l < config.n_layer; l++) {
    cache.k[l]?.dispose();
    cache.v[l]?.dispose();
    cache.k[l] = kv.k[l];
    cache.v[l] = kv.v[l];
  }
  cache.length = P + T;
  if (tracer && opts.lateTrace) return { logits, readTrace: () => tracer.read() };
  return { logits, trace: await tracer?.read() };
}

/**
 * FLOPs of one forward call, counting a multiply-add as 2 FLOPs and only the matrix products
 * (LayerNorm, GELU, softmax and additions are O(T·C) and left out):
 *   per layer  24·T·C²            (q,k,v: 6TC², output projection: 2TC², MLP: 16TC²)
 *            + 4·T·(P+T)·C        (q·kᵀ and weights·v over every cached position)
 *   LM head    2·R·C·V            (R = positions whose logits are computed: 1 when decoding)
 * For a short context this is ≈ 2 × (parameters outside the embeddings) per token, plus the head.
 */
export function forwardFlops(config: GPT2Config, T: number, P: number, logitRows = 1): number {
  const C = config.n_embd;
  return config.n_layer * (24 * T * C * C + 4 * T * (P + T) * C) + 2 * logitRows * C * config.vocab_size;
}
