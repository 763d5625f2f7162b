/**
 * A heatmap of signed vectors, one row each: token embeddings, the residual stream layer by layer.
 * Blue is negative, orange positive, and the scale is symmetric about 0 so that zero always reads
 * as the same light grey; pass `domain` to share one scale between several heatmaps, and
 * `curve: 'sqrt'` when a few large values would leave the rest pale (a square-root ramp).
 */
import { table } from './dom.ts';
import { scaleLinear } from 'd3';
import { formatInteger, formatValue } from './format.ts';
import { MONO, textWidth, truncate, visibleText } from './text.ts';
import { chartDocument, px, SVG_NS, svgRoot } from './chart.ts';
import type { ChartOptions, G, TableOptions } from './chart.ts';
import { diverging } from './color.ts';
import { strings as t } from './heatmap.strings.ts';

export interface HeatmapData {
  rows: string[]; // row labels (token text, "layer 3", …)
  values: number[][]; // values[row][column]; rows may differ in length (missing cells are left empty)
}

export interface HeatmapOptions extends ChartOptions {
  domain?: number; // colours span [-domain, +domain]; default the largest |value|
  rowHeight?: number; // px per row (default 18)
  columnLabel?: string; // what a column is (default "dimension")
  selected?: [number, number]; // [row, column] of a cell to outline (none by default)
  modelRows?: boolean; // the row labels are the model's text (tokens): marked translate="no" (default false)
  curve?: 'linear' | 'sqrt'; // how |value| maps to colour: 'sqrt' shows small values beside large ones (the legend marks ±domain/4 at its quarter points)
}

const FONT = 11;
const LEGEND = 36;

/** The symmetric colour domain: the largest finite |value|, or 1 when there is none. */
export function heatmapDomain(values: number[][]): number {
  let m = 0;
  for (const row of values) for (const v of row) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  return m || 1;
}

/**
 * A colour domain that a few outliers do not set: the q-quantile of |value| (values beyond it take
 * the ramp's end colour). For the residual stream, whose few huge dimensions would leave the rest pale.
 */
export function quantileDomain(values: number[][], q: number): number {
  const all: number[] = [];
  for (const row of values) for (const v of row) if (Number.isFinite(v)) all.push(Math.abs(v));
  if (all.length === 0) return 1;
  all.sort((a, b) => a - b);
  return all[Math.min(all.length - 1, Math.floor(q * (all.length - 1)))] || heatmapDomain(values);
}

/** Rows of signed values as coloured cells with a diverging scale centred at 0. */
export function Heatmap(data: HeatmapData, opts: HeatmapOptions): SVGSVGElement {
  const doc = chartDocument(opts.document);
  const { width, rowHeight = 18, columnLabel = t('chart.heatmap.dimension') } = opts;
  const domain = opts.domain ?? heatmapDomain(data.values);
  // Tokens show their spaces as ␣; the page's own labels ("after block 0") are plain text.
  const labels = opts.modelRows ? data.rows.map(visibleText) : data.rows;
  const axisTitle = t('chart.heatmap.axis', { column: columnLabel });
  // Wide enough for the row labels and the column axis's title beside the first row of ticks.
  const labelW = Math.min(width * 0.25, Math.max(20, textWidth(axisTitle, 10), ...labels.map((l) => textWidth(l, FONT)))) + 8;
  const cols = Math.max(0, ...data.values.map((r) => r.length));
  const plotW = Math.max(1, width - labelW - 2);
  const cw = cols ? plotW / cols : plotW;
  const top = 18;
  const height = top + data.rows.length * rowHeight + LEGEND;
  const ramp = heatmapRamp(domain, opts.curve ?? 'linear');
  const color = (v: number) => (Number.isFinite(v) ? diverging(ramp(v)) : 'none');

  const label = opts.label ?? t('chart.heatmap.label', { rows: data.rows.length, cols, lo: formatValue(-domain), hi: formatValue(domain) });
  const svg = svgRoot(doc, width, height, label);
  const plot = svg.append('g').attr('transform', `translate(${px(labelW)},${top})`);

  // Column axis: a few ticks at round column indices.
  const x = scaleLinear().domain([0, cols || 1]).range([0, cols * cw || plotW]);
  const ticks = x.ticks(Math.max(2, Math.floor(plotW / 80))).filter((t) => Number.isInteger(t) && t < cols);
  const tick = plot.append('g').attr('class', 'columns').selectAll('g').data(ticks).join('g')
    .attr('transform', (t) => `translate(${px(x(t) + cw / 2)},0)`);
  tick.append('line').attr('y1', -4).attr('y2', 0).attr('stroke', 'currentColor');
  tick.append('text').attr('y', -6).attr('text-anchor', 'middle').attr('font-size', 10).text((t) => formatInteger(t));
  svg.append('text').attr('class', 'axis-title').attr('x', px(labelW - 6)).attr('y', 12).attr('text-anchor', 'end').attr('font-size', 10).text(axisTitle);

  // One row of cells is built once and cloned for every row, which then only gets its colours: a
  // chart of a few thousand cells redraws on every tick, and building each cell attribute by
  // attribute took most of its time.
  const rows = plot.append('g').attr('class', 'rows').attr('shape-rendering', 'crispEdges').node()!;
  const template = doc.createElementNS(SVG_NS, 'g');
  template.setAttribute('class', 'row');
  for (let j = 0; j < cols; j++) {
    const rect = doc.createElementNS(SVG_NS, 'rect');
    rect.setAttribute('class', 'cell');
    rect.setAttribute('x', String(px(j * cw)));
    rect.setAttribute('width', String(px(j === cols - 1 ? cw : cw + 0.5))); // overlapping the next cell by half a pixel: no seams where edges round apart
    rect.setAttribute('height', String(rowHeight - 1));
    template.append(rect);
  }
  data.values.forEach((values, i) => {
    const row = template.cloneNode(true) as SVGGElement;
    row.setAttribute('transform', `translate(0,${i * rowHeight})`);
    // A row shorter than the widest has no cells past its end.
    for (let j = row.children.length - 1; j >= values.length; j--) row.children[j].remove();
    values.forEach((v, j) => row.children[j].setAttribute('fill', color(v)));
    rows.append(row);
  });
  const sel = opts.selected;
  if (sel && sel[0] >= 0 && sel[0] < data.rows.length && sel[1] >= 0 && sel[1] < cols) {
    plot.append('rect').attr('class', 'selected')
      .attr('x', px(sel[1] * cw - 1)).attr('y', px(sel[0] * rowHeight - 1))
      .attr('width', px(cw + 2)).attr('height', rowHeight + 1)
      .attr('fill', 'none').attr('stroke', 'currentColor').attr('stroke-width', 2);
  }
  plot.append('g').attr('class', 'labels').attr('translate', opts.modelRows ? 'no' : null).selectAll('text').data(labels).join('text')
    .attr('x', -6)
    .attr('y', (_, i) => px((i + 0.5) * rowHeight))
    .attr('dy', '0.35em')
    .attr('text-anchor', 'end')
    .attr('font-family', opts.modelRows ? MONO : null)
    .attr('font-size', FONT)
    .text((l) => truncate(l, labelW - 8, FONT));

  drawLegend(svg.append('g').attr('class', 'legend').attr('transform', `translate(${px(labelW)},${px(top + data.rows.length * rowHeight + 8)})`),
    Math.min(opts.curve === 'sqrt' ? 280 : 200, plotW), domain, opts.curve ?? 'linear');
  return svg.node() as SVGSVGElement;
}

/** Where a value falls on the colour ramp, in [0, 1] (0.5 is zero): linear in the value, or in the square root of its size. */
export function heatmapRamp(domain: number, curve: 'linear' | 'sqrt' = 'linear'): (v: number) => number {
  return (v) => {
    const r = Math.max(-1, Math.min(1, v / domain));
    return 0.5 + (curve === 'sqrt' ? Math.sign(r) * Math.sqrt(Math.abs(r)) : r) / 2;
  };
}

function drawLegend(g: G, w: number, domain: number, curve: 'linear' | 'sqrt'): void {
  const steps = 33;
  const ramp = heatmapRamp(domain, curve);
  g.selectAll('rect').data(Array.from({ length: steps }, (_, i) => i / (steps - 1))).join('rect')
    .attr('x', (_, i) => px((i * w) / steps))
    .attr('width', px(w / steps + 0.5))
    .attr('height', 8)
    .attr('fill', (f) => diverging(f));
  // Labels where their values fall on the ramp: ±domain and 0, and on a square-root ramp ±domain/4 too.
  const marks = curve === 'sqrt' ? [-domain, -domain / 4, 0, domain / 4, domain] : [-domain, 0, domain];
  g.selectAll('text').data(marks).join('text')
    .attr('x', (v) => px(ramp(v) * w)).attr('y', 20).attr('font-size', 10)
    .attr('text-anchor', (v) => (v === -domain ? 'start' : v === domain ? 'end' : 'middle'))
    .attr('data-value', (v) => v)
    .text((v) => (v === 0 ? '0' : formatValue(v)));
}

/** The values as a table: one row per row label, one column per dimension. */
export function HeatmapTable(data: HeatmapData, opts: TableOptions & { columnLabel?: string; modelRows?: boolean } = {}): HTMLTableElement {
  const doc = chartDocument(opts.document);
  const cols = Math.max(0, ...data.values.map((r) => r.length));
  const columnLabel = opts.columnLabel ?? t('chart.heatmap.dimension');
  return table(opts.caption ?? t('chart.heatmap.caption', { rows: data.rows.length, cols }), [t('chart.heatmap.row'), ...Array.from({ length: cols }, (_, j) => t('chart.heatmap.column', { column: columnLabel, j: formatInteger(j) }))], data.rows.map((r, i) => [opts.modelRows ? visibleText(r) : r, ...Array.from({ length: cols }, (_, j) => {
      const v = data.values[i]?.[j];
      return v === undefined ? '' : formatValue(v);
    })]), { document: doc, model: { columns: opts.modelRows ? [0] : [] } });
}
