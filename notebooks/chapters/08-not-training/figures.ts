/**
 * Chapter 8's figures: the weights' checksum after each tick, the tiny model's loss as it learns
 * (a line and a table), the two side by side, and the bundled model's loss curve from its log.
 */
import { max, min } from 'd3';
import { table } from '../../../components/dom.ts';
import { formatCount, formatDecimal, formatInteger, formatMs } from '../../../components/format.ts';
import { SVG_NS } from '../../../components/chart.ts';
import { LossCurve, LossCurveTable } from '../../../components/loss-curve.ts';
import { chartWithTable, h, note } from '../../dom.ts';
import type { ModelInfo, TickSummary, TrainStep } from '../../../engine/protocol.ts';
import { changedSteps, inferenceRows, type Training } from './data.ts';
import { LOSS_SMOOTH, lossCaption, runFacts, type TrainLog } from './train-log.ts';
import { strings as shared } from '../../strings.ts';
import { ui } from './strings.ts';

/** The loss after each step as a line, with labelled first and last points. */
export function lossChart(steps: TrainStep[], width: number, label: string): SVGSVGElement {
  const doc = globalThis.document;
  const W = Math.max(240, Math.min(width, 640));
  const H = 180;
  const m = { l: 44, r: 12, t: 12, b: 28 };
  const svg = doc.createElementNS(SVG_NS, 'svg');
  for (const [k, v] of Object.entries({ width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': label, style: 'max-width: 100%; height: auto', 'font-size': 12, fill: 'currentColor' })) svg.setAttribute(k, String(v));
  const title = doc.createElementNS(SVG_NS, 'title');
  title.textContent = label;
  svg.append(title);
  const losses = steps.map((s) => s.loss);
  // d3's min/max, not Math.min(...): the demo's steps grow with every press of Train.
  const lo = Math.min(min(losses) ?? 0, 0);
  const hi = max(losses) ?? 0;
  const n = steps.at(-1)?.step ?? 1;
  const x = (step: number) => m.l + ((W - m.l - m.r) * (step - 1)) / Math.max(1, n - 1);
  const y = (loss: number) => m.t + ((H - m.t - m.b) * (hi - loss)) / Math.max(1e-9, hi - lo);
  const el = (tag: string, attrs: Record<string, string | number>, text?: string) => {
    const e = doc.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    svg.append(e);
    return e;
  };
  el('line', { x1: m.l, x2: W - m.r, y1: H - m.b, y2: H - m.b, stroke: 'currentColor', 'stroke-opacity': 0.4 });
  el('line', { x1: m.l, x2: m.l, y1: m.t, y2: H - m.b, stroke: 'currentColor', 'stroke-opacity': 0.4 });
  el('text', { x: m.l - 4, y: y(hi) + 4, 'text-anchor': 'end' }, formatDecimal(hi, 2));
  el('text', { x: m.l - 4, y: y(lo) + 4, 'text-anchor': 'end' }, formatDecimal(lo, 0));
  el('text', { x: (W + m.l) / 2, y: H - 8, 'text-anchor': 'middle' }, ui('ch8.tiny.axis', { n }));
  el('polyline', { points: steps.map((s) => `${x(s.step).toFixed(2)},${y(s.loss).toFixed(2)}`).join(' '), fill: 'none', stroke: 'currentColor', 'stroke-width': 2, class: 'loss-line' });
  return svg;
}

/** The weights' checksum the engine read back after each of the latest ticks, against the one at load. */
export function inference(ticks: TickSummary[], model: ModelInfo): HTMLElement {
  if (ticks.length === 0) return note(ui('ch8.inference.empty', { checksum: model.checksum }));
  const all = inferenceRows(ticks, model.checksum);
  const read = all.filter((r) => r.checksum !== undefined); // the read-back after a tick arrives after the tick
  const rows = all.slice(-12);
  return h('div', {
    class: 'inference-weights', 'data-ticks': all.length, 'data-read': read.length, 'data-at-load': model.checksum,
    'data-checksums': [...new Set(read.map((r) => r.checksum))].join(' '),
  },
  table(ui('ch8.inference.caption', { n: rows.length, total: all.length }),
    [ui('ch8.inference.tick'), ui('ch8.inference.checksum'), ui('ch8.inference.same')],
    rows.map((r) => (r.checksum === undefined ? [formatInteger(r.index), shared('cells.readingBack'), ''] : [formatInteger(r.index), r.checksum, r.same ? ui('ch8.yes') : ui('ch8.no')]))),
  h('p', {}, read.length === 0 ? shared('cells.readingBack') : read.every((r) => r.same)
    ? ui(read.length === 1 ? 'ch8.inference.unchanged.one' : 'ch8.inference.unchanged.other', { n: read.length, params: formatCount(model.params), checksum: model.checksum })
    : ui('ch8.inference.changed')));
}

/** The tiny model learning: its loss after each step, charted, with a table of the steps. */
export function learning(t: Training, width: number): HTMLElement {
  if (t.error) return note(ui('ch8.learning.failed', { error: t.error }));
  if (!t.info || t.steps.length === 0) return note(t.running ? ui('ch8.learning.running') : ui('ch8.learning.empty'));
  const first = t.steps[0];
  const last = t.steps.at(-1)!;
  const c = t.info.config;
  const caption = ui('ch8.learning.caption', {
    layers: c.n_layer, heads: c.n_head, width: c.n_embd, params: formatCount(t.info.params), tokens: t.info.textTokens,
    first: formatDecimal(first.loss, 3), firstStep: first.step, last: formatDecimal(last.loss, 3), lastStep: last.step,
  }) + (t.running ? ui('ch8.learning.still') : '');
  const rows = t.steps.map((s) => [formatInteger(s.step), formatDecimal(s.loss, 4), s.checksum, formatMs(s.ms)]);
  const el = chartWithTable(lossChart(t.steps, width, caption),
    table(caption, [ui('ch8.learning.step'), ui('ch8.learning.loss'), ui('ch8.inference.checksum'), ui('ch8.learning.time')], rows));
  el.prepend(h('p', { class: 'cell-caption' }, caption));
  el.classList.add('learning');
  el.dataset.steps = String(t.steps.length);
  el.dataset.firstLoss = String(first.loss);
  el.dataset.lastLoss = String(last.loss);
  el.dataset.checksumBefore = t.info.checksumBefore;
  el.dataset.checksums = t.steps.map((s) => s.checksum).join(' ');
  el.dataset.running = String(t.running);
  return el;
}

/** Inference against training, in one table: what ran, what the checksum did, what the loss did. */
export function contrast(ticks: TickSummary[], model: ModelInfo, t: Training): HTMLTableElement {
  const inf = inferenceRows(ticks, model.checksum).filter((r) => r.checksum !== undefined); // ticks whose read-back has arrived
  const infSame = inf.filter((r) => r.same).length;
  const changed = changedSteps(t);
  const n = t.steps.length;
  return table(ui('ch8.contrast.caption'), [ui('ch8.contrast.quantity'), ui('ch8.contrast.inference'), ui('ch8.contrast.training')], [
    [ui('ch8.contrast.ran'), ui(ticks.length === 1 ? 'ch8.contrast.ticks.one' : 'ch8.contrast.ticks.other', { n: ticks.length }), ui(n === 1 ? 'ch8.contrast.steps.one' : 'ch8.contrast.steps.other', { n })],
    [ui('ch8.contrast.checksum'), ui('ch8.contrast.left', { same: infSame, n: inf.length, checksum: model.checksum }),
      t.info ? ui(n ? 'ch8.contrast.changedTo' : 'ch8.contrast.changed', { changed, n, before: t.info.checksumBefore, after: t.steps.at(-1)?.checksum ?? '' }) : ui('ch8.contrast.notStarted')],
    [ui('ch8.contrast.loss'), ui('ch8.contrast.noLoss'), n ? `${formatDecimal(t.steps[0].loss, 3)} → ${formatDecimal(t.steps.at(-1)!.loss, 3)}` : ui('ch8.contrast.notStarted')],
  ]);
}

/** The bundled model's loss curve from its training log, with the run's own numbers in the caption. */
export function lossCurve(log: TrainLog | null, m: { name: string; url: string }, width: number): HTMLElement {
  if (!log) return note(ui('ch8.loss.noLog', { url: m.url }));
  const f = runFacts(log);
  const caption = lossCaption(f, m.name);
  const data = { steps: log.steps, evals: log.evals };
  const el = chartWithTable(
    LossCurve(data, { width, vocabSize: f.vocab, smooth: LOSS_SMOOTH, label: ui('ch8.loss.label', { name: m.name, steps: formatInteger(f.steps), evals: formatInteger(log.evals.length) }) }),
    LossCurveTable(data, { caption: ui('ch8.loss.tableCaption', { name: m.name }) }));
  el.prepend(h('p', { class: 'cell-caption' }, caption));
  el.classList.add('loss-curve');
  el.dataset.steps = String(f.steps);
  el.dataset.evals = String(log.evals.length);
  el.dataset.firstLoss = String(f.first.loss);
  el.dataset.lastEvalLoss = String(f.lastEval?.loss ?? '');
  return el;
}
