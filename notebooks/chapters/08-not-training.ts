/**
 * Chapter 8, inference is not training. Side by side: the clock's ticks, after each of which the
 * engine re-reads every weight from the backend and checksums it (the same checksum each time),
 * and a tiny random GPT-2 learning in the engine worker (train/trainer.ts: AdamW on a short text),
 * whose loss falls and whose weights' checksum changes at every step.
 *
 *   inputs ─ clock ─ clockState ─┬─ timeline, tokens
 *                                ├─ inference (checksum after each tick)
 *                                └─ predict (will the weights' checksum change after N more ticks?)
 *   trainButton, resetButton ─ training (steps so far) ─┬─ learning (loss chart and table)
 *                                                      └─ contrast (both, in one table)
 *   bundledModel ─ trainLog (its train-log.json, fetched) ─┬─ lossCurve (chart and table)
 *                                                          ├─ runName, runSteps, … (numbers in the prose)
 *                                            model ─────────┴─ runAfter (does the page run these weights?)
 *
 * `bundledModel` is a builtin the page provides ({ name, url } of the site's own model folder):
 * the log records the AdamW steps that made its weights. The reader may run another model (the
 * Models page), so runAfter says whether the page runs those weights.
 */
import { formatCount, formatDecimal, formatInteger, formatLoss, formatMs } from '../../components/format.ts';
import { SVG_NS } from '../../components/chart.ts';
import { t as ui } from '../../components/i18n/index.ts';
import type { PredictAnswer } from '../../components/predict.ts';
import { LossCurve, LossCurveTable, trailingMean, type LossEval, type LossStep } from '../../components/loss-curve.ts';
import { controlElements, defineClock, defineInputs, defineSelection, defineTimeline, defineTokens } from '../cells.ts';
import type { ClockState } from '../clock.ts';
import { chartWithTable, h, note } from '../dom.ts';
import type { Engine } from '../../engine/engine.ts';
import type { ModelInfo, TickSummary, TrainDemoResult, TrainStep } from '../../engine/protocol.ts';
import { definePredict, paramInt, ticksFrom, type PredictSpec } from '../predict.ts';
import { mount, nearViewport, observe, type Module, type Mounts, type Runtime } from '../runtime.ts';

/** What the tiny model learns: a short passage, repeated within its batches. */
export const TRAIN_TEXT =
  'The clock struck one, and the house was still. The clock struck two, and the house was still. ' +
  'The clock struck three, and the house was still. The clock struck four, and the house was still.';

/** Steps a press of Train runs, in requests of STEPS_PER_REQUEST so the chart moves while it learns. */
export const STEPS_PER_PRESS = 30;
export const STEPS_PER_REQUEST = 5;

/** The training demo so far. */
export interface Training {
  info: Omit<TrainDemoResult, 'steps' | 'checksumAfter'> | null; // the tiny model (null before the first step)
  steps: TrainStep[];
  running: boolean;
  error: string | null;
}

/** One row per tick: the weights' checksum the engine read back after it, against the one taken at load. */
export function inferenceRows(ticks: TickSummary[], atLoad: string): { index: number; checksum: string; same: boolean }[] {
  return ticks.map((t) => {
    const checksum = t.weightsVerified ?? t.weightsChecksum;
    return { index: t.index, checksum, same: checksum === atLoad };
  });
}

/** Steps whose checksum differs from the one before them (the first from the random start's). */
export function changedSteps(t: Training): number {
  let prev = t.info?.checksumBefore;
  let n = 0;
  for (const s of t.steps) {
    if (s.checksum !== prev) n++;
    prev = s.checksum;
  }
  return n;
}

/** The bundled model's training log, as train/run.ts writes it beside the weights (train-log.json). */
export interface TrainLog {
  config: { n_layer: number; n_head: number; n_embd: number; n_positions: number; vocab_size: number };
  train: { steps: number; batch: number; ctx: number; lr: number; warmup?: number; seed?: number; evalEvery?: number };
  steps: LossStep[]; // every step: training loss, learning rate, gradient norm
  evals: LossEval[]; // every evalEvery steps: validation loss and bits per byte
  elapsedMs?: number; // wall time of the whole run
}

/** Where the log of the model in folder `modelUrl` is served. */
export const trainLogUrl = (modelUrl: string): string => new URL('train-log.json', modelUrl.endsWith('/') ? modelUrl : `${modelUrl}/`).href;

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** Check the log's shape; the error names what is wrong, so a broken file says so on the page. */
export function parseTrainLog(json: unknown): TrainLog {
  const bad = (what: string): never => {
    throw new Error(ui('ch8.log.error', { what }));
  };
  const o = json as Partial<TrainLog> | null;
  if (!o || typeof o !== 'object') bad(ui('ch8.log.notObject'));
  if (!o!.config || !isNum(o!.config.vocab_size)) bad(ui('ch8.log.noVocab'));
  if (!o!.train || !isNum(o!.train.batch) || !isNum(o!.train.ctx)) bad(ui('ch8.log.noBatch'));
  if (!Array.isArray(o!.steps) || o!.steps.length === 0) bad(ui('ch8.log.noSteps'));
  if (!Array.isArray(o!.evals)) bad(ui('ch8.log.noEvals'));
  o!.steps!.forEach((s, i) => {
    if (!isNum(s?.step) || !isNum(s?.loss)) bad(ui('ch8.log.badStep', { i }));
  });
  o!.evals!.forEach((e, i) => {
    if (!isNum(e?.step) || !isNum(e?.loss)) bad(ui('ch8.log.badEval', { i }));
  });
  return o as TrainLog;
}

/** Fetch and check the training log of the model folder at `modelUrl`; null when the folder has none (404). */
export async function fetchTrainLog(modelUrl: string, fetchImpl: typeof fetch = globalThis.fetch): Promise<TrainLog | null> {
  const url = trainLogUrl(modelUrl);
  const res = await fetchImpl(url);
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(ui('ch8.log.error', { what: ui('ch8.log.http', { status: res.status, url }) }));
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    throw new Error(ui('ch8.log.error', { what: ui('ch8.log.notJson') }));
  }
  return parseTrainLog(json);
}

/** Steps in the trailing mean the loss curve draws, and the end-of-run training loss is read from. */
export const LOSS_SMOOTH = 20;

/** The numbers the prose and caption quote, each from the log. */
export interface RunFacts {
  steps: number; // updates
  batch: number; // sequences a step
  ctx: number; // tokens a sequence
  tokens: number; // steps × batch × ctx: tokens the model was trained on, repeats included
  first: LossStep; // the first step
  last: LossStep; // the last step
  lastMean: number; // mean training loss of the last LOSS_SMOOTH steps
  firstEval: LossEval | null;
  lastEval: LossEval | null;
  vocab: number;
  uniform: number; // ln V: the loss of giving every token the same probability
  hours: number | null; // wall time
}

export function runFacts(log: TrainLog): RunFacts {
  const { steps, evals } = log;
  const last = steps.at(-1)!;
  return {
    steps: last.step,
    batch: log.train.batch,
    ctx: log.train.ctx,
    tokens: last.step * log.train.batch * log.train.ctx,
    first: steps[0],
    last,
    lastMean: trailingMean(steps.map((s) => s.loss), LOSS_SMOOTH).at(-1)!,
    firstEval: evals[0] ?? null,
    lastEval: evals.at(-1) ?? null,
    vocab: log.config.vocab_size,
    uniform: Math.log(log.config.vocab_size),
    hours: isNum(log.elapsedMs) ? log.elapsedMs / 3.6e6 : null,
  };
}

/** The text of each number in the prose, by the name of its span (data-cell). */
export function runSentences(f: RunFacts, name: string): Record<string, string> {
  const ev = (e: LossEval | null) => (!e ? ui('ch8.run.notMeasured')
    : e.bitsPerByte !== undefined ? ui('ch8.run.evalBpb', { loss: formatLoss(e.loss), bpb: formatLoss(e.bitsPerByte) })
    : ui('ch8.run.eval', { loss: formatLoss(e.loss) }));
  return {
    runName: name,
    runSteps: formatInteger(f.steps),
    runBatch: ui('ch8.run.batch', { batch: formatInteger(f.batch), ctx: formatInteger(f.ctx) }),
    runTokens: formatCount(f.tokens),
    runFirstLoss: formatLoss(f.first.loss),
    runUniform: `ln ${formatInteger(f.vocab)} = ${formatLoss(f.uniform)}`,
    runLastEval: ev(f.lastEval),
    runLastTrain: ui('ch8.run.lastTrain', { loss: formatLoss(f.lastMean), n: LOSS_SMOOTH }),
  };
}

/** The names of the prose's number spans. */
export const RUN_SPANS = ['runName', 'runSteps', 'runBatch', 'runTokens', 'runFirstLoss', 'runUniform', 'runLastEval', 'runLastTrain'] as const;

/** The sentence after the curve: whether the page runs the weights that run made (the reader may have chosen another model). */
export function afterTraining(log: TrainLog | null, bundled: { name: string; url: string }, model: ModelInfo): string {
  if (model.url === bundled.url && log) {
    return ui('ch8.after.bundled', { step: formatInteger(log.steps.at(-1)!.step) });
  }
  return ui('ch8.after.other', { model: model.label });
}

/** What to look at in the loss curve, with the run's own numbers. */
export function lossCaption(f: RunFacts, name: string): string {
  let s = ui('ch8.loss.caption', {
    name, steps: formatInteger(f.steps), batch: formatInteger(f.batch), ctx: formatInteger(f.ctx), first: formatLoss(f.first.loss),
    vocab: formatInteger(f.vocab), uniform: formatLoss(f.uniform),
  });
  if (f.lastEval) {
    const bpb = f.lastEval.bitsPerByte;
    s += ui(bpb !== undefined ? 'ch8.loss.endBpb' : 'ch8.loss.end', {
      train: formatLoss(f.lastMean), n: LOSS_SMOOTH, eval: formatLoss(f.lastEval.loss), bpb: bpb !== undefined ? formatLoss(bpb) : '',
    });
  }
  return s;
}

function table(caption: string, head: string[], rows: string[][]): HTMLTableElement {
  return h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...head.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, h('th', { scope: 'row' }, r[0]), ...r.slice(1).map((x) => h('td', {}, x))))));
}

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
  const lo = Math.min(...losses, 0);
  const hi = Math.max(...losses);
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

/** How many ticks the checksum question runs, unless the prose names another number (params.ticks). */
export const CHECKSUM_TICKS = 10;

/** The weights' checksum as the engine last read it: after the latest tick, else at load. */
export const currentChecksum = (ticks: TickSummary[], atLoad: string): string => {
  const t = ticks.at(-1);
  return t ? (t.weightsVerified ?? t.weightsChecksum) : atLoad;
};

/** The answer: the checksum read back after the last of the ticks, against the one before them. */
export function checksumAnswer(guess: string, before: string, ticks: TickSummary[], params: number): PredictAnswer {
  const after = currentChecksum(ticks, before);
  const changed = after !== before;
  const distinct = new Set(ticks.map((t) => t.weightsVerified ?? t.weightsChecksum));
  return {
    label: changed ? ui('predict.ch8.changed', { before, after }) : ui('predict.ch8.same', { checksum: after }),
    value: changed ? 'changes' : 'same',
    match: guess === (changed ? 'changes' : 'same'),
    detail: ui('predict.ch8.detail', { n: ticks.length, first: ticks[0].index, last: ticks.at(-1)!.index, params: formatCount(params), distinct: distinct.size, list: [...distinct].join(', ') }),
  };
}

/** Will the weights' checksum change after N more ticks? The ticks run; the engine re-reads the weights after each. */
export const checksumQuestion: PredictSpec<{ from: number; n: number; before: string }> = {
  ask: ({ state, model }, params) => ({
    choices: [{ value: 'changes', label: ui('predict.ch8.yes') }, { value: 'same', label: ui('predict.ch8.no') }],
    context: ui('predict.ch8.context', { checksum: currentChecksum(state.ticks, model.checksum), n: paramInt(params, 'ticks', CHECKSUM_TICKS, 1, 100) }),
    revealLabel: ui('predict.runTicks', { n: paramInt(params, 'ticks', CHECKSUM_TICKS, 1, 100) }),
  }),
  commit: ({ state, model }, params) => ({ from: state.ticks.length, n: paramInt(params, 'ticks', CHECKSUM_TICKS, 1, 100), before: currentChecksum(state.ticks, model.checksum) }),
  async reveal(guess, { from, n, before }, live) {
    return checksumAnswer(guess, before, await ticksFrom(live().clock, from, n), live().model.params);
  },
};

/** Define the chapter's cells over the page's mounts. */
export function define(runtime: Runtime, mounts: Mounts): Module {
  const main = runtime.module();
  const c = controlElements(mounts);
  defineInputs(main, c);
  defineClock(main, c, { verifyWeights: true });
  defineSelection(main, mounts.timeline);
  defineTimeline(main, mounts.timeline);
  defineTokens(main, mounts.tokens);

  main.variable(mount(mounts.inference)).define('inference', ['clockState', 'model'], async (state: ClockState, model: ModelInfo) => {
    await nearViewport(mounts.inference);
    if (state.ticks.length === 0) return note(ui('ch8.inference.empty', { checksum: model.checksum }));
    const all = inferenceRows(state.ticks, model.checksum);
    const rows = all.slice(-12);
    const el = h('div', {
      class: 'inference-weights', 'data-ticks': all.length, 'data-at-load': model.checksum,
      'data-checksums': [...new Set(all.map((r) => r.checksum))].join(' '),
    },
    table(ui('ch8.inference.caption', { n: rows.length, total: all.length }),
      [ui('ch8.inference.tick'), ui('ch8.inference.checksum'), ui('ch8.inference.same')],
      rows.map((r) => [formatInteger(r.index), r.checksum, r.same ? ui('ch8.yes') : ui('ch8.no')])),
    h('p', {}, all.every((r) => r.same)
      ? ui(all.length === 1 ? 'ch8.inference.unchanged.one' : 'ch8.inference.unchanged.other', { n: all.length, params: formatCount(model.params), checksum: model.checksum })
      : ui('ch8.inference.changed')));
    return el;
  });

  main.define('trainButton', [], () => h('button', { type: 'button', name: 'train' }, ui('ch8.train', { n: STEPS_PER_PRESS })));
  main.define('resetButton', [], () => h('button', { type: 'button', name: 'start-over' }, ui('ch8.startOver')));
  main.variable(mount(mounts.trainControls)).define('trainControls', ['trainButton', 'resetButton'], (train: HTMLButtonElement, reset: HTMLButtonElement) =>
    h('div', { class: 'train-controls' }, train, ' ', reset));
  main.define('training', ['engine', 'trainButton', 'resetButton'], (engine: Engine, train: HTMLButtonElement, reset: HTMLButtonElement) =>
    observe<Training>((change) => {
      let t: Training = { info: null, steps: [], running: false, error: null };
      let fresh = true;
      change(t);
      const run = async () => {
        if (t.running) return;
        t = { ...t, running: true, error: null };
        train.setAttribute('aria-busy', 'true');
        change(t);
        try {
          for (let done = 0; done < STEPS_PER_PRESS; done += STEPS_PER_REQUEST) {
            const r = await engine.request({ type: 'trainDemo', text: TRAIN_TEXT, steps: STEPS_PER_REQUEST, reset: fresh });
            fresh = false;
            const info = { config: r.config, params: r.params, textTokens: r.textTokens, checksumBefore: r.checksumBefore };
            t = { ...t, info: t.info ?? info, steps: [...t.steps, ...r.steps] };
            change(t);
          }
        } catch (e) {
          t = { ...t, error: e instanceof Error ? e.message : String(e) };
        } finally {
          t = { ...t, running: false };
          train.removeAttribute('aria-busy');
          change(t);
        }
      };
      const onTrain = () => void run();
      const onReset = () => {
        if (t.running) return;
        fresh = true;
        t = { info: null, steps: [], running: false, error: null };
        change(t);
      };
      train.addEventListener('click', onTrain);
      reset.addEventListener('click', onReset);
      return () => {
        train.removeEventListener('click', onTrain);
        reset.removeEventListener('click', onReset);
      };
    }));

  main.variable(mount(mounts.learning)).define('learning', ['training', 'width'], async (t: Training, width: number) => {
    await nearViewport(mounts.learning);
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
  });

  main.variable(mount(mounts.contrast)).define('contrast', ['clockState', 'model', 'training'], async (state: ClockState, model: ModelInfo, t: Training) => {
    await nearViewport(mounts.contrast);
    const inf = inferenceRows(state.ticks, model.checksum);
    const infSame = inf.filter((r) => r.same).length;
    const changed = changedSteps(t);
    const n = t.steps.length;
    return table(ui('ch8.contrast.caption'), [ui('ch8.contrast.quantity'), ui('ch8.contrast.inference'), ui('ch8.contrast.training')], [
      [ui('ch8.contrast.ran'), ui(inf.length === 1 ? 'ch8.contrast.ticks.one' : 'ch8.contrast.ticks.other', { n: inf.length }), ui(n === 1 ? 'ch8.contrast.steps.one' : 'ch8.contrast.steps.other', { n })],
      [ui('ch8.contrast.checksum'), ui('ch8.contrast.left', { same: infSame, n: inf.length, checksum: model.checksum }),
        t.info ? ui(n ? 'ch8.contrast.changedTo' : 'ch8.contrast.changed', { changed, n, before: t.info.checksumBefore, after: t.steps.at(-1)?.checksum ?? '' }) : ui('ch8.contrast.notStarted')],
      [ui('ch8.contrast.loss'), ui('ch8.contrast.noLoss'), n ? `${formatDecimal(t.steps[0].loss, 3)} → ${formatDecimal(t.steps.at(-1)!.loss, 3)}` : ui('ch8.contrast.notStarted')],
    ]);
  });

  main.define('trainLog', ['bundledModel'], (m: { name: string; url: string }) => fetchTrainLog(m.url));
  for (const name of RUN_SPANS) {
    main.variable(mount(mounts[name])).define(name, ['trainLog', 'bundledModel'], (log: TrainLog | null, m: { name: string }) =>
      log ? runSentences(runFacts(log), m.name)[name] : ui('ch8.run.noLog'));
  }
  main.variable(mount(mounts.runAfter)).define('runAfter', ['trainLog', 'bundledModel', 'model'], (log: TrainLog | null, m: { name: string; url: string }, model: ModelInfo) =>
    afterTraining(log, m, model));
  main.variable(mount(mounts.lossCurve)).define('lossCurve', ['trainLog', 'bundledModel', 'width'], async (log: TrainLog | null, m: { name: string; url: string }, width: number) => {
    await nearViewport(mounts.lossCurve);
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
  });
  definePredict(main, mounts.predict, checksumQuestion);
  return main;
}
