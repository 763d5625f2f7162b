/**
 * What every chapter's define() starts with, and how it mounts a figure. A chapter folder's
 * index.ts opens with `openChapter` (inputs, the clock and the shared cells it asks for), then adds
 * its figures with `figure`: a cell drawn into its mount only once the mount nears the viewport.
 */
import { controlElements, defineClock, defineInputs, defineLayerHead, defineSelection, defineTimeline, defineTokens, type ControlElements } from './cells.ts';
import type { ClockOptions } from './clock.ts';
import { mount, nearViewport, type Module, type Mounts, type Runtime } from './runtime.ts';

/** What a chapter's opening sets up besides the inputs and the clock. */
export interface ChapterOptions extends ClockOptions {
  layerHead?: boolean; // Layer and Head inputs (the page's Controls have layerHead)
  timeline?: boolean; // the tick timeline and `selected` (default true)
  tokens?: boolean; // the token strip (default true)
}

/** A chapter's module and its controls, with the inputs, the clock and the shared cells defined. */
export function openChapter(runtime: Runtime, mounts: Mounts, opts: ChapterOptions = {}): { main: Module; controls: ControlElements } {
  const { layerHead = false, timeline = true, tokens = true, ...clock } = opts;
  const main = runtime.module();
  const controls = controlElements(mounts);
  defineInputs(main, controls);
  if (layerHead) defineLayerHead(main, controls);
  defineClock(main, controls, clock);
  if (timeline) {
    defineSelection(main, mounts.timeline);
    defineTimeline(main, mounts.timeline);
  }
  if (tokens) defineTokens(main, mounts.tokens);
  return { main, controls };
}

/**
 * A figure: the cell `name` over `inputs`, drawn into `el` by `draw` once `el` comes near the
 * viewport (Distill's habit: a figure starts its work only when the reader gets there). On a page
 * without that mount the cell is not observed, so it never runs.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the runtime passes the inputs' values by position
export function figure<A extends any[]>(main: Module, el: HTMLElement | undefined, name: string, inputs: string[], draw: (...args: A) => Node | string | Promise<Node | string>): void {
  main.variable(mount(el)).define(name, inputs, async (...args: A) => {
    await nearViewport(el);
    return draw(...args);
  });
}
