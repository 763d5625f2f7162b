/**
 * Every head at once: a small bar chart per layer and head of one query row of attention weights
 * (the newest position's), one bar per key position, all on one scale from 0 to 1. Small multiples
 * let a reader spot habits: a head whose bar stands at the first key, at the key before the last,
 * or at the last key (the token itself).
 *
 * Keyboard: one cell is in the tab order; arrow keys move between heads (left, right) and layers
 * (up, down), Home and End to a layer's first and last head. Focusing or hovering a cell outlines
 * it and dispatches `CustomEvent('highlight', { detail: { layer, head } })` on the SVG.
 */
import { select } from 'd3';
import { table } from './dom.ts';
import { formatDecimal, formatInteger } from './format.ts';
import { visibleText } from './text.ts';
import { chartDocument, emit, px, svgRoot } from './chart.ts';
import type { ChartOptions, TableOptions } from './chart.ts';
import { BLUE } from './color.ts';
import { strings as t } from './head-grid.strings.ts';

export interface HeadGridData {
  tokens: string[]; // the key positions' token texts
  rows: number[][][]; // rows[layer][head][key]: weights of one query row, each summing to 1
  selected?: [number, number]; // [layer, head] in the tab order and outlined (default [0, 0])
}

/** What the 'highlight' event carries. */
export interface HeadCell {
  layer: number;
  head: number;
}

const LABEL_W = 52;
const TOP = 16;

/** The key a row gives most weight to. */
function top(row: number[]): number {
  let best = 0;
  for (let k = 1; k < row.length; k++) if (row[k] > row[best]) best = k;
  return best;
}

/** The label of one cell: where most of its weight goes, and how much stays on the token itself. */
export function headCellLabel(data: HeadGridData, layer: number, head: number): string {
  const row = data.rows[layer][head];
  const k = top(row);
  return t('chart.heads.cell', { layer, head, weight: formatDecimal(row[k], 3), key: k, token: visibleText(data.tokens[k] ?? ''), self: formatDecimal(row.at(-1) ?? NaN, 3) });
}

/** The small multiples: layers down, heads across, one bar chart of a row of weights in each. */
export function HeadGrid(data: HeadGridData, opts: ChartOptions): SVGSVGElement {
  const doc = chartDocument(opts.document);
  const L = data.rows.length;
  const H = data.rows[0]?.length ?? 0;
  const K = data.rows[0]?.[0]?.length ?? 0;
  const cw = Math.max(8, (opts.width - LABEL_W) / Math.max(1, H));
  const ch = Math.max(24, Math.min(44, cw * 0.6));
  const width = LABEL_W + cw * H;
  const height = TOP + ch * L + 2;
  const svg = svgRoot(doc, width, height, opts.label ?? t('chart.heads.label', { layers: L, heads: H, last: K - 1 }), 'group');
  const every = Math.max(1, Math.ceil(40 / cw)); // a head label every few columns when they are narrow
  svg.append('g').attr('class', 'head-labels').attr('aria-hidden', 'true').selectAll('text').data(Array.from({ length: H }, (_, h) => h).filter((h) => h % every === 0)).join('text')
    .attr('x', (h) => px(LABEL_W + (h + 0.5) * cw)).attr('y', 11).attr('text-anchor', 'middle').attr('font-size', 10)
    .text((h) => (cw >= 40 ? t('chart.heads.head', { head: h }) : formatInteger(h)));
  svg.append('g').attr('class', 'layer-labels').attr('aria-hidden', 'true').selectAll('text').data(Array.from({ length: L }, (_, l) => l)).join('text')
    .attr('x', LABEL_W - 6).attr('y', (l) => px(TOP + (l + 0.5) * ch)).attr('dy', '0.35em').attr('text-anchor', 'end').attr('font-size', 10)
    .text((l) => t('chart.heads.layer', { layer: l }));

  const cells: HeadCell[] = [];
  for (let l = 0; l < L; l++) for (let h = 0; h < H; h++) cells.push({ layer: l, head: h });
  const [sl, sh] = data.selected ?? [0, 0];
  const grid = svg.append('g').attr('class', 'cells').attr('transform', `translate(${LABEL_W},${TOP})`);
  const g = grid.selectAll<SVGGElement, HeadCell>('g').data(cells).join('g')
    .attr('class', 'head-cell')
    .attr('transform', (c) => `translate(${px(c.head * cw)},${px(c.layer * ch)})`);
  // Bars: one path per cell, a rectangle per key, from the cell's floor up to weight × its height.
  const inner = (c: HeadCell) => {
    const row = data.rows[c.layer][c.head];
    const bw = (cw - 4) / Math.max(1, row.length);
    let d = '';
    row.forEach((w, k) => {
      const hgt = Math.max(0, Math.min(1, w)) * (ch - 5);
      if (hgt >= 0.05) d += `M${px(2 + k * bw)},${px(ch - 2)}h${px(Math.max(0.6, bw * 0.85))}v${px(-hgt)}h${px(-Math.max(0.6, bw * 0.85))}Z`;
    });
    return d;
  };
  g.append('rect').attr('class', 'frame').attr('x', 0.5).attr('y', 0.5).attr('width', px(cw - 1)).attr('height', px(ch - 1))
    .attr('fill', 'none').attr('stroke', 'currentColor').attr('stroke-opacity', 0.2).attr('aria-hidden', 'true');
  g.append('path').attr('class', 'bars').attr('d', (c) => inner(c) || null).attr('fill', BLUE).attr('aria-hidden', 'true');
  const hit = g.append('rect').attr('class', 'cell')
    .attr('width', px(cw)).attr('height', px(ch)).attr('fill', 'transparent')
    .attr('role', 'img')
    .attr('tabindex', (c) => (c.layer === sl && c.head === sh ? 0 : -1))
    .attr('aria-label', (c) => headCellLabel(data, c.layer, c.head))
    .attr('data-layer', (c) => c.layer).attr('data-head', (c) => c.head);
  const outline = grid.append('rect').attr('class', 'highlight').attr('width', px(cw)).attr('height', px(ch))
    .attr('fill', 'none').attr('stroke', 'currentColor').attr('stroke-width', 2).attr('pointer-events', 'none').attr('aria-hidden', 'true')
    .attr('x', px(sh * cw)).attr('y', px(sl * ch));

  const svgEl = svg.node() as SVGSVGElement;
  const rects = new Map<string, SVGRectElement>();
  hit.each(function (c) {
    rects.set(`${c.layer},${c.head}`, this);
  });
  const cellOf = (e: Event) => {
    const el = e.target as Element | null;
    return el?.classList.contains('cell') ? { el: el as SVGRectElement, c: select<SVGRectElement, HeadCell>(el as SVGRectElement).datum() } : null;
  };
  const show = (c: HeadCell) => {
    outline.attr('x', px(c.head * cw)).attr('y', px(c.layer * ch));
    emit<HeadCell>(svgEl, 'highlight', { layer: c.layer, head: c.head });
  };
  let tabbable = rects.get(`${sl},${sh}`);
  grid
    .on('focusin', (e: FocusEvent) => {
      const h = cellOf(e);
      if (!h) return;
      tabbable?.setAttribute('tabindex', '-1');
      (tabbable = h.el).setAttribute('tabindex', '0');
      show(h.c);
    })
    .on('pointerover', (e: PointerEvent) => {
      const h = cellOf(e);
      if (h) show(h.c);
    })
    .on('keydown', (e: KeyboardEvent) => {
      const h = cellOf(e);
      if (!h) return;
      let { layer: l, head: hh } = h.c;
      if (e.key === 'ArrowRight') hh = Math.min(H - 1, hh + 1);
      else if (e.key === 'ArrowLeft') hh = Math.max(0, hh - 1);
      else if (e.key === 'ArrowDown') l = Math.min(L - 1, l + 1);
      else if (e.key === 'ArrowUp') l = Math.max(0, l - 1);
      else if (e.key === 'Home') hh = 0;
      else if (e.key === 'End') hh = H - 1;
      else return;
      e.preventDefault();
      rects.get(`${l},${hh}`)?.focus();
    });
  return svgEl;
}

/** The rows as a table: one row per layer and head, one column per key position. */
export function HeadGridTable(data: HeadGridData, opts: TableOptions = {}): HTMLTableElement {
  const doc = chartDocument(opts.document);
  const K = data.rows[0]?.[0]?.length ?? 0;
  const keys = Array.from({ length: K }, (_, k) => `${formatInteger(k)} ${visibleText(data.tokens[k] ?? '')}`);
  const rows: string[][] = [];
  data.rows.forEach((layer, l) => layer.forEach((row, h) => rows.push([t('chart.heads.row', { layer: l, head: h }), ...row.map((w) => formatDecimal(w, 3))])));
  return table(opts.caption ?? t('chart.heads.caption'), [t('chart.heads.corner'), ...keys], rows, { document: doc, model: { head: (i) => i > 0 } });
}
