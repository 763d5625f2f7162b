/**
 * Chapter 3's data: the embeddings of every position the ticks have fed (wte row, wpe row, their
 * sum), read from the ticks' traces; the numbers of the live equation; the Position and Dimension
 * inputs; cosine similarity of wte rows. No DOM.
 */
import type { HeatmapData } from '../../../components/heatmap.ts';
import { stripTokens } from '../../cells.ts';
import type { ClockState } from '../../clock.ts';
import { parseBelow } from '../../controls.ts';
import { ui } from './strings.ts';

/** How many rows (the latest positions) the heatmaps draw; their tables have the same rows. */
export const HEATMAP_ROWS = 32;

/** Every position fed so far, with its three vectors. */
export interface EmbeddingView {
  positions: number[]; // t of each row, ascending
  ids: number[]; // id_t
  texts: string[]; // the token's text
  dims: number; // C = n_embd
  token: Float32Array[]; // wte[id_t]
  position: Float32Array[]; // wpe[t]
  sum: Float32Array[]; // x_t = wte[id_t] + wpe[t]
}

/** The embeddings of every position the ticks so far have fed, from their traces. */
export function embeddingView(state: ClockState): EmbeddingView | null {
  const strip = stripTokens(state);
  const rows = new Map<number, { id: number; text: string; token: Float32Array; position: Float32Array; sum: Float32Array }>();
  let dims = 0;
  for (const t of state.ticks) {
    const e = t.trace?.embeddings;
    if (!e || !t.trace) continue;
    const [n, c] = e.shape;
    dims = c;
    for (let j = 0; j < n; j++) {
      const pos = t.trace.start + j;
      const id = t.trace.tokens[j];
      const s = strip[pos];
      rows.set(pos, {
        id,
        text: s && s.id === id ? s.text : `#${id}`,
        token: e.token.subarray(j * c, (j + 1) * c),
        position: e.position.subarray(j * c, (j + 1) * c),
        sum: e.sum.subarray(j * c, (j + 1) * c),
      });
    }
  }
  if (rows.size === 0) return null;
  const positions = [...rows.keys()].sort((a, b) => a - b);
  const at = positions.map((p) => rows.get(p)!);
  return {
    positions,
    ids: at.map((r) => r.id),
    texts: at.map((r) => r.text),
    dims,
    token: at.map((r) => r.token),
    position: at.map((r) => r.position),
    sum: at.map((r) => r.sum),
  };
}

/** The numbers of the live equation for position t and dimension c. */
export interface EmbeddingNumbers {
  position: number; // t
  dimension: number; // c
  id: number; // id_t
  text: string; // the token at t
  wte: number; // wte[id_t, c]
  wpe: number; // wpe[t, c]
  x: number; // x_{t,c}, as the engine added them (float32)
}

/** The equation's numbers, or null when position t has not been fed yet. */
export function embeddingNumbers(v: EmbeddingView, position: number, dimension: number): EmbeddingNumbers | null {
  const row = v.positions.indexOf(position);
  if (row < 0 || dimension < 0 || dimension >= v.dims) return null;
  return {
    position,
    dimension,
    id: v.ids[row],
    text: v.texts[row],
    wte: v.token[row][dimension],
    wpe: v.position[row][dimension],
    x: v.sum[row][dimension],
  };
}

/** A whole number for Position or Dimension, below `count`. */
export function parsePick(what: 'Position' | 'Dimension', raw: string, count: number, badInput = false): number {
  return parseBelow(raw, count, badInput, () => ui(what === 'Position' ? 'input.position' : 'input.dimension', { last: count - 1, count }));
}

/** The shown rows of the view (the latest HEATMAP_ROWS) as heatmap data, with labels "t: token". */
export function heatmapData(v: EmbeddingView, which: 'token' | 'position' | 'sum', from: number): HeatmapData {
  return {
    rows: v.positions.slice(from).map((p, i) => `${p}:${v.texts[from + i]}`),
    values: v[which].slice(from).map((r) => Array.from(r)),
  };
}

/** Cosine similarity of two vectors: their dot product over the product of their lengths. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

/** Each choice's cosine similarity to the target, by token id, from the prefill's token embeddings (wte rows). */
export function similarities(v: EmbeddingView, targetPosition: number, ids: number[]): { id: number; text: string; cosine: number }[] {
  const row = v.positions.indexOf(targetPosition);
  if (row < 0) return [];
  return ids.map((id) => {
    const r = v.ids.indexOf(id);
    return { id, text: v.texts[r] ?? `#${id}`, cosine: r < 0 ? NaN : cosine(v.token[row], v.token[r]) };
  }).filter((x) => Number.isFinite(x.cosine)).sort((a, b) => b.cosine - a.cosine);
}

/**
 * What the heatmaps show, measured on the rows drawn: how alike different tokens' rows are; how
 * alike neighbouring positions' rows are against distant ones; and which of the two tables the sum
 * points along (mean cosine similarities; NaN where there is no pair to compare).
 */
export interface EmbeddingFindings {
  tokenPairs: number; // pairs of rows with different token ids
  tokenCosine: number; // their mean cosine
  nearCosine: number; // mean cosine of wpe rows one position apart
  far: number; // the distance "far" means here: half the rows drawn, at least 2
  farCosine: number; // mean cosine of wpe rows at least `far` positions apart
  sumToken: number; // mean cos(x_t, wte[id_t])
  sumPosition: number; // mean cos(x_t, wpe[t])
}

export function embeddingFindings(v: EmbeddingView, from = 0): EmbeddingFindings {
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  const rows = v.positions.length - from;
  const token: number[] = [];
  const near: number[] = [];
  const farPairs: number[] = [];
  const far = Math.max(2, Math.floor(rows / 2));
  for (let i = from; i < v.positions.length; i++) {
    for (let j = i + 1; j < v.positions.length; j++) {
      if (v.ids[i] !== v.ids[j]) token.push(cosine(v.token[i], v.token[j]));
      const d = v.positions[j] - v.positions[i];
      if (d === 1) near.push(cosine(v.position[i], v.position[j]));
      if (d >= far) farPairs.push(cosine(v.position[i], v.position[j]));
    }
  }
  const shown = Array.from({ length: rows }, (_, k) => from + k);
  return {
    tokenPairs: token.length,
    tokenCosine: mean(token),
    nearCosine: mean(near),
    far,
    farCosine: mean(farPairs),
    sumToken: mean(shown.map((i) => cosine(v.sum[i], v.token[i]))),
    sumPosition: mean(shown.map((i) => cosine(v.sum[i], v.position[i]))),
  };
}

/** How many nearest tokens the Nearest tokens cell lists. */
export const NEAREST_K = 12;

/**
 * What the nearest tokens say, from the engine's answer and the heatmaps' mean cosine of two
 * different tokens: the nearest's cosine, the k-th's, and whether neighbours in wte are clearly
 * more alike than tokens met at random (the nearest at least 0.1 above that mean, and twice it).
 */
export interface NearestFinding {
  nearest: number; // cosine of the nearest token
  last: number; // cosine of the k-th nearest
  k: number;
  mean: number; // mean cosine of two different tokens in the heatmaps (NaN when there is no pair)
  clear: boolean; // the nearest stands clearly above the mean
}

export function nearestFinding(cosines: number[], mean: number): NearestFinding | null {
  if (!cosines.length) return null;
  const nearest = cosines[0];
  const clear = Number.isFinite(mean) ? nearest >= mean + 0.1 && nearest >= 2 * mean : false;
  return { nearest, last: cosines.at(-1)!, k: cosines.length, mean, clear };
}
