/**
 * Chapter 7's data: the FLOPs of one forward call from the config and the tick, prefill against
 * decode, and the cache after each tick. No DOM.
 */
import type { CacheTick } from '../../../components/kv-cache-growth.ts';
import { TIMELINE_ROWS } from '../../cells.ts';
import type { ModelInfo, TickSummary } from '../../../engine/protocol.ts';

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
