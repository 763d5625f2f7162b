/**
 * A training run's loss curve: the training loss of every step (thin), its trailing mean (thick),
 * and the validation loss on held-out text (orange points), in nats per token on the left axis
 * and, when the evaluations carry it, bits per byte on the right. A dashed line marks ln V, the
 * loss of a model that gives every token the same probability, where a fresh model starts.
 *
 * The validation points take focus (one is in the tab order; arrow keys, Home and End move
 * between them); focusing or hovering one shows its step, both losses and the learning rate.
 * Nothing moves on its own, so there is no animation to reduce.
 */
import { table } from './dom.ts';
import { scaleLinear } from 'd3';
import { formatInteger, formatLoss, formatValue } from './format.ts';
import { chartDocument, px, svgRoot, SVG_NS } from './chart.ts';
import type { ChartOptions, TableOptions } from './chart.ts';
import { BLUE, ORANGE } from './color.ts';
import { ui } from './loss-curve.strings.ts';

export interface LossStep {
  step: number; // 1-based: updates done after this step
  loss: number; // training loss of this step's batch (nats per token)
  lr?: number; // learning rate used
  gradNorm?: number; // gradient norm before clipping
}

export interface LossEval {
  step: number; // evaluated after this many updates
  loss: number; // validation loss (nats per token)
  bitsPerByte?: number; // the same, in bits per byte of validation text
}

export interface LossCurveData {
  steps: LossStep[]; // in step order
  evals: LossEval[]; // in step order
}

export interface LossCurveOptions extends ChartOptions {
  smooth?: number; // steps in the trailing mean of the training loss (default 20; 1 draws no mean)
  vocabSize?: number; // draws ln V, the loss of a uniform guess over V tokens
  bitsPerByte?: boolean; // a right axis in bits per byte (default: when the evaluations make it exact)
  height?: number; // px (default 260)
}

/** A row of the table alternative (and a validation point's readout). */
export interface LossRow {
  step: number;
  train: number | null; // this step's training loss
  trainMean: number | null; // mean training loss of the steps since the previous row (inclusive)
  meanOf: number; // how many steps that mean is over
  validation: number | null;
  bitsPerByte: number | null;
  lr: number | null;
}

const FONT = 11;

/** Characters of `s`, a wide (CJK) one counted as two: the labels' widths are estimated from this. */
const chars = (s: string): number => s.length + (s.match(/[\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/g)?.length ?? 0);

/**
 * Bits per byte per nat per token on the validation text: bitsPerByte / loss, the same for every
 * evaluation of one held-out set (1 / (ln 2 · bytes per token)). Null when an evaluation lacks
 * bitsPerByte or they disagree (then no single right axis is exact).
 */
export function bitsPerByteRatio(evals: LossEval[]): number | null {
  const ratios = evals.map((e) => (e.bitsPerByte !== undefined && e.loss > 0 ? e.bitsPerByte / e.loss : NaN));
  if (ratios.length === 0 || !ratios.every(Number.isFinite)) return null;
  const r = ratios[0];
  return ratios.every((x) => Math.abs(x - r) <= 1e-9 * r) ? r : null;
}

/** The trailing mean of `values` over `n` entries (fewer at the start). */
export function trailingMean(values: number[], n: number): number[] {
  const out: number[] = [];
  let sum = 0;
  values.forEach((v, i) => {
    sum += v;
    if (i >= n) sum -= values[i - n];
    out.push(sum / Math.min(n, i + 1));
  });
  return out;
}

/** One row for the first step and one for each evaluation: what the table and the readouts show. */
export function lossRows(data: LossCurveData): LossRow[] {
  const byStep = new Map(data.steps.map((s) => [s.step, s]));
  const evalAt = new Map(data.evals.map((e) => [e.step, e]));
  const marks = [...new Set([...(data.steps.length ? [data.steps[0].step] : []), ...data.evals.map((e) => e.step)])].sort((a, b) => a - b);
  let prev = -Infinity;
  return marks.map((step) => {
    const s = byStep.get(step);
    const e = evalAt.get(step);
    const since = data.steps.filter((x) => x.step > prev && x.step <= step);
    prev = step;
    return {
      step,
      train: s?.loss ?? null,
      trainMean: since.length ? since.reduce((a, x) => a + x.loss, 0) / since.length : null,
      meanOf: since.length,
      validation: e?.loss ?? null,
      bitsPerByte: e?.bitsPerByte ?? null,
      lr: s?.lr ?? null,
    };
  });
}

/** The run in one sentence, from its first and last numbers (the chart's description). */
export function describeLossCurve(data: LossCurveData): string {
  const first = data.steps[0];
  const last = data.steps.at(-1);
  const v0 = data.evals[0];
  const v1 = data.evals.at(-1);
  if (!first || !last) return ui('chart.loss.none');
  let s = ui('chart.loss.descTrain', { first: formatLoss(first.loss), firstStep: formatInteger(first.step), last: formatLoss(last.loss), lastStep: formatInteger(last.step) });
  if (v0 && v1) {
    s += ui('chart.loss.descValidation', { first: formatLoss(v0.loss), firstStep: formatInteger(v0.step), last: formatLoss(v1.loss), lastStep: formatInteger(v1.step) });
    if (v1.bitsPerByte !== undefined) s += ui('chart.loss.descBpb', { bpb: formatLoss(v1.bitsPerByte) });
  }
  return ui('chart.loss.descEnd', { text: s });
}

/** A validation point's numbers, a line each: the evaluation, training around it, the learning rate. */
const readoutLines = (r: LossRow): string[] => [
  ui('chart.loss.readoutStep', { step: formatInteger(r.step), loss: formatLoss(r.validation ?? NaN) }) +
    (r.bitsPerByte !== null ? ui('chart.loss.readoutBpb', { bpb: formatLoss(r.bitsPerByte) }) : ''),
  r.trainMean !== null ? ui('chart.loss.readoutTrain', { loss: formatLoss(r.trainMean), n: r.meanOf }) : ui('chart.loss.readoutNoTrain'),
  ...(r.lr !== null ? [ui('chart.loss.readoutLr', { lr: formatValue(r.lr) })] : []),
];
const readoutText = (r: LossRow) => readoutLines(r).join(', ');

/** Training loss per step, its trailing mean, and validation points, on a labelled pair of axes. */
export function LossCurve(data: LossCurveData, opts: LossCurveOptions): SVGSVGElement {
  const doc = chartDocument(opts.document);
  const { width, smooth = 20, height = 260 } = opts;
  const { steps, evals } = data;
  const ratio = opts.bitsPerByte === false ? null : bitsPerByteRatio(evals);
  // Legend items, wrapped into rows that fit the width; the plot starts below them.
  const items = [
    { name: ui('chart.loss.legendTrain'), color: BLUE, opacity: smooth > 1 ? 0.45 : 1, w: 1 },
    ...(smooth > 1 ? [{ name: ui('chart.loss.legendMean', { n: smooth }), color: BLUE, opacity: 1, w: 2.5 }] : []),
    { name: ui('chart.loss.legendValidation'), color: ORANGE, opacity: 1, w: 2 },
  ];
  const placed: { item: (typeof items)[number]; x: number; row: number }[] = [];
  let lx = 0;
  let lrow = 0;
  for (const item of items) {
    const w = 20 + chars(item.name) * 5.5 + 14; // swatch, text (about 0.55 em a character at 10 px), gap
    if (lx > 0 && lx + w > width - 54 - 14) {
      lx = 0;
      lrow++;
    }
    placed.push({ item, x: lx, row: lrow });
    lx += w;
  }
  const M = { top: 24 + 14 * lrow, right: ratio ? 52 : 14, bottom: 36, left: 54 };
  const label = opts.label ?? ui('chart.loss.label', { steps: formatInteger(steps.length), evals: formatInteger(evals.length) });
  const svg = svgRoot(doc, width, height, label, 'group');
  svg.append('desc').text(describeLossCurve(data));

  const lastStep = Math.max(1, ...steps.map((s) => s.step), ...evals.map((e) => e.step));
  const x = scaleLinear().domain([0, lastStep]).range([M.left, width - M.right]);
  const uniform = opts.vocabSize ? Math.log(opts.vocabSize) : null;
  const all = [...steps.map((s) => s.loss), ...evals.map((e) => e.loss), ...(uniform ? [uniform] : [])].filter(Number.isFinite);
  const lo = all.length ? Math.min(...all) : 0;
  const hi = all.length ? Math.max(...all) : 1;
  const y = scaleLinear().domain([Math.floor(lo * 2) / 2, Math.ceil(hi * 2) / 2 || 1]).range([height - M.bottom, M.top]);
  const yTicks = y.ticks(5);
  const digits = yTicks.some((v) => !Number.isInteger(v)) ? 1 : 0;

  // Axes: gridlines with nats per token on the left, bits per byte on the right, steps below.
  const axis = svg.append('g').attr('class', 'y-axis').attr('font-size', 10);
  for (const v of yTicks) {
    axis.append('line').attr('x1', M.left).attr('x2', px(width - M.right)).attr('y1', px(y(v))).attr('y2', px(y(v)))
      .attr('stroke', 'currentColor').attr('stroke-opacity', 0.15);
    axis.append('text').attr('class', 'nats').attr('x', M.left - 4).attr('y', px(y(v))).attr('dy', '0.35em').attr('text-anchor', 'end')
      .attr('data-value', v).text(formatLoss(v, digits));
  }
  svg.append('text').attr('class', 'axis-title').attr('transform', `translate(12,${px((M.top + height - M.bottom) / 2)}) rotate(-90)`)
    .attr('text-anchor', 'middle').attr('font-size', 10).text(ui('chart.loss.axisLoss'));
  if (ratio) {
    const right = svg.append('g').attr('class', 'bpb-axis').attr('font-size', 10);
    const b = scaleLinear().domain(y.domain().map((v) => v * ratio)).range(y.range());
    for (const v of b.ticks(5)) {
      right.append('line').attr('x1', px(width - M.right)).attr('x2', px(width - M.right + 4)).attr('y1', px(b(v))).attr('y2', px(b(v)))
        .attr('stroke', 'currentColor');
      right.append('text').attr('x', px(width - M.right + 6)).attr('y', px(b(v))).attr('dy', '0.35em').text(formatLoss(v, 1));
    }
    svg.append('text').attr('class', 'axis-title').attr('transform', `translate(${px(width - 4)},${px((M.top + height - M.bottom) / 2)}) rotate(-90)`)
      .attr('text-anchor', 'middle').attr('font-size', 10).text(ui('chart.loss.axisBpb'));
  }
  const xAxis = svg.append('g').attr('class', 'x-axis').attr('font-size', 10);
  xAxis.append('line').attr('x1', M.left).attr('x2', px(width - M.right)).attr('y1', height - M.bottom).attr('y2', height - M.bottom)
    .attr('stroke', 'currentColor').attr('stroke-opacity', 0.5);
  for (const v of x.ticks(Math.max(2, Math.floor((width - M.left - M.right) / 70)))) {
    xAxis.append('line').attr('x1', px(x(v))).attr('x2', px(x(v))).attr('y1', height - M.bottom).attr('y2', height - M.bottom + 4).attr('stroke', 'currentColor');
    xAxis.append('text').attr('x', px(x(v))).attr('y', height - M.bottom + 14).attr('text-anchor', 'middle').text(formatInteger(v));
  }
  svg.append('text').attr('class', 'axis-title').attr('x', px((M.left + width - M.right) / 2)).attr('y', height - 4).attr('text-anchor', 'middle')
    .attr('font-size', 10).text(ui('chart.loss.axisStep'));

  if (uniform !== null) {
    const u = svg.append('g').attr('class', 'uniform').attr('aria-hidden', 'true');
    u.append('line').attr('x1', M.left).attr('x2', px(width - M.right)).attr('y1', px(y(uniform))).attr('y2', px(y(uniform)))
      .attr('stroke', 'currentColor').attr('stroke-dasharray', '4 3').attr('stroke-opacity', 0.6);
    u.append('text').attr('x', px(width - M.right - 4)).attr('y', px(y(uniform) - 4)).attr('text-anchor', 'end').attr('font-size', 10)
      .text(ui('chart.loss.uniform', { vocab: formatInteger(opts.vocabSize!), loss: formatLoss(uniform) }));
  }

  // The lines, as plain paths of rounded points (one point per step, so they can be counted).
  const path = (pts: [number, number][]) => pts.map(([a, b], i) => `${i ? 'L' : 'M'}${px(x(a))},${px(y(b))}`).join('');
  const marks = svg.append('g').attr('class', 'lines').attr('fill', 'none').attr('aria-hidden', 'true');
  const okSteps = steps.filter((s) => Number.isFinite(s.loss));
  marks.append('path').attr('class', 'train').attr('d', path(okSteps.map((s) => [s.step, s.loss])) || null)
    .attr('stroke', BLUE).attr('stroke-opacity', smooth > 1 ? 0.45 : 1).attr('stroke-width', 1);
  if (smooth > 1) {
    const mean = trailingMean(okSteps.map((s) => s.loss), smooth);
    marks.append('path').attr('class', 'train-mean').attr('d', path(okSteps.map((s, i) => [s.step, mean[i]])) || null)
      .attr('stroke', BLUE).attr('stroke-width', 2.5);
  }
  marks.append('path').attr('class', 'validation').attr('d', path(evals.map((e) => [e.step, e.loss])) || null)
    .attr('stroke', ORANGE).attr('stroke-width', 2);

  const legend = svg.append('g').attr('class', 'legend').attr('font-size', 10).attr('aria-hidden', 'true');
  for (const { item, x: at, row } of placed) {
    legend.append('line').attr('x1', M.left + at).attr('x2', M.left + at + 16).attr('y1', 8 + 14 * row).attr('y2', 8 + 14 * row)
      .attr('stroke', item.color).attr('stroke-opacity', item.opacity).attr('stroke-width', item.w);
    legend.append('text').attr('x', px(M.left + at + 20)).attr('y', 8 + 14 * row).attr('dy', '0.35em').text(item.name);
  }

  // The readout: a rule at the focused step and its numbers, hidden until a point is focused.
  const readout = svg.append('g').attr('class', 'readout').attr('display', 'none').attr('aria-hidden', 'true');
  const rule = readout.append('line').attr('y1', M.top).attr('y2', height - M.bottom).attr('stroke', 'currentColor').attr('stroke-opacity', 0.4);
  const lines = [0, 1, 2].map((k) => readout.append('text').attr('y', M.top + 30 + k * 14).attr('font-size', FONT));

  // Validation points: focusable, one in the tab order (roving tabindex).
  const rows = new Map(lossRows(data).map((r) => [r.step, r]));
  const points = svg.append('g').attr('class', 'evals');
  const pointEls: SVGGElement[] = [];
  evals.forEach((e, i) => {
    const r = rows.get(e.step)!;
    const g = doc.createElementNS(SVG_NS, 'g') as SVGGElement;
    g.setAttribute('class', 'eval');
    g.setAttribute('role', 'img');
    g.setAttribute('tabindex', i === evals.length - 1 ? '0' : '-1');
    g.setAttribute('aria-label', readoutText(r));
    g.setAttribute('data-index', String(e.step));
    g.setAttribute('transform', `translate(${px(x(e.step))},${px(y(e.loss))})`);
    const ring = doc.createElementNS(SVG_NS, 'circle');
    for (const [k, v] of [['class', 'focus-ring'], ['r', '8'], ['fill', 'none'], ['stroke', 'currentColor'], ['stroke-width', '2'], ['display', 'none']]) ring.setAttribute(k, v);
    const dot = doc.createElementNS(SVG_NS, 'circle');
    for (const [k, v] of [['class', 'dot'], ['r', '4'], ['fill', ORANGE], ['stroke', 'currentColor'], ['stroke-width', '1']]) dot.setAttribute(k, v);
    g.append(ring, dot);
    points.node()!.append(g);
    pointEls.push(g);
  });
  let focused: number | null = null;
  const show = (i: number | null) => {
    pointEls.forEach((g, j) => g.querySelector('.focus-ring')!.setAttribute('display', j === i ? 'inline' : 'none'));
    if (i === null) {
      readout.attr('display', 'none');
      return;
    }
    const e = evals[i];
    const at = x(e.step);
    rule.attr('x1', px(at)).attr('x2', px(at));
    // Beside the rule, on whichever side the longest line fits (about 0.55 em a character), else from the left axis.
    const text = readoutLines(rows.get(e.step)!);
    const w = Math.max(...text.map(chars)) * FONT * 0.55;
    const [lx, anchor] = at + 6 + w <= width - M.right ? [at + 6, 'start'] : at - 6 - w >= M.left ? [at - 6, 'end'] : [M.left + 4, 'start'];
    lines.forEach((el, k) => el.attr('x', px(lx)).attr('text-anchor', anchor).text(text[k] ?? ''));
    readout.attr('display', null);
  };
  points
    .on('focusin', (ev: FocusEvent) => {
      const i = pointEls.indexOf((ev.target as Element).closest('g.eval') as SVGGElement);
      if (i < 0) return;
      pointEls.forEach((g, j) => g.setAttribute('tabindex', j === i ? '0' : '-1'));
      show((focused = i));
    })
    .on('focusout', () => show((focused = null)))
    .on('pointerover', (ev: PointerEvent) => {
      const i = pointEls.indexOf((ev.target as Element).closest('g.eval') as SVGGElement);
      if (i >= 0) show(i);
    })
    .on('pointerout', () => show(focused))
    .on('keydown', (ev: KeyboardEvent) => {
      const i = pointEls.indexOf((ev.target as Element).closest('g.eval') as SVGGElement);
      if (i < 0) return;
      let next = i;
      if (ev.key === 'ArrowRight' || ev.key === 'ArrowUp') next = Math.min(pointEls.length - 1, i + 1);
      else if (ev.key === 'ArrowLeft' || ev.key === 'ArrowDown') next = Math.max(0, i - 1);
      else if (ev.key === 'Home') next = 0;
      else if (ev.key === 'End') next = pointEls.length - 1;
      else return;
      ev.preventDefault();
      pointEls[next].focus();
    });
  return svg.node() as SVGSVGElement;
}

/** The run as a table: the first step and every evaluation, with the training loss between them. */
export function LossCurveTable(data: LossCurveData, opts: TableOptions = {}): HTMLTableElement {
  const doc = chartDocument(opts.document);
  return table(opts.caption ?? ui('chart.loss.caption', { n: data.evals.length }), [ui('chart.loss.colStep'), ui('chart.loss.colTrain'), ui('chart.loss.colMean'), ui('chart.loss.colValidation'), ui('chart.loss.colBpb'), ui('chart.loss.colLr')], lossRows(data).map((r) => [formatInteger(r.step), formatLoss(r.train ?? NaN), formatLoss(r.trainMean ?? NaN),
      r.validation === null ? '—' : formatLoss(r.validation), r.bitsPerByte === null ? '—' : formatLoss(r.bitsPerByte), r.lr === null ? '—' : formatValue(r.lr)]), { document: doc });
}
