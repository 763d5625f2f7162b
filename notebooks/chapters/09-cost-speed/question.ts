/** Chapter 9's question: will a decode tick's forward pass take longer as the context grows? */
import { formatDecimal, formatInteger, formatMs } from '../../../components/format.ts';
import { strings as shared } from '../../strings.ts';
import type { PredictAnswer } from '../../../components/predict.ts';
import type { TickSummary } from '../../../engine/protocol.ts';
import { paramInt, ticksFrom, type PredictSpec } from '../../predict.ts';
import { ui } from './strings.ts';

/** Decode ticks the timing question measures, unless the prose names another number (params.ticks). */
export const TIMING_TICKS = 24;
/** How far the mean forward time must move, as a share of the first ticks', to count as growing or shrinking. */
export const TIMING_THRESHOLD = 0.1;
/** The first decode ticks of a session run slower while the engine warms up: the timing question leaves them out. */
export const TIMING_WARMUP = 3;

/**
 * The first and last quarter of some decode ticks: their median forward time (a tick slowed by
 * other work on the device moves a median little and a mean a lot: the means of 24 ticks swung
 * +16 % and −27 % between runs while the FLOPs grew 0.9 %), contexts and mean FLOPs.
 */
export interface TimingGroups {
  first: TickSummary[];
  last: TickSummary[];
  msFirst: number; // median forward time of the first quarter
  msLast: number; // … and of the last
  change: number; // msLast / msFirst − 1
  flopsChange: number; // the same for their mean FLOPs
}

export function timingGroups(decode: TickSummary[]): TimingGroups {
  const k = Math.max(1, Math.floor(decode.length / 4));
  const first = decode.slice(0, k);
  const last = decode.slice(-k);
  const mean = (ts: TickSummary[], f: (t: TickSummary) => number) => ts.reduce((a, t) => a + f(t), 0) / ts.length;
  const median = (ts: TickSummary[]) => {
    const xs = ts.map((t) => t.ms.forward).sort((a, b) => a - b);
    const m = xs.length >> 1;
    return xs.length % 2 ? xs[m] : (xs[m - 1] + xs[m]) / 2;
  };
  const msFirst = median(first);
  const msLast = median(last);
  return { first, last, msFirst, msLast, change: msLast / msFirst - 1, flopsChange: mean(last, (t) => t.flops) / mean(first, (t) => t.flops) - 1 };
}

/** Which way the time moved: 'grows', 'flat' (within the threshold either way) or 'shrinks'. */
export const timingVerdict = (change: number): 'grows' | 'flat' | 'shrinks' => (change > TIMING_THRESHOLD ? 'grows' : change < -TIMING_THRESHOLD ? 'shrinks' : 'flat');

const signedPct = (x: number) => `${x >= 0 ? '+' : '−'}${formatDecimal(Math.abs(100 * x), 1)}%`;

/** The answer: the measured change of the median forward time from the first quarter of the ticks to the last. */
export function timingAnswer(guess: string, decode: TickSummary[], warmup = 0): PredictAnswer {
  const g = timingGroups(decode);
  const verdict = timingVerdict(g.change);
  const ctx = (ts: TickSummary[]) => `${formatInteger(ts[0].position + 1)}–${formatInteger(ts.at(-1)!.position + 1)}`;
  return {
    label: ui(`predict.ch9.${verdict}`, { change: signedPct(g.change) }),
    value: verdict,
    match: guess === verdict,
    detail: ui('predict.ch9.detail', {
      n: decode.length, k: g.first.length, msFirst: formatMs(g.msFirst), ctxFirst: ctx(g.first), msLast: formatMs(g.msLast), ctxLast: ctx(g.last),
      change: signedPct(g.change), flops: signedPct(g.flopsChange),
    }) + (warmup ? ` ${ui('predict.ch9.warmup', { n: warmup })}` : ''),
  };
}

/** Will a decode tick's forward pass take longer as the context grows? N decode ticks run and are timed. */
export const timingQuestion: PredictSpec<{ from: number; n: number }> = {
  ask: (_live, params) => {
    const n = paramInt(params, 'ticks', TIMING_TICKS, 4, 200);
    const pct = formatDecimal(100 * TIMING_THRESHOLD, 0);
    return {
      choices: [
        { value: 'grows', label: ui('predict.ch9.choiceGrows', { pct }) },
        { value: 'flat', label: ui('predict.ch9.choiceFlat', { pct }) },
        { value: 'shrinks', label: ui('predict.ch9.choiceShrinks', { pct }) },
      ],
      context: ui('predict.ch9.context', { n, k: Math.max(1, Math.floor(n / 4)) }),
      revealLabel: shared('predict.runTicks', { n }),
    };
  },
  commit: ({ state }, params) => ({ from: state.ticks.length, n: paramInt(params, 'ticks', TIMING_TICKS, 4, 200) }),
  async reveal(guess, { from, n }, live) {
    // Only decode ticks count (not the prefill, nor a full window's new prefill), and not the
    // session's first few, which run slower while the engine warms up: run one more for each.
    const clock = live().clock;
    for (let count = n; ;) {
      await ticksFrom(clock, from, count);
      const session = clock.current.ticks.filter((t) => t.kind === 'decode');
      const skipped = session.slice(0, TIMING_WARMUP).filter((t) => t.index >= from).length;
      const decode = session.slice(TIMING_WARMUP).filter((t) => t.index >= from);
      if (decode.length >= n) return timingAnswer(guess, decode.slice(0, n), skipped);
      count += n - decode.length;
    }
  },
};
