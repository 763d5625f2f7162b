/**
 * Chapter 10, applications, limits, FAQ. One live cell: softmax([0.1, 0.2, 0.3, 0.4]) computed by
 * the engine's own sampler (model/sampler.ts `distribution`, through notebooks/softmax.ts's
 * softmaxOf), never typed in, shown as a table; plus the clock and its token strip, to watch the
 * text drift.
 *
 *   inputs ─ clock ─ clockState ─ tokens
 *   softmax (the sampler on the FAQ's logits)
 *   sampling, seed ─ predict (same prompt, same seed: the same tokens twice? the clock runs, resets, runs again)
 */
import { figure, openChapter } from '../../chapter.ts';
import { definePredict } from '../../predict.ts';
import type { Module, Mounts, Runtime } from '../../runtime.ts';
import { softmax } from './figures.ts';
import { twiceQuestion } from './question.ts';

/** Define the chapter's cells over the page's mounts. */
export function define(runtime: Runtime, mounts: Mounts): Module {
  const { main } = openChapter(runtime, mounts, { timeline: false });
  figure(main, mounts.softmax, 'softmax', [], softmax);
  definePredict(main, mounts.predict, twiceQuestion);
  return main;
}
