/**
 * Chapter 1's question: which token will the model find most likely next? The reader types it;
 * the answer is the tick run after the commit (its first candidate, and what the dice wrote).
 */
import { formatInteger, formatProb } from '../../../components/format.ts';
import { strings as t } from '../../strings.ts';
import { withModelText, type PredictAnswer } from '../../../components/predict.ts';
import { visibleText } from '../../../components/text.ts';
import type { TickSummary } from '../../../engine/protocol.ts';
import { sameText, ticksFrom, type PredictSpec } from '../../predict.ts';
import { textTail } from './data.ts';
import { ui } from './strings.ts';

/**
 * The answer to "which token will the model find most likely next?": tick `t`'s first candidate
 * (the lesson, not the dice, decides), then what the dice wrote, and where the reader's guess stood.
 */
export function nextTokenAnswer(guess: string, t: TickSummary): PredictAnswer {
  const top = t.sample.candidates[0];
  const match = sameText(guess, top.text);
  const mine = t.sample.candidates.find((c) => sameText(c.text, guess));
  const parts = [ui('predict.ch1.top', { index: t.index, p: formatProb(top.prob) })];
  parts.push(t.rank === 0
    ? ui('predict.ch1.drawnTop')
    : ui('predict.ch1.drawn', { token: visibleText(t.piece.text), rank: formatInteger(t.rank + 1), p: formatProb(t.sample.chosen.prob) }));
  if (!match) {
    parts.push(mine
      ? ui('predict.ch1.yoursRanked', { guess: visibleText(mine.text), rank: formatInteger(mine.rank + 1), p: formatProb(mine.prob) })
      : ui('predict.ch1.yoursMissing', { n: t.sample.candidates.length }));
  }
  return { label: `“${visibleText(top.text)}”`, match, detail: parts.join(' ') };
}

/** Which token will the model find most likely next? The reader types it; the answer is the tick run after the commit. */
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
