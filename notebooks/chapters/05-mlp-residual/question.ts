/** Chapter 5's question: after which block does the model's final guess first come out on top in the logit lens? */
import { formatProb } from '../../../components/format.ts';
import { strings as shared } from '../../strings.ts';
import type { PredictAnswer } from '../../../components/predict.ts';
import { visibleText } from '../../../components/text.ts';
import { ticksFrom, type PredictSpec } from '../../predict.ts';
import { firstOnTop, layerView, type LayerView } from './data.ts';
import { ui } from './strings.ts';

/** The answer: the first block whose top guess is the final one, with every block's top guess. */
export function lensAnswer(guess: string, v: LayerView): PredictAnswer | null {
  const first = firstOnTop(v.lens);
  if (first === null) return null;
  const final = v.lens.at(-1)![0];
  return {
    label: ui('predict.ch5.block', { block: first }),
    value: String(first),
    match: guess === String(first),
    detail: ui('predict.ch5.detail', {
      position: v.position, token: visibleText(v.text), final: visibleText(final.text), p: formatProb(final.prob),
      tops: v.lens.map((g, l) => `${l}: “${visibleText(g[0]?.text ?? '')}”`).join(', '),
    }),
  };
}

/** After which block does the model's final guess first come out on top in the logit lens? Answered from the next tick's lens. */
export const lensQuestion: PredictSpec<{ from: number }> = {
  ask: ({ model, state }) => ({
    choices: Array.from({ length: model.config.n_layer }, (_, l) => ({ value: String(l), label: ui('predict.ch5.block', { block: l }) })),
    context: state.ticks.length ? ui('predict.ch5.context', { tokens: state.promptTokens.length + state.ticks.length }) : ui('predict.ch5.contextPrefill'),
    revealLabel: shared('predict.runTick'),
  }),
  commit: ({ state }) => ({ from: state.ticks.length }),
  async reveal(guess, { from }, live) {
    await ticksFrom(live().clock, from, 1);
    const state = live().clock.current;
    const v = layerView({ ...state, ticks: state.ticks.slice(0, from + 1) });
    const a = v && v.tick === state.ticks[from].index ? lensAnswer(guess, v) : null;
    if (!a) throw new Error(shared('predict.noTrace'));
    return a;
  },
};
