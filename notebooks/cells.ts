/**
 * Cells every chapter shares: the reader's inputs, the clock (the engine session seen from the
 * page), the tick timeline and the token strip. A chapter module calls these, then adds its own
 * cells on top. The graph:
 *
 *   prompt ─────────────────────┐
 *   temperature, topK, topP ─ sampling ─┬─ (settings) ─ clock ─ clockState ─┬─ selected
 *   seed ───────────────────────────────┘                                   └─ timeline, tokens
 *                                                          clock ─ clockStatus ─ status, buttons
 *
 * Builtins each page provides: `engine` (an Engine), `model` (a promise of its ModelInfo, loaded
 * on first use) and `width` (the text column's width).
 */
import { TickTimeline, TickTimelineTable, type TimelineTick } from '../components/tick-timeline.ts';
import { TokenStrip, TokenStripTable, type StripToken } from '../components/token-strip.ts';
import { formatCount, formatInteger, formatMs } from '../components/format.ts';
import { visibleText } from '../components/text.ts';
import type { KeyOf } from '../components/i18n/index.ts';
import { backendLabel, words } from '../components/words.strings.ts';
import { windowKeep } from '../model/config.ts';
import type { LastingIntervention } from '../model/tick.ts';
import { DEFAULT_SAMPLING, type SamplingParams } from '../model/sampler.ts';
import { Clock, type ClockOptions, type ClockSettings, type ClockState } from './clock.ts';
import { parseIndex, parsePrompt, parseSpeed, parseSeed, parseTemperature, parseTopK, parseTopP } from './controls.ts';
import { chartWithTable, note } from './dom.ts';
import type { Engine } from '../engine/engine.ts';
import type { Forced, ModelInfo, TickSummary } from '../engine/protocol.ts';
import { input, inViewport, mount, nearViewport, observe, run, type Module, type Mounts, type Observer } from './runtime.ts';
import { strings } from './strings.ts';
import { modelParam, PageLink } from './url-link.ts';

/** How many of the latest ticks the timeline draws (the table alternative has the same rows). */
export const TIMELINE_ROWS = 40;

/** The controls rendered by site/components/Controls.astro, found by name inside its form. */
export interface ControlElements {
  form: HTMLFormElement;
  prompt: HTMLTextAreaElement;
  temperature: HTMLInputElement;
  topK: HTMLInputElement;
  topP: HTMLInputElement;
  seed: HTMLInputElement;
  next: HTMLButtonElement;
  play: HTMLButtonElement;
  reset: HTMLButtonElement;
  speed?: HTMLSelectElement; // Play's ticks per second (PlaySpeed.astro); without it Play runs unpaced
  status: HTMLElement;
  layer?: HTMLInputElement; // present when the page asks for Layer and Head (Controls layerHead)
  head?: HTMLInputElement;
}

export function controlElements(mounts: Mounts): ControlElements {
  const form = mounts.controls as HTMLFormElement | undefined;
  if (!form) throw new Error('this page has no controls (data-cell="controls")');
  const get = <T extends Element>(selector: string): T => {
    const el = form.querySelector<T>(selector);
    if (!el) throw new Error(`the controls have no ${selector}`);
    return el;
  };
  return {
    form,
    prompt: get('[name="prompt"]'),
    temperature: get('[name="temperature"]'),
    topK: get('[name="top-k"]'),
    topP: get('[name="top-p"]'),
    seed: get('[name="seed"]'),
    next: get('[name="next-token"]'),
    play: get('[name="play"]'),
    reset: get('[name="reset"]'),
    speed: form.querySelector<HTMLSelectElement>('[name="speed"]') ?? undefined,
    status: get('[data-role="status"]'),
    layer: form.querySelector<HTMLInputElement>('[name="layer"]') ?? undefined,
    head: form.querySelector<HTMLInputElement>('[name="head"]') ?? undefined,
  };
}

const numberInput = (parse: (raw: string, badInput: boolean) => number) => (el: HTMLInputElement | HTMLTextAreaElement) =>
  parse(el.value, 'validity' in el && el.validity.badInput);

/**
 * prompt, temperature, topK, topP, seed: each the latest valid value of its input, starting from
 * the page's URL where it carries one (url-link.ts); sampling: the three settings.
 */
export function defineInputs(main: Module, c: ControlElements): void {
  const link = PageLink.of(c.form);
  for (const [param, el] of [['prompt', c.prompt], ['temperature', c.temperature], ['topK', c.topK], ['topP', c.topP], ['seed', c.seed]] as const) link.fill(param, el);
  // No length check in tokens: a prompt longer than the context slides, as the landing page's does
  // (the engine keeps its most recent tokens; the status line says so: describeState).
  main.define('prompt', [], () => input(c.prompt, (el) => parsePrompt(el.value)));
  main.define('temperature', [], () => input(c.temperature, numberInput(parseTemperature)));
  main.define('topK', ['model'], (model: ModelInfo) =>
    input(c.topK, link.guard('topK', numberInput((raw, bad) => parseTopK(raw, model.config.vocab_size, bad)), () => ({ reason: 'beyond-model', max: model.config.vocab_size }))));
  main.define('topP', [], () => input(c.topP, numberInput(parseTopP)));
  main.define('seed', [], () => input(c.seed, numberInput(parseSeed)));
  main.define('sampling', ['temperature', 'topK', 'topP'], (temperature: number, topK: number, topP: number): SamplingParams => ({ temperature, topK, topP }));
}

/** layer, head: the latest valid Layer and Head (checked against the model's n_layer and n_head). */
export function defineLayerHead(main: Module, c: ControlElements): void {
  if (!c.layer || !c.head) throw new Error('these controls have no Layer and Head (Controls layerHead)');
  const { layer, head } = c;
  const link = PageLink.of(c.form);
  link.fill('layer', layer);
  link.fill('head', head);
  main.define('layer', ['model'], (model: ModelInfo) =>
    input(layer, link.guard('layer', numberInput((raw, bad) => parseIndex('Layer', raw, model.config.n_layer, bad)), () => ({ reason: 'beyond-model', max: model.config.n_layer - 1 }))));
  main.define('head', ['model'], (model: ModelInfo) =>
    input(head, link.guard('head', numberInput((raw, bad) => parseIndex('Head', raw, model.config.n_head, bad)), () => ({ reason: 'beyond-model', max: model.config.n_head - 1 }))));
  main.variable(run).define('linkLayerHead', ['layer', 'head'], (l: number, h: number) => link.update({ layer: l, head: h }));
}

type WordKey = KeyOf<typeof words>;

/** Counted words with a singular (`.one`) and a plural (`.other`) form: 'unit.token', 'unit.word'… */
export type PluralKey = { [K in WordKey]: K extends `${infer B}.one` ? (`${B}.other` extends WordKey ? B : never) : never }[WordKey];

/** A count with its noun in the page's language: "1 token", "3 tokens" (Chinese: "3 个词元"). */
export function plural(key: PluralKey, n: number): string {
  return words(`${key}.${n === 1 ? 'one' : 'other'}`, { n: formatInteger(n) });
}

/** A tick's kind in the page's language: prefill or decode. */
export const kindName = (kind: 'prefill' | 'decode'): string => words(kind === 'prefill' ? 'kind.prefill' : 'kind.decode');

/** What an intervention removed and from which tick ("Layer 1, head 2 switched off from tick 3 on."), or "" when none. */
export function interventionMarker(iv: LastingIntervention | null | undefined): string {
  if (!iv) return '';
  return [
    ...(iv.heads ?? []).map(([layer, head]) => strings('cells.ivHead', { layer, head, from: iv.from })),
    ...(iv.skipBlocks ?? []).map((block) => strings('cells.ivBlock', { block, from: iv.from })),
  ].join(' ');
}

/** The state line under the controls (an intervention's marker after it). */
export function describeState(state: ClockState, model: ModelInfo): string {
  const marker = interventionMarker(state.intervention);
  const line = marker ? `${stateLine(state, model)} ${marker}` : stateLine(state, model);
  // Presses of Next token waiting for the running tick (Clock.press).
  return state.queued > 0 && !state.playing && !state.error ? line + strings(state.queued === 1 ? 'cells.queuedOne' : 'cells.queued', { n: state.queued }) : line;
}

function stateLine(state: ClockState, model: ModelInfo): string {
  if (state.error) return strings('cells.tickFailed', { error: state.error });
  const t = state.ticks.at(-1);
  const c = model.config;
  const head = `${model.notice ? `${model.notice} ` : ''}` +
    strings('cells.modelReady', { model: model.label, params: formatCount(model.params), layers: c.n_layer, heads: c.n_head, backend: backendLabel(model.backend) });
  const max = c.n_positions;
  const d = state.drawn; // a tick's token, its figures still to come (tokenFirst)
  if (d && !state.playing) return strings('cells.drawn', { index: d.index, kind: kindName(d.kind), token: visibleText(d.text), ms: formatMs(d.ms.total) });
  if (!t) {
    const n = state.promptTokens.length;
    return head + strings(state.busy ? 'cells.firstRunning' : 'cells.firstTick', { n }) + (n > max ? strings('cells.willSlide', { max, keep: windowKeep(max) }) : '');
  }
  // While playing the line stays put, so a screen reader is not told of every tick.
  if (state.playing) return strings('cells.playing');
  // The latest slide of the window (the prompt's own at tick 0, or the text's later on) stays in force.
  const slid = [...state.ticks].reverse().find((k) => k.window);
  const n = state.ticks.length;
  return strings(n === 1 ? 'cells.oneTickSoFar' : 'cells.ticksSoFar', { n, index: t.index, kind: kindName(t.kind), ms: formatMs(t.ms.total) }) +
    (slid?.window ? strings('cells.window', { index: slid.index, dropped: slid.window.dropped, max }) : '');
}

/** An observer writing a cell's text into `el`, and the failure (a model that did not load) too. */
function textObserver(el: HTMLElement): Observer {
  return {
    fulfilled(value) {
      if (typeof value === 'string') el.textContent = value;
    },
    rejected(error) {
      el.textContent = strings('cells.loadFailed', { error: error instanceof Error ? error.message : String(error) });
    },
  };
}

/** Whether `s` and `last` hold the same values in every field but `except`. */
function sameBut(s: ClockState, last: ClockState, except: (keyof ClockState)[]): boolean {
  const keys = new Set([...Object.keys(s), ...Object.keys(last)] as (keyof ClockState)[]);
  return [...keys].every((k) => except.includes(k) || s[k] === last[k]);
}

/**
 * Pass on the clock's states except a tick starting (busy set, nothing else changed), a tick's
 * token drawn before its trace (only `drawn` changed) and the weights read back after a tick
 * (only `verified` changed): none changes anything a chart draws
 * from the ticks, and redrawing every chart with the same data would take the page's thread (and
 * on a small machine a core) while the engine works, and delay the tick's own redraw. The few
 * figures that show the read-back also take `weightsVerified`.
 */
export function chartChanges(change: (s: ClockState) => void): (s: ClockState) => void {
  let last: ClockState | null = null;
  return (s) => {
    const skip = last !== null && ((s.busy && !last.busy && sameBut(s, last, ['busy'])) || (s.verified !== last.verified && sameBut(s, last, ['verified'])) ||
      (s.drawn !== null && sameBut(s, last, ['drawn'])) || (s.queued !== last.queued && sameBut(s, last, ['queued'])));
    last = s;
    if (!skip) change(s);
  };
}

/** Pass on `verified` when it changes (the weights read back after a tick; a new run starts it empty). */
export function verifiedChanges(change: (v: ClockState['verified']) => void): (s: ClockState) => void {
  let last: ClockState['verified'] | null = null;
  return (s) => {
    if (s.verified === last) return;
    last = s.verified;
    change(s.verified);
  };
}

/**
 * clock: a Clock for the current prompt, its buttons wired; clockStatus: its state after every
 * change (the status line and buttons); clockState: its state whenever something a chart draws
 * changed (chartChanges); weightsVerified: the weights' checksums read back after the ticks
 * (ClockState.verified), which arrive after the ticks themselves; selected: the tick the reader picked in the timeline (the latest by default).
 */
export function defineClock(main: Module, c: ControlElements, opts: ClockOptions = {}): void {
  main.define('settingsRef', [], () => ({ current: null as ClockSettings | null }));
  main.variable(run).define('applySettings', ['settingsRef', 'sampling', 'seed'], (ref: { current: ClockSettings | null }, sampling: SamplingParams, seed: number) => {
    ref.current = { sampling, seed };
  });
  // A press of Next token before the first clock exists (the model or the session still starting)
  // is kept and run as soon as it does, not lost.
  let early = 0;
  let earlyPlay = false;
  const onEarly = () => void early++;
  const onEarlyPlay = () => void (earlyPlay = !earlyPlay);
  c.next.addEventListener('click', onEarly);
  c.play.addEventListener('click', onEarlyPlay);
  // A reader who asks for a tick (Next token or Play, here or from the tick bar) starts the clock
  // wherever the page is scrolled: at the top of chapter 1 the controls are below the fold.
  const asked = new Promise<void>((resolve) => {
    for (const b of [c.next, c.play]) b.addEventListener('click', () => resolve(), { once: true });
  });
  main.define('clock', ['engine', 'model', 'prompt', 'settingsRef', 'invalidation'],
    async (engine: Engine, model: ModelInfo, prompt: string, ref: { current: ClockSettings | null }, invalidation: Promise<void>) => {
      // Started once the reader is near the controls or any live figure (a link to a section deep in
      // the chapter must not leave its figures waiting for a clock that starts only at the controls).
      await Promise.race([...c.form.ownerDocument.querySelectorAll('[data-cell]')].map((el) => nearViewport(el)).concat(nearViewport(c.form), asked));
      const pace = () => (c.speed ? parseSpeed(c.speed.value) : 0);
      const forced = linkedForced(c, model);
      const clock = await Clock.create(engine, model, prompt, () => ref.current ?? { sampling: DEFAULT_SAMPLING, seed: 42 }, { pace, ...opts, forced });
      c.next.removeEventListener('click', onEarly);
      c.play.removeEventListener('click', onEarlyPlay);
      for (; early > 0; early--) clock.press();
      if (earlyPlay) clock.play();
      const onNext = () => clock.press();
      const onPlay = () => (clock.current.playing ? void clock.pause() : clock.play());
      const onReset = () => void clock.reset();
      c.next.addEventListener('click', onNext);
      c.play.addEventListener('click', onPlay);
      c.reset.addEventListener('click', onReset);
      void invalidation.then(() => {
        c.next.removeEventListener('click', onNext);
        c.play.removeEventListener('click', onPlay);
        c.reset.removeEventListener('click', onReset);
        void clock.pause();
        clock.dispose();
      });
      return clock;
    });
  main.define('clockStatus', ['clock'], (clock: Clock) => observe<ClockState>((change) => clock.subscribe(change)));
  main.define('clockState', ['clock'], (clock: Clock) => observe<ClockState>((change) => clock.subscribe(chartChanges(change))));
  main.define('weightsVerified', ['clock'], (clock: Clock) => observe<ClockState['verified']>((change) => clock.subscribe(verifiedChanges(change))));
  main.variable(textObserver(c.status)).define('status', ['clockStatus', 'model'], (state: ClockState, model: ModelInfo) => {
    c.play.textContent = strings(state.playing ? 'controls.pause' : 'controls.play');
    c.next.disabled = state.playing;
    // Whole ticks only: a tick whose token is drawn (the status line names it) is still running, and
    // a reader's or a test's next press waits for `data-ticks` to count it.
    c.form.dataset.ticks = String(state.ticks.length);
    c.form.dataset.newest = state.ticks.at(-1)?.text ?? ''; // the tick bar and the tick map show it (site/scripts/tick-bar.ts, tick-map.ts)
    c.form.dataset.phase = state.ticks.at(-1)?.kind ?? '';
    c.form.dataset.layers = String(model.config.n_layer);
    c.form.dataset.intervention = interventionMarker(state.intervention); // the tick bar shows it (site/scripts/tick-bar.ts)
    c.form.dataset.clock = state.playing ? 'playing' : state.busy ? 'busy' : 'idle';
    return describeState(state, model);
  });
  defineLink(main, c);
}

/** A link's forced tokens, for the page's first clock only (a fork the link reproduces); ids beyond the model are refused. */
function linkedForced(c: ControlElements, model: ModelInfo): Forced | undefined {
  const link = PageLink.of(c.form);
  const f = link.linked.forced;
  if (!f || forcedTaken.has(link)) return undefined;
  forcedTaken.add(link);
  if (f.some(([, id]) => id >= model.config.vocab_size)) {
    link.reject({ param: 'forced', reason: 'beyond-model', max: model.config.vocab_size - 1 });
    return undefined;
  }
  return f;
}
const forcedTaken = new WeakSet<PageLink>();

/**
 * Keep the page's URL on the run (url-link.ts): the model, the inputs and the tick count, noting
 * when ticks ran under other settings than the current ones (the link would replay them all
 * under the current ones); and run the ticks a link asks for, once, as Play does (Pause stops it).
 */
function defineLink(main: Module, c: ControlElements): void {
  const link = PageLink.of(c.form);
  link.use('model', 'tick', 'forced');
  link.attach(c.form, c.form);
  main.variable(run).define('linkState', ['clockStatus', 'model', 'prompt', 'sampling', 'seed'],
    (state: ClockState, model: ModelInfo, prompt: string, sampling: SamplingParams, seed: number) => {
      const mixed = state.ticks.some(({ sample: d }) => d.seed !== seed || d.sampling.temperature !== sampling.temperature ||
        d.sampling.topK !== sampling.topK || d.sampling.topP !== sampling.topP);
      const m = modelParam(model);
      link.update({ model: m, prompt, ...sampling, seed, tick: state.ticks.length, forced: state.forced }, { mixed, local: m === undefined });
    });
  main.variable(run).define('linkReplay', ['clock', 'applySettings'], (clock: Clock) => clock.playUntil(link.takeReplay()));
}

/** selected: the index of the tick the reader picked in the timeline mount, else the latest. */
export function defineSelection(main: Module, timelineMount: HTMLElement | undefined): void {
  main.define('selected', ['clockState'], (state: ClockState) => observe<number | null>((change) => {
    change(state.ticks.at(-1)?.index ?? null);
    if (!timelineMount) return;
    // The timeline's 'select' event does not bubble; a capturing listener on the mount still hears it.
    const onSelect = (e: Event) => change((e as CustomEvent<number>).detail);
    timelineMount.addEventListener('select', onSelect, { capture: true });
    return () => timelineMount.removeEventListener('select', onSelect, { capture: true });
  }));
}

/** The timeline's rows for the latest ticks. */
export function timelineTicks(ticks: TickSummary[], rows = TIMELINE_ROWS): TimelineTick[] {
  return ticks.slice(-rows).map((t) => ({ index: t.index, kind: t.kind, text: t.piece.text, ms: t.ms, cacheLength: t.cacheLength }));
}

/** The whole sequence as the token strip shows it: the prompt's tokens, then each tick's. */
export function stripTokens(state: ClockState): StripToken[] {
  return [...state.promptTokens, ...state.ticks.map((t) => ({ id: t.id, ...t.piece }))];
}

/** The tick timeline, drawn into `el` when it is near the viewport (redrawn there too: chapter.ts figure). */
export function defineTimeline(main: Module, el: HTMLElement | undefined): void {
  main.variable(mount(el)).define('timeline', ['clockState', 'selected', 'width', 'invalidation'], async (state: ClockState, selected: number | null, width: number, invalidation: Promise<void>) => {
    await inViewport(el, invalidation, { idle: true });
    if (state.ticks.length === 0) return note(strings('cells.timelineEmpty'));
    const data = { ticks: timelineTicks(state.ticks), selected: selected ?? undefined };
    const hidden = state.ticks.length - data.ticks.length;
    const caption = (state.ticks.length === 1 ? strings('cells.timelineCaptionOne') : strings('cells.timelineCaption', { n: state.ticks.length })) + (hidden > 0 ? strings('cells.timelineLatest', { n: data.ticks.length }) : '');
    return chartWithTable(TickTimeline(data, { width }), TickTimelineTable(data, { caption }));
  });
}

/** The token strip (prompt then generated tokens), drawn into `el` when it is near the viewport (redrawn there too: chapter.ts figure). */
export function defineTokens(main: Module, el: HTMLElement | undefined): void {
  main.variable(mount(el)).define('tokens', ['clockState', 'width', 'invalidation'], async (state: ClockState, width: number, invalidation: Promise<void>) => {
    await inViewport(el, invalidation, { idle: true });
    const data = { tokens: stripTokens(state) };
    const caption = strings('cells.tokensCaption', { prompt: state.promptTokens.length, generated: state.ticks.length });
    return chartWithTable(TokenStrip(data, { width, label: caption }), TokenStripTable(data, { caption }));
  });
}
