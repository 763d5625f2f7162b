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
import type { Engine } from '../engine.ts';
import type { ModelInfo, TickSummary, TrainDemoResult, TrainStep } from '../engine-protocol.ts';
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
    throw new Error(`train-log.json: ${what}`);
  };
  const o = json as Partial<TrainLog> | null;
  if (!o || typeof o !== 'object') bad('not a JSON object');
  if (!o!.config || !isNum(o!.config.vocab_size)) bad('config.vocab_size missing');
  if (!o!.train || !isNum(o!.train.batch) || !isNum(o!.train.ctx)) bad('train.batch or train.ctx missing');
  if (!Array.isArray(o!.steps) || o!.steps.length === 0) bad('no steps');
  if (!Array.isArray(o!.evals)) bad('no evals');
  o!.steps!.forEach((s, i) => {
    if (!isNum(s?.step) || !isNum(s?.loss)) bad(`steps[${i}] needs a numeric step and loss`);
  });
  o!.evals!.forEach((e, i) => {
    if (!isNum(e?.step) || !isNum(e?.loss)) bad(`evals[${i}] needs a numeric step and loss`);
  });
  return o as TrainLog;
}

/** Fetch and check the training log of the model folder at `modelUrl`; null when the folder has none (404). */
export async function fetchTrainLog(modelUrl: string, fetchImpl: typeof fetch = globalThis.fetch): Promise<TrainLog | null> {
  const url = trainLogUrl(modelUrl);
  const res = await fetchImpl(url);
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`train-log.json: HTTP ${res.status} from ${url}`);
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    throw new Error('train-log.json: not valid JSON');
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
  const ev = (e: LossEval | null) => (e ? `${formatLoss(e.loss)} nats per token${e.bitsPerByte !== undefined ? ` (${formatLoss(e.bitsPerByte)} bits per byte)` : ''}` : 'not measured');
  return {
    runName: name,
    runSteps: formatInteger(f.steps),
    runBatch: `${formatInteger(f.batch)} passages of ${formatInteger(f.ctx)} tokens`,
    runTokens: formatCount(f.tokens),
    runFirstLoss: formatLoss(f.first.loss),
    runUniform: `ln ${formatInteger(f.vocab)} = ${formatLoss(f.uniform)}`,
    runLastEval: ev(f.lastEval),
    runLastTrain: `${formatLoss(f.lastMean)} (the mean of its last ${LOSS_SMOOTH} steps)`,
  };
}

/** The names of the prose's number spans. */
export const RUN_SPANS = ['runName', 'runSteps', 'runBatch', 'runTokens', 'runFirstLoss', 'runUniform', 'runLastEval', 'runLastTrain'] as const;

/** The sentence after the curve: whether the page runs the weights that run made (the reader may have chosen another model). */
export function afterTraining(log: TrainLog | null, bundled: { name: string; url: string }, model: ModelInfo): string {
  if (model.url === bundled.url && log) {
    return `The weights this page runs are the ones saved after step ${formatInteger(log.steps.at(-1)!.step)}, and the checksum above shows that no tick has changed them since.`;
  }
  return `This page runs ${model.label}, chosen on the Models page, which was trained with a loss and gradients too; whichever model runs, the checksum above shows that no tick changes its weights.`;
}

/** What to look at in the loss curve, with the run's own numbers. */
export function lossCaption(f: RunFacts, name: string): string {
  let s = `The training log of ${name}: ${formatInteger(f.steps)} steps, each on ${formatInteger(f.batch)} passages of ${formatInteger(f.ctx)} tokens. ` +
    `The loss starts at ${formatLoss(f.first.loss)} nats per token; the dashed line is ln ${formatInteger(f.vocab)} = ${formatLoss(f.uniform)}, ` +
    `the loss of a model that gives each of its ${formatInteger(f.vocab)} tokens the same probability. Look at how fast it falls in the first steps, and how slowly after.`;
  if (f.lastEval) {
    s += ` At the end, text it trained on scores ${formatLoss(f.lastMean)} (the mean of the last ${LOSS_SMOOTH} steps) and held-out chapters ${formatLoss(f.lastEval.loss)}` +
      (f.lastEval.bitsPerByte !== undefined ? ` (${formatLoss(f.lastEval.bitsPerByte)} bits per byte)` : '') +
      ': the gap between the blue and orange lines is how much better it does on text it has seen than on text it has not.';
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
  el('text', { x: (W + m.l) / 2, y: H - 8, 'text-anchor': 'middle' }, `step (1 to ${n})`);
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
    if (state.ticks.length === 0) return note(`No tick yet: press Next token. The weights' checksum taken at load is ${model.checksum}.`);
    const all = inferenceRows(state.ticks, model.checksum);
    const rows = all.slice(-12);
    const el = h('div', {
      class: 'inference-weights', 'data-ticks': all.length, 'data-at-load': model.checksum,
      'data-checksums': [...new Set(all.map((r) => r.checksum))].join(' '),
    },
    table(`Inference: the weights' checksum read back from the backend after each tick (the latest ${rows.length} of ${all.length})`,
      ['Tick', 'Weights checksum after it', 'Same as at load?'],
      rows.map((r) => [formatInteger(r.index), r.checksum, r.same ? 'yes' : 'no'])),
    h('p', {}, all.every((r) => r.same)
      ? `${all.length} tick${all.length === 1 ? '' : 's'}, and the ${formatCount(model.params)} weights are the same after every one: ${model.checksum}.`
      : 'The weights changed during a tick. That should never happen in inference.'));
    return el;
  });

  main.define('trainButton', [], () => h('button', { type: 'button', name: 'train' }, `Train ${STEPS_PER_PRESS} steps`));
  main.define('resetButton', [], () => h('button', { type: 'button', name: 'start-over' }, 'Start over'));
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
    if (t.error) return note(`Training failed: ${t.error}`);
    if (!t.info || t.steps.length === 0) return note(t.running ? 'Training…' : 'Not trained yet: press Train to run the tiny model’s first steps.');
    const first = t.steps[0];
    const last = t.steps.at(-1)!;
    const c = t.info.config;
    const caption = `Training loss of a tiny GPT-2 (${c.n_layer} layer, ${c.n_head} heads, width ${c.n_embd}, ${formatCount(t.info.params)} parameters) ` +
      `on a ${t.info.textTokens}-token text: ${formatDecimal(first.loss, 3)} after step ${first.step}, ${formatDecimal(last.loss, 3)} after step ${last.step}` +
      (t.running ? ' (still training)' : '');
    const rows = t.steps.map((s) => [formatInteger(s.step), formatDecimal(s.loss, 4), s.checksum, formatMs(s.ms)]);
    const el = chartWithTable(lossChart(t.steps, width, caption),
      table(caption, ['Step', 'Loss (nats per token)', 'Weights checksum after it', 'Time'], rows));
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
    return table('Inference and training in this page, side by side', ['Quantity', 'Inference (the clock)', 'Training (the tiny model)'], [
      ['What ran', `${inf.length} tick${inf.length === 1 ? '' : 's'}: forward passes`, `${t.steps.length} step${t.steps.length === 1 ? '' : 's'}: forward, backward, AdamW update`],
      ['Weights checksum', `${infSame} of ${inf.length} ticks left it at ${model.checksum}`, t.info ? `changed at ${changed} of ${t.steps.length} steps, from ${t.info.checksumBefore}${t.steps.length ? ` to ${t.steps.at(-1)!.checksum}` : ''}` : 'not started'],
      ['Loss', 'none: nothing is being learned', t.steps.length ? `${formatDecimal(t.steps[0].loss, 3)} → ${formatDecimal(t.steps.at(-1)!.loss, 3)}` : 'not started'],
    ]);
  });

  main.define('trainLog', ['bundledModel'], (m: { name: string; url: string }) => fetchTrainLog(m.url));
  for (const name of RUN_SPANS) {
    main.variable(mount(mounts[name])).define(name, ['trainLog', 'bundledModel'], (log: TrainLog | null, m: { name: string }) =>
      log ? runSentences(runFacts(log), m.name)[name] : '(no training log)');
  }
  main.variable(mount(mounts.runAfter)).define('runAfter', ['trainLog', 'bundledModel', 'model'], (log: TrainLog | null, m: { name: string; url: string }, model: ModelInfo) =>
    afterTraining(log, m, model));
  main.variable(mount(mounts.lossCurve)).define('lossCurve', ['trainLog', 'bundledModel', 'width'], async (log: TrainLog | null, m: { name: string; url: string }, width: number) => {
    await nearViewport(mounts.lossCurve);
    if (!log) return note(`The model folder ${m.url} has no train-log.json, so there is no training run to show.`);
    const f = runFacts(log);
    const caption = lossCaption(f, m.name);
    const data = { steps: log.steps, evals: log.evals };
    const el = chartWithTable(
      LossCurve(data, { width, vocabSize: f.vocab, smooth: LOSS_SMOOTH, label: `Loss curve of ${m.name}: training loss at each of ${formatInteger(f.steps)} steps and validation loss at ${formatInteger(log.evals.length)} points` }),
      LossCurveTable(data, { caption: `${m.name}: loss at the first step and at each evaluation (nats per token)` }));
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
