/**
 * Chapter 3's question: which prompt token's token embedding (row of wte) is closest to the last
 * prompt token's? Answered from the prefill's traced wte rows.
 */
import { formatDecimal } from '../../../components/format.ts';
import { strings as t } from '../../strings.ts';
import type { PredictAnswer, PredictChoice } from '../../../components/predict.ts';
import { visibleText } from '../../../components/text.ts';
import type { TokenInfo } from '../../../engine/protocol.ts';
import { ticksFrom, type PredictSpec } from '../../predict.ts';
import { embeddingView, similarities } from './data.ts';
import { ui } from './strings.ts';

/** The closest-embedding question's target (the prompt's last token) and its choices (the other distinct prompt tokens, at most `max`). */
export function closestChoices(prompt: TokenInfo[], max = 8): { target: TokenInfo; position: number; choices: PredictChoice[] } | null {
  const position = prompt.length - 1;
  const target = prompt[position];
  if (!target) return null;
  const seen = new Set([target.id]);
  const choices: PredictChoice[] = [];
  for (const tok of prompt) {
    if (seen.has(tok.id) || choices.length >= max) continue;
    seen.add(tok.id);
    choices.push({ value: String(tok.id), label: `“${visibleText(tok.text)}”` });
  }
  return choices.length >= 2 ? { target, position, choices } : null;
}

/** The answer: the choice whose wte row points most nearly the same way as the target's. */
export function closestAnswer(guess: string, target: string, sims: { id: number; text: string; cosine: number }[]): PredictAnswer {
  const best = sims[0];
  return {
    label: `“${visibleText(best.text)}”`,
    value: String(best.id),
    match: guess === String(best.id),
    detail: ui('predict.ch3.detail', { target: visibleText(target), list: sims.map((s) => `“${visibleText(s.text)}” ${formatDecimal(s.cosine, 3)}`).join(', ') }),
  };
}

/** Which prompt token's token embedding is closest to the last prompt token's? Answered from the prefill's traced wte rows. */
export const closestQuestion: PredictSpec<{ position: number; target: string; ids: number[] }> = {
  ask: ({ state }) => {
    const c = closestChoices(state.promptTokens);
    if (!c) return ui('predict.ch3.short');
    return { choices: c.choices, context: ui('predict.ch3.context', { target: visibleText(c.target.text), position: c.position }), revealLabel: state.ticks.length ? undefined : t('predict.runTick') };
  },
  commit: ({ state }) => {
    const c = closestChoices(state.promptTokens)!;
    return { position: c.position, target: c.target.text, ids: c.choices.map((x) => Number(x.value)) };
  },
  async reveal(guess, snap, live) {
    await ticksFrom(live().clock, 0, 1); // the prefill traces every prompt position's embeddings
    const v = embeddingView(live().clock.current);
    const sims = v ? similarities(v, snap.position, snap.ids) : [];
    if (!sims.length) throw new Error(t('predict.noTrace'));
    return closestAnswer(guess, snap.target, sims);
  },
};
