/**
 * What every chapter's define() starts with, and how it mounts a figure. A chapter folder's
 * index.ts opens with `openChapter` (inputs, the clock and the shared cells it asks for), then adds
 * its figures with `figure`: a cell drawn into its mount only once the mount nears the viewport.
 */
import { controlElements, defineClock, defineInputs, defineLayerHead, defineSelection, defineTimeline, defineTokens, type ControlElements } from './cells.ts';
import type { ClockOptions } from './clock.ts';
import type { ModelInfo } from '../engine/protocol.ts';
import { input, inViewport, mount, type Module, type Mounts, type Runtime } from './runtime.ts';

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
 * A figure: the cell `name` over `inputs`, drawn into `el` by `draw` when `el` is near the
 * viewport (Distill's habit: a figure starts its work only when the reader gets there). After a
 * change while it is out of view (a tick, an input) it redraws when the page is next idle or when
 * the reader comes back, for the latest values only: a tick redraws the figures in view first, in
 * the frame after the answer, and the rest of the chapter after them; printing draws them all at
 * once (runtime.ts inViewport). On a page without that mount the cell is not observed, so it
 * never runs.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the runtime passes the inputs' values by position
export function figure<A extends any[]>(main: Module, el: HTMLElement | undefined, name: string, inputs: string[], draw: (...args: A) => Node | string | Promise<Node | string>): void {
  main.variable(mount(el)).define(name, [...inputs, 'invalidation'], async (...args: [...A, Promise<void>]) => {
    const invalidation = args.pop() as Promise<void>;
    await inViewport(el, invalidation, { idle: true });
    return draw(...(args as unknown as A));
  });
}

/** Reads one field of a chapter's pick form: its text, the loaded model, and whether the browser saw bad input. */
export type PickParser = (raw: string, model: ModelInfo, badInput: boolean) => number;

/**
 * A chapter's own pick form (site/components/Pick.astro: Position and Dimension, Block and
 * Unit…): each named field becomes a cell of the same name holding its latest valid value (a
 * refused one shows its message beside the field and changes nothing); 0 on a page without the
 * form. Returns the fields, so a figure can set one as if typed there.
 */
export function definePickFields<N extends string>(main: Module, form: HTMLElement | undefined, parsers: Record<N, PickParser>): Record<N, HTMLInputElement | undefined> {
  form?.addEventListener('submit', (e) => e.preventDefault());
  const fields = {} as Record<N, HTMLInputElement | undefined>;
  for (const name of Object.keys(parsers) as N[]) {
    const el = form?.querySelector<HTMLInputElement>(`[name="${name}"]`) ?? undefined;
    fields[name] = el;
    main.define(name, ['model'], (model: ModelInfo) =>
      (el ? input(el, (e) => parsers[name](e.value, model, 'validity' in e && e.validity.badInput)) : 0));
  }
  return fields;
}

/** Put `value` into a field as if the reader typed it (its cell recomputes). */
export function setField(el: HTMLInputElement | undefined, value: number): void {
  if (!el) return;
  el.value = String(value);
  el.dispatchEvent(new (el.ownerDocument.defaultView!.Event)('input', { bubbles: true }));
}
