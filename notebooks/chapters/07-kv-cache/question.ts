/** Chapter 7's question: how many positions will the KV cache hold after N more ticks? */
import { formatInteger } from '../../../components/format.ts';
import { strings as shared } from '../../strings.ts';
import type { PredictAnswer } from '../../../components/predict.ts';
import type { TickSummary } from '../../../engine/protocol.ts';
import { paramInt, ticksFrom, type PredictSpec } from '../../predict.ts';
import { ui } from './strings.ts';

/** How many ticks the cache question runs, unless the prose names another number (params.ticks). */
export const CACHE_TICKS = 5;

/** The answer: the cache's length after the last of the ticks, with its length after each. */
export function cacheAnswer(guess: string, ticks: TickSummary[]): PredictAnswer {
  const last = ticks.at(-1)!;
  const slid = ticks.find((t) => t.window);
  return {
    label: formatInteger(last.cacheLength),
    value: String(last.cacheLength),
    match: guess === String(last.cacheLength),
    detail: ui('predict.ch7.detail', { first: ticks[0].index, last: last.index, lengths: ticks.map((t) => formatInteger(t.cacheLength)).join(', ') }) +
      (slid ? ` ${ui('predict.ch7.slid', { index: slid.index, kept: slid.window!.kept })}` : ''),
  };
}

/** How many positions will the KV cache hold after N more ticks? The reader types a number; the ticks run and say. */
export const cacheQuestion: PredictSpec<{ from: number; n: number }> = {
  ask: ({ state, model }, params) => {
    const n = paramInt(params, 'ticks', CACHE_TICKS, 1, 50);
    const last = state.ticks.at(-1);
    return {
      input: { type: 'number', label: ui('predict.ch7.label'), min: 0, max: model.config.n_positions },
      context: last
        ? ui('predict.ch7.context', { ticks: state.ticks.length, cache: last.cacheLength, prompt: state.promptTokens.length, n })
        : ui('predict.ch7.contextNone', { prompt: state.promptTokens.length, n }),
      revealLabel: shared('predict.runTicks', { n }),
    };
  },
  commit: ({ state }, params) => ({ from: state.ticks.length, n: paramInt(params, 'ticks', CACHE_TICKS, 1, 50) }),
  async reveal(guess, { from, n }, live) {
    return cacheAnswer(guess, await ticksFrom(live().clock, from, n));
  },
};
