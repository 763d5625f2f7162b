/** Chapter 10's figure: the FAQ's softmax as a table, with its sum and the ratio of its ends. */
import { table } from '../../../components/dom.ts';
import { formatDecimal } from '../../../components/format.ts';
import { h } from '../../dom.ts';
import { softmaxRows } from './data.ts';
import { ui } from './strings.ts';

export function softmax(): HTMLElement {
  const rows = softmaxRows();
  const sum = rows.reduce((a, r) => a + r.prob, 0);
  return h('div', { class: 'faq-softmax', 'data-probs': rows.map((r) => r.prob).join(' ') },
    table(ui('ch10.softmax.caption'), [ui('ch10.softmax.logit'), ui('ch10.softmax.prob')], rows.map((r) => [String(r.logit), r.shown])),
    h('p', {}, ui('ch10.softmax.words', { sum: formatDecimal(sum, 4), ratio: formatDecimal(rows[3].prob / rows[0].prob, 4) })));
}
