/**
 * Chapter 9, cost and speed: a tick's arithmetic is about two FLOPs per parameter outside the
 * embeddings (2N), plus the LM head; each decode tick reads every weight once, so it also moves
 * the weights' bytes. The page measures the reader's tokens per second from the ticks, sets them
 * against this device's matmul peak (measured once, on demand, in the engine worker), and works
 * out what GPT-2 124M would cost per token from its config.
 *
 *   inputs ─ clock ─ clockState ─┬─ timeline, tokens
 *                                ├─ cost (the 2N equation with this model's numbers)
 *                                ├─ bytes (weights moved per token)
 *                                ├─ costs (each decode tick's FLOPs, bytes read and tokens/s, charted)
 *                                ├─ speed (tokens/s against the peak) ─ peak ─ peakView (button)
 *                                ├─ gpt2 (the 124M model against this one)
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
import { mount, type Module, type Mounts, type Runtime } from '../../runtime.ts';
import { bytes, cost, costs, gpt2, speed } from './figures.ts';
import { peak } from './peak.ts';
import { timingQuestion } from './question.ts';
import { ui } from './strings.ts';

/** Define the chapter's cells over the page's mounts. */
export function define(runtime: Runtime, mounts: Mounts): Module {
  const { main } = openChapter(runtime, mounts);

  figure(main, mounts.cost, 'cost', ['clockState', 'model'], (state: ClockState, model: ModelInfo) => cost(state.ticks, model));
  figure(main, mounts.bytes, 'bytes', ['model'], (model: ModelInfo) => bytes(model));
  figure(main, mounts.costs, 'costs', ['clockState', 'model', 'width'], (state: ClockState, model: ModelInfo, width: number) => costs(state.ticks, model, width));

  main.define('peakButton', [], () => h('button', { type: 'button', name: 'measure-peak' }, ui('ch9.peak.button')));
  main.variable(mount(mounts.peak)).define('peakView', ['peakButton'], (button: HTMLButtonElement) =>
    h('div', { class: 'peak-control' }, button));
  main.define('peak', ['engine', 'peakButton'], peak);

  figure(main, mounts.speed, 'speed', ['clockState', 'model', 'peak'], (state: ClockState, model: ModelInfo, p: PeakResult | null) => speed(state.ticks, model, p));
  figure(main, mounts.gpt2, 'gpt2', ['clockState', 'model'], (state: ClockState, model: ModelInfo) => gpt2(state.ticks, model));
  definePredict(main, mounts.predict, timingQuestion);
  return main;
}
