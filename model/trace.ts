/**
 * What a tick records, kept apart from the arithmetic that produces it.
 *
 * The forward pass (model/gpt2.ts) reports to a `Recorder` at each point where its maths makes
 * something a reader may want to see: the embeddings, each layer's attention and MLP, the residual
 * stream after each block, the logits. The recorder decides what to copy out. `NO_TRACE` ignores
 * everything, so an untraced pass keeps no extra tensors and reads nothing back; a `TraceRecorder`
 * keeps clones of what its `TraceOptions` ask for and copies them out of tfjs once the pass is done.
 */
import * as tf from '@tensorflow/tfjs-core';

type T2 = tf.Tensor2D;
type T3 = tf.Tensor3D;

/** Which internals to record. Every item costs time and memory only when asked for. */
export interface TraceOptions {
  embeddings?: boolean; // token and position embeddings, and their sum
  qkv?: boolean; // q, k, v per layer and head for the new positions
  scores?: boolean; // q·kᵀ before, and after scale + causal mask
  attention?: boolean; // softmax weights per layer and head
  heads?: boolean; // each head's output (weights · v) before the output projection
  mlp?: boolean; // MLP activations after GELU
  residual?: boolean; // residual stream after each block
  norm?: boolean; // ln_1 per layer: its output, and its γ and β
  adds?: boolean; // what attention and the MLP each add to the residual stream, per layer
  logits?: boolean; // final logits for every new position (not just the last)
  lens?: boolean | number; // logit lens: top-k (default 10) of ln_f + unembedding after each layer
  layers?: number[]; // restrict per-layer items to these layers (default: all)
  attentionEveryLayer?: boolean; // softmax weights at every layer, whatever `layers` says (an overview of every head beside one layer's detail)
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
  ln1?: TraceArray; // (T, C) ln_1(x): the normalised stream attention reads (recorded with norm)
  ln1Gamma?: TraceArray; // (C) ln_1's γ (recorded with norm)
  ln1Beta?: TraceArray; // (C) ln_1's β (recorded with norm)
  attnOut?: TraceArray; // (T, C) attention's output after its projection: what it adds to the stream (recorded with adds)
  mlpOut?: TraceArray; // (T, C) the MLP's output after its projection: what it adds (recorded with adds)
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

/** What one layer's attention produced, heads batched as B·H (H when B = 1). */
export interface AttentionParts {
  q: T3; // (B·H, T, hd)
  k: T3; // (B·H, T, hd) the new keys, as the cache keeps them
  v: T3; // (B·H, T, hd)
  scores: T3; // (B·H, T, P+T) q·kᵀ
  scaled: T3; // (B·H, T, P+T) ÷ √hd, plus the causal mask
  weights: T3; // (B·H, T, P+T) softmax rows
  heads: T3; // (B·H, T, hd) weights · v
}

/**
 * The points where the forward pass reports what it computed. Called inside tfjs tidies: a
 * recorder that wants a tensor after the call must keep its own copy.
 */
export interface Recorder {
  embeddings(tok: T2, pos: T2, x: T2): void; // (T, C) each: wte rows, wpe rows, their sum
  attention(layer: number, a: AttentionParts): void;
  mlp(layer: number, fc: T2, act: T2): void; // (T, 4C): GELU input and output
  block(layer: number, x: T2): void; // (T, C) the residual stream after this block
  norm(layer: number, y: T2, gamma: tf.Tensor1D, beta: tf.Tensor1D): void; // (T, C) ln_1's output, and its γ and β (C)
  adds(layer: number, attn: T2, mlp: T2): void; // (T, C) each: what attention and the MLP add to the stream
  logits(logits: T2): void; // (T or 1, V)
}

/** The recorder of an untraced pass: records nothing, allocates nothing. */
export const NO_TRACE: Recorder = { embeddings: () => {}, attention: () => {}, mlp: () => {}, block: () => {}, logits: () => {}, norm: () => {}, adds: () => {} };

/** Rows of residual stream one logit-lens call reads at most (its softmax is rows × vocabulary floats: 12.9 MB on GPT-2). */
export const LENS_ROWS = 64;

/** The logit lens of one residual stream (T, C): its top k guesses and their probabilities, (T, k) each. */
export type LogitLens = (x: T2, k: number) => { values: tf.Tensor; indices: tf.Tensor };

/**
 * Records what `TraceOptions` ask for. Tensors are cloned and kept out of the pass's tidies, then
 * copied out by `read()` (or freed by `dispose()` if the pass failed).
 */
export class TraceRecorder implements Recorder {
  private readonly trace: Trace;
  private readonly byLayer = new Map<number, LayerTrace>();
  private readonly full = new Set<number>(); // layers `layers` asks for: every per-layer item (the others only attentionEveryLayer's weights)
  private readonly kept: { t: tf.Tensor; set: (a: TraceArray) => void }[] = [];
  private readonly lenses: { lt: LayerTrace; x: tf.Tensor }[] = []; // residual streams the lens reads, in read()
  private readonly lensK: number;

  constructor(
    private readonly opts: TraceOptions,
    at: { start: number; tokens: number[]; nLayer: number },
    private readonly lens: LogitLens,
  ) {
    this.trace = { start: at.start, tokens: at.tokens.slice(), layers: [] };
    for (let l = 0; l < at.nLayer; l++) {
      const full = !opts.layers || opts.layers.includes(l);
      if (!full && !opts.attentionEveryLayer) continue;
      if (full) this.full.add(l);
      const lt: LayerTrace = { layer: l };
      this.trace.layers.push(lt);
      this.byLayer.set(l, lt);
    }
    this.lensK = opts.lens === true ? 10 : typeof opts.lens === 'number' ? opts.lens : 0;
  }

  private keep(t: tf.Tensor, set: (a: TraceArray) => void): void {
    this.kept.push({ t: tf.keep(t.clone()), set });
  }

  embeddings(tok: T2, pos: T2, x: T2): void {
    if (!this.opts.embeddings) return;
    const tr = this.trace;
    this.keep(tok, (a) => (tr.tokenEmbedding = a));
    this.keep(pos, (a) => (tr.positionEmbedding = a));
    this.keep(x, (a) => (tr.embedding = a));
  }

  attention(layer: number, a: AttentionParts): void {
    const lt = this.byLayer.get(layer);
    if (!lt) return;
    const o = this.opts;
    if (!this.full.has(layer)) {
      this.keep(a.weights, (x) => (lt.attention = x)); // a layer kept only for attentionEveryLayer
      return;
    }
    if (o.qkv) {
      this.keep(a.q, (x) => (lt.q = x));
      this.keep(a.k, (x) => (lt.k = x));
      this.keep(a.v, (x) => (lt.v = x));
    }
    if (o.scores) {
      this.keep(a.scores, (x) => (lt.scores = x));
      this.keep(a.scaled, (x) => (lt.scaledMasked = x));
    }
    if (o.attention || o.attentionEveryLayer) this.keep(a.weights, (x) => (lt.attention = x));
    if (o.heads) this.keep(a.heads, (x) => (lt.heads = x));
  }

  mlp(layer: number, fc: T2, act: T2): void {
    const lt = this.byLayer.get(layer);
    if (!lt || !this.opts.mlp || !this.full.has(layer)) return;
    this.keep(fc, (x) => (lt.mlpIn = x));
    this.keep(act, (x) => (lt.mlp = x));
  }

  norm(layer: number, y: T2, gamma: tf.Tensor1D, beta: tf.Tensor1D): void {
    const lt = this.byLayer.get(layer);
    if (!lt || !this.opts.norm) return;
    this.keep(y, (x) => (lt.ln1 = x));
    this.keep(gamma, (x) => (lt.ln1Gamma = x));
    this.keep(beta, (x) => (lt.ln1Beta = x));
  }

  adds(layer: number, attn: T2, mlp: T2): void {
    const lt = this.byLayer.get(layer);
    if (!lt || !this.opts.adds) return;
    this.keep(attn, (x) => (lt.attnOut = x));
    this.keep(mlp, (x) => (lt.mlpOut = x));
  }

  block(layer: number, x: T2): void {
    const lt = this.byLayer.get(layer);
    if (!lt || !this.full.has(layer)) return;
    if (this.opts.residual) this.keep(x, (a) => (lt.residual = a));
    // The lens itself (a pass through ln_f and the whole LM head per layer: on GPT-2 124M about
    // four times the rest of a decode tick) runs in read(), after the caller has its logits.
    if (this.lensK > 0) this.lenses.push({ lt, x: tf.keep(x.clone()) });
  }

  logits(logits: T2): void {
    if (this.opts.logits) this.keep(logits, (a) => (this.trace.logits = a));
  }

  /** Run the logit lens, copy everything recorded out of tfjs, and free the kept tensors. */
  async read(): Promise<Trace> {
    try {
      const arrays = await Promise.all(this.kept.map((p) => p.t.data() as Promise<Float32Array>));
      this.kept.forEach((p, i) => p.set({ shape: p.t.shape.slice(), data: arrays[i] }));
      if (this.lenses.length > 0) await this.readLens();
      return this.trace;
    } finally {
      this.dispose();
    }
  }

  /**
   * The logit lens of every recorded layer: their streams stacked, LENS_ROWS rows to a call, so a
   * decode tick sends the LM head (50,257 × 768 on GPT-2) one product for all its layers, not one per layer.
   */
  private async readLens(): Promise<void> {
    const T = this.trace.tokens.length;
    const rows = tf.concat(this.lenses.map((p) => p.x), 0) as T2; // (layers·T, C), layer by layer
    const ids: Int32Array[] = [];
    const probs: Float32Array[] = [];
    try {
      for (let r = 0; r < rows.shape[0]; r += LENS_ROWS) {
        const n = Math.min(LENS_ROWS, rows.shape[0] - r);
        const { values, indices } = tf.tidy(() => this.lens(tf.slice(rows, [r, 0], [n, rows.shape[1]]), this.lensK));
        try {
          const [vals, idx] = (await Promise.all([values.data(), indices.data()])) as [Float32Array, Int32Array];
          const k = values.shape[1] ?? 0;
          for (let i = 0; i < n; i++) {
            ids.push(idx.slice(i * k, (i + 1) * k));
            probs.push(vals.slice(i * k, (i + 1) * k));
          }
        } finally {
          tf.dispose([values, indices]);
        }
      }
    } finally {
      rows.dispose();
    }
    this.lenses.forEach((p, l) => (p.lt.lens = { ids: ids.slice(l * T, (l + 1) * T), probs: probs.slice(l * T, (l + 1) * T) }));
  }

  /** Free every kept tensor (after `read`, or when the pass failed). */
  dispose(): void {
    for (const p of this.kept) p.t.dispose();
    for (const p of this.lenses) p.x.dispose();
    this.kept.length = 0;
    this.lenses.length = 0;
  }
}
