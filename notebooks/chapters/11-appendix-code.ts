/**
 * Appendix, the code. The page shows notebooks/appendix/generate.ts as it is; its live cells run
 * the same Session, one tick per Next token, in the engine worker: the token strip and one table
 * row per tick (what `for await (const tick of session.run(…))` yields, tick by tick).
 *
 *   inputs ─ clock ─ clockState ─┬─ tokens
 *                                ├─ loop (the ticks as the loop sees them)
 *                                └─ predict (how many tokens will the next tick feed?)
 */
import { formatInteger } from '../../components/format.ts';
import { t as ui } from '../../components/i18n/index.ts';
import type { PredictAnswer } from '../../components/predict.ts';
import { visibleText } from '../../components/text.ts';
import { controlElements, defineClock, defineInputs, defineTokens } from '../cells.ts';
import type { ClockState } from '../clock.ts';
import { h, note } from '../dom.ts';
import type { TickSummary } from '../../engine/protocol.ts';
import { definePredict, ticksFrom, type PredictSpec } from '../predict.ts';
import { mount, nearViewport, type Module, type Mounts, type Runtime } from '../runtime.ts';

/** The answer: how many tokens the tick ran through the model (tick.fed in the loop's record). */
export function fedAnswer(guess: string, t: TickSummary): PredictAnswer {
  return {
    label: formatInteger(t.fed),
    value: String(t.fed),
    match: guess === String(t.fed),
    detail: t.kind === 'prefill'
      ? ui('predict.ch11.prefill', { index: t.index, fed: t.fed })
      : ui('predict.ch11.decode', { index: t.index, cached: t.position }),
  };
}

/** How many tokens will the next tick feed through the model? The reader types a number; the tick runs and says. */
export const fedQuestion: PredictSpec<{ from: number }> = {
  ask: ({ state, model }) => ({
    input: { type: 'number', label: ui('predict.ch11.label'), min: 0, max: model.config.n_positions },
    context: ui('predict.ch11.context', { ticks: state.ticks.length, prompt: state.promptTokens.length }),
    revealLabel: ui('predict.runTick'),
  }),
  commit: ({ state }) => ({ from: state.ticks.length }),
  async reveal(guess, { from }, live) {
    const [t] = await ticksFrom(live().clock, from, 1);
    return fedAnswer(guess, t);
  },
};

/** Define the chapter's cells over the page's mounts. */
export function define(runtime: Runtime, mounts: Mounts): Module {
  const main = runtime.module();
  const c = controlElements(mounts);
  defineInputs(main, c);
  defineClock(main, c);
  defineTokens(main, mounts.tokens);

  main.variable(mount(mounts.loop)).define('loop', ['clockState'], async (state: ClockState) => {
    await nearViewport(mounts.loop);
    if (state.ticks.length === 0) return note(ui('ch11.empty'));
    const rows = state.ticks.slice(-12);
    return h('table', { class: 'loop-ticks', 'data-ticks': state.ticks.length },
      h('caption', {}, ui('ch11.caption', { n: rows.length, total: state.ticks.length })),
      // The loop's own names (fields of a tick, and tick.kind's values) stay as the code has them.
      h('thead', {}, h('tr', {}, ...['tick.index', 'tick.kind', ui('ch11.fed'), 'tick.id', 'tick.text'].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, ...rows.map((t) => h('tr', {},
        h('th', { scope: 'row' }, formatInteger(t.index)),
        h('td', { translate: 'no' }, t.kind),
        h('td', {}, formatInteger(t.fed)),
        h('td', {}, formatInteger(t.id)),
        h('td', { translate: 'no' }, visibleText(t.piece.text))))));
  });
  definePredict(main, mounts.predict, fedQuestion);
  return main;
}
