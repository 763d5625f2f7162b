/**
 * The KV cache's growth: one bar per tick, its height the bytes the cache holds after that tick
 * (every layer's keys and values for every position so far). The prefill's bar is filled in the
 * prefill colour; each decode tick adds one position, so the bars climb by the same step.
 */
import { table } from './dom.ts';
import { scaleBand, scaleLinear } from 'd3';
import { formatBytes, formatFlops, formatInteger } from './format.ts';
import { chartDocument, px, svgRoot } from './chart.ts';
import type { ChartOptions, TableOptions } from './chart.ts';
import { BLUE, ORANGE } from './color.ts';
import { words } from './words.strings.ts';
import { ui } from './kv-cache-growth.strings.ts';

export interface CacheTick {
  index: number; // tick number
  kind: 'prefill' | 'decode';
  cacheLength: number; // positions cached after the tick
  cacheBytes: number; // bytes the cache holds after the tick
  flops: number; // the tick's forward FLOPs
}

export interface KVCacheGrowthData {
  ticks: CacheTick[];
}

export type KVCacheGrowthOptions = ChartOptions;

const HEIGHT = 180;
const M = { top: 14, right: 8, bottom: 30, left: 64 };

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB'];

/** Bytes in the cache after each tick, as bars. */
export function KVCacheGrowth(data: KVCacheGrowthData, opts: KVCacheGrowthOptions): SVGSVGElement {
  const doc = chartDocument(opts.document);
  const { width } = opts;
  const { ticks } = data;
  const last = ticks.at(-1);
  const label = opts.label ?? (last
    ? ui('chart.kv.label', { n: ticks.length, positions: formatInteger(last.cacheLength), bytes: formatBytes(last.cacheBytes), index: formatInteger(last.index) })
    : ui('chart.kv.empty'));
  const svg = svgRoot(doc, width, HEIGHT, label);
  const x = scaleBand<number>().domain(ticks.map((t) => t.index)).range([M.left, width - M.right]).padding(0.15);
  const max = Math.max(1, ...ticks.map((t) => t.cacheBytes));
  // Ticks are round in the binary unit they are read in (20, 40, 60 KiB, not 19.5, 39.1, 58.6):
  // the scale is made nice in that unit, then mapped back to bytes.
  const power = Math.min(BYTE_UNITS.length - 1, Math.max(0, Math.floor(Math.log2(max) / 10)));
  const unit = 1024 ** power;
  const inUnit = scaleLinear().domain([0, max / unit]).nice(4);
  const y = scaleLinear().domain(inUnit.domain().map((v) => v * unit)).range([HEIGHT - M.bottom, M.top]);
  const tickLabel = inUnit.tickFormat(4);

  const axis = svg.append('g').attr('class', 'y-axis').attr('font-size', 10);
  for (const v of inUnit.ticks(4)) {
    const yv = px(y(v * unit));
    axis.append('line').attr('x1', M.left).attr('x2', px(width - M.right)).attr('y1', yv).attr('y2', yv)
      .attr('stroke', 'currentColor').attr('stroke-opacity', 0.15);
    axis.append('text').attr('x', M.left - 4).attr('y', yv).attr('dy', '0.35em').attr('text-anchor', 'end').text(`${tickLabel(v)} ${BYTE_UNITS[power]}`);
  }
  svg.append('g').attr('class', 'bars').selectAll('rect').data(ticks).join('rect')
    .attr('class', (t) => `bar ${t.kind}`)
    .attr('x', (t) => px(x(t.index) ?? 0))
    .attr('width', px(x.bandwidth()))
    .attr('y', (t) => px(y(t.cacheBytes)))
    .attr('height', (t) => px(y(0) - y(t.cacheBytes)))
    .attr('fill', (t) => (t.kind === 'prefill' ? ORANGE : BLUE))
    .attr('data-index', (t) => t.index);
  // Tick numbers under the bars, thinned so they never overlap.
  const every = Math.max(1, Math.ceil(24 / Math.max(1, x.bandwidth())));
  svg.append('g').attr('class', 'x-axis').attr('font-size', 10).selectAll('text')
    .data(ticks.filter((_, i) => i % every === 0)).join('text')
    .attr('x', (t) => px((x(t.index) ?? 0) + x.bandwidth() / 2))
    .attr('y', HEIGHT - M.bottom + 12)
    .attr('text-anchor', 'middle')
    .text((t) => formatInteger(t.index));
  svg.append('text').attr('x', px((M.left + width - M.right) / 2)).attr('y', HEIGHT - 4).attr('text-anchor', 'middle')
    .attr('font-size', 10).text(ui('chart.kv.axis'));
  return svg.node() as SVGSVGElement;
}

/** The cache after each tick as a table: tick, phase, positions, bytes, and the tick's FLOPs. */
export function KVCacheGrowthTable(data: KVCacheGrowthData, opts: TableOptions = {}): HTMLTableElement {
  const doc = chartDocument(opts.document);
  return table(opts.caption ?? ui('chart.kv.caption', { n: data.ticks.length }), [ui('chart.kv.tick'), ui('chart.kv.phase'), ui('chart.kv.length'), ui('chart.kv.memory'), ui('chart.kv.flops')], data.ticks.map((t) => [formatInteger(t.index), words(`kind.${t.kind}`), formatInteger(t.cacheLength), formatBytes(t.cacheBytes), formatFlops(t.flops)]), { document: doc });
}
