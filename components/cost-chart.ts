/**
 * Where a decode tick's time goes: each tick's measured forward time (a dot) over the two floors
 * this device sets once it has been measured — the time to read the bytes the tick reads (its
 * weights and the KV cache) at the device's measured memory bandwidth, and the time to do its
 * FLOPs at the device's measured matmul peak. A tick cannot be faster than either; how far above
 * the higher one it runs is time spent on neither (starting operations, moving data between them).
 *
 * Each tick's column takes focus (one is in the tab order; arrow keys, Home and End move between
 * them); focusing or hovering one shows its numbers above the plot. Nothing moves on its own, so
 * there is no animation to reduce.
 */
import { table } from './dom.ts';
import { max, median, scaleBand, scaleLinear } from 'd3';
import { formatBytes, formatDecimal, formatFlops, formatInteger, formatMs, formatRate } from './format.ts';
import { chartDocument, px, svgRoot } from './chart.ts';
import type { ChartOptions, TableOptions } from './chart.ts';
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

/** This device's limits, measured: the matmul peak and how fast it reads a buffer the size of what a tick reads. */
export interface DeviceLimits {
  gflops: number;
  gbps: number; // 1e9 bytes per second
}

export interface CostChartData {
  ticks: CostTick[]; // decode ticks, oldest first
  device?: DeviceLimits | null; // once measured: the floors are drawn
}

export type CostChartOptions = ChartOptions;

/** One token over the tick's forward time. */
export const tokensPerSecond = (t: CostTick): number => 1000 / t.forwardMs;

/** Bytes the tick reads: its weights and its cache. */
export const bytesRead = (t: CostTick): number => t.weightBytes + t.cacheBytes;

/** The tick's FLOPs at the device's matmul peak, in ms: the arithmetic floor. */
export const arithmeticMs = (t: CostTick, d: DeviceLimits): number => t.flops / (d.gflops * 1e6);

/** The tick's bytes at the device's measured bandwidth, in ms: the reading floor. */
export const readingMs = (t: CostTick, d: DeviceLimits): number => bytesRead(t) / (d.gbps * 1e6);

/** The higher of the two floors: no tick can run faster. */
export const floorMs = (t: CostTick, d: DeviceLimits): number => Math.max(arithmeticMs(t, d), readingMs(t, d));

/** The ticks' median forward time (a tick slowed by other work on the device barely moves it). */
export const medianMs = (ticks: CostTick[]): number => median(ticks, (t) => t.forwardMs) ?? NaN;

/** Tokens over the ticks' total forward time: the rate the run as a whole reached. */
export function overallTokensPerSecond(ticks: CostTick[]): number {
  const ms = ticks.reduce((a, t) => a + t.forwardMs, 0);
  return ticks.length && ms > 0 ? (1000 * ticks.length) / ms : NaN;
}

/** A tick's numbers, a line each: its arithmetic, its bytes, its time (against the floors once measured). */
const tickLines = (t: CostTick, d: DeviceLimits | null | undefined): string[] => [
  ui('chart.cost.lineTick', { index: formatInteger(t.index), context: formatInteger(t.context), flops: formatFlops(t.flops) }),
  ui('chart.cost.lineBytes', { read: formatBytes(bytesRead(t)), weights: formatBytes(t.weightBytes), cache: formatBytes(t.cacheBytes) }),
  d
    ? ui('chart.cost.lineFloors', { ms: formatMs(t.forwardMs), reading: formatMs(readingMs(t, d)), arithmetic: formatMs(arithmeticMs(t, d)) })
    : ui('chart.cost.lineSpeed', { ms: formatMs(t.forwardMs), rate: formatRate(tokensPerSecond(t)) }),
];

/** Characters of `s`, a wide (CJK) one counted as two: the labels' widths are estimated from this. */
const chars = (s: string): number => s.length + (s.match(/[\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/g)?.length ?? 0);

const TOP = 48; // the readout's three lines
const ROW = 16; // px a legend row takes
const PLOT = 190; // px of plot
const BOTTOM = 32; // tick numbers and the axis title
const M = { left: 58, right: 10 };
const MAX_STEP = 32; // px per tick at most
const CAP = 3; // the y axis stops at this many times the median (or the floor, if higher); slower ticks sit on the edge as ▲

type LegendItem = { text: string; mark: 'dot' | 'line' | 'dash' | 'floor' | 'none' };

/** Each decode tick's measured forward time over the device's floors (once measured). */
export function CostChart(data: CostChartData, opts: CostChartOptions): SVGSVGElement {
  const doc = chartDocument(opts.document);
  const { width } = opts;
  const { ticks } = data;
  const device = data.device ?? null;
  const mid = medianMs(ticks);
  const last = ticks.at(-1);

  // The legend flows in rows across the width (one item a row on a phone).
  const legend: LegendItem[] = [
    { text: ui('chart.cost.measured'), mark: 'dot' },
    ...(ticks.length ? [{ text: ui('chart.cost.median', { ms: formatMs(mid) }), mark: 'line' as const }] : []),
    ...(device
      ? [
        { text: ui('chart.cost.reading', { gbps: formatDecimal(device.gbps, 1) }), mark: 'floor' as const },
        { text: ui('chart.cost.arithmetic', { gflops: formatDecimal(device.gflops, 1) }), mark: 'dash' as const },
      ]
      : [{ text: ui('chart.cost.noFloors'), mark: 'none' as const }]),
  ];
  const placed: { item: LegendItem; x: number; row: number }[] = [];
  let lx = 0;
  let row = 0;
  for (const item of legend) {
    const w = (item.mark === 'none' ? 0 : 22) + chars(item.text) * 6 + 16;
    if (lx > 0 && lx + w > width) {
      lx = 0;
      row++;
    }
    placed.push({ item, x: lx, row });
    lx += w;
  }
  const legendHeight = (row + 1) * ROW + 6;
  const plotTop = TOP + legendHeight;
  const base = plotTop + PLOT;
  const height = base + BOTTOM;

  const label = opts.label ?? (last
    ? device
      ? ui('chart.cost.labelFloors', { n: ticks.length, ms: formatMs(mid), reading: formatMs(readingMs(last, device)), arithmetic: formatMs(arithmeticMs(last, device)) })
      : ui('chart.cost.label', { n: ticks.length, ms: formatMs(mid), rate: formatRate(1000 / mid) })
    : ui('chart.cost.empty'));
  const svg = svgRoot(doc, width, height, label, 'group');

  // Columns at most MAX_STEP wide, so a few ticks do not make slabs; the plot fills as ticks come.
  const x = scaleBand<number>().domain(ticks.map((t) => t.index))
    .range([M.left, Math.min(width - M.right, M.left + ticks.length * MAX_STEP)]).padding(0.2);
  const bw = x.bandwidth();
  const cx = (t: CostTick) => (x(t.index) ?? 0) + bw / 2;

  // y: ms from 0, up to the slowest tick, or CAP times the median when one ran far slower.
  const floorMax = device ? max(ticks, (t) => floorMs(t, device)) ?? 0 : 0;
  const slowest = max(ticks, (t) => t.forwardMs) ?? 0;
  const top = Math.max(floorMax * 1.15, Math.min(slowest, CAP * (Number.isFinite(mid) ? mid : slowest)), 1e-3);
  const y = scaleLinear().domain([0, top]).nice(4).range([base, plotTop]);
  const yMax = y.domain()[1];
  const yOf = (ms: number) => y(Math.min(ms, yMax));

  const axis = svg.append('g').attr('class', 'y-axis').attr('font-size', 10);
  for (const v of y.ticks(4)) {
    axis.append('line').attr('x1', M.left).attr('x2', px(width - M.right)).attr('y1', px(y(v))).attr('y2', px(y(v)))
      .attr('stroke', 'currentColor').attr('stroke-opacity', v === 0 ? 0.5 : 0.15);
    axis.append('text').attr('x', M.left - 4).attr('y', px(y(v))).attr('dy', '0.35em').attr('text-anchor', 'end')
      .attr('data-value', v).text(`${Number(v.toPrecision(4))} ms`);
  }

  // The floors: a step per tick (they rise a little with the context, as the cache is read too).
  if (device && ticks.length) {
    const floors = svg.append('g').attr('class', 'floors').attr('aria-hidden', 'true');
    const step = (f: (t: CostTick) => number) =>
      ticks.map((t, i) => `${i === 0 ? 'M' : 'L'}${px((x(t.index) ?? 0) - (x.step() - bw) / 2)},${px(yOf(f(t)))}H${px((x(t.index) ?? 0) + bw + (x.step() - bw) / 2)}`).join('');
    floors.append('g').attr('class', 'floor-area').attr('fill', ORANGE).attr('fill-opacity', 0.14).selectAll('rect').data(ticks).join('rect')
      .attr('x', (t) => px((x(t.index) ?? 0) - (x.step() - bw) / 2)).attr('width', px(x.step()))
      .attr('y', (t) => px(yOf(floorMs(t, device)))).attr('height', (t) => px(base - yOf(floorMs(t, device))));
    floors.append('path').attr('class', 'floor reading').attr('d', step((t) => readingMs(t, device)))
      .attr('fill', 'none').attr('stroke', ORANGE).attr('stroke-width', 2);
    floors.append('path').attr('class', 'floor arithmetic').attr('d', step((t) => arithmeticMs(t, device)))
      .attr('fill', 'none').attr('stroke', 'currentColor').attr('stroke-width', 1.5).attr('stroke-dasharray', '4 3');
  }

  // The median, then a dot per tick (▲ on the top edge for a tick slower than the axis shows).
  if (ticks.length) {
    svg.append('line').attr('class', 'median').attr('aria-hidden', 'true')
      .attr('x1', M.left).attr('x2', px(x.range()[1])).attr('y1', px(yOf(mid))).attr('y2', px(yOf(mid)))
      .attr('stroke', BLUE).attr('stroke-width', 1.5).attr('stroke-opacity', 0.7);
  }
  const r = Math.max(2, Math.min(4, bw / 2));
  const marks = svg.append('g').attr('class', 'dots forward').attr('fill', BLUE).attr('aria-hidden', 'true');
  marks.selectAll('circle').data(ticks.filter((t) => t.forwardMs <= yMax)).join('circle')
    .attr('cx', (t) => px(cx(t))).attr('cy', (t) => px(y(t.forwardMs))).attr('r', px(r)).attr('data-index', (t) => t.index);
  marks.selectAll('path').data(ticks.filter((t) => t.forwardMs > yMax)).join('path').attr('class', 'clipped')
    .attr('d', (t) => `M${px(cx(t))},${px(plotTop - 1)}l${px(-r)},${px(2 * r)}h${px(2 * r)}z`).attr('data-index', (t) => t.index);

  // The legend, in its own rows between the readout and the plot.
  const key = svg.append('g').attr('class', 'legend').attr('font-size', 10).attr('aria-hidden', 'true');
  for (const { item, x: at, row: k } of placed) {
    const g = key.append('g').attr('transform', `translate(${px(at)},${TOP + k * ROW + 8})`);
    if (item.mark === 'dot') g.append('circle').attr('cx', 8).attr('r', 3.5).attr('fill', BLUE);
    else if (item.mark === 'line') g.append('line').attr('x2', 16).attr('stroke', BLUE).attr('stroke-width', 1.5);
    else if (item.mark === 'floor') {
      g.append('rect').attr('y', -5).attr('width', 16).attr('height', 10).attr('fill', ORANGE).attr('fill-opacity', 0.14);
      g.append('line').attr('y1', -5).attr('y2', -5).attr('x2', 16).attr('stroke', ORANGE).attr('stroke-width', 2);
    } else if (item.mark === 'dash') g.append('line').attr('x2', 16).attr('stroke', 'currentColor').attr('stroke-width', 1.5).attr('stroke-dasharray', '4 3');
    g.append('text').attr('x', item.mark === 'none' ? 0 : 22).attr('dy', '0.35em').attr('font-style', item.mark === 'none' ? 'italic' : null).text(item.text);
  }

  // Tick numbers under the plot, thinned so they never overlap.
  const every = Math.max(1, Math.ceil(28 / Math.max(1, bw / 0.8)));
  svg.append('g').attr('class', 'x-axis').attr('font-size', 10).selectAll('text')
    .data(ticks.filter((_, i) => i % every === 0)).join('text')
    .attr('x', (t) => px(cx(t))).attr('y', base + 12).attr('text-anchor', 'middle').text((t) => formatInteger(t.index));
  svg.append('text').attr('class', 'axis-title').attr('x', px((M.left + width - M.right) / 2)).attr('y', height - 4).attr('text-anchor', 'middle')
    .attr('font-size', 10).text(ui('chart.cost.axis'));

  // The readout, and a focusable column per tick (roving tabindex); its ring spans the plot only.
  const readout = svg.append('g').attr('class', 'readout').attr('font-size', 11).attr('aria-hidden', 'true');
  const lines = [0, 1, 2].map((k) => readout.append('text').attr('x', 0).attr('y', 12 + k * 14));
  const columns = svg.append('g').attr('class', 'ticks').selectAll<SVGGElement, CostTick>('g').data(ticks).join('g')
    .attr('class', 'tick')
    .attr('role', 'img')
    .attr('tabindex', (_, i) => (i === ticks.length - 1 ? 0 : -1))
    .attr('aria-label', (t) => tickLines(t, device).join('; '))
    .attr('data-index', (t) => t.index);
  columns.append('rect').attr('class', 'hit')
    .attr('x', (t) => px((x(t.index) ?? 0) - (x.step() - bw) / 2)).attr('width', px(x.step()))
    .attr('y', plotTop).attr('height', PLOT)
    .attr('fill', 'currentColor').attr('fill-opacity', 0);
  const ring = columns.append('rect').attr('class', 'focus-ring')
    .attr('x', (t) => px((x(t.index) ?? 0) - 2)).attr('width', px(bw + 4))
    .attr('y', plotTop - 4).attr('height', PLOT + 4)
    .attr('fill', 'none').attr('stroke', 'currentColor').attr('stroke-width', 2).attr('rx', 2).attr('display', 'none');

  const svgEl = svg.node() as SVGSVGElement;
  const els = columns.nodes();
  let focused: number | null = null;
  const show = (i: number | null) => {
    ring.attr('display', (_, j) => (j === i ? null : 'none'));
    const t = i === null ? last : ticks[i];
    const text = t ? tickLines(t, device) : [ui('chart.cost.press')];
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

/** Each tick's cost as a table: context, FLOPs, bytes of weights and cache read, time, tokens/s, and the floors once measured. */
export function CostChartTable(data: CostChartData, opts: TableOptions = {}): HTMLTableElement {
  const doc = chartDocument(opts.document);
  const d = data.device ?? null;
  const head = [ui('chart.cost.colTick'), ui('chart.cost.colContext'), ui('chart.cost.colFlops'), ui('chart.cost.colWeights'), ui('chart.cost.colCache'),
    ui('chart.cost.colTime'), ui('chart.cost.colRate'), ...(d ? [ui('chart.cost.colReading'), ui('chart.cost.colArithmetic')] : [])];
  return table(opts.caption ?? ui('chart.cost.caption', { n: data.ticks.length }), head, data.ticks.map((t) => [formatInteger(t.index), formatInteger(t.context), formatFlops(t.flops), formatBytes(t.weightBytes),
    formatBytes(t.cacheBytes), formatMs(t.forwardMs), formatRate(tokensPerSecond(t)), ...(d ? [formatMs(readingMs(t, d)), formatMs(arithmeticMs(t, d))] : [])]), { document: doc });
}
