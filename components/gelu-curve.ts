/**
 * GELU's curve with one tick's MLP inputs on it: the function drawn over the inputs' range, and a
 * dot at (x, GELU(x)) for each of the 4·C units of one position, the y the engine computed. Negative
 * inputs land on the flat left arm near 0; positive ones on the near-diagonal right arm.
 */
import { scaleLinear } from 'd3';
import { table } from './dom.ts';
import { chartDocument, px, svgRoot } from './chart.ts';
import type { ChartOptions, TableOptions } from './chart.ts';
import { BLUE, ORANGE } from './color.ts';
import { formatInteger, formatValue } from './format.ts';
import { ui } from './gelu-curve.strings.ts';

export interface GeluCurveData {
  x: ArrayLike<number>; // the MLP's GELU inputs
  y: ArrayLike<number>; // the GELU outputs, as the engine computed them
}

/** GELU, tanh form, in float64 (GPT-2's). */
export function gelu(x: number): number {
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
}

/** The inputs in ranges: how many, and the outputs' least and greatest there. */
export interface GeluBin {
  from: number; // -Infinity for the first
  to: number; // Infinity for the last
  count: number;
  yMin: number;
  yMax: number;
}

/** Edges of the summary's ranges: x < −3 (output ≈ 0), −3…−1, −1…0, 0…1, 1…3, ≥ 3. */
export const GELU_EDGES = [-3, -1, 0, 1, 3];

export function geluBins(data: GeluCurveData, edges = GELU_EDGES): GeluBin[] {
  const bounds = [-Infinity, ...edges, Infinity];
  const bins = bounds.slice(0, -1).map((from, i) => ({ from, to: bounds[i + 1], count: 0, yMin: NaN, yMax: NaN }));
  for (let i = 0; i < data.x.length; i++) {
    const b = bins.find((b) => data.x[i] >= b.from && data.x[i] < b.to)!;
    const y = data.y[i];
    b.yMin = b.count ? Math.min(b.yMin, y) : y;
    b.yMax = b.count ? Math.max(b.yMax, y) : y;
    b.count++;
  }
  return bins;
}

const HEIGHT = 240;
const DOT = 2.5; // a dot's radius, px
const M = { top: 12, right: 12, bottom: 32, left: 44 };

/** The GELU curve, and one dot per input (circles of one path). */
export function GeluCurve(data: GeluCurveData, opts: ChartOptions): SVGSVGElement {
  const doc = chartDocument(opts.document);
  const { width } = opts;
  const n = data.x.length;
  const svg = svgRoot(doc, width, HEIGHT, opts.label ?? ui('chart.gelu.label', { n: formatInteger(n) }));
  let lo = -4;
  let hi = 4;
  for (let i = 0; i < n; i++) {
    lo = Math.min(lo, data.x[i]);
    hi = Math.max(hi, data.x[i]);
  }
  const x = scaleLinear().domain([lo, hi]).nice().range([M.left, width - M.right]);
  const y = scaleLinear().domain([Math.min(-0.5, ...Array.from(data.y)), Math.max(gelu(x.domain()[1]), ...Array.from(data.y))]).nice().range([HEIGHT - M.bottom, M.top]);

  const grid = svg.append('g').attr('class', 'axes').attr('font-size', 10);
  for (const v of y.ticks(5)) {
    grid.append('line').attr('x1', M.left).attr('x2', px(width - M.right)).attr('y1', px(y(v))).attr('y2', px(y(v)))
      .attr('stroke', 'currentColor').attr('stroke-opacity', v === 0 ? 0.5 : 0.15);
    grid.append('text').attr('x', M.left - 4).attr('y', px(y(v))).attr('dy', '0.35em').attr('text-anchor', 'end').text(String(v));
  }
  for (const v of x.ticks(Math.max(3, Math.floor((width - M.left - M.right) / 60)))) {
    grid.append('line').attr('x1', px(x(v))).attr('x2', px(x(v))).attr('y1', M.top).attr('y2', HEIGHT - M.bottom)
      .attr('stroke', 'currentColor').attr('stroke-opacity', v === 0 ? 0.5 : 0.15);
    grid.append('text').attr('x', px(x(v))).attr('y', HEIGHT - M.bottom + 14).attr('text-anchor', 'middle').text(String(v));
  }
  svg.append('text').attr('class', 'axis-title').attr('x', px((M.left + width - M.right) / 2)).attr('y', HEIGHT - 4).attr('text-anchor', 'middle')
    .attr('font-size', 10).text(ui('chart.gelu.axisX'));
  svg.append('text').attr('class', 'axis-title').attr('transform', `translate(11,${px((M.top + HEIGHT - M.bottom) / 2)}) rotate(-90)`)
    .attr('text-anchor', 'middle').attr('font-size', 10).text(ui('chart.gelu.axisY'));

  const [a, b] = x.domain();
  const steps = 200;
  const d = Array.from({ length: steps + 1 }, (_, i) => a + ((b - a) * i) / steps).map((v, i) => `${i ? 'L' : 'M'}${px(x(v))},${px(y(gelu(v)))}`).join('');
  svg.append('path').attr('class', 'curve').attr('d', d).attr('fill', 'none').attr('stroke', BLUE).attr('stroke-width', 2).attr('aria-hidden', 'true');
  // The dots are one path, a circle per input (two arcs): 4·C elements cost a tick's redraw more
  // than all the rest of the chart. Where dots overlap they show as one; the table counts them.
  let dots = '';
  for (let i = 0; i < n; i++) dots += `M${px(x(data.x[i]) - DOT)},${px(y(data.y[i]))}a${DOT},${DOT} 0 1,0 ${2 * DOT},0a${DOT},${DOT} 0 1,0 ${-2 * DOT},0`;
  svg.append('g').attr('class', 'inputs').attr('fill', ORANGE).attr('fill-opacity', 0.55).attr('aria-hidden', 'true')
    .append('path').attr('class', 'dots').attr('data-dots', n).attr('d', dots);
  return svg.node() as SVGSVGElement;
}

const range = (b: GeluBin) => (b.from === -Infinity ? `x < ${b.to}` : b.to === Infinity ? `x ≥ ${b.from}` : `${b.from} ≤ x < ${b.to}`);

/** The inputs as a table of ranges: how many fall in each and what GELU made of them. */
export function GeluCurveTable(data: GeluCurveData, opts: TableOptions = {}): HTMLTableElement {
  return table(opts.caption ?? ui('chart.gelu.caption', { n: formatInteger(data.x.length) }),
    [ui('chart.gelu.range'), ui('chart.gelu.count'), ui('chart.gelu.out')],
    geluBins(data).map((b) => [range(b), formatInteger(b.count), b.count ? `${formatValue(b.yMin)} … ${formatValue(b.yMax)}` : '—']),
    { document: chartDocument(opts.document) });
}
