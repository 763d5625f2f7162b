/**
 * Chapter 6, from logits to a token: softmax with temperature, top-k, top-p, greedy and the
 * seeded dice, for the tick the reader picked. Moving Temperature, Top-k, Top-p or Seed re-draws
 * that tick from its stored logits (a `resample`): the model does not run again.
 *
 *   inputs ─ clock ─ clockState ─ selected ─┐
 *   sampling, seed ─────────────────────────┴─ draw ─┬─ bars, equation, filters
 *   temperature ─────────────────────────────────────┴─ seedExample
 *   clockState, selected ─ temperatureDraws (T = 0.5, 1, 2, no filters) ─ temperatures
 *   clockState, selected, clock ─ fork (another candidate at the selected tick: the run forks there)
 *   sampling, seed ─ predict (at a lower temperature, would the latest tick pick the same token? a resample answers)
 *   clock ─ compareClock ─ compare (a second model in a second engine, ticking with the clock: compare.ts)
 *
 * data.ts takes the numbers from the draw (no DOM), figures.ts draws them, question.ts asks,
 * strings.ts says it.
 */
import type { SamplingParams } from '../../../model/sampler.ts';
import type { ClockState } from '../../clock.ts';
import { note } from '../../dom.ts';
import type { Engine } from '../../../engine/engine.ts';
import type { DrawSummary } from '../../../engine/protocol.ts';
import { figure, openChapter } from '../../chapter.ts';
import { definePredict } from '../../predict.ts';
import { resampleOnPage } from '../../resample.ts';
import { inViewport, run, type Module, type Mounts, type Runtime } from '../../runtime.ts';
import { COMPARE_TEMPERATURES, compareSampling, sameSettings } from './data.ts';
import { bars, equation, filters, forkFigure, seedExample, temperatureCompare } from './figures.ts';
import type { Clock } from '../../clock.ts';
import { temperatureQuestion } from './question.ts';
import { ui } from './strings.ts';
import { compareOptions, Latest, type SecondEngines } from './compare.ts';
import { compareFigure } from './compare-figure.ts';
import type { ControlElements } from '../../cells.ts';
import type { ModelInfo } from '../../../engine/protocol.ts';

/** Define the chapter's cells over the page's mounts. */
export function define(runtime: Runtime, mounts: Mounts): Module {
  const { main, controls } = openChapter(runtime, mounts, { logits: true });

  main.define('draw', ['engine', 'clockState', 'selected', 'sampling', 'seed'],
    async (engine: Engine, state: ClockState, selected: number | null, sampling: SamplingParams, seed: number): Promise<DrawSummary | null> => {
      const t = state.ticks.find((x) => x.index === selected) ?? state.ticks.at(-1);
      if (!t) return null;
      if (sameSettings(t.sample, sampling, seed)) return t.sample;
      // On the page from the logits the tick brought (the engine's own sampler), else by the engine.
      return resampleOnPage(t, sampling, seed) ?? engine.request({ type: 'resample', index: t.index, sampling, seed });
    });
  // The selected tick at T = 0.5, 1 and 2 without filters: three re-draws from its logits, on the
  // page, once per tick, and only while the figure is near the viewport (else when it gets back there).
  const compared = new WeakMap<object, Promise<DrawSummary[]>>();
  main.define('temperatureDraws', ['engine', 'clockState', 'selected', 'invalidation'],
    async (engine: Engine, state: ClockState, selected: number | null, invalidation: Promise<void>): Promise<DrawSummary[] | null> => {
      const t = state.ticks.find((x) => x.index === selected) ?? state.ticks.at(-1);
      if (!t) return null;
      await inViewport(mounts.temperatures, invalidation);
      let draws = compared.get(t);
      if (!draws) {
        draws = Promise.all(COMPARE_TEMPERATURES.map((T) => resampleOnPage(t, compareSampling(T), t.sample.seed) ??
          engine.request({ type: 'resample', index: t.index, sampling: compareSampling(T), seed: t.sample.seed })));
        compared.set(t, draws);
      }
      return draws;
    });
  const empty = () => note(ui('ch6.empty'));
  figure(main, mounts.bars, 'bars', ['draw', 'width'], (d: DrawSummary | null, width: number) => (d ? bars(d, width) : empty()));
  figure(main, mounts.equation, 'equation', ['draw'], (d: DrawSummary | null) => (d ? equation(d) : empty()));
  figure(main, mounts.filters, 'filters', ['draw'], (d: DrawSummary | null) => (d ? filters(d) : empty()));
  figure(main, mounts.temperatures, 'temperatures', ['temperatureDraws', 'width'], (d: DrawSummary[] | null, width: number) => (d ? temperatureCompare(d, width) : empty()));
  figure(main, mounts.fork, 'fork', ['clockState', 'selected', 'clock'], (state: ClockState, selected: number | null, clock: Clock) =>
    (state.ticks.length ? forkFigure(state, selected, clock) : empty()));
  figure(main, mounts['seed-example'], 'seedExample', ['temperature'], (t: number) => seedExample(t));
  definePredict(main, mounts.predict, temperatureQuestion);
  defineCompare(main, mounts.compare, controls);
  return main;
}

/**
 * Two models, one prompt: the page's clock, kept for the comparison as it is replaced, and the
 * cell that runs a second model (stored in this browser) beside it when the reader asks.
 */
function defineCompare(main: Module, el: HTMLElement | undefined, controls: ControlElements): void {
  if (!el) return;
  main.define('compareClock', [], () => new Latest<Clock>());
  main.variable(run).define('followCompare', ['compareClock', 'clock'], (latest: Latest<Clock>, clock: Clock) => latest.set(clock));
  const modelsHref = controls.form.querySelector<HTMLElement>('[data-models-href]')?.dataset.modelsHref ?? '../../models/';
  figure(main, el, 'compare', ['model', 'bundledModel', 'secondEngines', 'compareClock', 'invalidation'],
    async (model: ModelInfo, bundled: { url: string; name: string }, engines: SecondEngines, clock: Latest<Clock>, invalidation: Promise<void>) =>
      compareFigure({
        options: compareOptions(await engines.stored(), model.key, bundled),
        pageLabel: model.label, modelsHref, clock, engines, invalidation,
        width: () => el.clientWidth || 600,
      }));
}
