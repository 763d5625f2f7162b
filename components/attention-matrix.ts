/**
 * The attention matrix of one head: row q is how much query position q attends to each key
 * position k ≤ q (the weights of a row sum to 1). Cells above the diagonal are the causal mask —
 * a token never sees the future — drawn hatched. The matrix fills one row per tick: rows not yet
 * computed are drawn as empty outlines.
 *
 * Keyboard: one cell is in the tab order; arrow keys, Home and End move within the computed
 * cells. Focusing or hovering a cell moves the outline there and dispatches
 * `CustomEvent('highlight', { detail: { query, key, weight } })` on the SVG.
 */
import { table } from './dom.ts';
import { scaleLinear, select } from 'd3';
import { formatDecimal, formatInteger, formatValue } from './format.ts';
import { MONO, textWidth, truncate, visibleText } from './text.ts';
import { chartDocument, emit, px, svgRoot } from './chart.ts';
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
      cells.push({ query: q, key: k, weight: state === 'value' ? (data.weights[q][k] ?? NaN) : NaN, state });
    }
  }
  const values = cells.filter((c) => c.state === 'value');
  const hl = data.highlight;
  const start = values.find((c) => hl && c.query === hl[0] && c.key === hl[1]) ?? values[0];

  const [d0, d1] = opts.domain ?? [0, 1];
  const color = (v: number) => sequential(d1 > d0 ? Math.min(1, Math.max(0, (v - d0) / (d1 - d0))) : 0.5);
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

  // The masked and pending cells are only outlines: one path each (a square per cell), so a
  // matrix of T² cells builds elements only for the T(T+1)/2 weights a reader can focus.
  const grid = plot.append('g').attr('class', 'cells').attr('shape-rendering', 'crispEdges');
  const outlines = (state: Cell['state'], opacity: number) => {
    let d = '';
    let count = 0;
    for (const c of cells) {
      if (c.state !== state) continue;
      d += `M${px(c.key * cell)},${px(c.query * cell)}h${px(cell)}v${px(cell)}h${px(-cell)}z`;
      count++;
    }
    grid.append('path').attr('class', `outlines ${state}`).attr('data-cells', count).attr('d', d || null)
      .attr('fill', 'none').attr('stroke', 'currentColor').attr('stroke-opacity', opacity).attr('stroke-width', 0.5).attr('aria-hidden', 'true');
  };
  outlines('masked', 0.25);
  outlines('pending', 0.15);
  const valueCells = grid.append('g').attr('class', 'value')
    .selectAll<SVGRectElement, Cell>('rect').data(values).join('rect')
    .attr('class', 'cell value')
    .attr('x', (c) => px(c.key * cell))
    .attr('y', (c) => px(c.query * cell))
    .attr('width', px(cell))
    .attr('height', px(cell))
    .attr('fill', (c) => (Number.isFinite(c.weight) ? color(c.weight) : 'currentColor'))
    .attr('fill-opacity', (c) => (Number.isFinite(c.weight) ? null : 0.2))
    .attr('role', 'img')
    .attr('tabindex', (c) => (c === start ? 0 : -1))
    .attr('aria-label', (c) => cellLabel(tokens, c, opts.valueName))
    .attr('data-query', (c) => c.query)
    .attr('data-key', (c) => c.key);
  // The mask's hatching: one diagonal per masked cell, all in one path (no pattern ids to clash).
  let hatch = '';
  for (const c of cells) if (c.state === 'masked') hatch += `M${px(c.key * cell)},${px((c.query + 1) * cell)}l${px(cell)},${px(-cell)}`;
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

  // Interaction: roving tabindex over the computed cells, one listener per kind on the grid.
  const svgEl = svg.node() as SVGSVGElement;
  const rects = new Map<string, SVGRectElement>();
  valueCells.each(function (c) {
    rects.set(`${c.query},${c.key}`, this);
  });
  const cellOf = (e: Event) => {
    const el = e.target as Element | null;
    return el?.classList.contains('value') ? { el: el as SVGRectElement, c: select<SVGRectElement, Cell>(el as SVGRectElement).datum() } : null;
  };
  const show = (c: Cell) => {
    outline.attr('display', null).attr('x', px(c.key * cell)).attr('y', px(c.query * cell));
    emit<AttentionCell>(svgEl, 'highlight', { query: c.query, key: c.key, weight: c.weight });
  };
  let tabbable = start ? rects.get(`${start.query},${start.key}`) : undefined;
  grid
    .on('focusin', (e: FocusEvent) => {
      const hit = cellOf(e);
      if (!hit) return;
      tabbable?.setAttribute('tabindex', '-1');
      (tabbable = hit.el).setAttribute('tabindex', '0');
      show(hit.c);
    })
    .on('pointerover', (e: PointerEvent) => {
      const hit = cellOf(e);
      if (hit) show(hit.c);
    })
    .on('keydown', (e: KeyboardEvent) => {
      const hit = cellOf(e);
      if (!hit) return;
      let { query: q, key: k } = hit.c;
      if (e.key === 'ArrowRight') k = Math.min(q, k + 1);
      else if (e.key === 'ArrowLeft') k = Math.max(0, k - 1);
      else if (e.key === 'ArrowDown') q = Math.min(filled - 1, q + 1);
      else if (e.key === 'ArrowUp') k = Math.min(k, (q = Math.max(0, q - 1)));
      else if (e.key === 'Home') k = 0;
      else if (e.key === 'End') k = q;
      else return;
      e.preventDefault();
      rects.get(`${q},${k}`)?.focus();
    });
  return svgEl;
}

function drawLegend(g: G, w: number, ends: [string, string]): void {
  const steps = 32;
  const x = scaleLinear().domain([0, 1]).range([0, w]);
  g.selectAll('rect').data(Array.from({ length: steps }, (_, i) => i / (steps - 1))).join('rect')
    .attr('x', (t) => px(x(t) * (steps - 1) / steps))
    .attr('width', px(w / steps + 0.5))
    .attr('height', 8)
    .attr('fill', (t) => sequential(t));
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
