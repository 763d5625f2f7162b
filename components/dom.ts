/**
 * The project's one element builder and one table builder. Text is always set as text nodes,
 * never parsed as HTML, so text from the model or the reader can never become markup.
 */
import type { ModelCells } from './chart.ts';

/** What `h` takes as a child: nodes, and strings and numbers as text (null, undefined and false skipped). */
export type Child = Node | string | number | null | undefined | false;

/** Attribute values: true is an empty attribute; null, undefined and false leave it out. */
export type Attrs = Record<string, string | number | boolean | null | undefined>;

/** The document to build in: the one given, else the page's (tests pass jsdom's). */
function docOf(doc: Document | undefined): Document {
  const d = doc ?? globalThis.document;
  if (!d) throw new TypeError('no document: pass one when building elements outside a browser');
  return d;
}

/** An element builder for `doc` (default: the page's document, looked up at each call). */
export function elementBuilder(doc?: Document) {
  return function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
    const d = docOf(doc);
    const el = d.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      el.setAttribute(name, value === true ? '' : String(value));
    }
    for (const c of children) {
      if (c === null || c === undefined || c === false) continue;
      el.append(typeof c === 'string' || typeof c === 'number' ? d.createTextNode(String(c)) : c);
    }
    return el;
  };
}

/** An element with attributes and children, in the page's document. */
export const h = elementBuilder();

/** Options of `table`. */
export interface TableBuildOptions {
  document?: Document; // default: the page's
  model?: ModelCells; // which cells hold the model's text (translate="no")
  rowClass?: (row: number) => string | null | undefined; // a class for a body row
}

/**
 * A table with a caption, a header row of column headers, and one row per entry whose first
 * cell is a row header. Every chart's text alternative and every table a cell shows is this one.
 */
export function table(caption: string, head: string[], rows: readonly (readonly (string | Node)[])[], opts: TableBuildOptions = {}): HTMLTableElement {
  const el = elementBuilder(opts.document);
  const cols = new Set(opts.model?.columns ?? []);
  const no = (on: boolean) => (on ? 'no' : null);
  return el('table', {},
    el('caption', {}, caption),
    el('thead', {}, el('tr', {}, ...head.map((d, i) => el('th', { scope: 'col', translate: no(opts.model?.head?.(i) ?? false) }, d)))),
    el('tbody', {}, ...rows.map((r, i) => el('tr', { class: opts.rowClass?.(i) },
      el('th', { scope: 'row', translate: no(cols.has(0)) }, r[0]),
      ...r.slice(1).map((d, j) => el('td', { translate: no(cols.has(j + 1)) }, d))))));
}
