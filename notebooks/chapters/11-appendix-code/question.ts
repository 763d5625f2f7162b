/** The appendix's question: how many tokens will the next tick feed through the model? */
import { formatInteger } from '../../../components/format.ts';
import { strings as shared } from '../../strings.ts';
import type { PredictAnswer } from '../../../components/predict.ts';
import type { TickSummary } from '../../../engine/protocol.ts';
import { ticksFrom, type PredictSpec } from '../../predict.ts';
import { ui } from './strings.ts';

/** The answer: how many tokens the tick ran through the model (tick.fed in the loop's record). */
export function fedAnswer(guess: string, t: TickSummary): PredictAnswer {
  return {
    label: formatInteger(t.fed),
    value: String(t.fed),
    match: guess === String(t.fed),
    detail: t.kind === 'prefill'
      ? ui('predict.ch11.prefill', { index: t.index, fed: t.fed })
      : ui('predict.ch11.decode', { index: t.index, cached: t.position }),
  };
}

/** How many tokens will the next tick feed through the model? The reader types a number; the tick runs and says. */
export const fedQuestion: PredictSpec<{ from: number }> = {
  ask: ({ state, model }) => ({
    input: { type: 'number', label: ui('predict.ch11.label'), min: 0, max: model.config.n_positions },
    context: ui('predict.ch11.context', { ticks: state.ticks.length, prompt: state.promptTokens.length }),
    revealLabel: shared('predict.runTick'),
  }),
  commit: ({ state }) => ({ from: state.ticks.length }),
  async reveal(guess, { from }, live) {
    const [t] = await ticksFrom(live().clock, from, 1);
    return fedAnswer(guess, t);
  },
};
