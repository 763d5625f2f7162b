/**
 * A heatmap of signed vectors, one row each: token embeddings, the residual stream layer by layer.
 * Blue is negative, orange positive, and the scale is symmetric about 0 so that zero always reads
 * as the same light grey; pass `domain` to share one scale between several heatmaps, and
 * `curve: 'sqrt'` when a few large values would leave the rest pale (a square-root ramp).
 */
import { table } from './dom.ts';
import { rgb, scaleLinear } from 'd3';
import { cellsImage, pixelsPerCell, rampBytes } from './png.ts';
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

  // Each row is one image, a pixel per cell (or a few, so that a PDF viewer that smooths images blurs
  // only the cells' edges), scaled to the plot and drawn unsmoothed: a chart of a few thousand cells
  // redraws on every tick, and an SVG element per cell cost the browser most of that time.
  const rows = plot.append('g').attr('class', 'rows').node()!;
  const scale = pixelsPerCell(cw);
  data.values.forEach((values, i) => {
    if (values.length === 0) return;
    const img = doc.createElementNS(SVG_NS, 'image');
    img.setAttribute('class', 'row');
    img.setAttribute('data-row', String(i));
    img.setAttribute('data-cells', String(values.length));
    img.setAttribute('x', '0');
    img.setAttribute('y', String(i * rowHeight));
    img.setAttribute('width', String(px(values.length * cw)));
    img.setAttribute('height', String(rowHeight - 1));
    img.setAttribute('preserveAspectRatio', 'none');
    img.setAttribute('style', 'image-rendering: pixelated');
    img.setAttribute('href', rowImage(values, ramp, scale));
    rows.append(img);
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

/** The cell under a point of a heatmap row's image: [row, column], or null off the row. */
export function heatmapCellAt(image: Element, clientX: number): [number, number] | null {
  const row = Number(image.getAttribute('data-row'));
  const cells = Number(image.getAttribute('data-cells'));
  const box = image.getBoundingClientRect();
  if (!Number.isInteger(row) || !(cells > 0) || !(box.width > 0)) return null;
  const col = Math.floor(((clientX - box.left) / box.width) * cells);
  return col >= 0 && col < cells ? [row, col] : null;
}

/** The diverging ramp's colour at t ∈ [0, 1] as RGB bytes, from a table of 2,048 steps (made once). */
const divergingBytes = rampBytes(diverging, rgb);


/** One row of values as a PNG, `scale` pixels per cell; a value that is not finite is transparent. */
function rowImage(values: ArrayLike<number>, ramp: (v: number) => number, scale: number): string {
  return cellsImage([values], (v) => divergingBytes(ramp(v)), scale);
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
  // The ramp in 33 steps, as one image like the rows.
  g.append('image').attr('class', 'ramp').attr('width', px(w)).attr('height', 8).attr('preserveAspectRatio', 'none')
    .attr('style', 'image-rendering: pixelated')
    .attr('href', rowImage(Array.from({ length: steps }, (_, i) => i / (steps - 1)), (f) => f, pixelsPerCell(w / steps)));
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
