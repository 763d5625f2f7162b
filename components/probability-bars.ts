/**
 * Probability bars: the candidates for the next token, best first. The chosen token is drawn in
 * orange and marked ◀; tokens removed by top-k or top-p are greyed. Beneath, the dice: the kept
 * tokens laid end to end on [0, 1) as the sampler sees them (renormalised), those not listed as
 * one pale blue stretch at the end, with the draw u marked,
 * so a reader sees u land inside the chosen token's interval.
 */
import { table } from './dom.ts';
import { scaleLinear } from 'd3';
import { formatDecimal, formatInteger, formatProb } from './format.ts';
import { MONO, textWidth, truncate, visibleText } from './text.ts';
import { chartDocument, px, svgRoot } from './chart.ts';
import type { ChartOptions, G, TableOptions } from './chart.ts';
import { BLUE, GREY_OPACITY, ORANGE } from './color.ts';
import { strings as t } from './probability-bars.strings.ts';
import { words } from './words.strings.ts';

export interface Candidate {
  id: number; // token id
  text: string; // its text (as the tokenizer writes it)
  prob: number; // probability after temperature, before the filters
  kept: boolean; // survives top-k and top-p
}

export interface ProbabilityBarsData {
  candidates: Candidate[]; // any order; drawn best first
  chosen?: number; // id of the chosen token
  draw?: number | null; // u ∈ [0, 1) used to choose; null when greedy; absent: no dice strip
  keptMass?: number; // probability of every kept token, shown or not (default: sum over kept candidates)
}

export interface ProbabilityBarsOptions extends ChartOptions {
  maxProb?: number; // the probability a full-length bar stands for (default: the largest shown), so charts side by side share one scale
}

/** A kept candidate's interval on the dice: it is chosen when start ≤ u < end. */
export interface DiceInterval {
  id: number;
  start: number;
  end: number;
}

const ROW = 20;
const BAR = 14;
const FONT = 12;
const STRIP = 16;
const REST_OPACITY = 0.3; // the dice's stretch for kept tokens not listed as bars

/** Candidates best first (stable for ties). */
function ranked(data: ProbabilityBarsData): Candidate[] {
  return data.candidates.map((c, i) => ({ c, i })).sort((a, b) => b.c.prob - a.c.prob || a.i - b.i).map((d) => d.c);
}

/** Where each kept candidate sits on [0, 1): its renormalised probability, in order, best first. */
export function diceIntervals(data: ProbabilityBarsData): DiceInterval[] {
  const kept = ranked(data).filter((c) => c.kept);
  const mass = data.keptMass ?? kept.reduce((s, c) => s + c.prob, 0);
  let acc = 0;
  return kept.map((c) => {
    const start = acc;
    acc += mass > 0 ? c.prob / mass : 0;
    return { id: c.id, start, end: acc };
  });
}

/** Horizontal probability bars with the chosen token highlighted and the draw marked. */
export function ProbabilityBars(data: ProbabilityBarsData, opts: ProbabilityBarsOptions): SVGSVGElement {
  const doc = chartDocument(opts.document);
  const { width } = opts;
  const cands = ranked(data);
  const labels = cands.map((c) => visibleText(c.text));
  const labelW = Math.min(width * 0.3, Math.max(24, ...labels.map((l) => textWidth(l, FONT)))) + 8;
  // The value and the ◀ after the longest bar; ◀ is counted as a full em (fonts draw it wide).
  const valueW = textWidth('100.0% ', FONT) + FONT + 10;
  const x0 = labelW;
  const x1 = Math.max(x0 + 20, width - valueW);
  const maxProb = opts.maxProb ?? Math.max(0, ...cands.map((c) => c.prob));
  const x = scaleLinear().domain([0, maxProb || 1]).range([x0, x1]);
  const withDice = data.draw !== undefined;
  const barsH = cands.length * ROW;
  const height = barsH + (withDice ? 16 + STRIP + 30 : 0);

  const chosen = cands.find((c) => c.id === data.chosen);
  const label = opts.label ?? t('chart.probs.label', { n: cands.length }) +
    (chosen ? t('chart.probs.labelChosen', { text: visibleText(chosen.text), p: formatProb(chosen.prob) }) : '');
  const svg = svgRoot(doc, width, height, label);

  const row = svg.append('g').attr('class', 'bars').selectAll('g').data(cands).join('g')
    .attr('class', (c) => ['candidate', c.kept ? 'kept' : 'filtered', c.id === data.chosen ? 'chosen' : ''].join(' ').trim())
    .attr('transform', (_, i) => `translate(0,${i * ROW})`)
    .attr('opacity', (c) => (c.kept ? null : 0.55));
  row.append('title').text((c) => t('chart.probs.title', { text: visibleText(c.text), id: formatInteger(c.id), p: formatProb(c.prob) }) +
    (c.kept ? '' : t('chart.probs.filtered')) + (c.id === data.chosen ? t('chart.probs.chosen') : ''));
  row.append('text')
    .attr('translate', 'no') // the token: the model's text, not the page's words
    .attr('x', labelW - 8)
    .attr('y', ROW / 2)
    .attr('dy', '0.35em')
    .attr('text-anchor', 'end')
    .attr('font-family', MONO)
    .attr('font-weight', (c) => (c.id === data.chosen ? 'bold' : null))
    .text((_, i) => truncate(labels[i], width * 0.3, FONT));
  row.append('rect')
    .attr('x', x0)
    .attr('y', (ROW - BAR) / 2)
    .attr('width', (c) => px(Math.max(0, x(c.prob) - x0)))
    .attr('height', BAR)
    .attr('fill', (c) => (c.id === data.chosen ? ORANGE : c.kept ? BLUE : 'currentColor'))
    .attr('fill-opacity', (c) => (c.kept ? null : GREY_OPACITY));
  row.append('text')
    .attr('class', 'value')
    .attr('x', (c) => px(x(c.prob) + 4))
    .attr('y', ROW / 2)
    .attr('dy', '0.35em')
    .attr('font-variant-numeric', 'tabular-nums')
    .text((c) => formatProb(c.prob) + (c.id === data.chosen ? ' ◀' : ''));
  svg.append('line')
    .attr('class', 'axis')
    .attr('x1', x0).attr('x2', x0)
    .attr('y1', 0).attr('y2', barsH)
    .attr('stroke', 'currentColor');

  if (withDice) drawDice(svg.append('g').attr('class', 'dice').attr('transform', `translate(0,${barsH + 16})`), data, cands, x0, x1);
  return svg.node() as SVGSVGElement;
}

function drawDice(g: G, data: ProbabilityBarsData, cands: Candidate[], x0: number, x1: number): void {
  const u = scaleLinear().domain([0, 1]).range([x0, x1]);
  const byId = new Map(cands.map((c) => [c.id, c]));
  const intervals = diceIntervals(data);
  g.append('text').attr('x', x0 - 8).attr('y', STRIP / 2).attr('dy', '0.35em').attr('text-anchor', 'end').text(t('chart.probs.dice'));
  // Probability of kept tokens not among the candidates: one pale blue stretch at the end (kept,
  // so blue; grey is kept for what top-k and top-p removed), hatched apart from the listed ones.
  const shownEnd = intervals.length ? intervals[intervals.length - 1].end : 0;
  g.append('rect')
    .attr('class', 'rest')
    .attr('x', px(u(Math.min(1, shownEnd))))
    .attr('width', px(Math.max(0, u(1) - u(Math.min(1, shownEnd)))))
    .attr('height', STRIP)
    .attr('fill', BLUE)
    .attr('fill-opacity', REST_OPACITY)
    .append('title').text(t('chart.probs.otherKept'));
  const seg = g.selectAll('rect.interval').data(intervals).join('rect')
    .attr('class', (d) => (d.id === data.chosen ? 'interval chosen' : 'interval'))
    .attr('x', (d) => px(u(d.start)))
    .attr('width', (d) => px(Math.max(0, u(d.end) - u(d.start))))
    .attr('height', STRIP)
    .attr('fill', (d) => (d.id === data.chosen ? ORANGE : BLUE))
    .attr('stroke', 'currentColor') // lines between neighbours, dark on light pages and light on dark
    .attr('stroke-width', 1);
  seg.append('title').text((d) =>
    t('chart.probs.interval', { text: visibleText(byId.get(d.id)?.text ?? ''), start: formatDecimal(d.start, 4), end: formatDecimal(d.end, 4) }));
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const tick = g.selectAll('g.tick').data(ticks).join('g').attr('class', 'tick').attr('transform', (t) => `translate(${px(u(t))},${STRIP})`);
  tick.append('line').attr('y2', 4).attr('stroke', 'currentColor');
  tick.append('text').attr('y', 14).attr('text-anchor', 'middle').attr('font-size', 10).text((t) => String(t));
  if (data.draw == null) {
    g.append('text').attr('class', 'greedy').attr('x', px(u(0.5))).attr('y', STRIP + 26).attr('text-anchor', 'middle')
      .attr('font-size', 10).text(t('chart.probs.greedy'));
    return;
  }
  const mark = g.append('g').attr('class', 'draw').attr('transform', `translate(${px(u(data.draw))},0)`);
  mark.append('line').attr('y1', -5).attr('y2', STRIP + 5).attr('stroke', 'currentColor').attr('stroke-width', 2);
  mark.append('path').attr('d', 'M-4,-9L4,-9L0,-4Z').attr('fill', 'currentColor');
  mark.append('text').attr('y', STRIP + 26).attr('text-anchor', data.draw > 0.8 ? 'end' : data.draw < 0.2 ? 'start' : 'middle')
    .attr('font-size', 10).text(`u = ${formatDecimal(data.draw, 4)}`);
}

/** The bars as a table: rank, token, id, probability, kept, dice interval, chosen. */
export function ProbabilityBarsTable(data: ProbabilityBarsData, opts: TableOptions = {}): HTMLTableElement {
  const doc = chartDocument(opts.document);
  const intervals = new Map(diceIntervals(data).map((d) => [d.id, d]));
  const caption = opts.caption ?? t('chart.probs.caption') +
    (data.draw === undefined ? '' : data.draw === null ? t('chart.probs.captionGreedy') : t('chart.probs.captionDraw', { u: formatDecimal(data.draw, 4) }));
  return table(caption, [t('chart.probs.rank'), t('chart.probs.token'), t('chart.probs.id'), t('chart.probs.probability'),
    t('chart.probs.kept'), t('chart.probs.intervalCol'), t('chart.probs.chosenCol')], ranked(data).map((c, i) => {
      const d = intervals.get(c.id);
      return [formatInteger(i + 1), visibleText(c.text), formatInteger(c.id), formatProb(c.prob), words(c.kept ? 'common.yes' : 'common.no'),
        d ? `[${formatDecimal(d.start, 4)}, ${formatDecimal(d.end, 4)})` : '', c.id === data.chosen ? t('chart.probs.chosenCell') : ''];
    }), { document: doc, model: { columns: [1] } });
}
