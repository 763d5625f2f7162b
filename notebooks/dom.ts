/**
 * Small DOM pieces every cell uses, built with the project's one `h` (components/dom.ts). Text is always set as text nodes, never parsed as HTML.
 */
import { h } from '../components/dom.ts';
import { strings as t } from './strings.ts';

export { h } from '../components/dom.ts'; // the project's one element builder

/**
 * A chart with its table alternative folded beneath it. A large table can be given as a function:
 * it is built when the reader unfolds it, not on every tick (a heatmap's table of a few thousand
 * numbers cost more to build and insert than the chart). Folded, it is hidden from everyone, screen
 * readers and print included, so nothing is lost by not building it.
 */
export function chartWithTable(chart: Element, table: HTMLTableElement | (() => HTMLTableElement), summary = t('cells.showTable')): HTMLDivElement {
  const details = h('details', { class: 'data-table' }, h('summary', {}, summary));
  if (typeof table === 'function') {
    later.set(details, table);
    details.addEventListener('toggle', () => {
      if (details.open) unfoldTable(details);
    });
  } else details.append(table);
  return h('div', { class: 'chart' }, chart, details);
}

const later = new WeakMap<Element, () => HTMLTableElement>();

/** Builds a folded table that waits for its reader (chartWithTable), now; for a <details> being reopened as it was. */
export function unfoldTable(details: Element): void {
  const build = later.get(details);
  if (!build) return;
  later.delete(details);
  details.append(build());
}

/** A short note in a cell (e.g. "Press Next token to run the first tick."). */
export function note(text: string): HTMLParagraphElement {
  return h('p', { class: 'cell-note' }, text);
}
