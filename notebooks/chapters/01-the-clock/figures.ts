/**
 * Chapter 1's figures, built from its data: the tick beside a CPU's instruction cycle, the
 * registers before and after, and the clock rate.
 */
import { h, table } from '../../../components/dom.ts';
import { formatCount, formatMs } from '../../../components/format.ts';
import { words } from '../../../components/words.strings.ts';
import { kindName } from '../../cells.ts';
import type { ClockState } from '../../clock.ts';
import { note } from '../../dom.ts';
import type { ModelInfo } from '../../../engine/protocol.ts';
import { clockRate, cycleRows, registerRows } from './data.ts';
import type { Clock } from '../../clock.ts';
import { WholeTick, type WholeTickStage } from '../../../components/whole-tick.ts';
import { wholeTickData } from '../../whole-tick.ts';
import { ui } from './strings.ts';

/** The latest tick, stage by stage, beside a processor's instruction cycle. */
export function cycleFigure(state: ClockState, model: ModelInfo): HTMLElement {
  const t = state.ticks.at(-1);
  if (!t) return note(ui('ch1.cycleEmpty'));
  const rows = cycleRows(t, model, state.promptTokens.length + state.ticks.length);
  return table(ui('ch1.cycleCaption', { index: t.index, kind: kindName(t.kind) }),
    [ui('ch1.col.cpu'), ui('ch1.col.tick'), ui('ch1.col.did', { index: t.index })], rows.map((r) => [r.cpu, r.tick, r.measured]));
}

/** What the latest tick changed and what it did not, with the weights' checksums in data attributes. */
export function registersFigure(state: ClockState, model: ModelInfo): HTMLElement {
  const rows = registerRows(state, model);
  const t = state.ticks.at(-1);
  if (!t) return note(ui('ch1.registersEmpty', { checksum: model.checksum }));
  const el = table(ui('ch1.registersCaption', { index: t.index }), [ui('ch1.col.quantity'), ui('ch1.col.before'), ui('ch1.col.after'), ui('ch1.col.changed')],
    rows.map((r) => [r.what, r.before, r.after, words(r.changed ? 'common.yes' : 'common.no')]), { rowClass: (i) => (rows[i].changed ? 'changed' : 'unchanged') });
  el.dataset.weightsAtLoad = model.checksum;
  const now = state.verified[t.index] ?? t.weightsVerified;
  if (now !== undefined) el.dataset.weightsNow = now; // absent until the read-back after this tick arrives
  return el;
}

/** The clock rate, measured. */
export function rateFigure(state: ClockState): HTMLElement {
  const r = clockRate(state);
  if (!r) return note(ui('ch1.rateEmpty'));
  return h('p', { class: 'clock-rate', 'data-ticks-per-second': r.ticksPerSecond },
    h('strong', {}, ui('ch1.rate.perSecond', { n: formatCount(Math.round(r.ticksPerSecond)) })),
    ui('ch1.rate.mean', { ms: formatMs(r.msPerTick), n: r.decodeTicks }),
    r.prefillMs === null ? '' : ui('ch1.rate.prefill', { ms: formatMs(r.prefillMs) }),
    r.wallTicksPerSecond === null ? '' : ui('ch1.rate.wall', { n: formatCount(Math.round(r.wallTicksPerSecond)) }));
}

/** Each stage of the whole-tick map opens its chapter (relative: the same in both editions). */
const WHOLE_LINKS: Record<WholeTickStage, string> = {
  tokens: '../tokens/', embeddings: '../embeddings/', attention: '../attention/', mlp: '../mlp-residual/',
  logits: '../logits-to-token/', probs: '../logits-to-token/', dice: '../logits-to-token/', append: '../kv-cache/',
};

/**
 * The whole tick on one screen (components/whole-tick.ts): the tick picked in the timeline (the
 * latest by default), every stage with its numbers. A candidate the dice did not choose forks the
 * run there (Clock.fork); the run it left is shown beneath, with Back.
 */
export function wholeTickFigure(state: ClockState, model: ModelInfo, clock: Clock, selected: number | null): HTMLElement {
  const picked = state.ticks.findIndex((t) => t.index === selected);
  const shown = state.ticks.length === 0 ? null : picked >= 0 ? picked : state.ticks.length - 1;
  const data = wholeTickData(model.config, model.checksum, state.promptTokens, state.ticks, shown);
  const idle = !state.playing && !state.busy;
  const map = WholeTick(data, { links: WHOLE_LINKS, onForce: idle && shown !== null ? (id) => void clock.fork(shown, id) : undefined });
  const left = state.left;
  if (!left) return h('div', { class: 'whole-tick-cell' }, map);
  const back = h('button', { type: 'button', disabled: !idle }, ui('ch1.whole.back'));
  back.addEventListener('click', () => void clock.back());
  return h('div', { class: 'whole-tick-cell' }, map,
    h('div', { class: 'branch' },
      h('p', {}, ui('ch1.whole.left', { index: left.at })),
      h('p', { class: 'branch-text', translate: 'no' }, left.ticks.slice(left.at).map((t) => t.text).join('')),
      back));
}
