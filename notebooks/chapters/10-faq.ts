/**
 * Chapter 10, applications, limits, FAQ. One live cell: softmax([0.1, 0.2, 0.3, 0.4]) computed by
 * the engine's own sampler (model/sampler.ts `distribution`, as notebooks/softmax.ts's softmaxOf does), never
 * typed in, shown as a table; plus the clock and its token strip, to watch the text drift.
 *
 *   inputs ─ clock ─ clockState ─ tokens
 *   softmax (the sampler on the FAQ's logits)
 *   sampling, seed ─ predict (same prompt, same seed: the same tokens twice? the clock runs, resets, runs again)
 */
import { formatDecimal } from '../../components/format.ts';
import { t as ui } from '../../components/i18n/index.ts';
import type { PredictAnswer } from '../../components/predict.ts';
import { visibleText } from '../../components/text.ts';
import type { SamplingParams } from '../../model/sampler.ts';
import { distribution } from '../../model/sampler.ts';
import { controlElements, defineClock, defineInputs, defineTokens } from '../cells.ts';
import { h } from '../dom.ts';
import type { TickSummary } from '../../engine/protocol.ts';
import { definePredict, paramInt, ticksFrom, type PredictSpec } from '../predict.ts';
import { mount, nearViewport, type Module, type Mounts, type Runtime } from '../runtime.ts';

/** The logits of the source article's example. */
export const FAQ_LOGITS = [0.1, 0.2, 0.3, 0.4];

/** Rows of the table: each logit, its probability from the sampler at T = 1, and that probability as shown. */
export function softmaxRows(logits: number[] = FAQ_LOGITS): { logit: number; prob: number; shown: string }[] {
  const d = distribution(logits, { temperature: 1, topK: 0, topP: 1 });
  const probs = new Array<number>(logits.length);
  d.order.forEach((id, r) => (probs[id] = d.probs[r]));
  return logits.map((logit, i) => ({ logit, prob: probs[i], shown: formatDecimal(probs[i], 4) }));
}

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

/** Define the chapter's cells over the page's mounts. */
export function define(runtime: Runtime, mounts: Mounts): Module {
  const main = runtime.module();
  const c = controlElements(mounts);
  defineInputs(main, c);
  defineClock(main, c);
  defineTokens(main, mounts.tokens);

  main.variable(mount(mounts.softmax)).define('softmax', [], async () => {
    await nearViewport(mounts.softmax);
    const rows = softmaxRows();
    const sum = rows.reduce((a, r) => a + r.prob, 0);
    return h('div', { class: 'faq-softmax', 'data-probs': rows.map((r) => r.prob).join(' ') },
      h('table', {},
        h('caption', {}, ui('ch10.softmax.caption')),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, ui('ch10.softmax.logit')), h('th', { scope: 'col' }, ui('ch10.softmax.prob')))),
        h('tbody', {}, ...rows.map((r) => h('tr', {}, h('th', { scope: 'row' }, String(r.logit)), h('td', {}, r.shown))))),
      h('p', {}, ui('ch10.softmax.words', { sum: formatDecimal(sum, 4), ratio: formatDecimal(rows[3].prob / rows[0].prob, 4) })));
  });
  definePredict(main, mounts.predict, twiceQuestion);
  return main;
}
