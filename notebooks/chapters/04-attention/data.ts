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
export const traceFor = (layer: number): TraceOptions => ({ qkv: true, scores: true, attention: true, layers: [layer] });

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
 * they did not (another layer was chosen then) one recompute per window and layer, remembered.
 */
export function attentionViews(): (engine: Engine, state: ClockState, layer: number) => Promise<AttentionView | null> {
  const recomputed = new WeakMap<TickSummary, Map<number, AttnRow[]>>();
  return async (engine, state, layer) => {
    const win = windowTicks(state.ticks);
    const last = win.at(-1);
    if (!last) return null;
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
