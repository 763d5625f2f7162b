/**
 * Chapter 7's data: the FLOPs of one forward call from the config and the tick, prefill against
 * decode, and the cache after each tick. No DOM.
 */
import type { CacheTick } from '../../../components/kv-cache-growth.ts';
import { TIMELINE_ROWS } from '../../cells.ts';
import type { ModelInfo, TickSummary } from '../../../engine/protocol.ts';
import { countParams, makeConfig, PRESETS } from '../../../model/config.ts';

/** GPT-2 124M's config (model/config.ts's presets), for the cache budget beside this model's. */
export const GPT2_124M = makeConfig(PRESETS.gpt2);

/** The terms of forwardFlops (model/gpt2.ts) for one forward call, from the config and the tick. */
export interface FlopsTerms {
  L: number; // n_layer
  C: number; // n_embd
  V: number; // vocab_size
  T: number; // positions fed
  P: number; // positions already cached
  R: number; // rows through the LM head (1: only the last position's logits)
  weights: number; // L·24·T·C²: q, k, v, the output projection and the MLP
  attention: number; // L·4·T·(P+T)·C: q·kᵀ and weights·v over every cached position
  head: number; // 2·R·C·V: the LM head
  total: number;
}

export function flopsTerms(config: ModelInfo['config'], T: number, P: number, R = 1): FlopsTerms {
  const L = config.n_layer;
  const C = config.n_embd;
  const V = config.vocab_size;
  const weights = L * 24 * T * C * C;
  const attention = L * 4 * T * (P + T) * C;
  const head = 2 * R * C * V;
  return { L, C, V, T, P, R, weights, attention, head, total: weights + attention + head };
}

/** Prefill against decode: what each kind of tick fed, and its measured time and FLOPs. */
export function phaseRows(ticks: TickSummary[]): { kind: TickSummary['kind']; ticks: number; fed: number; ms: number; flops: number }[] {
  const out = [];
  for (const kind of ['prefill', 'decode'] as const) {
    const ts = ticks.filter((t) => t.kind === kind);
    if (ts.length === 0) continue;
    const mean = (f: (t: TickSummary) => number) => ts.reduce((a, t) => a + f(t), 0) / ts.length;
    out.push({ kind, ticks: ts.length, fed: mean((t) => t.fed), ms: mean((t) => t.ms.forward), flops: mean((t) => t.flops) });
  }
  return out;
}

/** The cache after each tick, as the growth chart draws it. */
export function cacheTicks(ticks: TickSummary[], rows = TIMELINE_ROWS): CacheTick[] {
  return ticks.slice(-rows).map((t) => ({ index: t.index, kind: t.kind, cacheLength: t.cacheLength, cacheBytes: t.cacheBytes, flops: t.flops }));
}

/** Bytes the cache needs for one position: every layer's key and value, float32. */
export const bytesPerPosition = (config: ModelInfo['config']) => config.n_layer * 2 * config.n_embd * 4;

/** Bytes of the weights, stored as `bytes` a number (every parameter, embeddings included). */
export const weightBytes = (config: ModelInfo['config'], bytes = 4) => countParams(config) * bytes;

/** One model's cache budget: what a position costs in F32 and F16, a full context, and where the cache outgrows the weights. */
export interface CacheBudget {
  positions: number; // n_positions: the longest context
  perPosition: { f32: number; f16: number }; // bytes of keys and values a position adds
  fullContext: { f32: number; f16: number }; // a full context's cache, one sequence
  weights: { f32: number; f16: number };
  /** Tokens of context at which one sequence's cache (F32) holds as many bytes as the F32 weights, for batch 1 and 8; past n_positions it never does. */
  outgrows: { batch: number; tokens: number; within: boolean }[];
}

export const BATCHES = [1, 8, 64];

export function cacheBudget(config: ModelInfo['config']): CacheBudget {
  const f32 = bytesPerPosition(config);
  const f16 = f32 / 2;
  const weights = { f32: weightBytes(config, 4), f16: weightBytes(config, 2) };
  return {
    positions: config.n_positions,
    perPosition: { f32, f16 },
    fullContext: { f32: f32 * config.n_positions, f16: f16 * config.n_positions },
    weights,
    outgrows: BATCHES.map((batch) => {
      const tokens = Math.ceil(weights.f32 / (f32 * batch));
      return { batch, tokens, within: tokens <= config.n_positions };
    }),
  };
}

/**
 * The work of this session's ticks in token-positions: with the cache each tick runs the tokens it
 * fed; without one it would run its whole sequence again (every position up to its own), so the
 * total grows as the square of the length.
 */
export function cumulativeWork(ticks: TickSummary[]): { ticks: number; withCache: number; without: number } {
  let withCache = 0;
  let without = 0;
  for (const t of ticks) {
    withCache += t.fed;
    without += t.cacheLength; // the positions a recompute of this tick would run: all it attends over
  }
  return { ticks: ticks.length, withCache, without };
}

/**
 * The running totals of a generation, tick by tick, with the cache and without: token-positions
 * (with: Σ fed; without: Σ of each tick's whole text, its cache length) and milliseconds (with: Σ
 * each tick's measured forward time; without: Σ measured recomputes of each tick's whole text, a
 * prefill counting its own time, as it already ran everything). `recomputeMs[i]` is tick i's
 * measured recompute, or null while unmeasured; the time totals stop at the first tick not measured.
 */
export interface CumulativeSeries {
  index: number[]; // tick numbers
  positions: { withCache: number[]; without: number[] };
  ms: { withCache: number[]; without: (number | null)[] };
  measured: number; // ticks whose time without the cache is known (a prefix of the ticks)
}

export function cumulativeSeries(ticks: TickSummary[], recomputeMs: (number | null)[]): CumulativeSeries {
  const out: CumulativeSeries = { index: [], positions: { withCache: [], without: [] }, ms: { withCache: [], without: [] }, measured: 0 };
  let pw = 0;
  let po = 0;
  let mw = 0;
  let mo: number | null = 0;
  ticks.forEach((t, i) => {
    pw += t.fed;
    po += t.cacheLength;
    mw += t.ms.forward;
    const r = t.kind === 'prefill' ? t.ms.forward : recomputeMs[i];
    mo = mo === null || r === null || r === undefined ? null : mo + r;
    if (mo !== null) out.measured = i + 1;
    out.index.push(t.index);
    out.positions.withCache.push(pw);
    out.positions.without.push(po);
    out.ms.withCache.push(mw);
    out.ms.without.push(mo);
  });
  return out;
}
