/**
 * Bars in groups: one group per row label (a block), one bar per series (attention, MLP) side by
 * side, in the series' colours, with a legend. The page names the groups and series; the chart
 * only draws. Its table alternative is the same numbers, a row per group.
 */
import { scaleBand, scaleLinear } from 'd3';
import { table } from './dom.ts';
import { chartDocument, px, svgRoot } from './chart.ts';
import type { ChartOptions, TableOptions } from './chart.ts';
import { BLUE, ORANGE } from './color.ts';
import { textWidth } from './text.ts';

export interface GroupedBarsData {
  groups: string[]; // a label per group, along the x axis
  series: { name: string; values: number[] }[]; // one value per group each
}

export interface GroupedBarsOptions extends ChartOptions {
  axis?: string; // the y axis's title
  groupAxis?: string; // what a group is, under the group labels
  format?: (v: number) => string; // tick labels (default String)
}

const COLORS = [BLUE, ORANGE];
const HEIGHT = 200;
const M = { top: 24, right: 8, bottom: 34, left: 48 };

/** One bar per series in each group, heights from 0. */
export function GroupedBars(data: GroupedBarsData, opts: GroupedBarsOptions): SVGSVGElement {
  const doc = chartDocument(opts.document);
  const { width, format = String } = opts;
  const svg = svgRoot(doc, width, HEIGHT, opts.label ?? data.series.map((s) => s.name).join(', '));
  const x = scaleBand<number>().domain(data.groups.map((_, i) => i)).range([M.left, width - M.right]).padding(0.2);
  const inner = scaleBand<number>().domain(data.series.map((_, i) => i)).range([0, x.bandwidth()]).padding(0.08);
  const max = Math.max(0, ...data.series.flatMap((s) => s.values.filter(Number.isFinite)));
  const y = scaleLinear().domain([0, max || 1]).nice(4).range([HEIGHT - M.bottom, M.top]);
  const axis = svg.append('g').attr('class', 'y-axis').attr('font-size', 10);
  for (const v of y.ticks(4)) {
    axis.append('line').attr('x1', M.left).attr('x2', px(width - M.right)).attr('y1', px(y(v))).attr('y2', px(y(v)))
      .attr('stroke', 'currentColor').attr('stroke-opacity', 0.15);
    axis.append('text').attr('x', M.left - 4).attr('y', px(y(v))).attr('dy', '0.35em').attr('text-anchor', 'end').text(format(v));
  }
  if (opts.axis) {
    svg.append('text').attr('class', 'axis-title').attr('transform', `translate(10,${px((M.top + HEIGHT - M.bottom) / 2)}) rotate(-90)`)
      .attr('text-anchor', 'middle').attr('font-size', 10).text(opts.axis);
  }
  const bars = svg.append('g').attr('class', 'bars').attr('aria-hidden', 'true');
  data.series.forEach((s, j) => {
    s.values.forEach((v, i) => {
      if (!Number.isFinite(v)) return;
      bars.append('rect').attr('class', `bar series-${j}`).attr('data-group', i).attr('data-value', v)
        .attr('x', px(x(i)! + inner(j)!)).attr('width', px(inner.bandwidth()))
        .attr('y', px(y(v))).attr('height', px(y(0) - y(v))).attr('fill', COLORS[j % COLORS.length]);
    });
  });
  const labels = svg.append('g').attr('class', 'x-axis').attr('font-size', 10);
  data.groups.forEach((g, i) => labels.append('text').attr('x', px(x(i)! + x.bandwidth() / 2)).attr('y', HEIGHT - M.bottom + 14).attr('text-anchor', 'middle').text(g));
  if (opts.groupAxis) {
    svg.append('text').attr('class', 'axis-title').attr('x', px((M.left + width - M.right) / 2)).attr('y', HEIGHT - 4).attr('text-anchor', 'middle')
      .attr('font-size', 10).text(opts.groupAxis);
  }
  const legend = svg.append('g').attr('class', 'legend').attr('font-size', 10).attr('aria-hidden', 'true');
  let lx = M.left;
  data.series.forEach((s, j) => {
    legend.append('rect').attr('x', lx).attr('y', 4).attr('width', 10).attr('height', 10).attr('fill', COLORS[j % COLORS.length]);
    legend.append('text').attr('x', lx + 14).attr('y', 9).attr('dy', '0.35em').text(s.name);
    lx += 14 + textWidth(s.name, 10) + 16;
  });
  return svg.node() as SVGSVGElement;
}

/** The same numbers, a row per group. */
export function GroupedBarsTable(data: GroupedBarsData, opts: TableOptions & { corner?: string; format?: (v: number) => string } = {}): HTMLTableElement {
  const format = opts.format ?? String;
  return table(opts.caption ?? '', [opts.corner ?? '', ...data.series.map((s) => s.name)],
    data.groups.map((g, i) => [g, ...data.series.map((s) => format(s.values[i]))]), { document: chartDocument(opts.document) });
}
