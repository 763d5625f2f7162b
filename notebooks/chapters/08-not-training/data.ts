/**
 * Chapter 8's data: what the tiny model learns, the training demo's state, and the rows that set
 * the clock's ticks (the weights' checksum never changes) against the training steps (it changes
 * at every step). No DOM.
 */
import type { TickSummary, TrainDemoResult, TrainStep } from '../../../engine/protocol.ts';

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

/**
 * One row per tick: the weights' checksum the engine read back after it, against the one taken at
 * load (checksum undefined, same false: the read-back has not arrived yet).
 */
export function inferenceRows(ticks: TickSummary[], atLoad: string): { index: number; checksum: string | undefined; same: boolean }[] {
  return ticks.map((t) => ({ index: t.index, checksum: t.weightsVerified, same: t.weightsVerified === atLoad }));
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
