/** Chapter 6's question: at a lower temperature (same seed, same top-k and top-p), would the latest tick pick the same token? */
import { formatDecimal, formatProb } from '../../../components/format.ts';
import { strings as shared } from '../../strings.ts';
import type { PredictAnswer } from '../../../components/predict.ts';
import { visibleText } from '../../../components/text.ts';
import type { SamplingParams } from '../../../model/sampler.ts';
import type { DrawSummary } from '../../../engine/protocol.ts';
import { ticksFrom, type PredictSpec } from '../../predict.ts';
import { sameSettings } from './data.ts';
import { ui } from './strings.ts';

/** The temperature the question asks about, unless the prose names another (params.temperature). */
export const COLD_TEMPERATURE = 0.2;

/** A temperature from the prose's params, or COLD_TEMPERATURE. */
export function coldTemperature(params: Record<string, string | number>): number {
  const x = Number(params.temperature);
  return Number.isFinite(x) && x >= 0 ? x : COLD_TEMPERATURE;
}

/** The answer: does the same tick, with the same dice, pick the same token at the other temperature? */
export function temperatureAnswer(guess: string, base: DrawSummary, cold: DrawSummary): PredictAnswer {
  const same = cold.id === base.id;
  const piece = (d: DrawSummary) => visibleText(d.chosen.text);
  return {
    label: same ? ui('predict.ch6.same', { token: piece(cold) }) : ui('predict.ch6.changed', { token: piece(cold), was: piece(base) }),
    value: same ? 'same' : 'different',
    match: guess === (same ? 'same' : 'different'),
    detail: ui(cold.draw === null ? 'predict.ch6.detailGreedy' : 'predict.ch6.detail', {
      index: base.index, u: base.draw === null ? '—' : formatDecimal(base.draw, 4), cold: cold.sampling.temperature, t: base.sampling.temperature,
      token: piece(cold), p: formatProb(cold.prob), was: piece(base), pWas: formatProb(base.prob),
    }),
  };
}

/** At a lower temperature (same seed, same top-k and top-p), would the latest tick pick the same token? */
export const temperatureQuestion: PredictSpec<{ from: number; index: number | null }> = {
  extra: ['sampling', 'seed'],
  ask: ({ state, values }, params) => {
    const t = state.ticks.at(-1);
    const s = values.sampling as SamplingParams;
    const cold = coldTemperature(params);
    return {
      choices: [{ value: 'same', label: ui('predict.ch6.yes') }, { value: 'different', label: ui('predict.ch6.no') }],
      context: t
        ? ui('predict.ch6.context', { index: t.index, token: visibleText(t.piece.text), t: s.temperature, seed: values.seed as number, cold })
        : ui('predict.ch6.contextNone', { cold }),
      revealLabel: t ? undefined : shared('predict.runTick'),
    };
  },
  commit: ({ state }) => ({ from: state.ticks.length, index: state.ticks.at(-1)?.index ?? null }),
  async reveal(guess, snap, live, params) {
    const { engine, clock, values } = live();
    const index = snap.index ?? (await ticksFrom(clock, snap.from, 1))[0].index;
    const tick = clock.current.ticks.find((x) => x.index === index);
    const sampling = values.sampling as SamplingParams;
    const seed = values.seed as number;
    const base = tick && sameSettings(tick.sample, sampling, seed) ? tick.sample : await engine.request({ type: 'resample', index, sampling, seed });
    const cold = await engine.request({ type: 'resample', index, sampling: { ...sampling, temperature: coldTemperature(params) }, seed });
    return temperatureAnswer(guess, base, cold);
  },
};
