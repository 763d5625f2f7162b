/**
 * What each decode tick cost, in three panels over the same ticks: the arithmetic it did (FLOPs,
 * against the 2N + 2CV estimate), the bytes it read (every weight, plus the keys and values of
 * every cached position), and the tokens per second it ran at on this device (one token over its
 * measured forward time, against the rate over all the ticks shown).
 *
 * Each tick's column takes focus (one is in the tab order; arrow keys, Home and End move between
 * them); focusing or hovering one shows its numbers above the panels. Nothing moves on its own,
 * so there is no animation to reduce.
 */
import { table } from './dom.ts';
import { max, scaleBand, scaleLinear } from 'd3';
import type { ScaleLinear } from 'd3';
import { formatBytes, formatFlops, formatInteger, formatMs, formatRate } from './format.ts';
import { chartDocument, px, svgRoot } from './chart.ts';
import type { ChartOptions, G, TableOptions } from './chart.ts';
import { BLUE, ORANGE } from './color.ts';
import { ui } from './cost-chart.strings.ts';

export interface CostTick {
  index: number; // tick number
  context: number; // positions the tick attends over (the KV cache's length after it)
  flops: number; // its forward FLOPs
  weightBytes: number; // bytes of weights it reads
  cacheBytes: number; // bytes of keys and values it reads (the cache after it)
  forwardMs: number; // its measured forward time
}

export interface CostChartData {
  ticks: CostTick[]; // decode ticks, oldest first
  flopsEstimate?: number; // the 2N + 2CV estimate of a token's FLOPs, drawn as a dashed line
}

export type CostChartOptions = ChartOptions;

/** One token over the tick's forward time. */
export const tokensPerSecond = (t: CostTick): number => 1000 / t.forwardMs;

/** Bytes the tick reads: its weights and its cache. */
export const bytesRead = (t: CostTick): number => t.weightBytes + t.cacheBytes;

/** Tokens over the ticks' total forward time: the rate the run as a whole reached. */
export function overallTokensPerSecond(ticks: CostTick[]): number {
  const ms = ticks.reduce((a, t) => a + t.forwardMs, 0);
  return ticks.length && ms > 0 ? (1000 * ticks.length) / ms : NaN;
}

/** A tick's numbers, a line each: its arithmetic, its bytes, its speed. */
const tickLines = (t: CostTick): string[] => [
  ui('chart.cost.lineTick', { index: formatInteger(t.index), context: formatInteger(t.context), flops: formatFlops(t.flops) }),
  ui('chart.cost.lineBytes', { read: formatBytes(bytesRead(t)), weights: formatBytes(t.weightBytes), cache: formatBytes(t.cacheBytes) }),
  ui('chart.cost.lineSpeed', { ms: formatMs(t.forwardMs), rate: formatRate(tokensPerSecond(t)) }),
];

/** Characters of `s`, a wide (CJK) one counted as two: the labels' widths are estimated from this. */
const chars = (s: string): number => s.length + (s.match(/[\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/g)?.length ?? 0);

const PANEL = 78; // px of bars per panel
const TITLE = 26; // px above each panel for its title
const TOP = 48; // the readout's three lines
const BOTTOM = 32; // tick numbers and the axis title
const M = { left: 70, right: 10 };
const MAX_STEP = 32; // px per tick at most

interface Panel {
  title: string;
  y: ScaleLinear<number, number>;
  format: (v: number) => string;
  g: G;
}

/** FLOPs, bytes read and tokens per second of each decode tick, one panel each. */
export function CostChart(data: CostChartData, opts: CostChartOptions): SVGSVGElement {
  const doc = chartDocument(opts.document);
  const { width } = opts;
  const { ticks } = data;
  const height = TOP + 3 * (TITLE + PANEL) + BOTTOM;
  const last = ticks.at(-1);
  const overall = overallTokensPerSecond(ticks);
  const label = opts.label ?? (last
    ? ui('chart.cost.label', { n: ticks.length, flops: formatFlops(last.flops), bytes: formatBytes(bytesRead(last)), rate: formatRate(overall) })
    : ui('chart.cost.empty'));
  const svg = svgRoot(doc, width, height, label, 'group');
  // Columns at most MAX_STEP wide, so a few ticks do not make slabs; the panel fills as ticks come.
  const x = scaleBand<number>().domain(ticks.map((t) => t.index))
    .range([M.left, Math.min(width - M.right, M.left + ticks.length * MAX_STEP)]).padding(0.2);
  const bw = x.bandwidth();
  const cx = (t: CostTick) => (x(t.index) ?? 0) + bw / 2;

  // A panel: its title, a y scale from 0, and gridlines at `ticks` (default the scale's own).
  const panel = (i: number, title: string, max: number, format: (v: number) => string, ticks?: (max: number) => number[]): Panel => {
    const top = TOP + i * (TITLE + PANEL) + TITLE;
    const y = scaleLinear().domain([0, max > 0 ? max : 1]).nice(3).range([top + PANEL, top]);
    const values = ticks ? ticks(max > 0 ? max : 1) : y.ticks(3);
    y.domain([0, Math.max(y.domain()[1], ...values)]);
    const g = svg.append('g').attr('class', `panel panel-${i}`);
    g.append('text').attr('class', 'panel-title').attr('x', 0).attr('y', top - 12).attr('font-size', 11).attr('font-weight', 'bold').text(title);
    const axis = g.append('g').attr('class', 'y-axis').attr('font-size', 10);
    for (const v of values) {
      axis.append('line').attr('x1', M.left).attr('x2', px(width - M.right)).attr('y1', px(y(v))).attr('y2', px(y(v)))
        .attr('stroke', 'currentColor').attr('stroke-opacity', v === 0 ? 0.5 : 0.15);
      axis.append('text').attr('x', M.left - 4).attr('y', px(y(v))).attr('dy', '0.35em').attr('text-anchor', 'end')
        .attr('data-value', v).text(format(v));
    }
    return { title, y, format, g };
  };
  // A dashed line across a panel at `value`, named in the panel's title row (on the right, clear of the marks).
  const reference = (p: Panel, value: number, text: string, cls: string) => {
    if (!Number.isFinite(value)) return;
    const r = p.g.append('g').attr('class', cls).attr('aria-hidden', 'true');
    r.append('line').attr('x1', M.left).attr('x2', px(width - M.right)).attr('y1', px(p.y(value))).attr('y2', px(p.y(value)))
      .attr('stroke', 'currentColor').attr('stroke-dasharray', '4 3').attr('stroke-width', 1.5);
    const top = p.y.range()[1];
    r.append('line').attr('x1', px(width - M.right - 22 - chars(text) * 5.5)).attr('x2', px(width - M.right - 8 - chars(text) * 5.5))
      .attr('y1', top - 16).attr('y2', top - 16).attr('stroke', 'currentColor').attr('stroke-dasharray', '4 3').attr('stroke-width', 1.5);
    r.append('text').attr('class', 'reference-label').attr('x', px(width - M.right)).attr('y', top - 16).attr('dy', '0.35em')
      .attr('text-anchor', 'end').attr('font-size', 10).text(text);
  };
  // Byte gridlines at round numbers of the largest binary unit that fits (0, 8, 16 MiB; never 4.8 MiB).
  const byteTicks = (max: number) => {
    let unit = 1;
    while (max / unit >= 1024 && unit < 1024 ** 3) unit *= 1024;
    return scaleLinear().domain([0, max / unit]).nice(3).ticks(3).map((v) => v * unit);
  };
  const rate = (v: number) => (Number.isInteger(v) ? formatInteger(v) : formatRate(v));

  // FLOPs: a bar per tick, against the estimate.
  const flops = panel(0, ui('chart.cost.panelFlops'), Math.max(data.flopsEstimate ?? 0, max(ticks, (t) => t.flops) ?? 0), formatFlops);
  flops.g.append('g').attr('class', 'bars flops').attr('fill', BLUE).attr('aria-hidden', 'true').selectAll('rect').data(ticks).join('rect')
    .attr('x', (t) => px(x(t.index) ?? 0)).attr('width', px(bw))
    .attr('y', (t) => px(flops.y(t.flops))).attr('height', (t) => px(flops.y(0) - flops.y(t.flops)));
  if (data.flopsEstimate !== undefined) reference(flops, data.flopsEstimate, `2N + 2CV = ${formatFlops(data.flopsEstimate)}`, 'estimate');

  // Bytes: weights, with the cache stacked on top.
  const bytes = panel(1, ui('chart.cost.panelBytes'), max(ticks, bytesRead) ?? 0, formatBytes, byteTicks);
  const stack = bytes.g.append('g').attr('class', 'bars bytes').attr('aria-hidden', 'true');
  stack.append('g').attr('class', 'weights').attr('fill', BLUE).selectAll('rect').data(ticks).join('rect')
    .attr('x', (t) => px(x(t.index) ?? 0)).attr('width', px(bw))
    .attr('y', (t) => px(bytes.y(t.weightBytes))).attr('height', (t) => px(bytes.y(0) - bytes.y(t.weightBytes)));
  stack.append('g').attr('class', 'cache').attr('fill', ORANGE).selectAll('rect').data(ticks).join('rect')
    .attr('x', (t) => px(x(t.index) ?? 0)).attr('width', px(bw))
    .attr('y', (t) => px(bytes.y(bytesRead(t)))).attr('height', (t) => px(bytes.y(t.weightBytes) - bytes.y(bytesRead(t))));
  const key = bytes.g.append('g').attr('class', 'legend').attr('font-size', 10).attr('aria-hidden', 'true')
    .attr('transform', `translate(${px(width - M.right)},${px(bytes.y.range()[1] - 21)})`);
  for (const [i, [name, fill]] of ([[ui('chart.cost.weights'), BLUE], [ui('chart.cost.cache'), ORANGE]] as const).entries()) {
    const at = -(i === 0 ? 130 : 60);
    key.append('rect').attr('x', at).attr('width', 10).attr('height', 10).attr('fill', fill);
    key.append('text').attr('x', at + 14).attr('y', 5).attr('dy', '0.35em').text(name);
  }

  // Tokens per second: a dot per tick, against the rate over all of them.
  const speed = panel(2, ui('chart.cost.panelSpeed'), max(ticks, (t) => { const r = tokensPerSecond(t); return Number.isFinite(r) ? r : 0; }) ?? 0, rate);
  speed.g.append('g').attr('class', 'dots speed').attr('fill', BLUE).attr('aria-hidden', 'true').selectAll('circle').data(ticks).join('circle')
    .attr('cx', (t) => px(cx(t))).attr('cy', (t) => px(speed.y(Number.isFinite(tokensPerSecond(t)) ? tokensPerSecond(t) : 0)))
    .attr('r', px(Math.max(1.5, Math.min(4, bw / 2))));
  if (ticks.length) reference(speed, overall, ui('chart.cost.overall', { n: ticks.length, rate: formatRate(overall) }), 'overall');

  // Tick numbers under the panels, thinned so they never overlap.
  const every = Math.max(1, Math.ceil(28 / Math.max(1, bw / 0.8)));
  const base = TOP + 3 * (TITLE + PANEL);
  svg.append('g').attr('class', 'x-axis').attr('font-size', 10).selectAll('text')
    .data(ticks.filter((_, i) => i % every === 0)).join('text')
    .attr('x', (t) => px(cx(t))).attr('y', base + 12).attr('text-anchor', 'middle').text((t) => formatInteger(t.index));
  svg.append('text').attr('class', 'axis-title').attr('x', px((M.left + width - M.right) / 2)).attr('y', height - 4).attr('text-anchor', 'middle')
    .attr('font-size', 10).text(ui('chart.cost.axis'));

  // The readout, and a focusable column per tick (roving tabindex).
  const readout = svg.append('g').attr('class', 'readout').attr('font-size', 11).attr('aria-hidden', 'true');
  const lines = [0, 1, 2].map((k) => readout.append('text').attr('x', 0).attr('y', 12 + k * 14));
  const columns = svg.append('g').attr('class', 'ticks').selectAll<SVGGElement, CostTick>('g').data(ticks).join('g')
    .attr('class', 'tick')
    .attr('role', 'img')
    .attr('tabindex', (_, i) => (i === ticks.length - 1 ? 0 : -1))
    .attr('aria-label', (t) => tickLines(t).join('; '))
    .attr('data-index', (t) => t.index);
  columns.append('rect').attr('class', 'hit')
    .attr('x', (t) => px((x(t.index) ?? 0) - (x.step() - bw) / 2)).attr('width', px(x.step()))
    .attr('y', TOP).attr('height', base - TOP)
    .attr('fill', 'currentColor').attr('fill-opacity', 0);
  const ring = columns.append('rect').attr('class', 'focus-ring')
    .attr('x', (t) => px((x(t.index) ?? 0) - 2)).attr('width', px(bw + 4))
    .attr('y', TOP + 2).attr('height', base - TOP - 2)
    .attr('fill', 'none').attr('stroke', 'currentColor').attr('stroke-width', 2).attr('rx', 2).attr('display', 'none');

  const svgEl = svg.node() as SVGSVGElement;
  const els = columns.nodes();
  let focused: number | null = null;
  const show = (i: number | null) => {
    ring.attr('display', (_, j) => (j === i ? null : 'none'));
    const t = i === null ? last : ticks[i];
    const text = t ? tickLines(t) : [ui('chart.cost.press')];
    if (i === null && t) text[0] = ui('chart.cost.latest', { line: text[0] });
    lines.forEach((el, k) => el.text(text[k] ?? ''));
  };
  show(null);
  const at = (e: Event) => els.indexOf((e.target as Element).closest('g.tick') as SVGGElement);
  columns
    .on('focus', (e: FocusEvent) => {
      const i = at(e);
      els.forEach((el, j) => el.setAttribute('tabindex', j === i ? '0' : '-1'));
      show((focused = i));
    })
    .on('blur', () => show((focused = null)))
    .on('pointerenter', (e: PointerEvent) => show(at(e)))
    .on('pointerleave', () => show(focused))
    .on('keydown', (e: KeyboardEvent) => {
      const i = at(e);
      let next = i;
      if (e.key === 'ArrowRight') next = Math.min(els.length - 1, i + 1);
      else if (e.key === 'ArrowLeft') next = Math.max(0, i - 1);
      else if (e.key === 'Home') next = 0;
      else if (e.key === 'End') next = els.length - 1;
      else return;
      e.preventDefault();
      els[next].focus();
    });
  return svgEl;
}

/** Each tick's cost as a table: context, FLOPs, bytes of weights and cache read, time, tokens/s. */
export function CostChartTable(data: CostChartData, opts: TableOptions = {}): HTMLTableElement {
  const doc = chartDocument(opts.document);
  return table(opts.caption ?? ui('chart.cost.caption', { n: data.ticks.length }), [ui('chart.cost.colTick'), ui('chart.cost.colContext'), ui('chart.cost.colFlops'), ui('chart.cost.colWeights'), ui('chart.cost.colCache'),
      ui('chart.cost.colTime'), ui('chart.cost.colRate')], data.ticks.map((t) => [formatInteger(t.index), formatInteger(t.context), formatFlops(t.flops), formatBytes(t.weightBytes),
      formatBytes(t.cacheBytes), formatMs(t.forwardMs), formatRate(tokensPerSecond(t))]), { document: doc });
}
