/**
 * Chapter 9's data: a tick's cost from the config alone (2N plus the LM head, and the bytes of
 * weights it reads), the reader's measured speed, the cost chart's columns, and this model set
 * against GPT-2 124M. No DOM.
 */
import { arithmeticMs, bytesRead, medianMs, readingMs, type CostTick, type DeviceLimits } from '../../../components/cost-chart.ts';
import { formatBytes, formatDecimal, formatFlops, formatMs, formatRate } from '../../../components/format.ts';
import { countParams, makeConfig, PRESETS, type GPT2Config } from '../../../model/config.ts';
import { forwardFlops } from '../../../model/gpt2.ts';
import type { PeakResult, TickSummary } from '../../../engine/protocol.ts';
import { ui } from './strings.ts';

/** GPT-2 124M's config, from model/config.ts's presets. */
export const GPT2_124M: GPT2Config = makeConfig(PRESETS.gpt2);

/** The cost of one decode tick after P cached positions, from the config alone. */
export interface CostTerms {
  L: number;
  C: number;
  V: number;
  positions: number; // n_positions: rows of wpe
  P: number;
  all: number; // countParams: every parameter
  embeddings: number; // (V + n_positions)·C: wte and wpe
  N: number; // all − embeddings
  twoN: number; // 2N
  head: number; // 2CV: the LM head (tied to wte, so not in N)
  approx: number; // 2N + 2CV
  exact: number; // forwardFlops(config, 1, P, 1)
}

export function costTerms(config: GPT2Config, P = 0): CostTerms {
  const L = config.n_layer;
  const C = config.n_embd;
  const V = config.vocab_size;
  const all = countParams(config);
  const embeddings = (V + config.n_positions) * C;
  const N = all - embeddings;
  const head = 2 * C * V;
  return { L, C, V, positions: config.n_positions, P, all, embeddings, N, twoN: 2 * N, head, approx: 2 * N + head, exact: forwardFlops(config, 1, P, 1) };
}

/** Bytes of weights one decode tick reads: the blocks (N), all of wte (the LM head) and one wpe row, as float32. */
export function weightBytesPerToken(config: GPT2Config): number {
  const t = costTerms(config);
  return 4 * (t.N + t.V * t.C + t.C);
}

/** The reader's measured speed over the latest decode ticks. */
export interface Speed {
  ticks: number;
  msPerToken: number; // mean forward time
  tokensPerSecond: number;
  flops: number; // mean FLOPs per decode tick
  gflops: number; // achieved: mean FLOPs / mean time
  bytesPerSecond: number; // weights read per second
}

export function measuredSpeed(ticks: TickSummary[], config: GPT2Config, window = 16): Speed | null {
  const decode = ticks.filter((t) => t.kind === 'decode').slice(-window);
  if (decode.length === 0) return null;
  const ms = decode.reduce((a, t) => a + t.ms.forward, 0) / decode.length;
  const flops = decode.reduce((a, t) => a + t.flops, 0) / decode.length;
  return { ticks: decode.length, msPerToken: ms, tokensPerSecond: 1000 / ms, flops, gflops: flops / ms / 1e6, bytesPerSecond: (weightBytesPerToken(config) * 1000) / ms };
}

/** How many of the latest decode ticks the cost chart draws (its table has the same rows). */
export const COST_TICKS = 64;

/** The cost chart's columns: the latest decode ticks, straight from the engine's tick records. */
export function costTicks(ticks: TickSummary[], config: GPT2Config, rows = COST_TICKS): CostTick[] {
  const weights = weightBytesPerToken(config);
  return ticks.filter((t) => t.kind === 'decode').slice(-rows).map((t) => ({
    index: t.index,
    context: t.cacheLength, // the positions this tick attended over, its own included
    flops: t.flops,
    weightBytes: weights,
    cacheBytes: t.cacheBytes,
    forwardMs: t.ms.forward,
  }));
}

/** This device's limits for the cost chart, once measured: the matmul peak, and reading a buffer the size of this model's weights. */
export function deviceLimits(peak: PeakResult | null): DeviceLimits | null {
  return peak ? { gflops: peak.gflops, gbps: (peak.weights ?? peak.memory).gbps } : null;
}

/** How a tick's median time compares with the higher floor: near it (within 1.5×), or well above it. */
export type Verdict = 'reading' | 'arithmetic' | 'overhead';

export function verdict(shown: CostTick[], d: DeviceLimits): { verdict: Verdict; times: number; floor: number; reading: number; arithmetic: number } {
  const last = shown.at(-1)!;
  const mid = medianMs(shown);
  const reading = readingMs(last, d);
  const arithmetic = arithmeticMs(last, d);
  const floor = Math.max(reading, arithmetic);
  const times = mid / floor;
  return { verdict: times >= 1.5 ? 'overhead' : reading >= arithmetic ? 'reading' : 'arithmetic', times, floor, reading, arithmetic };
}

/** What to look at in the cost chart, with the ticks' own numbers (and the device's, once measured). */
export function costCaption(shown: CostTick[], decodeTicks: number, backend: string, d: DeviceLimits | null = null): string[] {
  const first = shown[0];
  const last = shown.at(-1)!;
  const pct = (a: number, b: number) => formatDecimal((100 * (b - a)) / a, 1);
  const mid = medianMs(shown);
  const growth = ui('ch9.costs.caption', {
    ticks: ui(decodeTicks === 1 ? 'ch9.costs.ticks.one' : 'ch9.costs.ticks.other', { n: decodeTicks }),
    drawn: decodeTicks > shown.length ? ui('ch9.costs.drawn', { n: shown.length }) : '',
    backend, median: formatMs(mid), rate: formatRate(1000 / mid),
    first: first.index, firstContext: first.context, last: last.index, lastContext: last.context,
    flopsPct: pct(first.flops, last.flops), bytesPct: pct(bytesRead(first), bytesRead(last)), weights: formatBytes(last.weightBytes),
  });
  if (!d) return [growth, ui('ch9.costs.measure')];
  const v = verdict(shown, d);
  const floors = ui('ch9.costs.floors', {
    bytes: formatBytes(bytesRead(last)), gbps: formatDecimal(d.gbps, 1), reading: formatMs(v.reading),
    flops: formatFlops(last.flops), gflops: formatDecimal(d.gflops, 1), arithmetic: formatMs(v.arithmetic),
  });
  const verdictText = ui(`ch9.costs.verdict.${v.verdict}`, { times: formatDecimal(v.times, 1), median: formatMs(mid), floor: formatMs(v.floor) });
  return [growth, `${floors} ${verdictText}`];
}

/** This model against GPT-2 124M, per token at the start of the text (P = 0). */
export interface Comparison {
  small: CostTerms;
  big: CostTerms;
  smallBytes: number;
  bigBytes: number;
  ratio: number; // big.exact / small.exact
}

export function compare(config: GPT2Config, big: GPT2Config = GPT2_124M): Comparison {
  const small = costTerms(config);
  const b = costTerms(big);
  return { small, big: b, smallBytes: weightBytesPerToken(config), bigBytes: weightBytesPerToken(big), ratio: b.exact / small.exact };
}

/** A model's shape, for the comparison table. */
export const modelName = (c: GPT2Config) => `L${c.n_layer} H${c.n_head} C${c.n_embd}`;
