/**
 * Appendix, the code. The page shows notebooks/appendix/generate.ts as it is; its live cells run
 * the same Session, one tick per Next token, in the engine worker: the token strip and one table
 * row per tick (what `for await (const tick of session.run(…))` yields, tick by tick).
 *
 *   inputs ─ clock ─ clockState ─┬─ tokens
 *                                └─ loop (the ticks as the loop sees them)
 */
import { formatInteger } from '../../components/format.ts';
import { visibleText } from '../../components/text.ts';
import { controlElements, defineClock, defineInputs, defineTokens } from '../cells.ts';
import type { ClockState } from '../clock.ts';
import { h, note } from '../dom.ts';
import { mount, nearViewport, type Module, type Mounts, type Runtime } from '../runtime.ts';

/** Define the chapter's cells over the page's mounts. */
export function define(runtime: Runtime, mounts: Mounts): Module {
  const main = runtime.module();
  const c = controlElements(mounts);
  defineInputs(main, c);
  defineClock(main, c);
  defineTokens(main, mounts.tokens);

  main.variable(mount(mounts.loop)).define('loop', ['clockState'], async (state: ClockState) => {
    await nearViewport(mounts.loop);
    if (state.ticks.length === 0) return note('No tick yet: press Next token, and each tick the loop yields adds a row here.');
    const rows = state.ticks.slice(-12);
    return h('table', { class: 'loop-ticks', 'data-ticks': state.ticks.length },
      h('caption', {}, `The ticks the loop has yielded (the latest ${rows.length} of ${state.ticks.length})`),
      h('thead', {}, h('tr', {}, ...['tick.index', 'tick.kind', 'tokens fed', 'tick.id', 'tick.text'].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, ...rows.map((t) => h('tr', {},
        h('th', { scope: 'row' }, formatInteger(t.index)),
        h('td', {}, t.kind),
        h('td', {}, formatInteger(t.fed)),
        h('td', {}, formatInteger(t.id)),
        h('td', {}, visibleText(t.piece.text))))));
  });
  return main;
}
