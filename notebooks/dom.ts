/**
 * Small DOM pieces every cell uses, built with the project's one `h` (components/dom.ts). Text is always set as text nodes, never parsed as HTML.
 */
import { h } from '../components/dom.ts';
import { strings as t } from './strings.ts';

export { h } from '../components/dom.ts'; // the project's one element builder

/** A chart with its table alternative folded beneath it. */
export function chartWithTable(chart: Element, table: HTMLTableElement, summary = t('cells.showTable')): HTMLDivElement {
  return h('div', { class: 'chart' }, chart, h('details', { class: 'data-table' }, h('summary', {}, summary), table));
}

/** A short note in a cell (e.g. "Press Next token to run the first tick."). */
export function note(text: string): HTMLParagraphElement {
  return h('p', { class: 'cell-note' }, text);
}
