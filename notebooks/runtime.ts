/**
 * The glue between @observablehq/runtime and the page. The runtime ships no standard library,
 * so the few pieces the chapters need live here:
 *
 * - `observe`  a generator whose values are pushed by a callback (Observable's Generators.observe)
 * - `input`    an input element as a cell: each valid value it takes, with bad ones refused beside it
 * - `mount`    an observer that puts a cell's value (a DOM node) into its mount point
 * - `nearViewport`  resolves when an element comes near the viewport, so cells start work late
 * - `inViewport`  resolves when an element is near the viewport now or next, so cells redraw only in view
 * - `widthOf`  an element's width as a cell
 * - `computeOnNextTask`  the runtime recomputes on the next task, not the next animation frame
 */
import { Runtime } from '@observablehq/runtime';
import type { Module, Observer } from '@observablehq/runtime';
import { strings as t } from './strings.ts';
import { unfoldTable } from './dom.ts';
import { PRINT_END, PRINT_START } from './print-events.ts';

export { Runtime };
export type { Module, Observer, Variable } from '@observablehq/runtime';

/**
 * The runtime recomputes changed cells on the next task instead of the next animation frame. Out of
 * the box it waits for requestAnimationFrame before it draws: up to a frame (16 ms) after a tick's
 * answer arrives, 4–6 ms median in the notebook bench, and a long draw that starts at a frame's
 * start can still miss that frame. Drawn as soon as the answer's task ends, the figures are ready
 * for the next frame. Changes made in one task still make one computation. A hidden page keeps
 * waiting for a frame, so a background tab computes nothing until it is seen.
 */
export function computeOnNextTask(runtime: Runtime): void {
  const channel = new MessageChannel();
  const waiting: (() => void)[] = [];
  channel.port1.onmessage = () => {
    for (const go of waiting.splice(0)) go();
  };
  (channel.port1 as { unref?: () => void }).unref?.(); // Node (tests): the port does not keep the process alive
  const hidden = () => typeof document !== 'undefined' && document.visibilityState === 'hidden' && typeof requestAnimationFrame === 'function';
  const soon = (go: () => void) => {
    if (hidden()) requestAnimationFrame(() => go());
    else {
      waiting.push(go);
      if (waiting.length === 1) channel.port2.postMessage(null);
    }
  };
  const r = runtime as unknown as { _computeSoon: () => Promise<void>; _computeNow: () => Promise<void>; _disposed?: boolean };
  r._computeSoon = () => new Promise<void>(soon).then(() => (r._disposed ? undefined : r._computeNow()));
}

/** The mount points of a page, by cell name (`data-cell` attributes). */
export type Mounts = Record<string, HTMLElement | undefined>;

/** What a chapter module exports. */
export interface Chapter {
  define(runtime: Runtime, mounts: Mounts): Module;
}

/** A generator the runtime pulls from: each call of `next` waits for the next pushed value. */
export interface Observed<T> {
  next(): { done: false; value: Promise<T> };
  return(): { done: true; value: undefined };
  throw(): { done: true; value: undefined };
  [Symbol.iterator](): Observed<T>;
}

/**
 * A generator of the values `initialize` pushes through `change`. The newest value wins when
 * several arrive between pulls. `initialize` may return a function run when the cell is
 * invalidated (remove listeners there).
 */
export function observe<T>(initialize: (change: (value: T) => void) => (() => void) | void): Observed<T> {
  let stale = false;
  let value: T;
  let resolve: ((v: T) => void) | null = null;
  const change = (x: T) => {
    value = x;
    if (resolve) {
      resolve(x);
      resolve = null;
    } else stale = true;
  };
  const dispose = initialize(change);
  const gen: Observed<T> = {
    next() {
      if (stale) {
        stale = false;
        return { done: false, value: Promise.resolve(value) };
      }
      return { done: false, value: new Promise<T>((r) => (resolve = r)) };
    },
    return() {
      dispose?.();
      return { done: true, value: undefined };
    },
    throw() {
      return { done: true, value: undefined };
    },
    [Symbol.iterator]() {
      return gen;
    },
  };
  return gen;
}

/** Thrown by a parser to refuse a value; the message is shown beside the input. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** Show `message` beside the input (in `#<id>-error`) and mark it invalid, or clear both. */
export function showInputError(el: HTMLInputElement | HTMLTextAreaElement, message: string | null): void {
  const slot = el.ownerDocument.getElementById(`${el.id}-error`);
  if (slot) slot.textContent = message ?? '';
  if (message) el.setAttribute('aria-invalid', 'true');
  else el.removeAttribute('aria-invalid');
}

/**
 * An input element as a cell. Each 'input' event parses the element; a value the parser accepts
 * is pushed downstream, one it refuses (InputError) leaves its message beside the input and
 * pushes nothing, so everything downstream keeps its last good state. Parsers may be async;
 * only the newest event's result counts.
 */
export function input<T>(
  el: HTMLInputElement | HTMLTextAreaElement,
  parse: (el: HTMLInputElement | HTMLTextAreaElement) => T | Promise<T>,
  event = 'input',
): Observed<T> {
  return observe<T>((change) => {
    let latest = 0;
    const update = async () => {
      const mine = ++latest;
      try {
        const value = await parse(el);
        if (mine !== latest) return;
        showInputError(el, null);
        change(value);
      } catch (e) {
        if (mine !== latest) return;
        if (!(e instanceof InputError)) throw e;
        showInputError(el, e.message);
      }
    };
    const listener = () => void update();
    el.addEventListener(event, listener);
    void update();
    return () => el.removeEventListener(event, listener);
  });
}

/**
 * Put `next` into `el` in place of what it shows, keeping what the reader had set there: which
 * <details> were open, and keyboard focus on an element with the same data-index (or summary).
 */
function replaceKeepingState(el: HTMLElement, next: Node): void {
  const open = [...el.querySelectorAll('details')].map((d) => d.open);
  const active = el.ownerDocument.activeElement;
  const focused = active && el.contains(active) ? active : null;
  const focusIndex = focused?.getAttribute('data-index');
  const focusSummary = focused?.tagName === 'SUMMARY' ? [...el.querySelectorAll('summary')].indexOf(focused as HTMLElement) : -1;
  // Reopened before it goes in, a folded table that waits for its reader is built now, off the page.
  const details = 'querySelectorAll' in next ? [...(next as ParentNode).querySelectorAll('details')] : [];
  details.forEach((d, i) => {
    if (!open[i]) return;
    unfoldTable(d);
    d.open = true;
  });
  el.replaceChildren(next);
  let target: Element | null | undefined = null;
  if (focusIndex != null && /^\d+$/.test(focusIndex)) target = el.querySelector(`[data-index="${focusIndex}"]`);
  else if (focusSummary >= 0) target = el.querySelectorAll('summary')[focusSummary];
  (target as HTMLElement | SVGElement | null)?.focus?.();
}

/**
 * An observer that shows a cell in its mount point: a DOM node replaces the mount's content,
 * an error is written as text. `data-state` says pending / ready / error (tests wait on it).
 * Without a mount the cell is left unobserved, and the runtime does not compute it.
 */
export function mount(el: HTMLElement | undefined): Observer | undefined {
  if (!el) return undefined; // no mount on this page: the cell is not observed, so it never runs
  return {
    _node: el,
    pending() {
      el.dataset.state = el.dataset.state === 'ready' ? 'updating' : 'pending';
      el.setAttribute('aria-busy', 'true');
    },
    fulfilled(value) {
      if (value instanceof el.ownerDocument.defaultView!.Node) replaceKeepingState(el, value);
      else if (value !== undefined) el.replaceChildren(String(value));
      el.dataset.state = 'ready';
      el.removeAttribute('aria-busy');
    },
    rejected(error) {
      const p = el.ownerDocument.createElement('p');
      p.className = 'cell-error';
      p.textContent = t('cells.cellError', { error: error instanceof Error ? error.message : String(error) });
      el.replaceChildren(p);
      el.dataset.state = 'error';
      el.removeAttribute('aria-busy');
    },
  };
}

/** An observer for cells whose effect is the point (they must be observed to run). */
export const run: Observer = {};

const near = new WeakMap<Element, Promise<void>>();

/**
 * Resolves when `el` has come within `margin` of the viewport (once; at once where there is no
 * IntersectionObserver, as in Node). Cells await it before they start work.
 */
export function nearViewport(el: Element | undefined, margin = '200px'): Promise<void> {
  const IO = el?.ownerDocument.defaultView?.IntersectionObserver;
  if (!el || !IO) return Promise.resolve();
  let p = near.get(el);
  if (!p) {
    p = new Promise((resolve) => {
      const io = new IO((entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          io.disconnect();
          resolve();
        }
      }, { rootMargin: margin });
      io.observe(el);
    });
    near.set(el, p);
  }
  return p;
}

interface Sight {
  near: boolean | null; // null until the observer's first report
  seen: boolean; // has been near the viewport at least once
  staleSince: number; // when its cell first waited out of view since it last drew (Infinity: not waiting)
  waiters: Set<() => void>;
  observer?: IntersectionObserver; // held here, with the element: an observer nothing holds may be collected and never report
}
const sights = new WeakMap<Element, Sight>();

/** Every cell now waiting in inViewport, across the page: printing wakes them all. */
const waiting = new Set<() => void>();

/**
 * Cells out of view that catch up when the page is idle (inViewport's `idle`): one per idle
 * callback, so each redraw is its own task and a key press or a click gets in between. The one
 * out of date the longest goes first: while Play runs, every tick puts the waiting cells back in
 * line, and first-come would redraw the same one each time.
 */
const idleQueue = new Map<() => void, Sight>();
let idleScheduled = false;

function scheduleIdle(win: Window & typeof globalThis): void {
  if (idleScheduled || idleQueue.size === 0) return;
  idleScheduled = true;
  const next = () => {
    idleScheduled = false;
    let oldest: [() => void, Sight] | null = null;
    for (const entry of idleQueue) if (!oldest || entry[1].staleSince < oldest[1].staleSince) oldest = entry;
    oldest?.[0]();
    scheduleIdle(win);
  };
  if (win.requestIdleCallback) win.requestIdleCallback(next, { timeout: 1000 });
  else win.setTimeout(next, 50);
}
let printing = false;
const printWatched = new WeakSet<object>();

/**
 * While the page prints, every cell waiting for its mount to come into view draws at once: a printed
 * chapter shows every figure for the latest tick. (beforeprint for the browser's Print; the print
 * media query too, which is what a headless PDF and the print preview's emulation change.)
 */
function watchPrint(win: Window & typeof globalThis): void {
  if (printWatched.has(win)) return;
  printWatched.add(win);
  if (win.matchMedia?.('print').matches) printing = true; // already printing when first watched; changes come as events
  const wakeAll = () => {
    for (const wake of [...waiting]) wake();
  };
  win.addEventListener?.('beforeprint', () => {
    printing = true;
    wakeAll();
  });
  win.addEventListener?.('afterprint', () => void (printing = win.matchMedia?.('print').matches ?? false));
  // The worksheet's Print button says so before it waits for every figure, and again after printing.
  win.addEventListener?.(PRINT_START, () => {
    printing = true;
    wakeAll();
  });
  win.addEventListener?.(PRINT_END, () => void (printing = win.matchMedia?.('print').matches ?? false));
  win.matchMedia?.('print').addEventListener?.('change', (e) => {
    printing = e.matches;
    if (e.matches) wakeAll();
  });
}

/**
 * Resolves at once when `el` is within `margin` of the viewport now, else when it next comes
 * there (at once where there is no IntersectionObserver, as in Node, and while the page prints);
 * rejects if `invalidation` settles first (the cell is computing again: that answer is dropped).
 * With `idle`, an element that has been near the viewport before also resolves when the page is
 * next idle (one such wait per idle callback, page-wide). Figures await it before every redraw
 * with `idle`: a tick redraws the figures the reader sees first, and the others catch up one by
 * one when the page is idle (or at once when the reader comes back), always for the latest data.
 */
export function inViewport(el: Element | undefined, invalidation?: Promise<unknown>, opts: { margin?: string; idle?: boolean } = {}): Promise<void> {
  const { margin = '200px', idle = false } = opts;
  const win = el?.ownerDocument.defaultView;
  const IO = win?.IntersectionObserver;
  if (!el || !win || !IO) return Promise.resolve();
  watchPrint(win);
  if (printing) return Promise.resolve();
  let sight = sights.get(el);
  if (!sight) {
    const s: Sight = { near: null, seen: false, staleSince: Infinity, waiters: new Set() };
    sights.set(el, (sight = s));
    s.observer = new IO((entries) => {
      s.near = entries.at(-1)!.isIntersecting;
      if (!s.near) return;
      s.seen = true;
      for (const wake of [...s.waiters]) wake();
    }, { rootMargin: margin });
    s.observer.observe(el);
  }
  if (sight.near) {
    sight.staleSince = Infinity;
    return Promise.resolve();
  }
  const s = sight;
  const { waiters } = s;
  const later = idle && s.seen;
  return new Promise((resolve, reject) => {
    const wake = () => {
      waiters.delete(wake);
      waiting.delete(wake);
      idleQueue.delete(wake);
      s.staleSince = Infinity; // it draws now
      resolve();
    };
    waiters.add(wake);
    waiting.add(wake);
    if (later) {
      if (s.staleSince === Infinity) s.staleSince = performance.now();
      idleQueue.set(wake, s);
      scheduleIdle(win);
    }
    // Settled, not dropped: the runtime starts a cell's next computation only once the one before
    // it has settled, so a wait left pending would hold the cell forever. It rejects, and the
    // runtime drops the answer of a computation it has invalidated.
    void invalidation?.then(() => {
      waiters.delete(wake);
      waiting.delete(wake);
      idleQueue.delete(wake);
      reject(new Error('invalidated while waiting to come into view'));
    });
  });
}

/** The content width of `el`, pushed again when it changes (a fixed `fallback` where it cannot be measured). */
export function widthOf(el: Element | null | undefined, fallback = 640): Observed<number> {
  return observe<number>((change) => {
    const RO = el?.ownerDocument.defaultView?.ResizeObserver;
    if (!el || !RO) {
      change(fallback);
      return;
    }
    let last = -1;
    const measure = () => {
      const w = Math.floor(el.clientWidth) || fallback;
      if (w !== last) change((last = w));
    };
    const ro = new RO(measure);
    ro.observe(el);
    measure();
    return () => ro.disconnect();
  });
}
