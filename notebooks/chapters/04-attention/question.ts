/**
 * Chapter 4's question: which earlier token will head h of layer l attend to most at the next
 * tick? Answered from that tick's attention row (or a recompute traced at that layer).
 */
import { formatDecimal, formatInteger } from '../../../components/format.ts';
import { strings as t } from '../../strings.ts';
import type { PredictAnswer, PredictChoice } from '../../../components/predict.ts';
import { visibleText } from '../../../components/text.ts';
import { ticksFrom, type PredictSpec } from '../../predict.ts';
import { attentionKeys, newestRow } from './data.ts';
import { ui } from './strings.ts';

/** The most positions the attention question lists one by one; beyond it the middle ones share a choice. */
export const PREDICT_KEYS = 12;

const keyLabel = (tokens: string[], k: number, query: number) => {
  const label = `${formatInteger(k)}: “${visibleText(tokens[k] ?? '')}”`;
  return k === query ? ui('predict.ch4.self', { label }) : label;
};

/** The choices: every position up to the query, or the first, the latest ones and "another" when there are many. */
export function attentionChoices(tokens: string[], query: number, max = PREDICT_KEYS): PredictChoice[] {
  const all = (k: number) => ({ value: String(k), label: keyLabel(tokens, k, query) });
  if (query + 1 <= max) return Array.from({ length: query + 1 }, (_, k) => all(k));
  const from = query - (max - 3);
  return [all(0), { value: 'other', label: ui('predict.ch4.other', { from: 1, to: from - 1 }) }, ...Array.from({ length: query - from + 1 }, (_, i) => all(from + i))];
}

/** The answer: the key with the largest weight in the row (and the runner-up, for the detail). */
export function attentionAnswer(guess: string, row: number[], tokens: string[], layer: number, head: number, listed: PredictChoice[]): PredictAnswer {
  const order = row.map((w, k) => [w, k] as const).sort((a, b) => b[0] - a[0]);
  const [w, k] = order[0];
  const query = row.length - 1;
  const value = listed.some((c) => c.value === String(k)) ? String(k) : 'other';
  const second = order[1];
  return {
    label: keyLabel(tokens, k, query),
    value,
    match: guess === value,
    detail: ui('predict.ch4.detail', {
      layer, head, query, token: visibleText(tokens[query] ?? ''), weight: formatDecimal(w, 3), key: k,
      next: second ? ui('predict.ch4.next', { key: keyLabel(tokens, second[1], query), weight: formatDecimal(second[0], 3) }) : '',
    }),
  };
}

/** Which earlier token will head h of layer l attend to most at the next tick? Answered from that tick's attention row. */
export const attentionQuestion: PredictSpec<{ from: number; layer: number; head: number; tokens: string[]; choices: PredictChoice[] }> = {
  extra: ['layer', 'head'],
  ask: ({ state, values }) => {
    const { query, tokens } = attentionKeys(state);
    const layer = values.layer as number;
    const head = values.head as number;
    return {
      choices: attentionChoices(tokens, query),
      context: ui(state.ticks.length ? 'predict.ch4.context' : 'predict.ch4.contextPrefill', { layer, head, query, token: visibleText(tokens[query] ?? '') }),
      revealLabel: t('predict.runTick'),
    };
  },
  commit: ({ state, values }) => {
    const { query, tokens } = attentionKeys(state);
    return { from: state.ticks.length, layer: values.layer as number, head: values.head as number, tokens, choices: attentionChoices(tokens, query) };
  },
  async reveal(guess, snap, live) {
    const [tick] = await ticksFrom(live().clock, snap.from, 1);
    let row = tick.trace ? newestRow(tick.trace, snap.layer, snap.head) : null;
    if (!row) {
      // The tick traced another layer (Layer changed after the commit): the same arithmetic again, traced at this one.
      const r = await live().engine.request({ type: 'recompute', trace: { attention: true, layers: [snap.layer] } });
      row = r.trace ? newestRow(r.trace, snap.layer, snap.head) : null;
    }
    if (!row) throw new Error(t('predict.noTrace'));
    const { tokens } = attentionKeys(live().clock.current);
    return attentionAnswer(guess, row, tokens.length >= row.length ? tokens : snap.tokens, snap.layer, snap.head, snap.choices);
  },
};
