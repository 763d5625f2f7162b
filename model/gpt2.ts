/**
 * GPT-2 on TensorFlow.js, in forward order: LayerNorm, attention, MLP, block, model.
 *
 * One call of `forward` is the arithmetic of one tick: it reads the new token ids, the KV cache
 * of every earlier position, and returns the logits for the new positions. The weights are
 * uploaded once at load and are never written again — inference does not learn.
 *
 * Tracing is opt-in per item (`TraceOptions`); an untraced call creates no trace tensors at all.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Param } from './checkpoint.ts';
import type { GPT2Config } from './config.ts';

type T2 = tf.Tensor2D;
type T3 = tf.Tensor3D;


interface LayerNormW { g: tf.Tensor1D; b: tf.Tensor1D }
interface LinearW { w: T2; b: tf.Tensor1D } // y = x @ w + b, w is [in, out]
interface BlockW { ln_1: LayerNormW; c_attn: LinearW; attn_proj: LinearW; ln_2: LayerNormW; c_fc: LinearW; mlp_proj: LinearW }

/** The weights as tfjs tensors, named after the checkpoint. */
export interface GPT2Weights {
  wteT: T2; // (C, V): wte transposed once at load, so the LM head is a plain matmul (transposed matmuls skip XNNPACK on wasm)
  wpe: T2; // (n_positions, C)
  h: BlockW[];
  ln_f: LayerNormW;
  k: Consts; // scalars used every tick, uploaded once (a number operand would upload a new tensor per op)
}

interface Consts { eps: tf.Scalar; one: tf.Scalar; geluA: tf.Scalar; geluB: tf.Scalar; attnScale: tf.Scalar }

/** Which internals to record. Every item costs time and memory only when asked for. */
export interface TraceOptions {
  embeddings?: boolean; // token and position embeddings, and their sum
  qkv?: boolean; // q, k, v per layer and head for the new positions
  scores?: boolean; // q·kᵀ before, and after scale + causal mask
  attention?: boolean; // softmax weights per layer and head
  heads?: boolean; // each head's output (weights · v) before the output projection
  mlp?: boolean; // MLP activations after GELU
  residual?: boolean; // residual stream after each block
  logits?: boolean; // final logits for every new position (not just the last)
  lens?: boolean | number; // logit lens: top-k (default 10) of ln_f + unembedding after each layer
  layers?: number[]; // restrict per-layer items to these layers (default: all)
}

/** A traced tensor copied out of tfjs. */
export interface TraceArray {
  shape: number[];
  data: Float32Array;
}

/** Logit-lens result for one layer: the top-k guesses at each new position. */
export interface LensLayer {
  ids: Int32Array[]; // per position, token ids best first
  probs: Float32Array[]; // per position, their softmax probabilities
}

export interface LayerTrace {
  layer: number;
  q?: TraceArray; // (H, T, hd)
  k?: TraceArray; // (H, T, hd) — new positions only; earlier keys are in earlier ticks' traces
  v?: TraceArray; // (H, T, hd)
  scores?: TraceArray; // (H, T, P+T) q·kᵀ
  scaledMasked?: TraceArray; // (H, T, P+T) q·kᵀ/√hd with -Infinity above the diagonal
  attention?: TraceArray; // (H, T, P+T) softmax rows
  heads?: TraceArray; // (H, T, hd)
  mlpIn?: TraceArray; // (T, 4C) GELU input: ln_2(x) @ c_fc + b (recorded with mlp)
  mlp?: TraceArray; // (T, 4C) GELU output
  residual?: TraceArray; // (T, C) after this block
  lens?: LensLayer;
}

export interface Trace {
  start: number; // position of the first new token
  tokens: number[]; // the new token ids
  tokenEmbedding?: TraceArray; // (T, C) wte rows
  positionEmbedding?: TraceArray; // (T, C) wpe rows
  embedding?: TraceArray; // (T, C) their sum: the residual stream entering block 0
  layers: LayerTrace[];
  logits?: TraceArray; // (T, V)
}

/**
 * The KV cache: for each layer, the keys (stored transposed, (H, hd, P)) and values ((H, P, hd))
 * of every position seen so far. It is what the clock carries from one tick to the next.
 */
export class KVCache {
  kT: (T3 | null)[];
  v: (T3 | null)[];
  length = 0; // positions cached

  constructor(readonly nLayer: number) {
    this.kT = new Array(nLayer).fill(null);
    this.v = new Array(nLayer).fill(null);
  }

  /** Bytes held by the cache (float32 keys and values, all layers). */
  get bytes(): number {
    let n = 0;
    for (let l = 0; l < this.nLayer; l++) n += (this.kT[l]?.size ?? 0) + (this.v[l]?.size ?? 0);
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
      const kT = this.kT[l]!;
      const v = this.v[l]!;
      this.kT[l] = tf.slice(kT, [0, 0, 0], [-1, -1, n]);
      this.v[l] = tf.slice(v, [0, 0, 0], [-1, n, -1]);
      kT.dispose();
      v.dispose();
    }
    this.length = n;
  }

  /** Free every cached tensor and start empty. */
  clear(): void {
    for (let l = 0; l < this.nLayer; l++) {
      this.kT[l]?.dispose();
      this.v[l]?.dispose();
      this.kT[l] = this.v[l] = null;
    }
    this.length = 0;
  }
}

/** Result of one forward call; `logits` is owned by the caller (dispose it). */
export interface ForwardResult {
  logits: T2; // (1, V) for the last new position, or (T, V) with allLogits
  trace?: Trace;
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
  const lin = (pre: string): LinearW => ({ w: t2(`${pre}.weight`), b: t1(`${pre}.bias`) });
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
  for (const t of Object.values(w.k)) t.dispose();
}

function layerNorm(x: T2, p: LayerNormW, eps: tf.Scalar): T2 {
  const mean = tf.mean(x, -1, true);
  const xc = tf.sub(x, mean);
  const variance = tf.mean(tf.square(xc), -1, true);
  return tf.add(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(variance, eps))), p.g), p.b);
}

/**
 * GPT-2's GELU, the tanh form: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
 * Since 0.5·(1 + tanh z) = sigmoid(2z), it is computed as x·sigmoid(2z): fewer kernels, same value.
 */
function gelu(x: T2, k: Consts): T2 {
  const z = tf.mul(x, tf.add(k.one, tf.mul(k.geluA, tf.square(x)))); // x + 0.044715·x³
  return tf.mul(x, tf.sigmoid(tf.mul(k.geluB, z))); // geluB = 2·√(2/π)
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
  linear(x: T2, p: LinearW): T2; // x @ w + b
  embed(wteT: T2, ids: tf.Tensor1D): T2; // rows of wte for `ids`: (N, C)
}

export const INFERENCE_OPS: BlockOps = {
  matMul: (a, b) => tf.matMul(a as T3, b as T3),
  linear: (x, p) => tf.fused.matMul({ a: x, b: p.w, bias: p.b }) as T2,
  embed: (wteT, ids) => tf.transpose(tf.gather(wteT, ids, 1)) as T2,
};

/** Intermediate tensors a block can report, by the LayerTrace field they fill. */
export type BlockPart = 'q' | 'k' | 'v' | 'scores' | 'scaledMasked' | 'attention' | 'heads' | 'mlpIn' | 'mlp' | 'residual';

/**
 * One transformer block over B sequences of T new positions each, after P cached ones:
 *   x ← x + attn(ln_1(x));  x ← x + mlp(ln_2(x))
 * x is (B·T, C). Heads are batched as B·H: keys are kept transposed, (B·H, hd, P+T), and values
 * as (B·H, P+T, hd), so both attention products are plain matmuls. Returns the new stream and
 * the keys and values including the new positions (the caller decides whether to cache them).
 */
export function block(
  config: GPT2Config,
  w: GPT2Weights,
  l: number,
  xIn: T2,
  io: { B: number; T: number; pastKT: T3 | null; pastV: T3 | null; mask: T2 | null },
  ops: BlockOps = INFERENCE_OPS,
  record?: (part: BlockPart, t: tf.Tensor) => void,
): { x: T2; kT: T3; v: T3 } {
  const { B, T } = io;
  const H = config.n_head;
  const C = config.n_embd;
  const hd = C / H;
  const b = w.h[l];
  let x = xIn;

  // --- attention ---
  const qkv = ops.linear(layerNorm(x, b.ln_1, w.k.eps), b.c_attn); // (B·T, 3C)
  const [q2, k2, v2] = tf.split(qkv, 3, 1) as T2[]; // each (B·T, C)
  // Split heads: (B·T, C) → (B·H, T, hd). With one new token the transposes are pure reshapes.
  const heads4 = (t: T2, perm: number[]) => tf.reshape(tf.transpose(tf.reshape(t, [B, T, H, hd]), perm), perm[3] === 3 ? [B * H, T, hd] : [B * H, hd, T]) as T3;
  const one = T === 1;
  const q = one ? (tf.reshape(q2, [B * H, 1, hd]) as T3) : heads4(q2, [0, 2, 1, 3]); // (B·H, T, hd)
  const kNewT = one ? (tf.reshape(k2, [B * H, hd, 1]) as T3) : heads4(k2, [0, 2, 3, 1]); // (B·H, hd, T)
  const vNew = one ? (tf.reshape(v2, [B * H, 1, hd]) as T3) : heads4(v2, [0, 2, 1, 3]); // (B·H, T, hd)
  const kT = io.pastKT ? (tf.concat([io.pastKT, kNewT], 2) as T3) : kNewT; // (B·H, hd, P+T)
  const v = io.pastV ? (tf.concat([io.pastV, vNew], 1) as T3) : vNew; // (B·H, P+T, hd)

  const scores = ops.matMul(q, kT) as T3; // (B·H, T, P+T)
  let scaled = tf.mul(scores, w.k.attnScale) as T3; // ÷ √hd
  if (io.mask) scaled = tf.add(scaled, io.mask) as T3; // the mask broadcasts over B·H
  const att = tf.softmax(scaled) as T3; // (B·H, T, P+T)
  const heads = ops.matMul(att, v) as T3; // (B·H, T, hd)
  const y = (one ? tf.reshape(heads, [B, C]) : tf.reshape(tf.transpose(tf.reshape(heads, [B, H, T, hd]), [0, 2, 1, 3]), [B * T, C])) as T2; // heads side by side
  x = tf.add(x, ops.linear(y, b.attn_proj)) as T2;

  // --- MLP ---
  const fc = ops.linear(layerNorm(x, b.ln_2, w.k.eps), b.c_fc); // (B·T, 4C)
  const act = gelu(fc, w.k); // (B·T, 4C)
  x = tf.add(x, ops.linear(act, b.mlp_proj)) as T2;

  if (record) {
    record('q', q);
    record('k', kNewT);
    record('v', vNew);
    record('scores', scores);
    record('scaledMasked', scaled);
    record('attention', att);
    record('heads', heads);
    record('mlpIn', fc);
    record('mlp', act);
    record('residual', x);
  }
  return { x, kT, v };
}

/** Final LayerNorm and the LM head (tied to wte): (N, C) → (N, V). */
export function lmHead(w: GPT2Weights, x: T2, ops: BlockOps = INFERENCE_OPS): T2 {
  return ops.matMul(layerNorm(x, w.ln_f, w.k.eps), w.wteT) as T2;
}

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
  for (let l = 0; l < config.n_layer; l++) x = block(config, w, l, x, { B, T, pastKT: null, pastV: null, mask }, ops).x;
  return lmHead(w, x, ops);
}

export interface ForwardOptions {
  trace?: TraceOptions; // internals to record (off: nothing recorded)
  allLogits?: boolean; // logits for every new position, not just the last
  prefillChunk?: number; // untraced runs longer than this go through in chunks (default 256)
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
      const r = await forwardOnce(config, w, ids.slice(i, i + chunk), cache, { allLogits: opts.allLogits });
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
  const C = config.n_embd;
  const tr = opts.trace;
  const wantLayer = (l: number) => !tr?.layers || tr.layers.includes(l);
  // Trace tensors are kept out of tidy and read back at the end, so tracing never slows the
  // untraced path: with no TraceOptions, `keep` is never called.
  const pending: { t: tf.Tensor; set: (a: TraceArray) => void }[] = [];
  const keep = (t: tf.Tensor, set: (a: TraceArray) => void) => pending.push({ t: tf.keep(t.clone()), set });
  const lensK = tr?.lens === true ? 10 : typeof tr?.lens === 'number' ? tr.lens : 0;
  const lensPending: { l: number; vals: tf.Tensor; idx: tf.Tensor }[] = [];
  const trace: Trace | undefined = tr ? { start: P, tokens: ids.slice(), layers: [] } : undefined;

  const newKT: T3[] = [];
  const newV: T3[] = [];
  let logits: T2;
  try {
    logits = runLayers();
  } catch (e) {
    // Nothing half-done survives a failure (e.g. out of memory): the cache is left as it was.
    for (const t of [...newKT, ...newV, ...pending.map((p) => p.t), ...lensPending.flatMap((p) => [p.vals, p.idx])]) t.dispose();
    throw e;
  }

  function runLayers(): T2 {
    return tf.tidy(() => {
      const idsT = tf.tensor1d(ids, 'int32');
      const tok = INFERENCE_OPS.embed(w.wteT, idsT); // (T, C)
      const pos = tf.slice(w.wpe, [P, 0], [T, C]) as T2; // (T, C)
      let x = tf.add(tok, pos) as T2; // (T, C) the residual stream
      if (tr?.embeddings && trace) {
        keep(tok, (a) => (trace.tokenEmbedding = a));
        keep(pos, (a) => (trace.positionEmbedding = a));
        keep(x, (a) => (trace.embedding = a));
      }
      const mask = T > 1 ? causalMask(T, P) : null;

      for (let l = 0; l < config.n_layer; l++) {
        const traceHere = !!tr && wantLayer(l);
        const lt: LayerTrace = { layer: l };
        if (traceHere && trace) trace.layers.push(lt);
        const record = traceHere && tr ? (part: BlockPart, t: tf.Tensor) => {
          const on: Record<BlockPart, boolean | undefined> = {
            q: tr.qkv, k: tr.qkv, v: tr.qkv, scores: tr.scores, scaledMasked: tr.scores,
            attention: tr.attention, heads: tr.heads, mlpIn: tr.mlp, mlp: tr.mlp, residual: tr.residual,
          };
          // Keys arrive transposed (H, hd, T); the trace shows them like q and v, (H, T, hd).
          if (on[part]) keep(part === 'k' ? tf.transpose(t, [0, 2, 1]) : t, (a) => (lt[part] = a));
        } : undefined;
        // One tidy per block, so a long prefill's (H, T, P+T) attention tensors are freed block
        // by block instead of piling up across all of them.
        const xIn = x;
        x = tf.tidy(() => {
          const out = block(config, w, l, xIn, { B: 1, T, pastKT: cache.kT[l], pastV: cache.v[l], mask }, INFERENCE_OPS, record);
          newKT.push(tf.keep(out.kT));
          newV.push(tf.keep(out.v));
          if (traceHere && lensK > 0) {
            const probs = tf.softmax(lmHead(w, out.x));
            const { values, indices } = tf.topk(probs, Math.min(lensK, config.vocab_size));
            lensPending.push({ l, vals: tf.keep(values), idx: tf.keep(indices) });
          }
          return out.x;
        });
      }

      // Only the positions whose logits are wanted go through the (large) LM head.
      const all = opts.allLogits || tr?.logits;
      const xf = all ? x : (tf.slice(x, [T - 1, 0], [1, C]) as T2);
      const out = lmHead(w, xf); // (T or 1, V)
      if (tr?.logits && trace) keep(out, (a) => (trace.logits = a));
      if (all && !opts.allLogits) return tf.slice(out, [T - 1, 0], [1, config.vocab_size]) as T2;
      return out;
    });
  }

  // Commit the new cache only after the whole pass succeeded.
  for (let l = 0; l < config.n_layer; l++) {
    cache.kT[l]?.dispose();
    cache.v[l]?.dispose();
    cache.kT[l] = newKT[l];
    cache.v[l] = newV[l];
  }
  cache.length = P + T;

  if (trace) {
    const arrays = await Promise.all(pending.map((p) => p.t.data() as Promise<Float32Array>));
    pending.forEach((p, i) => {
      p.set({ shape: p.t.shape.slice(), data: arrays[i] });
      p.t.dispose();
    });
    for (const lp of lensPending) {
      const [vals, idx] = (await Promise.all([lp.vals.data(), lp.idx.data()])) as [Float32Array, Int32Array];
      const k = lp.vals.shape[1] ?? 0;
      const lens: LensLayer = { ids: [], probs: [] };
      for (let t = 0; t < T; t++) {
        lens.ids.push(idx.slice(t * k, (t + 1) * k));
        lens.probs.push(vals.slice(t * k, (t + 1) * k));
      }
      const lt = trace.layers.find((x) => x.layer === lp.l);
      if (lt) lt.lens = lens;
      lp.vals.dispose();
      lp.idx.dispose();
    }
  }
  return { logits, trace };
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
