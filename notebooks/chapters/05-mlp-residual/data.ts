/**
 * Chapter 5's data: the newest position of the latest tick, layer by layer, read from the engine's
 * trace (the residual stream, one MLP unit's GELU input and output, the logit lens), and the
 * numbers of the live GELU equation. No DOM.
 */
import type { HeatmapData } from '../../../components/heatmap.ts';
import { stripTokens } from '../../cells.ts';
import type { ClockState } from '../../clock.ts';
import type { TokenGuess } from '../../../engine/protocol.ts';
import { parseBelow } from '../../controls.ts';
import { ui } from './strings.ts';

/** How many guesses per layer the logit lens reports. */
export const LENS_TOP = 5;

/** The newest position of the latest tick, layer by layer. */
export interface LayerView {
  tick: number;
  position: number; // t of the newest fed token
  id: number;
  text: string;
  dims: number; // C
  hidden: number; // 4C
  embedding: Float32Array; // the residual stream entering block 0
  residual: Float32Array[]; // after block l
  mlpIn: Float32Array[]; // GELU input of block l
  mlp: Float32Array[]; // GELU output of block l
  lens: TokenGuess[][]; // per layer, best first
  ln1?: Float32Array[]; // ln_1's output in block l (with trace.norm)
  gamma?: Float32Array[]; // ln_1's γ in block l
  beta?: Float32Array[]; // ln_1's β in block l
  attnOut?: Float32Array[]; // what attention adds in block l (with trace.adds)
  mlpOut?: Float32Array[]; // what the MLP adds in block l
}

/** The view of the latest traced tick, or null before any. */
export function layerView(state: ClockState): LayerView | null {
  const tick = [...state.ticks].reverse().find((t) => t.trace?.layers?.length && t.trace.embeddings);
  const tr = tick?.trace;
  if (!tick || !tr?.layers || !tr.embeddings) return null;
  const T = tr.tokens.length;
  const j = T - 1;
  const [, C] = tr.embeddings.shape;
  const row = (a: Float32Array | undefined, n: number) => (a ? a.subarray(j * (a.length / T), j * (a.length / T) + n) : new Float32Array(n));
  const hidden = tr.layers[0].mlp ? tr.layers[0].mlp.length / T : 4 * C;
  const position = tr.start + j;
  const id = tr.tokens[j];
  const s = stripTokens(state)[position];
  return {
    tick: tick.index,
    position,
    id,
    text: s && s.id === id ? s.text : `#${id}`,
    dims: C,
    hidden,
    embedding: tr.embeddings.sum.subarray(j * C, (j + 1) * C),
    residual: tr.layers.map((l) => row(l.residual, C)),
    mlpIn: tr.layers.map((l) => row(l.mlpIn, hidden)),
    mlp: tr.layers.map((l) => row(l.mlp, hidden)),
    lens: tr.lens.map((l) => l.positions[j] ?? []),
    ...(tr.layers.every((l) => l.ln1 && l.ln1Gamma && l.ln1Beta)
      ? { ln1: tr.layers.map((l) => row(l.ln1, C)), gamma: tr.layers.map((l) => l.ln1Gamma!), beta: tr.layers.map((l) => l.ln1Beta!) } : {}),
    ...(tr.layers.every((l) => l.attnOut && l.mlpOut) ? { attnOut: tr.layers.map((l) => row(l.attnOut, C)), mlpOut: tr.layers.map((l) => row(l.mlpOut, C)) } : {}),
  };
}

/** The residual stream entering block `layer`: the embedding for block 0, else the previous block's output. */
export const streamInto = (v: LayerView, layer: number): Float32Array => (layer === 0 ? v.embedding : v.residual[layer - 1]);

/** One position's LayerNorm (ln_1 of one block), every step: what the live equation and the figure show. */
export interface NormNumbers {
  layer: number;
  position: number;
  text: string;
  dims: number; // C
  eps: number; // layer_norm_epsilon
  x: Float32Array; // the stream entering the block (the engine's)
  mean: number; // μ = Σx/C (float64)
  sigma: number; // σ = √(Σ(x−μ)²/C) (float64)
  xhat: number[]; // (x − μ)/√(σ² + ε) (float64)
  gamma: Float32Array; // ln_1.weight
  beta: Float32Array; // ln_1.bias
  y: Float32Array; // the engine's ln_1 output
  i: number; // the dimension the equation follows: the one with the largest |x|
}

export function normNumbers(v: LayerView, layer: number, eps: number): NormNumbers | null {
  if (!v.ln1 || !v.gamma || !v.beta || layer < 0 || layer >= v.residual.length) return null;
  const x = streamInto(v, layer);
  const C = x.length;
  let mean = 0;
  for (const a of x) mean += a;
  mean /= C;
  let variance = 0;
  for (const a of x) variance += (a - mean) ** 2;
  variance /= C;
  const d = Math.sqrt(variance + eps);
  let i = 0;
  for (let k = 1; k < C; k++) if (Math.abs(x[k]) > Math.abs(x[i])) i = k;
  return {
    layer, position: v.position, text: v.text, dims: C, eps, x, mean, sigma: Math.sqrt(variance),
    xhat: Array.from(x, (a) => (a - mean) / d), gamma: v.gamma[layer], beta: v.beta[layer], y: v.ln1[layer], i,
  };
}

/** Mean, spread (population standard deviation), least and greatest of a vector, in float64. */
export function vectorStats(a: ArrayLike<number>): { mean: number; sd: number; min: number; max: number } {
  let mean = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let k = 0; k < a.length; k++) {
    mean += a[k];
    min = Math.min(min, a[k]);
    max = Math.max(max, a[k]);
  }
  mean /= a.length;
  let s = 0;
  for (let k = 0; k < a.length; k++) s += (a[k] - mean) ** 2;
  return { mean, sd: Math.sqrt(s / a.length), min, max };
}

/** A block's GELU inputs for the newest position, counted: what the sentence under the curve says. */
export interface GeluSummary {
  layer: number;
  n: number; // 4C inputs
  negative: number; // inputs below 0
  negMin: number; // the most negative output among them (GELU's dip, ≥ −0.17)
  flat: number; // inputs below −3: outputs within 0.004 of 0
  positive: number;
  xMax: number; // the largest input
  yMax: number; // what GELU made of it (the engine's)
}

export function geluSummary(v: LayerView, layer: number): GeluSummary | null {
  if (layer < 0 || layer >= v.mlp.length) return null;
  const x = v.mlpIn[layer];
  const y = v.mlp[layer];
  let negative = 0;
  let negMin = 0;
  let flat = 0;
  let top = 0;
  for (let k = 0; k < x.length; k++) {
    if (x[k] < 0) {
      negative++;
      negMin = Math.min(negMin, y[k]);
      if (x[k] < -3) flat++;
    }
    if (x[k] > x[top]) top = k;
  }
  return { layer, n: x.length, negative, negMin, flat, positive: x.length - negative, xMax: x[top], yMax: y[top] };
}

/** What one block's attention and MLP add to the newest position's stream. */
export interface BlockAdd {
  block: number;
  stream: number; // ‖x‖ of the stream entering the block
  attn: number; // ‖attention's output‖
  mlp: number; // ‖the MLP's output‖
  attnCos: number; // cosine of attention's output with the stream entering the block
  mlpCos: number; // cosine of the MLP's output with the stream after attention
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k] * b[k];
  return s;
};
const norm = (a: ArrayLike<number>) => Math.sqrt(dot(a, a));

/** Per block, the lengths of what attention and the MLP add, and their cosines with the stream they are added to (float64). */
export function blockAdds(v: LayerView): BlockAdd[] | null {
  if (!v.attnOut || !v.mlpOut) return null;
  return v.residual.map((_, l) => {
    const x = streamInto(v, l);
    const a = v.attnOut![l];
    const m = v.mlpOut![l];
    const mid = Array.from(x, (xi, k) => xi + a[k]);
    return { block: l, stream: norm(x), attn: norm(a), mlp: norm(m), attnCos: dot(a, x) / (norm(a) * norm(x)), mlpCos: dot(m, mid) / (norm(m) * norm(mid)) };
  });
}

/** The numbers of the live GELU equation for one unit of one layer's MLP. */
export interface GeluNumbers {
  layer: number;
  unit: number;
  position: number;
  text: string;
  x: number; // the unit's input, from the engine
  cube: number; // 0.044715·x³
  inner: number; // √(2/π)·(x + 0.044715·x³)
  tanh: number; // tanh(inner)
  y: number; // the engine's GELU output
}

/** GELU, tanh form, in float64: what the engine's float32 output is compared with. */
export function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
}

export function geluNumbers(v: LayerView, layer: number, unit: number): GeluNumbers | null {
  if (layer < 0 || layer >= v.mlp.length || unit < 0 || unit >= v.hidden) return null;
  const x = v.mlpIn[layer][unit];
  const cube = 0.044715 * x ** 3;
  const inner = Math.sqrt(2 / Math.PI) * (x + cube);
  return { layer, unit, position: v.position, text: v.text, x, cube, inner, tanh: Math.tanh(inner), y: v.mlp[layer][unit] };
}

/** A whole number for Layer or Unit, below `count`. */
export function parsePick(what: 'Block' | 'Unit', raw: string, count: number, badInput = false): number {
  return parseBelow(raw, count, badInput, () => ui(what === 'Block' ? 'ch5.pick.block' : 'ch5.pick.unit', { max: count - 1, count }));
}

/** The residual stream of the newest position as heatmap rows: entering block 0, then after each block. */
export function residualData(v: LayerView): HeatmapData {
  return {
    rows: [ui('ch5.row.embedding'), ...v.residual.map((_, l) => ui('ch5.row.after', { block: l }))],
    values: [Array.from(v.embedding), ...v.residual.map((r) => Array.from(r))],
  };
}

/** The first block after which the lens's top guess is already the final block's (null without a lens). */
export function firstOnTop(lens: TokenGuess[][]): number | null {
  const final = lens.at(-1)?.[0];
  if (!final) return null;
  const l = lens.findIndex((g) => g[0]?.id === final.id);
  return l < 0 ? null : l;
}
