/**
 * Chapter 1, the clock: inference as a loop of ticks. Each tick reads the context, runs the
 * layers, turns logits into probabilities and appends one token — like a CPU's fetch, decode,
 * execute, write back. Between ticks the token sequence and the KV cache change; the weights do
 * not (their checksum is re-read from the backend after every tick). The clock rate is measured.
 *
 *   inputs ─ clock ─ clockState ─┬─ timeline, tokens
 *                                ├─ whole (the picked tick, every stage with its numbers; forks)
 *                                ├─ cycle (the latest tick, stage by stage)
 *                                ├─ registers (what changed, what did not; with weightsVerified, read back after the tick is shown)
 *                                ├─ rate (ticks per second)
 *                                └─ predict (guess the next token, then run the tick)
 */
import { figure, openChapter } from '../../chapter.ts';
import type { ClockState } from '../../clock.ts';
import type { ModelInfo } from '../../../engine/protocol.ts';
import { definePredict } from '../../predict.ts';
import type { Module, Mounts, Runtime } from '../../runtime.ts';
import { cycleFigure, rateFigure, registersFigure, wholeTickFigure } from './figures.ts';
import type { Clock } from '../../clock.ts';
import { WHOLE_TICK_TRACE } from '../../whole-tick.ts';
import { nextTokenQuestion } from './question.ts';

/** Define the chapter's cells over the page's mounts. */
export function define(runtime: Runtime, mounts: Mounts): Module {
  const { main } = openChapter(runtime, mounts, { verifyWeights: true, trace: WHOLE_TICK_TRACE });
  figure(main, mounts.whole, 'whole', ['clockState', 'model', 'clock', 'selected'],
    (state: ClockState, model: ModelInfo, clock: Clock, selected: number | null) => wholeTickFigure(state, model, clock, selected));
  figure(main, mounts.cycle, 'cycle', ['clockState', 'model'], (state: ClockState, model: ModelInfo) => cycleFigure(state, model));
  figure(main, mounts.registers, 'registers', ['clockState', 'model', 'weightsVerified'],
    (state: ClockState, model: ModelInfo, verified: ClockState['verified']) => registersFigure({ ...state, verified }, model));
  figure(main, mounts.rate, 'rate', ['clockState'], (state: ClockState) => rateFigure(state));
  definePredict(main, mounts.predict, nextTokenQuestion);
  return main;
}
