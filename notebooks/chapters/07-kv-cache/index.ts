/**
 * Chapter 7, the loop and the KV cache: the prefill reads the whole prompt in one pass and fills
 * the cache; each decode tick feeds one token and reads every earlier key and value from it.
 * The page measures, live, what the cache saves: one recompute of the whole cached sequence from
 * scratch (a `recompute` request, the engine's own forward with a fresh cache) against the last
 * decode tick. The cache grows by one position a tick, and so does each tick's cost.
 *
 *   inputs ─ clock ─ clockState ─┬─ timeline, tokens
 *                                ├─ phases (prefill against decode)
 *                                ├─ recompute (measured) ─ versus
 *                                ├─ cumulative (the generation's total work with and without the cache: counted, then measured)
 *                                ├─ growth (cache bytes per tick)
 *                                ├─ budget (a position's cache in F32 and F16, where it outgrows the weights; this session's work with and without it)
 *                                ├─ flops (the formula with this tick's numbers)
 *                                └─ predict (how many positions will the cache hold after N more ticks?)
 *
 * data.ts counts (no DOM), figures.ts draws, question.ts asks, strings.ts says it.
 */
import type { ClockState } from '../../clock.ts';
import { h, note } from '../../dom.ts';
import type { Engine } from '../../../engine/engine.ts';
import type { ModelInfo, RecomputeResult, TickSummary } from '../../../engine/protocol.ts';
import { figure, openChapter } from '../../chapter.ts';
import { definePredict } from '../../predict.ts';
import type { Module, Mounts, Runtime } from '../../runtime.ts';
import { budget, cumulative, flops, growth, phases, versus } from './figures.ts';
import { cumulativeSeries } from './data.ts';
import { cacheQuestion } from './question.ts';
import { ui } from './strings.ts';

/** Define the chapter's cells over the page's mounts. */
export function define(runtime: Runtime, mounts: Mounts): Module {
  const { main } = openChapter(runtime, mounts);

  const empty = (key: 'ch7.empty.phases' | 'ch7.empty.recompute' | 'ch7.empty.growth' | 'ch7.empty.flops') => note(ui(key));
  figure(main, mounts.phases, 'phases', ['clockState'], (state: ClockState) => phases(state.ticks) ?? empty('ch7.empty.phases'));

  // One recompute per decode tick, measured when the clock is idle (never between Play's ticks).
  // Shared with the cumulative chart, which measures every tick's whole text the same way.
  const measured = new WeakMap<TickSummary, Promise<RecomputeResult>>();
  figure(main, mounts.recompute, 'recompute', ['engine', 'clockState'], async (engine: Engine, state: ClockState) => {
    const t = state.ticks.at(-1);
    if (!t) return empty('ch7.empty.recompute');
    if (t.kind === 'prefill') return note(ui('ch7.recompute.prefill'));
    if (state.playing || state.busy) return note(ui('ch7.recompute.wait'));
    let p = measured.get(t);
    if (!p) measured.set(t, (p = engine.request({ type: 'recompute' })));
    return versus(t, await p);
  });

  // The running totals: token-positions at once, then each decode tick's recompute measured in
  // turn while the clock is idle (the chart redraws as they come; a newer state stops the loop).
  let generation = 0;
  figure(main, mounts.cumulative, 'cumulative', ['engine', 'clockState', 'width'], (engine: Engine, state: ClockState, width: number) => {
    const ticks = state.ticks;
    if (!ticks.length) return empty('ch7.empty.growth');
    const mine = ++generation;
    const times: (number | null)[] = ticks.map(() => null);
    const holder = h('div', { class: 'cumulative-holder' });
    const draw = (status: string | null) => holder.replaceChildren(cumulative(cumulativeSeries(ticks, times), width, status));
    const decode = ticks.filter((t) => t.kind === 'decode').length;
    if (state.playing || state.busy) {
      draw(decode ? ui('ch7.cumulative.wait') : null);
      return holder;
    }
    void (async () => {
      let done = 0;
      for (const [i, t] of ticks.entries()) {
        if (mine !== generation) return;
        if (t.kind !== 'decode') continue;
        draw(ui('ch7.cumulative.measuring', { done, n: decode }));
        let p = measured.get(t);
        if (!p) measured.set(t, (p = engine.request({ type: 'recompute', positions: t.cacheLength })));
        try {
          times[i] = (await p).ms;
        } catch {
          return draw(null); // a tick from before a window slide: its text is no longer cached
        }
        done++;
      }
      if (mine === generation) draw(null);
    })();
    draw(decode ? ui('ch7.cumulative.measuring', { done: 0, n: decode }) : null);
    return holder;
  });

  figure(main, mounts.growth, 'growth', ['clockState', 'model', 'width'], (state: ClockState, model: ModelInfo, width: number) =>
    (state.ticks.length ? growth(state.ticks, model, width) : empty('ch7.empty.growth')));
  figure(main, mounts.budget, 'budget', ['clockState', 'model'], (state: ClockState, model: ModelInfo) => budget(state.ticks, model));
  figure(main, mounts.flops, 'flops', ['clockState', 'model'], (state: ClockState, model: ModelInfo) => {
    const t = state.ticks.at(-1);
    return t ? flops(t, model) : empty('ch7.empty.flops');
  });
  definePredict(main, mounts.predict, cacheQuestion);
  return main;
}
