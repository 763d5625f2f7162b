/**
 * Chapter 10, applications, limits, FAQ. One live cell: softmax([0.1, 0.2, 0.3, 0.4]) computed by
 * the engine's own sampler (model/sampler.ts `distribution`, as chapter 6's softmaxOf does), never
 * typed in, shown as a table; plus the clock and its token strip, to watch the text drift.
 *
 *   inputs ─ clock ─ clockState ─ tokens
 *   softmax (the sampler on the FAQ's logits)
 */
import { formatDecimal } from '../../components/format.ts';
import { distribution } from '../../model/sampler.ts';
import { controlElements, defineClock, defineInputs, defineTokens } from '../cells.ts';
import { h } from '../dom.ts';
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
        h('caption', {}, 'softmax([0.1, 0.2, 0.3, 0.4]) at temperature 1, computed by the engine’s sampler'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Logit'), h('th', { scope: 'col' }, 'Probability'))),
        h('tbody', {}, ...rows.map((r) => h('tr', {}, h('th', { scope: 'row' }, String(r.logit)), h('td', {}, r.shown))))),
      h('p', {}, `The probabilities add up to ${formatDecimal(sum, 4)}. The largest is only ${formatDecimal(rows[3].prob / rows[0].prob, 4)} times the smallest: ` +
        'logits 0.3 apart become probabilities that differ by a factor of e^0.3, not a landslide.'));
  });
  return main;
}
