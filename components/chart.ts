/**
 * What every chart shares: the options it takes, its accessible SVG root, and its data table
 * (the text alternative). Charts build on these and nothing else of the page.
 */
import { select } from 'd3';
import type { Selection } from 'd3';

export const SVG_NS = 'http://www.w3.org/2000/svg';

/** Options every chart takes. */
export interface ChartOptions {
  width: number; // px, decided by the page
  document?: Document; // where to create elements; default globalThis.document (tests pass jsdom's)
  label?: string; // accessible name; each chart has a sensible default
}

/** Options every table alternative takes. */
export interface TableOptions {
  document?: Document;
  caption?: string; // default: the chart's default label
}

export type Svg = Selection<SVGSVGElement, unknown, null, undefined>;
export type G = Selection<SVGGElement, unknown, null, undefined>;

/** The document to draw into, or a clear error outside a browser. */
export function chartDocument(doc: Document | undefined): Document {
  const d = doc ?? globalThis.document;
  if (!d) throw new TypeError('no document: pass { document } when rendering outside a browser');
  return d;
}

/** Round a coordinate to 0.01 px, so output is short and identical everywhere. */
export function px(x: number): number {
  return Math.round(x * 100) / 100;
}

/**
 * An SVG root of the given size with an accessible name. `role` is "img" for a picture, "group"
 * for a chart whose parts take focus (an img's children are hidden from assistive technology).
 */
export function svgRoot(doc: Document, width: number, height: number, label: string, role: 'img' | 'group' = 'img'): Svg {
  const svg = select(doc.createElementNS(SVG_NS, 'svg') as SVGSVGElement)
    .attr('width', px(width))
    .attr('height', px(height))
    .attr('viewBox', `0 0 ${px(width)} ${px(height)}`)
    .attr('role', role)
    .attr('aria-label', label)
    .attr('font-family', 'system-ui, sans-serif')
    .attr('font-size', 12)
    .attr('fill', 'currentColor')
    .attr('style', 'max-width: 100%; height: auto');
  svg.append('title').text(label);
  return svg;
}

/** Which cells of a data table hold the model's text (tokens), not the page's words: they get translate="no". */
export interface ModelCells {
  columns?: number[]; // body columns, 0 = the row header
  head?: (column: number) => boolean; // header cells (e.g. a matrix whose columns are named by tokens)
}

/** Dispatch `new CustomEvent(type, { detail })` on `target`, using the target's own window (jsdom needs that). */
export function emit<T>(target: Element, type: string, detail: T): void {
  const view = target.ownerDocument.defaultView as (Window & typeof globalThis) | null;
  const Ctor = view?.CustomEvent ?? CustomEvent;
  target.dispatchEvent(new Ctor(type, { detail }));
}
