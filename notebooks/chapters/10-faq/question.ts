/** Chapter 10's question: same prompt, same seed, same settings: will the model write the same tokens twice? */
import type { PredictAnswer } from '../../../components/predict.ts';
import { visibleText } from '../../../components/text.ts';
import type { SamplingParams } from '../../../model/sampler.ts';
import type { TickSummary } from '../../../engine/protocol.ts';
import { paramInt, ticksFrom, type PredictSpec } from '../../predict.ts';
import { ui } from './strings.ts';

/** How many ticks the same-twice question compares, unless the prose names another number (params.ticks). */
export const TWICE_TICKS = 8;

/** The text some ticks wrote, whitespace made visible. */
const written = (ticks: TickSummary[]) => visibleText(ticks.map((t) => t.piece.text).join(''));

/** The answer: whether the two runs' ticks chose the same token ids, one for one. */
export function twiceAnswer(guess: string, first: TickSummary[], second: TickSummary[]): PredictAnswer {
  const same = first.length === second.length && first.every((t, i) => t.id === second[i].id);
  const differ = first.findIndex((t, i) => t.id !== second[i]?.id);
  return {
    label: same ? ui('predict.ch10.same', { text: written(second) }) : ui('predict.ch10.different', { index: differ }),
    value: same ? 'same' : 'different',
    match: guess === (same ? 'same' : 'different'),
    detail: ui('predict.ch10.detail', { n: first.length, first: written(first), second: written(second) }),
  };
}

/** Same prompt, same seed, same settings: will the model write the same tokens twice? The clock runs N ticks, resets, runs N again. */
export const twiceQuestion: PredictSpec<{ n: number }> = {
  extra: ['sampling', 'seed'],
  ask: ({ values }, params) => {
    const s = values.sampling as SamplingParams;
    const n = paramInt(params, 'ticks', TWICE_TICKS, 1, 64);
    return {
      choices: [{ value: 'same', label: ui('predict.ch10.yes', { n }) }, { value: 'different', label: ui('predict.ch10.no') }],
      context: ui('predict.ch10.context', { n, seed: values.seed as number, t: s.temperature }),
      revealLabel: ui('predict.ch10.run', { n }),
    };
  },
  commit: (_live, params) => ({ n: paramInt(params, 'ticks', TWICE_TICKS, 1, 64) }),
  async reveal(guess, { n }, live) {
    const clock = live().clock;
    const first = await ticksFrom(clock, 0, n);
    await clock.reset();
    const second = await ticksFrom(clock, 0, n);
    return twiceAnswer(guess, first, second);
  },
};
