/**
 * Two lines over the same x (ticks): a running total with one way and with another, e.g. the
 * work of a generation with the KV cache and without it. Dots mark the points, so a short run
 * still reads; the legend names the lines. The page names the axes and lines.
 */
import { scaleLinear } from 'd3';
import { table } from './dom.ts';
import { chartDocument, px, svgRoot } from './chart.ts';
import type { ChartOptions, TableOptions } from './chart.ts';
import { BLUE, ORANGE } from './color.ts';
import { textWidth } from './text.ts';

export interface LinePairData {
  x: number[]; // along the bottom, rising
  lines: { name: string; values: (number | null)[] }[]; // one value per x (null: not measured)
}

export interface LinePairOptions extends ChartOptions {
  xAxis: string;
  yAxis: string;
  format?: (v: number) => string; // y tick labels
  height?: number;
}

const COLORS = [BLUE, ORANGE];
const M = { top: 24, right: 12, bottom: 32, left: 56 };

export function LinePair(data: LinePairData, opts: LinePairOptions): SVGSVGElement {
  const doc = chartDocument(opts.document);
  const { width, height = 200, format = String } = opts;
  const svg = svgRoot(doc, width, height, opts.label ?? opts.yAxis);
  const lo = data.x[0] ?? 0;
  const hi = Math.max(lo + 1, data.x.at(-1) ?? 1);
  const x = scaleLinear().domain([lo, hi]).range([M.left, width - M.right]);
  const max = Math.max(0, ...data.lines.flatMap((l) => l.values.filter((v): v is number => v !== null && Number.isFinite(v))));
  const y = scaleLinear().domain([0, max || 1]).nice(4).range([height - M.bottom, M.top]);
  const axes = svg.append('g').attr('class', 'axes').attr('font-size', 10);
  for (const v of y.ticks(4)) {
    axes.append('line').attr('x1', M.left).attr('x2', px(width - M.right)).attr('y1', px(y(v))).attr('y2', px(y(v)))
      .attr('stroke', 'currentColor').attr('stroke-opacity', 0.15);
    axes.append('text').attr('x', M.left - 4).attr('y', px(y(v))).attr('dy', '0.35em').attr('text-anchor', 'end').text(format(v));
  }
  for (const v of x.ticks(Math.max(2, Math.floor((width - M.left - M.right) / 50))).filter(Number.isInteger)) {
    axes.append('text').attr('x', px(x(v))).attr('y', height - M.bottom + 14).attr('text-anchor', 'middle').text(String(v));
  }
  svg.append('text').attr('class', 'axis-title').attr('x', px((M.left + width - M.right) / 2)).attr('y', height - 4).attr('text-anchor', 'middle')
    .attr('font-size', 10).text(opts.xAxis);
  svg.append('text').attr('class', 'axis-title').attr('transform', `translate(10,${px((M.top + height - M.bottom) / 2)}) rotate(-90)`)
    .attr('text-anchor', 'middle').attr('font-size', 10).text(opts.yAxis);
  const marks = svg.append('g').attr('class', 'lines').attr('aria-hidden', 'true');
  data.lines.forEach((l, j) => {
    const color = COLORS[j % COLORS.length];
    const pts = data.x.map((xv, i) => [xv, l.values[i]] as const).filter((p): p is readonly [number, number] => p[1] !== null && Number.isFinite(p[1]));
    marks.append('path').attr('class', `line line-${j}`).attr('fill', 'none').attr('stroke', color).attr('stroke-width', 2)
      .attr('d', pts.map(([a, b], i) => `${i ? 'L' : 'M'}${px(x(a))},${px(y(b))}`).join('') || null);
    for (const [a, b] of pts) marks.append('circle').attr('class', `dot line-${j}`).attr('cx', px(x(a))).attr('cy', px(y(b))).attr('r', 2.5).attr('fill', color);
  });
  const legend = svg.append('g').attr('class', 'legend').attr('font-size', 10).attr('aria-hidden', 'true');
  let lx = M.left;
  data.lines.forEach((l, j) => {
    legend.append('line').attr('x1', lx).attr('x2', lx + 16).attr('y1', 9).attr('y2', 9).attr('stroke', COLORS[j % COLORS.length]).attr('stroke-width', 2);
    legend.append('text').attr('x', lx + 20).attr('y', 9).attr('dy', '0.35em').text(l.name);
    lx += 20 + textWidth(l.name, 10) + 16;
  });
  return svg.node() as SVGSVGElement;
}

/** The same numbers, a row per x. */
export function LinePairTable(data: LinePairData, opts: TableOptions & { corner: string; format?: (v: number) => string }): HTMLTableElement {
  const format = opts.format ?? String;
  return table(opts.caption ?? '', [opts.corner, ...data.lines.map((l) => l.name)],
    data.x.map((xv, i) => [String(xv), ...data.lines.map((l) => (l.values[i] === null ? '—' : format(l.values[i]!)))]), { document: chartDocument(opts.document) });
}
