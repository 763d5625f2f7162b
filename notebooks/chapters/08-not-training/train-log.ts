/**
 * The bundled model's training log (train-log.json, as train/run.ts writes it beside the weights):
 * fetched, checked, and read into the numbers the prose and the loss curve's caption quote. No DOM.
 */
import { formatCount, formatInteger, formatLoss } from '../../../components/format.ts';
import type { LossEval, LossStep } from '../../../components/loss-curve.ts';
import type { ModelInfo } from '../../../engine/protocol.ts';
import { FINAL_LOSS_STEPS, finalTrainLoss } from '../../../model/loss-summary.ts';
import { ui } from './strings.ts';

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

/**
 * Steps in the trailing mean the loss curve draws: the same steps that define the end-of-run
 * training loss (model/loss-summary.ts), so the thick line ends at the figure the prose and the
 * model card quote.
 */
export const LOSS_SMOOTH = FINAL_LOSS_STEPS;

/** The numbers the prose and caption quote, each from the log. */
export interface RunFacts {
  steps: number; // updates
  batch: number; // sequences a step
  ctx: number; // tokens a sequence
  tokens: number; // steps × batch × ctx: tokens the model was trained on, repeats included
  first: LossStep; // the first step
  last: LossStep; // the last step
  lastMean: number; // the end-of-run training loss: mean of the last FINAL_LOSS_STEPS steps
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
    lastMean: finalTrainLoss(steps.map((s) => s.loss)),
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
