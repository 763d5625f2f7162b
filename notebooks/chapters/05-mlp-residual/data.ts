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
  };
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
