/**
 * Small DOM builders for cells. Text is always set as text nodes, never parsed as HTML.
 */
import { t } from '../components/i18n/index.ts';

type Child = Node | string | number | null | undefined | false;

/** An element with attributes (null/undefined/false skipped) and children (strings become text nodes). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | null | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const doc = globalThis.document;
  const el = doc.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' || typeof c === 'number' ? doc.createTextNode(String(c)) : c);
  }
  return el;
}

/** A chart with its table alternative folded beneath it. */
export function chartWithTable(chart: Element, table: HTMLTableElement, summary = t('cells.showTable')): HTMLDivElement {
  return h('div', { class: 'chart' }, chart, h('details', { class: 'data-table' }, h('summary', {}, summary), table));
}

/** A short note in a cell (e.g. "Press Next token to run the first tick."). */
export function note(text: string): HTMLParagraphElement {
  return h('p', { class: 'cell-note' }, text);
}
