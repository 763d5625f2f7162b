/**
 * The tick timeline: one row per tick — its token, a bar of where the time went (forward pass,
 * sampling, the rest), prefill or decode, and the KV cache's length after it. Rows are buttons for
 * scrubbing: clicking one, or Enter / Space on it, marks it current and dispatches
 * `CustomEvent('select', { detail: index })` on the SVG. One row is in the tab order; arrow keys,
 * Home and End move between rows.
 */
import { table } from './dom.ts';
import { scaleLinear } from 'd3';
import { formatInteger, formatMs } from './format.ts';
import { MONO, textWidth, truncate, visibleText } from './text.ts';
import { chartDocument, emit, px, svgRoot } from './chart.ts';
import type { ChartOptions, TableOptions } from './chart.ts';
import { BLUE, GREY_OPACITY, ORANGE } from './color.ts';
import { strings as tr } from './tick-timeline.strings.ts';
import { words } from './words.strings.ts';

export interface TimelineTick {
  index: number; // 0 for the prefill, then 1, 2, …
  kind: 'prefill' | 'decode';
  text: string; // the chosen token's text
  ms: { forward: number; sample: number; total: number }; // measured times
  cacheLength: number; // positions in the KV cache after the tick
}

export interface TickTimelineData {
  ticks: TimelineTick[];
  selected?: number; // index of the current tick
}

export type TickTimelineOptions = ChartOptions;

const ROW = 22;
const HEAD = 36; // legend and column headers
const FONT = 12;

// The three parts of a tick's time, left to right (name: the class; the legend reads it in the page's language).
const PARTS = [
  { name: 'forward', fill: BLUE, opacity: null as number | null, ms: (t: TimelineTick) => t.ms.forward },
  { name: 'sample', fill: ORANGE, opacity: null, ms: (t: TimelineTick) => t.ms.sample },
  { name: 'other', fill: 'currentColor', opacity: GREY_OPACITY, ms: (t: TimelineTick) => Math.max(0, t.ms.total - t.ms.forward - t.ms.sample) },
] as const;
const partName = (name: (typeof PARTS)[number]['name']) => tr(`chart.timeline.${name}`);

/** A tick's kind in the page's language. */
const kindName = (kind: TimelineTick['kind']) => words(kind === 'prefill' ? 'kind.prefill' : 'kind.decode');

const rowLabel = (t: TimelineTick) => tr('chart.timeline.row', {
  index: formatInteger(t.index), kind: kindName(t.kind), text: visibleText(t.text), forward: formatMs(t.ms.forward),
  sample: formatMs(t.ms.sample), total: formatMs(t.ms.total), cache: formatInteger(t.cacheLength),
});

/** One row per tick, scrubbable. */
export function TickTimeline(data: TickTimelineData, opts: TickTimelineOptions): SVGSVGElement {
  const doc = chartDocument(opts.document);
  const { width } = opts;
  const { ticks } = data;
  const words = { phase: tr('chart.timeline.phase'), token: tr('chart.timeline.token'), ms: tr('chart.timeline.ms'), cache: tr('chart.timeline.cache') };
  const badgeW = Math.max(textWidth(kindName('prefill'), 11), textWidth(kindName('decode'), 11));
  // Columns: # | phase | token | time bar | total ms | cache
  const colIndex = 4;
  const colKind = colIndex + Math.max(textWidth('#', FONT), ...ticks.map((t) => textWidth(formatInteger(t.index), FONT))) + 10;
  const colText = colKind + badgeW + 14;
  const textW = Math.min(width * 0.25, Math.max(textWidth(words.token, FONT), ...ticks.map((t) => textWidth(visibleText(t.text), FONT)))) + 10;
  const colBar = colText + textW;
  const cacheW = textWidth(words.cache, FONT) + 8;
  // As wide as the longest time shown (a prefill can take "1,234 ms"), plus a gap after the bar.
  const totalW = Math.max(textWidth('00.0 ms', FONT), ...ticks.map((t) => textWidth(formatMs(t.ms.total), FONT))) + 12;
  const barEnd = Math.max(colBar + 20, width - cacheW - totalW);
  const maxMs = Math.max(0, ...ticks.map((t) => Math.max(t.ms.total, t.ms.forward + t.ms.sample)));
  const x = scaleLinear().domain([0, maxMs || 1]).range([colBar, barEnd]);
  const height = HEAD + ticks.length * ROW + 2;
  const current = ticks.findIndex((t) => t.index === data.selected);
  const start = current >= 0 ? current : ticks.length - 1; // the row in the tab order

  const label = opts.label ?? tr('chart.timeline.label', { n: ticks.length }) +
    (current >= 0 ? tr('chart.timeline.selected', { index: formatInteger(ticks[current].index) }) : '');
  const svg = svgRoot(doc, width, height, label, 'group');

  // Legend, then column headers.
  const legend = svg.append('g').attr('class', 'legend').attr('transform', `translate(${px(colBar)},4)`)
    .selectAll('g').data(PARTS).join('g').attr('transform', (_, i) => `translate(${i * 70},0)`);
  legend.append('rect').attr('width', 10).attr('height', 10).attr('fill', (p) => p.fill).attr('fill-opacity', (p) => p.opacity);
  legend.append('text').attr('x', 14).attr('y', 9).attr('font-size', 11).text((p) => partName(p.name));
  const head = svg.append('g').attr('class', 'header').attr('font-weight', 'bold').attr('font-size', 11);
  for (const [text, at, anchor] of [['#', colIndex, 'start'], [words.phase, colKind, 'start'], [words.token, colText, 'start'],
    [words.ms, width - cacheW - 4, 'end'], [words.cache, width - 4, 'end']] as const) {
    head.append('text').attr('x', px(at)).attr('y', HEAD - 8).attr('text-anchor', anchor).text(text);
  }

  const row = svg.append('g').attr('class', 'rows').selectAll<SVGGElement, TimelineTick>('g').data(ticks).join('g')
    .attr('class', (t) => `tick ${t.kind}`)
    .attr('transform', (_, i) => `translate(0,${HEAD + i * ROW})`)
    .attr('role', 'button')
    .attr('tabindex', (_, i) => (i === start ? 0 : -1))
    .attr('aria-current', (_, i) => (i === current ? 'true' : null))
    .attr('aria-label', rowLabel)
    .attr('data-index', (t) => t.index)
    .attr('cursor', 'pointer');
  row.append('rect').attr('class', 'background')
    .attr('width', px(width)).attr('height', ROW)
    .attr('fill', 'currentColor')
    .attr('fill-opacity', (_, i) => (i === current ? 0.12 : 0));
  row.append('text').attr('x', colIndex).attr('y', ROW / 2).attr('dy', '0.35em').attr('font-variant-numeric', 'tabular-nums')
    .text((t) => formatInteger(t.index));
  // Phase badge: filled for prefill (many positions at once), outlined for decode (one position).
  const badge = row.append('g').attr('transform', `translate(${px(colKind)},${(ROW - 14) / 2})`);
  badge.append('rect').attr('width', px(badgeW + 8)).attr('height', 14).attr('rx', 7)
    .attr('fill', 'currentColor').attr('fill-opacity', (t) => (t.kind === 'prefill' ? 0.2 : 0))
    .attr('stroke', 'currentColor').attr('stroke-opacity', 0.5);
  badge.append('text').attr('x', px((badgeW + 8) / 2)).attr('y', 7).attr('dy', '0.35em')
    .attr('text-anchor', 'middle').attr('font-size', 11).text((t) => kindName(t.kind));
  row.append('text').attr('x', px(colText)).attr('y', ROW / 2).attr('dy', '0.35em').attr('font-family', MONO).attr('translate', 'no')
    .text((t) => truncate(visibleText(t.text), textW - 10, FONT));
  row.selectAll('rect.part').data((t) => {
    let acc = 0;
    return PARTS.map((p) => {
      const ms = p.ms(t);
      const seg = { part: p, from: acc, to: acc + ms };
      acc += ms;
      return seg;
    });
  }).join('rect')
    .attr('class', (s) => `part ${s.part.name}`)
    .attr('x', (s) => px(x(s.from)))
    .attr('y', 5)
    .attr('width', (s) => px(Math.max(0, x(s.to) - x(s.from))))
    .attr('height', ROW - 10)
    .attr('fill', (s) => s.part.fill)
    .attr('fill-opacity', (s) => s.part.opacity);
  row.append('text').attr('x', px(width - cacheW - 4)).attr('y', ROW / 2).attr('dy', '0.35em').attr('text-anchor', 'end')
    .attr('font-variant-numeric', 'tabular-nums').text((t) => formatMs(t.ms.total));
  row.append('text').attr('x', px(width - 4)).attr('y', ROW / 2).attr('dy', '0.35em').attr('text-anchor', 'end')
    .attr('font-variant-numeric', 'tabular-nums').text((t) => formatInteger(t.cacheLength));
  const focusRing = row.append('rect').attr('class', 'focus-ring')
    .attr('x', 1).attr('y', 1).attr('width', px(width - 2)).attr('height', ROW - 2).attr('rx', 3)
    .attr('fill', 'none').attr('stroke', 'currentColor').attr('stroke-width', 2).attr('display', 'none');

  // Interaction: select on click / Enter / Space; arrows move focus (roving tabindex).
  const svgEl = svg.node() as SVGSVGElement;
  const rows = row.nodes();
  const choose = (i: number) => {
    row.attr('aria-current', (_, j) => (j === i ? 'true' : null));
    row.select('rect.background').attr('fill-opacity', (_, j) => (j === i ? 0.12 : 0));
    emit<number>(svgEl, 'select', ticks[i].index);
  };
  row
    .on('click', (_, t) => choose(ticks.indexOf(t)))
    .on('focus', function () {
      for (const r of rows) r.setAttribute('tabindex', r === this ? '0' : '-1');
      focusRing.attr('display', (_, j) => (rows[j] === this ? null : 'none'));
    })
    .on('blur', () => focusRing.attr('display', 'none'))
    .on('keydown', (event: KeyboardEvent, t) => {
      const i = ticks.indexOf(t);
      let next = i;
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault(); // Space would scroll the page
        choose(i);
        return;
      } else if (event.key === 'ArrowDown') next = Math.min(ticks.length - 1, i + 1);
      else if (event.key === 'ArrowUp') next = Math.max(0, i - 1);
      else if (event.key === 'Home') next = 0;
      else if (event.key === 'End') next = ticks.length - 1;
      else return;
      event.preventDefault();
      rows[next].focus();
    });
  return svgEl;
}

/** The timeline as a table: tick, phase, token, forward, sample and total ms, cache length. */
export function TickTimelineTable(data: TickTimelineData, opts: TableOptions = {}): HTMLTableElement {
  const doc = chartDocument(opts.document);
  return table(opts.caption ?? tr('chart.timeline.label', { n: data.ticks.length }), [tr('chart.timeline.colTick'), tr('chart.timeline.colPhase'), tr('chart.timeline.colToken'), tr('chart.timeline.colForward'),
      tr('chart.timeline.colSample'), tr('chart.timeline.colTotal'), tr('chart.timeline.colCache')], data.ticks.map((t) => [formatInteger(t.index), kindName(t.kind), visibleText(t.text), formatMs(t.ms.forward), formatMs(t.ms.sample),
      formatMs(t.ms.total), formatInteger(t.cacheLength)]), { document: doc, model: { columns: [2] } });
}
