/**
 * The attention matrix of one head: row q is how much query position q attends to each key
 * position k ≤ q (the weights of a row sum to 1). Cells above the diagonal are the causal mask —
 * a token never sees the future — drawn hatched. The matrix fills one row per tick: rows not yet
 * computed are drawn as empty outlines.
 *
 * The weights are one image (no element per cell). Keyboard: one cell is an element in the tab
 * order; arrow keys, Home and End move it within the computed cells (a new element each move,
 * focused, so a screen reader reads it). Focusing or hovering a cell moves the outline there and
 * dispatches
 * `CustomEvent('highlight', { detail: { query, key, weight } })` on the SVG.
 */
import { table } from './dom.ts';
import { rgb } from 'd3';
import { cellsImage, pixelsPerCell, rampBytes } from './png.ts';
import { formatDecimal, formatInteger, formatValue } from './format.ts';
import { MONO, textWidth, truncate, visibleText } from './text.ts';
import { chartDocument, emit, px, SVG_NS, svgRoot } from './chart.ts';
import type { ChartOptions, G, TableOptions } from './chart.ts';
import { sequential } from './color.ts';
import { strings as t } from './attention-matrix.strings.ts';

export interface AttentionMatrixData {
  tokens: string[]; // token texts, one per position
  weights: number[][]; // weights[q][k] for k ≤ q (longer rows are fine; k > q is ignored); may have fewer rows than tokens
  highlight?: [number, number]; // [query, key] outlined and in the tab order
}

export interface AttentionMatrixOptions extends ChartOptions {
  domain?: [number, number]; // values coloured from the scale's start to its end (default [0, 1]: weights); others are clamped
  valueName?: string; // what a cell holds, for labels and the legend (default "weight"; e.g. "score")
}

/** What the 'highlight' event carries. */
export interface AttentionCell {
  query: number;
  key: number;
  weight: number;
}

/** The sequential ramp's colour at t ∈ [0, 1] as RGB bytes (a table made once). */
const sequentialBytes = rampBytes(sequential, rgb);

const FONT = 11;
const MAX_CELL = 32;
const LEGEND = 34;

interface Cell extends AttentionCell {
  state: 'value' | 'masked' | 'pending'; // computed, in the future (k > q), or in a row not computed yet
}

const cellLabel = (tokens: string[], c: AttentionCell, name = t('chart.attention.weight')) => t('chart.attention.cell', {
  query: c.query, queryToken: visibleText(tokens[c.query]), key: c.key, keyToken: visibleText(tokens[c.key]), name, value: formatDecimal(c.weight, 3),
});

/** A heatmap of attention weights with token labels on both axes. */
export function AttentionMatrix(data: AttentionMatrixData, opts: AttentionMatrixOptions): SVGSVGElement {
  const doc = chartDocument(opts.document);
  const { width } = opts;
  const { tokens } = data;
  const n = tokens.length;
  const filled = Math.min(data.weights.length, n);
  const labels = tokens.map(visibleText);
  const labelW = Math.min(width * 0.25, Math.max(40, ...labels.map((l) => textWidth(l, FONT)))) + 6;
  const cell = n ? Math.min(MAX_CELL, (width - labelW - 4) / n) : MAX_CELL;
  const every = Math.max(1, Math.ceil(FONT / cell)); // label every position only when cells are tall enough
  const side = n * cell;
  const height = labelW + side + LEGEND;

  const cells: Cell[] = [];
  for (let q = 0; q < n; q++) {
    for (let k = 0; k < n; k++) {
      const state = k > q ? 'masked' : q < filled ? 'value' : 'pending';
      if (state !== 'value') cells.push({ query: q, key: k, weight: NaN, state });
    }
  }
  /** The computed cell at (q, k), or null (the future, or a row not computed yet). */
  const valueAt = (q: number, k: number): AttentionCell | null => (q >= 0 && q < filled && k >= 0 && k <= q ? { query: q, key: k, weight: data.weights[q][k] ?? NaN } : null);
  const hl = data.highlight;
  const start = (hl && valueAt(hl[0], hl[1])) || valueAt(0, 0);

  const [d0, d1] = opts.domain ?? [0, 1];
  const unit = (v: number) => (d1 > d0 ? Math.min(1, Math.max(0, (v - d0) / (d1 - d0))) : 0.5); // where v falls on the colour ramp
  const label = opts.label ?? t('chart.attention.label', { n, filled });
  const svg = svgRoot(doc, width, height, label, 'group');
  const plot = svg.append('g').attr('transform', `translate(${px(labelW)},${px(labelW)})`);

  // Axis labels: keys along the top (rotated), queries down the left.
  svg.append('text').attr('x', px(labelW - 4)).attr('y', 12).attr('text-anchor', 'end').attr('font-size', 10).text(t('chart.attention.keyAxis'));
  svg.append('text').attr('x', 2).attr('y', px(labelW - 4)).attr('font-size', 10).text(t('chart.attention.queryAxis'));
  const shown = tokens.map((_, i) => i).filter((i) => i % every === 0);
  plot.append('g').attr('class', 'keys').attr('translate', 'no').selectAll('text').data(shown).join('text')
    .attr('transform', (i) => `translate(${px((i + 0.5) * cell)},-4) rotate(-90)`)
    .attr('dy', '0.35em')
    .attr('font-family', MONO)
    .attr('font-size', FONT)
    .text((i) => truncate(labels[i], labelW - 10, FONT));
  plot.append('g').attr('class', 'queries').attr('translate', 'no').selectAll('text').data(shown).join('text')
    .attr('x', -4)
    .attr('y', (i) => px((i + 0.5) * cell))
    .attr('dy', '0.35em')
    .attr('text-anchor', 'end')
    .attr('font-family', MONO)
    .attr('font-size', FONT)
    .text((i) => truncate(labels[i], labelW - 10, FONT));

  // The masked and pending cells are only outlines: one path each (a square per cell).
  const grid = plot.append('g').attr('class', 'cells').attr('shape-rendering', 'crispEdges');
  const edge = Array.from({ length: n + 1 }, (_, i) => px(i * cell)); // each row's or column's edge, rounded once
  const square = `h${px(cell)}v${px(cell)}h${px(-cell)}z`;
  const outlines = (state: Cell['state'], opacity: number) => {
    let d = '';
    let count = 0;
    for (const c of cells) {
      if (c.state !== state) continue;
      d += `M${edge[c.key]},${edge[c.query]}${square}`;
      count++;
    }
    grid.append('path').attr('class', `outlines ${state}`).attr('data-cells', count).attr('d', d || null)
      .attr('fill', 'none').attr('stroke', 'currentColor').attr('stroke-opacity', opacity).attr('stroke-width', 0.5).attr('aria-hidden', 'true');
  };
  outlines('masked', 0.25);
  outlines('pending', 0.15);
  // The weights: one image, a pixel (or a few) per cell, the future transparent; no element per
  // cell (a tick of T positions would build T(T+1)/2). The keyboard's cell is one element, below.
  if (filled > 0) {
    // A few pixels per cell where cells are large (a viewer that smooths blurs only their edges),
    // at most ≈ 128 a side: the image is written and encoded again every tick.
    const scale = Math.max(1, Math.min(pixelsPerCell(cell), Math.floor(128 / n)));
    const rows = Array.from({ length: filled }, (_, q) => Float64Array.from({ length: n }, (_, k) => (k <= q ? (data.weights[q][k] ?? NaN) : NaN)));
    grid.append('image').attr('class', 'values')
      .attr('width', px(n * cell)).attr('height', px(filled * cell))
      .attr('preserveAspectRatio', 'none').attr('style', 'image-rendering: pixelated')
      .attr('data-rows', filled).attr('data-cells', n).attr('aria-hidden', 'true')
      .attr('href', cellsImage(rows, (v) => sequentialBytes(unit(v)), scale, scale));
  }
  // The mask's hatching: one diagonal per masked cell, all in one path (no pattern ids to clash).
  let hatch = '';
  const diagonal = `l${px(cell)},${px(-cell)}`;
  for (const c of cells) if (c.state === 'masked') hatch += `M${edge[c.key]},${edge[c.query + 1]}${diagonal}`;
  plot.append('path').attr('class', 'mask').attr('d', hatch || null).attr('stroke', 'currentColor')
    .attr('stroke-opacity', 0.35).attr('stroke-width', 0.75).attr('fill', 'none').attr('aria-hidden', 'true');

  const outline = plot.append('rect').attr('class', 'highlight')
    .attr('width', px(cell)).attr('height', px(cell))
    .attr('fill', 'none').attr('stroke', 'currentColor').attr('stroke-width', 2)
    .attr('pointer-events', 'none').attr('aria-hidden', 'true')
    .attr('display', hl && start && start.query === hl[0] && start.key === hl[1] ? null : 'none');
  if (start) outline.attr('x', px(start.key * cell)).attr('y', px(start.query * cell));

  drawLegend(svg.append('g').attr('class', 'legend').attr('transform', `translate(${px(labelW)},${px(labelW + side + 8)})`),
    Math.min(160, Math.max(60, side)), opts.domain
      ? [t('chart.attention.legend', { name: opts.valueName ?? t('chart.attention.weight'), value: formatValue(d0) }), formatValue(d1)]
      : [t('chart.attention.legend', { name: t('chart.attention.weight'), value: '0' }), '1']);

  // Interaction. The keyboard's cell is one focusable element over the image, named for the cell
  // it is on; the arrow keys, Home and End put a new one on the next cell and focus it (a screen
  // reader announces a newly focused element, not a changed name). The pointer finds its cell
  // from where it is over the image.
  const svgEl = svg.node() as SVGSVGElement;
  const gridEl = grid.node() as SVGGElement;
  const show = (c: AttentionCell) => {
    outline.attr('display', null).attr('x', px(c.key * cell)).attr('y', px(c.query * cell));
    emit<AttentionCell>(svgEl, 'highlight', { query: c.query, key: c.key, weight: c.weight });
  };
  let focusable: SVGRectElement | null = null;
  const place = (c: AttentionCell): SVGRectElement => {
    const el = doc.createElementNS(SVG_NS, 'rect') as SVGRectElement;
    const attrs: [string, string | number][] = [
      ['class', 'cell value'], ['x', px(c.key * cell)], ['y', px(c.query * cell)], ['width', px(cell)], ['height', px(cell)],
      ['fill', 'none'], ['pointer-events', 'none'], ['role', 'img'], ['tabindex', 0],
      ['aria-label', cellLabel(tokens, c, opts.valueName)], ['data-query', c.query], ['data-key', c.key],
    ];
    for (const [name, value] of attrs) el.setAttribute(name, String(value));
    if (focusable) focusable.replaceWith(el);
    else gridEl.append(el);
    return (focusable = el);
  };
  if (start) place(start);
  const at = (el: Element | null): AttentionCell | null => (el?.classList.contains('value') ? valueAt(Number(el.getAttribute('data-query')), Number(el.getAttribute('data-key'))) : null);
  const pointed = (e: PointerEvent | MouseEvent): AttentionCell | null => {
    const img = gridEl.querySelector('image.values');
    const box = img?.getBoundingClientRect();
    if (!box || !(box.width > 0) || !(box.height > 0)) return null;
    return valueAt(Math.floor(((e.clientY - box.top) / box.height) * filled), Math.floor(((e.clientX - box.left) / box.width) * n));
  };
  grid
    .on('focusin', (e: FocusEvent) => {
      const c = at(e.target as Element);
      if (c) show(c);
    })
    .on('pointermove', (e: PointerEvent) => {
      const c = pointed(e);
      if (c) show(c);
    })
    .on('click', (e: MouseEvent) => {
      const c = pointed(e);
      if (c) place(c).focus();
    })
    .on('keydown', (e: KeyboardEvent) => {
      const c = at(e.target as Element);
      if (!c) return;
      let { query: q, key: k } = c;
      if (e.key === 'ArrowRight') k = Math.min(q, k + 1);
      else if (e.key === 'ArrowLeft') k = Math.max(0, k - 1);
      else if (e.key === 'ArrowDown') q = Math.min(filled - 1, q + 1);
      else if (e.key === 'ArrowUp') k = Math.min(k, (q = Math.max(0, q - 1)));
      else if (e.key === 'Home') k = 0;
      else if (e.key === 'End') k = q;
      else return;
      e.preventDefault();
      if (q !== c.query || k !== c.key) place(valueAt(q, k)!).focus();
    });
  return svgEl;
}

/** Put the matrix's keyboard cell on (query, key) and focus it, as the arrow keys do; false where no weight is computed there. */
export function focusAttentionCell(svg: SVGSVGElement, query: number, key: number): boolean {
  const el = svg.querySelector<SVGRectElement>('rect.cell.value');
  if (!el) return false;
  const from = [Number(el.getAttribute('data-query')), Number(el.getAttribute('data-key'))];
  // Walk there with the keys' own handler: up or down to the row, then Home and right along it.
  const press = (key: string) => svg.querySelector('rect.cell.value')!.dispatchEvent(new (svg.ownerDocument.defaultView!.KeyboardEvent)('keydown', { key, bubbles: true, cancelable: true }));
  (svg.querySelector('rect.cell.value') as SVGRectElement).focus();
  for (let q = from[0]; q < query; q++) press('ArrowDown');
  for (let q = from[0]; q > query; q--) press('ArrowUp');
  press('Home');
  for (let k = 0; k < key; k++) press('ArrowRight');
  const now = svg.querySelector('rect.cell.value')!;
  return Number(now.getAttribute('data-query')) === query && Number(now.getAttribute('data-key')) === key;
}

function drawLegend(g: G, w: number, ends: [string, string]): void {
  const steps = 64;
  g.append('image').attr('class', 'ramp').attr('width', px(w)).attr('height', 8).attr('preserveAspectRatio', 'none')
    .attr('style', 'image-rendering: pixelated')
    .attr('href', cellsImage([Array.from({ length: steps }, (_, i) => i / (steps - 1))], sequentialBytes, pixelsPerCell(w / steps)));
  g.append('text').attr('y', 20).attr('font-size', 10).text(ends[0]);
  g.append('text').attr('x', px(w)).attr('y', 20).attr('font-size', 10).attr('text-anchor', 'end').text(ends[1]);
}

/** The weights as a table: one row per computed query, one column per key; the future reads "masked". */
export function AttentionMatrixTable(data: AttentionMatrixData, opts: TableOptions = {}): HTMLTableElement {
  const doc = chartDocument(opts.document);
  const { tokens } = data;
  const filled = Math.min(data.weights.length, tokens.length);
  const name = (i: number) => `${formatInteger(i)} ${visibleText(tokens[i])}`;
  const masked = t('chart.attention.masked');
  return table(opts.caption ?? t('chart.attention.caption'), [t('chart.attention.corner'), ...tokens.map((_, k) => name(k))], data.weights.slice(0, filled).map((row, q) =>
      [name(q), ...tokens.map((_, k) => (k > q ? masked : formatDecimal(row[k] ?? NaN, 3)))]), { document: doc, model: { columns: [0], head: (i) => i > 0 } });
}
