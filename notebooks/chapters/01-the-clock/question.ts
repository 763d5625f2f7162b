/**
 * Chapter 1's question: which token will the next tick write? The reader types it; the answer is
 * the tick run after the commit.
 */
import { formatInteger, formatProb } from '../../../components/format.ts';
import { strings as t } from '../../strings.ts';
import { withModelText, type PredictAnswer } from '../../../components/predict.ts';
import { visibleText } from '../../../components/text.ts';
import type { TickSummary } from '../../../engine/protocol.ts';
import { sameText, ticksFrom, type PredictSpec } from '../../predict.ts';
import { textTail } from './data.ts';
import { ui } from './strings.ts';

/** The answer to "which token comes next?": the token tick `t` wrote, and where the reader's guess stood among its candidates. */
export function nextTokenAnswer(guess: string, t: TickSummary): PredictAnswer {
  const match = sameText(guess, t.piece.text);
  const mine = t.sample.candidates.find((c) => sameText(c.text, guess));
  const parts = [ui('predict.ch1.picked', { index: t.index, rank: formatInteger(t.rank + 1), p: formatProb(t.sample.chosen.prob) })];
  if (!match) {
    parts.push(mine
      ? ui('predict.ch1.yoursRanked', { guess: visibleText(mine.text), rank: formatInteger(mine.rank + 1), p: formatProb(mine.prob) })
      : ui('predict.ch1.yoursMissing', { n: t.sample.candidates.length }));
  }
  return { label: `“${visibleText(t.piece.text)}”`, match, detail: parts.join(' ') };
}

/** Which token will the next tick write? The reader types it; the answer is the tick run after the commit. */
export const nextTokenQuestion: PredictSpec<{ from: number }> = {
  ask: ({ state }) => ({
    input: { type: 'text', label: ui('predict.ch1.label') },
    context: withModelText(ui('predict.ch1.context'), { tail: textTail(state) }), // the tail is the model's text (and the reader's prompt)
    revealLabel: t('predict.runTick'),
  }),
  commit: ({ state }) => ({ from: state.ticks.length }),
  async reveal(guess, { from }, live) {
    const [t] = await ticksFrom(live().clock, from, 1);
    return nextTokenAnswer(guess, t);
  },
};
