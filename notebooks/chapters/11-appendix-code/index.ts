/**
 * Appendix, the code. The page shows notebooks/appendix/generate.ts as it is; its live cells run
 * the same Session, one tick per Next token, in the engine worker: the token strip and one table
 * row per tick (what `for await (const tick of session.run(…))` yields, tick by tick).
 *
 *   inputs ─ clock ─ clockState ─┬─ tokens
 *                                ├─ loop (the ticks as the loop sees them)
 *                                └─ predict (how many tokens will the next tick feed?)
 */
import type { ClockState } from '../../clock.ts';
import { note } from '../../dom.ts';
import { figure, openChapter } from '../../chapter.ts';
import { definePredict } from '../../predict.ts';
import type { Module, Mounts, Runtime } from '../../runtime.ts';
import { loop } from './figures.ts';
import { fedQuestion } from './question.ts';
import { ui } from './strings.ts';

/** Define the chapter's cells over the page's mounts. */
export function define(runtime: Runtime, mounts: Mounts): Module {
  const { main } = openChapter(runtime, mounts, { timeline: false });
  figure(main, mounts.loop, 'loop', ['clockState'], (state: ClockState) =>
    (state.ticks.length ? loop(state.ticks.slice(-12), state.ticks.length) : note(ui('ch11.empty'))));
  definePredict(main, mounts.predict, fedQuestion);
  return main;
}
