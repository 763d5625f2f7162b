/** Chapter 8's question: will the weights' checksum change after N more ticks? */
import { formatCount } from '../../../components/format.ts';
import { strings as shared } from '../../strings.ts';
import type { PredictAnswer } from '../../../components/predict.ts';
import type { TickSummary } from '../../../engine/protocol.ts';
import { paramInt, ticksFrom, type PredictSpec } from '../../predict.ts';
import { withVerified } from '../../clock.ts';
import { ui } from './strings.ts';

/** How many ticks the checksum question runs, unless the prose names another number (params.ticks). */
export const CHECKSUM_TICKS = 10;

/** The weights' checksum as the engine last read it back (after the latest tick whose read-back has arrived), else at load. */
export const currentChecksum = (ticks: TickSummary[], atLoad: string): string =>
  [...ticks].reverse().find((t) => t.weightsVerified !== undefined)?.weightsVerified ?? atLoad;

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
    context: ui('predict.ch8.context', { checksum: currentChecksum(withVerified(state.ticks, state.verified), model.checksum), n: paramInt(params, 'ticks', CHECKSUM_TICKS, 1, 100) }),
    revealLabel: shared('predict.runTicks', { n: paramInt(params, 'ticks', CHECKSUM_TICKS, 1, 100) }),
  }),
  commit: ({ state, model }, params) => ({ from: state.ticks.length, n: paramInt(params, 'ticks', CHECKSUM_TICKS, 1, 100), before: currentChecksum(withVerified(state.ticks, state.verified), model.checksum) }),
  async reveal(guess, { from, n, before }, live) {
    const { clock } = live();
    const ticks = await ticksFrom(clock, from, n);
    await Promise.all(ticks.map((t) => clock.verifiedAfter(t.index))); // each tick's read-back follows it
    return checksumAnswer(guess, before, withVerified(ticks, clock.current.verified), live().model.params);
  },
};
