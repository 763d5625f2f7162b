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
 *
 * data.ts and train-log.ts shape the numbers (no DOM), training.ts runs the demo, figures.ts
 * draws, question.ts asks, strings.ts says it.
 */
import { withVerified, type ClockState } from '../../clock.ts';
import { h } from '../../dom.ts';
import type { ModelInfo } from '../../../engine/protocol.ts';
import { figure, openChapter } from '../../chapter.ts';
import { definePredict } from '../../predict.ts';
import { mount, type Module, type Mounts, type Runtime } from '../../runtime.ts';
import { STEPS_PER_PRESS, type Training } from './data.ts';
import { contrast, inference, learning, lossCurve } from './figures.ts';
import { checksumQuestion } from './question.ts';
import { afterTraining, fetchTrainLog, RUN_SPANS, runFacts, runSentences, type TrainLog } from './train-log.ts';
import { training } from './training.ts';
import { ui } from './strings.ts';

type Bundled = { name: string; url: string };

/** Define the chapter's cells over the page's mounts. */
export function define(runtime: Runtime, mounts: Mounts): Module {
  const { main } = openChapter(runtime, mounts, { verifyWeights: true });

  figure(main, mounts.inference, 'inference', ['clockState', 'model', 'weightsVerified'], (state: ClockState, model: ModelInfo, verified: ClockState['verified']) =>
    inference(withVerified(state.ticks, verified), model));

  main.define('trainButton', [], () => h('button', { type: 'button', name: 'train' }, ui('ch8.train', { n: STEPS_PER_PRESS })));
  main.define('resetButton', [], () => h('button', { type: 'button', name: 'start-over' }, ui('ch8.startOver')));
  main.variable(mount(mounts.trainControls)).define('trainControls', ['trainButton', 'resetButton'], (train: HTMLButtonElement, reset: HTMLButtonElement) =>
    h('div', { class: 'train-controls' }, train, ' ', reset));
  main.define('training', ['engine', 'trainButton', 'resetButton'], training);
  figure(main, mounts.learning, 'learning', ['training', 'width'], (t: Training, width: number) => learning(t, width));
  figure(main, mounts.contrast, 'contrast', ['clockState', 'model', 'training', 'weightsVerified'],
    (state: ClockState, model: ModelInfo, t: Training, verified: ClockState['verified']) => contrast(withVerified(state.ticks, verified), model, t));

  main.define('trainLog', ['bundledModel'], (m: Bundled) => fetchTrainLog(m.url));
  for (const name of RUN_SPANS) {
    main.variable(mount(mounts[name])).define(name, ['trainLog', 'bundledModel'], (log: TrainLog | null, m: Bundled) =>
      log ? runSentences(runFacts(log), m.name)[name] : ui('ch8.run.noLog'));
  }
  main.variable(mount(mounts.runAfter)).define('runAfter', ['trainLog', 'bundledModel', 'model'], (log: TrainLog | null, m: Bundled, model: ModelInfo) =>
    afterTraining(log, m, model));
  figure(main, mounts.lossCurve, 'lossCurve', ['trainLog', 'bundledModel', 'width'], (log: TrainLog | null, m: Bundled, width: number) => lossCurve(log, m, width));
  definePredict(main, mounts.predict, checksumQuestion);
  return main;
}
