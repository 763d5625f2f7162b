/**
 * Chapter 4's data: the attention rows of one layer from the ticks' traces (or one recompute),
 * each row at its three stages (QKᵀ, scaled and masked, softmax), the numbers of one cell's
 * equation, the worked softmax's inputs, and the question's keys. No DOM.
 */
import type { TraceOptions } from '../../../model/gpt2.ts';
import { stripTokens } from '../../cells.ts';
import type { ClockState } from '../../clock.ts';
import type { Engine } from '../../../engine/engine.ts';
import type { TickSummary, TickTrace } from '../../../engine/protocol.ts';
import { InputError } from '../../runtime.ts';
import { ui } from './strings.ts';

/** The three stages of the matrix a reader can pick (each label read in the page's language). */
export type Stage = 'scores' | 'scaled' | 'softmax';
export const STAGES: { id: Stage; readonly label: string }[] = (['scores', 'scaled', 'softmax'] as const).map((id) => ({
  id,
  get label() {
    return ui(`ch4.stage.${id}`);
  },
}));

/** One query position of one layer, every head: its q and k, and its row of the matrix at each stage. */
export interface AttnRow {
  position: number;
  heads: number;
  keys: number; // positions 0 … position (the row's length)
  headDim: number;
  q: Float32Array; // (H, d)
  k: Float32Array; // (H, d)
  scores: Float32Array; // (H, keys) q·kᵀ
  scaled: Float32Array; // (H, keys) q·kᵀ/√d (the mask has nothing to hide up to the diagonal)
  weights: Float32Array; // (H, keys) softmax
  v?: Float32Array; // (H, d) this position's values (traced with qkv)
  out?: Float32Array; // (H, d) each head's output, weights · v (traced with heads)
}

/** The rows a trace holds for `layer`, one per fed position (trimmed to the causal part). */
export function rowsFromTrace(trace: TickTrace, layer: number): AttnRow[] {
  const d = trace.detail?.find((x) => x.layer === layer);
  const a = trace.attention.find((x) => x.layer === layer);
  if (!d || !a || !d.q || !d.k || !d.scores || !d.scaledMasked) return [];
  const [H, T, K] = d.shape;
  const hd = d.headDim;
  const out: AttnRow[] = [];
  for (let t = 0; t < T; t++) {
    const position = trace.start + t;
    const keys = position + 1;
    const per = (src: Float32Array, width: number, n: number) => {
      const o = new Float32Array(H * n);
      for (let hh = 0; hh < H; hh++) o.set(src.subarray((hh * T + t) * width, (hh * T + t) * width + n), hh * n);
      return o;
    };
    out.push({
      position, heads: H, keys, headDim: hd,
      q: per(d.q, hd, hd), k: per(d.k, hd, hd),
      scores: per(d.scores, K, keys), scaled: per(d.scaledMasked, K, keys), weights: per(a.data, a.shape[2], keys),
      ...(d.v ? { v: per(d.v, hd, hd) } : {}), ...(d.heads ? { out: per(d.heads, hd, hd) } : {}),
    });
  }
  return out;
}

/** The ticks of the current window: from the latest prefill (a new session, or a slide of the context) on. */
export function windowTicks(ticks: TickSummary[]): TickSummary[] {
  let from = -1;
  for (let i = ticks.length - 1; i >= 0 && from < 0; i--) if (ticks[i].kind === 'prefill') from = i;
  return from < 0 ? [] : ticks.slice(from);
}

/** Rows of `layer` from the ticks' own traces, by position; `null` where a tick did not trace that layer. */
export function rowsFromTicks(ticks: TickSummary[], layer: number): (AttnRow | null)[] {
  const win = windowTicks(ticks);
  const n = win.at(-1)?.cacheLength ?? 0;
  const rows: (AttnRow | null)[] = new Array(n).fill(null);
  for (const t of win) if (t.trace) for (const r of rowsFromTrace(t.trace, layer)) if (r.position < n) rows[r.position] = r;
  return rows;
}

/** What the matrix and the equation draw: the chosen layer's rows over the window's tokens. */
export interface AttentionView {
  tick: number; // the latest tick
  layer: number;
  tokens: string[]; // one per position (the cached ones)
  rows: AttnRow[]; // one per position
  recomputed: number; // rows that came from a recompute rather than a tick
}

/** One row of one head at one stage, as the matrix draws it. */
export function stageRow(r: AttnRow, head: number, stage: Stage): number[] {
  const src = stage === 'scores' ? r.scores : stage === 'scaled' ? r.scaled : r.weights;
  return Array.from(src.subarray(head * r.keys, (head + 1) * r.keys));
}

/** The numbers of the cell equation for query i, key j of one head — all read from the engine's trace. */
export interface CellNumbers {
  layer: number;
  head: number;
  query: number; // i
  key: number; // j
  headDim: number; // d
  q: number[]; // q_i
  k: number[]; // k_j
  score: number; // q_i·k_j, as the engine computed it
  scaled: number; // s_ij = q_i·k_j/√d, as the engine computed it
  row: number[]; // s_i0 … s_ii
  sum: number; // Σ_{k≤i} exp(s_ik), float64 over the engine's row
  weight: number; // a_ij, the engine's softmax
}

export function cellNumbers(view: AttentionView, head: number, query: number, key: number): CellNumbers {
  const ri = view.rows[query];
  const rj = view.rows[key];
  const d = ri.headDim;
  const row = stageRow(ri, head, 'scaled');
  let sum = 0;
  for (const s of row) sum += Math.exp(s);
  return {
    layer: view.layer, head, query, key, headDim: d,
    q: Array.from(ri.q.subarray(head * d, (head + 1) * d)),
    k: Array.from(rj.k.subarray(head * d, (head + 1) * d)),
    score: ri.scores[head * ri.keys + key],
    scaled: row[key],
    row,
    sum,
    weight: ri.weights[head * ri.keys + key],
  };
}

/** The matrix's default highlight: the newest row, at the key it attends to most. */
export function defaultCell(view: AttentionView, head: number): [number, number] {
  const q = view.rows.length - 1;
  const w = stageRow(view.rows[q], head, 'softmax');
  let best = 0;
  for (let k = 1; k < w.length; k++) if (w[k] > w[best]) best = k;
  return [q, best];
}

/** The trace a tick needs for the matrix of `layer`. */
export const traceFor = (layer: number): TraceOptions => ({ qkv: true, scores: true, attention: true, heads: true, layers: [layer], attentionEveryLayer: true });

/** A refused input of the worked softmax: `index` says which one (0 … 3). */
export class SoftmaxInputError extends InputError {
  constructor(readonly index: number) {
    super(ui('input.softmax', { n: index + 1 }));
  }
}

/** softmax of the reader's four numbers, by the same sampler that picks tokens (T = 1). */
export function parseInputs(raw: string[]): number[] {
  const xs = raw.map((s) => (s.trim() === '' ? NaN : Number(s)));
  const bad = xs.findIndex((x) => !Number.isFinite(x) || Math.abs(x) > 1000);
  if (bad >= 0) throw new SoftmaxInputError(bad);
  return xs;
}

/** The next tick's newest query position and the tokens it may attend to (the current window: prompt and generated). */
export function attentionKeys(state: ClockState): { query: number; tokens: string[] } {
  const win = windowTicks(state.ticks);
  const dropped = win[0]?.window?.dropped ?? 0;
  const tokens = stripTokens(state).slice(dropped).map((t) => t.text);
  return { query: tokens.length - 1, tokens };
}

/** One head's weights in the newest row a trace holds for `layer` (null when that layer was not traced). */
export function newestRow(trace: TickTrace, layer: number, head: number): number[] | null {
  const a = trace.attention.find((x) => x.layer === layer);
  if (!a) return null;
  const [, T, K] = a.shape;
  const t = T - 1;
  const keys = trace.start + T;
  return Array.from(a.data.subarray((head * T + t) * K, (head * T + t) * K + keys));
}

/**
 * The chapter's view of `layer` after the ticks so far: the rows the ticks traced, and for those
 * they did not (another layer was chosen then) one recompute per window and layer, remembered
 * until a part of the model is removed or restored (the run's text and the model then change).
 */
export function attentionViews(): (engine: Engine, state: ClockState, layer: number) => Promise<AttentionView | null> {
  const recomputed = new WeakMap<TickSummary, Map<number, AttnRow[]>>();
  let model = ''; // the intervention the remembered rows were computed under
  return async (engine, state, layer) => {
    const win = windowTicks(state.ticks);
    const last = win.at(-1);
    if (!last) return null;
    const iv = state.intervention;
    const now = iv ? JSON.stringify([iv.from, iv.heads, iv.skipBlocks]) : '';
    if (now !== model) recomputed.delete(win[0]);
    model = now;
    const rows = rowsFromTicks(state.ticks, layer);
    let extra = 0;
    if (rows.some((r) => r === null)) {
      const byLayer = recomputed.get(win[0]) ?? new Map<number, AttnRow[]>();
      recomputed.set(win[0], byLayer);
      let got = byLayer.get(layer) ?? [];
      if (rows.some((r, p) => r === null && !got[p])) {
        const res = await engine.request({ type: 'recompute', trace: traceFor(layer) });
        got = res.trace ? rowsFromTrace(res.trace, layer) : [];
        byLayer.set(layer, got);
      }
      rows.forEach((r, p) => {
        if (r === null && got[p]) {
          rows[p] = got[p];
          extra++;
        }
      });
    }
    const seq = stripTokens(state).map((t) => t.text);
    const dropped = win[0].window?.dropped ?? 0;
    const filled = rows.filter((r): r is AttnRow => r !== null);
    return { tick: last.index, layer, tokens: seq.slice(dropped, dropped + filled.length), rows: filled, recomputed: extra };
  };
}

/** The newest position's attention row in every layer and head of one tick: what the overview draws. */
export interface HeadsOverview {
  tick: number;
  position: number; // the newest position (the query of every row)
  layers: number;
  heads: number;
  rows: number[][][]; // [layer][head][key], keys 0 … position
}

/** The newest row of every layer and head a tick traced (null when the tick did not trace every layer). */
export function headsOverview(tick: TickSummary, layers: number): HeadsOverview | null {
  const tr = tick.trace;
  if (!tr || tr.attention.length < layers) return null;
  const byLayer = [...tr.attention].sort((a, b) => a.layer - b.layer);
  const [H, T] = byLayer[0].shape;
  const position = tr.start + T - 1;
  const rows = byLayer.map((a) => {
    const K = a.shape[2];
    return Array.from({ length: H }, (_, h) => Array.from(a.data.subarray((h * T + T - 1) * K, (h * T + T - 1) * K + position + 1)));
  });
  return { tick: tick.index, position, layers: byLayer.length, heads: H, rows };
}

/** A head's habits: the mean share of its attention on the first token, the previous token and itself. */
export type Habit = 'first' | 'previous' | 'self';
export const HABITS: Habit[] = ['first', 'previous', 'self'];

export interface HeadHabit {
  layer: number;
  head: number;
  first: number; // mean a[p][0]
  previous: number; // mean a[p][p−1]
  self: number; // mean a[p][p]
  habit: Habit | null; // the one whose mean is ≥ HABIT_SHARE (the largest, if two are), or none
}

/** The mean share at or above which a habit dominates a head. */
export const HABIT_SHARE = 0.5;

/** The head habits of one tick, measured over its rows, and the rows they were measured over. */
export interface HabitsResult {
  tick: number;
  kind: TickSummary['kind'];
  positions: number[]; // the query positions measured (from 2 on: at 0 and 1 the first token is itself or the previous one)
  heads: HeadHabit[]; // layer by layer, head by head
}

/**
 * Each head's habits over the rows a tick fed (every prompt position for a prefill, the new one for
 * a decode tick), from its traced weights. Positions 0 and 1 are left out: there the first token
 * is the token itself or the previous one, and the habits cannot be told apart. Null when no row
 * is left or the tick did not trace every layer.
 */
export function headHabits(tick: TickSummary, layers: number): HabitsResult | null {
  const tr = tick.trace;
  if (!tr || tr.attention.length < layers) return null;
  const byLayer = [...tr.attention].sort((a, b) => a.layer - b.layer);
  const [H, T] = byLayer[0].shape;
  const ts = Array.from({ length: T }, (_, t) => t).filter((t) => tr.start + t >= 2);
  if (!ts.length) return null;
  const heads: HeadHabit[] = [];
  for (const a of byLayer) {
    const K = a.shape[2];
    for (let h = 0; h < H; h++) {
      let first = 0;
      let previous = 0;
      let self = 0;
      for (const t of ts) {
        const p = tr.start + t;
        const at = (k: number) => a.data[(h * T + t) * K + k];
        first += at(0);
        previous += at(p - 1);
        self += at(p);
      }
      const m = { first: first / ts.length, previous: previous / ts.length, self: self / ts.length };
      const best = HABITS.reduce((x, y) => (m[y] > m[x] ? y : x));
      heads.push({ layer: a.layer, head: h, ...m, habit: m[best] >= HABIT_SHARE ? best : null });
    }
  }
  return { tick: tick.index, kind: tick.kind, positions: ts.map((t) => tr.start + t), heads };
}

/** The key a row gives most weight to (the first such key on a tie). */
export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < row.length; k++) if (row[k] > row[best]) best = k;
  return best;
}

/** One head's output for the newest position, beside the value it attends to most. */
export interface HeadOutput {
  head: number;
  out: number[]; // weights · v, as the engine computed it (d numbers)
  key: number; // the most-attended position
  weight: number; // its weight
  value: number[]; // v at that position (d numbers)
  cosine: number; // cos(out, value), float64
}

/** Each head's output for the view's newest position, with the value of its most-attended position (null when not traced). */
export function headOutputs(view: AttentionView): HeadOutput[] | null {
  const r = view.rows.at(-1);
  if (!r?.out) return null;
  const d = r.headDim;
  const out: HeadOutput[] = [];
  for (let h = 0; h < r.heads; h++) {
    const w = r.weights.subarray(h * r.keys, (h + 1) * r.keys);
    const key = argmax(w);
    const v = view.rows[key]?.v;
    if (!v) return null;
    const o = Array.from(r.out.subarray(h * d, (h + 1) * d));
    const value = Array.from(v.subarray(h * d, (h + 1) * d));
    let dot = 0;
    let no = 0;
    let nv = 0;
    for (let i = 0; i < d; i++) {
      dot += o[i] * value[i];
      no += o[i] * o[i];
      nv += value[i] * value[i];
    }
    out.push({ head: h, out: o, key, weight: w[key], value, cosine: no && nv ? dot / Math.sqrt(no * nv) : 0 });
  }
  return out;
}

/** For each habit: the heads it dominates (strongest first) and the head with the largest share of it. */
export interface HabitSummary {
  habit: Habit;
  heads: HeadHabit[]; // habit === this one, by share, largest first
  strongest: HeadHabit; // the largest mean share of this habit, dominant or not
}

export function habitSummary(r: HabitsResult): HabitSummary[] {
  return HABITS.map((habit) => {
    const heads = r.heads.filter((x) => x.habit === habit).sort((a, b) => b[habit] - a[habit]);
    const strongest = r.heads.reduce((a, b) => (b[habit] > a[habit] ? b : a));
    return { habit, heads, strongest };
  });
}
