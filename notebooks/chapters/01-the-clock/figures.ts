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
  el.dataset.weightsNow = t.weightsVerified ?? t.weightsChecksum;
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
