/**
 * Chapter 9, cost and speed: a tick's arithmetic is about two FLOPs per parameter outside the
 * embeddings (2N), plus the LM head; each decode tick reads every weight once, so it also moves
 * the weights' bytes. The page measures the reader's tokens per second from the ticks and sets
 * each tick's time against this device's two floors (its matmul peak and its memory bandwidth,
 * measured once, on demand, in the engine worker), and works out what GPT-2 124M costs per token
 * from its config, with a lower bound on its time from the measured bandwidth.
 *
 *   inputs ─ clock ─ clockState ─┬─ timeline, tokens
 *                                ├─ cost (the 2N equation with this model's numbers)
 *                                ├─ bytes (weights moved per token)
 *                                ├─ costs (each decode tick's time over the device's floors) ─ peak ─ peakView (button)
 *                                ├─ speed (tokens/s, GFLOP/s and GB/s against the device's) ─ peak
 *                                ├─ gpt2 (the 124M model against this one; its time's floor) ─ peak
 *                                ├─ race (this device's result line, the class's lines side by side; built once, told of each run)
 *                                └─ predict (will decode ticks get slower as the context grows? N ticks, measured)
 *
 * data.ts counts (no DOM), figures.ts draws, peak.ts measures the device, question.ts asks,
 * strings.ts says it.
 */
import type { ClockState } from '../../clock.ts';
import { h } from '../../dom.ts';
import type { ModelInfo, PeakResult } from '../../../engine/protocol.ts';
import { figure, openChapter } from '../../chapter.ts';
import { definePredict } from '../../predict.ts';
import { mount, run, type Module, type Mounts, type Runtime } from '../../runtime.ts';
import { bytes, cost, costs, gpt2, speed } from './figures.ts';
import { peak } from './peak.ts';
import { timingQuestion } from './question.ts';
import { ui } from './strings.ts';
import { raceView, type RaceView } from './race-view.ts';
import type { Engine } from '../../../engine/engine.ts';

/** Define the chapter's cells over the page's mounts. */
export function define(runtime: Runtime, mounts: Mounts): Module {
  const { main } = openChapter(runtime, mounts);

  figure(main, mounts.cost, 'cost', ['clockState', 'model'], (state: ClockState, model: ModelInfo) => cost(state.ticks, model));
  figure(main, mounts.bytes, 'bytes', ['model'], (model: ModelInfo) => bytes(model));

  main.define('peakButton', [], () => h('button', { type: 'button', name: 'measure-peak' }, ui('ch9.peak.button')));
  main.variable(mount(mounts.peak)).define('peakView', ['peakButton'], (button: HTMLButtonElement) =>
    h('div', { class: 'peak-control' }, button));
  main.define('peak', ['engine', 'model', 'peakButton'], peak);

  figure(main, mounts.costs, 'costs', ['clockState', 'model', 'width', 'peak'], (state: ClockState, model: ModelInfo, width: number, p: PeakResult | null) => costs(state.ticks, model, width, p));

  figure(main, mounts.speed, 'speed', ['clockState', 'model', 'peak'], (state: ClockState, model: ModelInfo, p: PeakResult | null) => speed(state.ticks, model, p));
  figure(main, mounts.gpt2, 'gpt2', ['clockState', 'model', 'peak'], (state: ClockState, model: ModelInfo, p: PeakResult | null) => gpt2(state.ticks, model, p));
  // The class race: built once (what the reader typed or pasted survives ticks), told of every run.
  main.define('race', [], () => raceView());
  figure(main, mounts.race, 'raceView', ['race'], (r: RaceView) => r.root); // drawn once it nears the viewport, like every figure
  main.variable(run).define('raceUpdate', ['race', 'clockStatus', 'model', 'engine'], (r: RaceView, state: ClockState, model: ModelInfo, engine: Engine) => r.update(state, model, engine));
  definePredict(main, mounts.predict, timingQuestion);
  return main;
}
