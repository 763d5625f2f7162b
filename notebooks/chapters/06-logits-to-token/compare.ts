/**
 * Two models, one prompt: the page's model and a second one, each in its own engine, run on the
 * same prompt with the same seed and settings, tick for tick. The page's clock leads; after each
 * of its ticks the second engine runs its own tick with that tick's settings and seed (so both
 * roll the same dice: tickDraw(seed, tick)). The two models may have different vocabularies, so
 * everything compared is text, never a token id. No DOM: compare-figure.ts draws the state.
 */
import { DEFAULT_SAMPLING, type SamplingParams } from '../../../model/sampler.ts';
import { MODEL_FILES } from '../../../model/download.ts';
import type { BackendName } from '../../../model/backend.ts';
import type { Engine } from '../../../engine/engine.ts';
import type { StoredModel } from '../../../engine/model-store.ts';
import type { LoadSource } from '../../../engine/model-source.ts';
import type { LoadProgress, ModelInfo, TickSummary } from '../../../engine/protocol.ts';
import type { Clock, ClockState } from '../../clock.ts';

/** A model the reader can run beside the page's: what to load and what to call it. */
export interface CompareOption {
  key: string; // model-source.ts storeKey
  label: string;
  source: LoadSource; // never a download: a stored Hub model is read with storedOnly
}

/**
 * What a page provides for a second engine (site/scripts/notebook.ts): the models stored in this
 * browser, a fresh engine worker, and how to load into it.
 */
export interface SecondEngines {
  stored: () => Promise<StoredModel[]>;
  spawn: () => { engine: Engine; terminate: () => void };
  wasmPath?: string;
  backend?: BackendName;
}

/** The load source of a stored model, from its store key ("hub:<hub>/<org>/<name>" or "local:<name>"); null for any other. */
export function storedSource(key: string): LoadSource | null {
  if (key.startsWith('local:')) return { kind: 'local', name: key.slice('local:'.length) };
  if (!key.startsWith('hub:')) return null;
  const m = /^hub:(.+)\/([^/]+\/[^/]+)$/.exec(key);
  return m ? { kind: 'hub', hub: m[1], repo: m[2], storedOnly: true } : null;
}

/**
 * The models a reader can run beside the page's: every whole model in the store but the page's
 * own, and the bundled model when the page runs another.
 */
export function compareOptions(stored: StoredModel[], pageKey: string, bundled: { url: string; name: string }): CompareOption[] {
  const out: CompareOption[] = [];
  const bundledKey = `url:${bundled.url}`;
  if (pageKey !== bundledKey) out.push({ key: bundledKey, label: bundled.name, source: { kind: 'url', url: bundled.url, label: bundled.name } });
  for (const m of stored) {
    const source = storedSource(m.key);
    if (!source || m.key === pageKey || m.files < MODEL_FILES.length) continue;
    out.push({ key: m.key, label: m.label, source });
  }
  return out;
}

/** The second engine's side of the comparison, as the figure draws it. */
export interface CompareState {
  option: CompareOption;
  phase: 'loading' | 'ready' | 'failed';
  progress: LoadProgress | null; // while loading
  info: ModelInfo | null; // once loaded
  error: string | null; // why it failed (the load or a tick)
  ticks: TickSummary[]; // the second model's ticks; ticks[k] ran with the page's tick k's settings and seed
  busy: boolean; // a tick of the second engine is running
}

/** One side of one tick, as text and numbers from its engine. */
export interface SideTick {
  text: string; // the chosen token's text
  prob: number; // its probability after temperature, before the filters
  top: { text: string; prob: number }[]; // the most likely tokens, best first (after temperature)
  ms: number; // the tick's time in its engine
}

/** One row of the comparison: tick k of both models (b is null while the second engine has not run it). */
export interface CompareRow {
  index: number;
  a: SideTick;
  b: SideTick | null;
  same: boolean | null; // both chose the same text (null while b is missing)
}

/** How many of the most likely tokens a row lists for each model. */
export const COMPARE_TOP = 3;

/** A tick, as one side of a row. */
export function sideTick(t: TickSummary, top = COMPARE_TOP): SideTick {
  return {
    text: t.piece.text,
    prob: t.sample.chosen.prob,
    top: t.sample.candidates.slice(0, top).map((c) => ({ text: c.text, prob: c.prob })),
    ms: t.ms.total,
  };
}

/** The rows of the comparison, one per tick of the page's run, oldest first. */
export function compareRows(page: TickSummary[], second: TickSummary[], top = COMPARE_TOP): CompareRow[] {
  return page.map((t, k) => {
    const o = second[k];
    const b = o && o.index === t.index ? sideTick(o, top) : null;
    return { index: t.index, a: sideTick(t, top), b, same: b ? b.text === t.piece.text : null };
  });
}

/** The text each model wrote after the prompt (ticks' texts joined), the second's up to the ticks it has run. */
export function generatedTexts(page: TickSummary[], second: TickSummary[]): { a: string; b: string } {
  return { a: page.map((t) => t.text).join(''), b: second.slice(0, page.length).map((t) => t.text).join('') };
}

const sameDraw = (a: TickSummary, b: TickSummary) => {
  const x = a.sample;
  const y = b.sample;
  return x.seed === y.seed && x.sampling.temperature === y.sampling.temperature && x.sampling.topK === y.sampling.topK && x.sampling.topP === y.sampling.topP;
};

/**
 * The second engine, following the page's clock. Created when the reader asks, it loads its model
 * (from the store only), starts a session on the page's prompt, and after every tick of the
 * page's clock runs the same tick (same index, settings and seed) on its own model. `dispose`
 * stops it and ends the worker.
 */
export class CompareRun {
  private state: CompareState;
  private listeners = new Set<(s: CompareState) => void>();
  private disposed = false;
  private pumping = false;
  private again = false;
  private prompt: string | null = null; // the prompt of the second engine's session
  private target: ClockState | null = null;
  private unfollow: (() => void) | null = null;

  constructor(option: CompareOption, private readonly engines: SecondEngines, private readonly worker = engines.spawn()) {
    this.state = { option, phase: 'loading', progress: null, info: null, error: null, ticks: [], busy: false };
    void this.load();
  }

  get current(): CompareState {
    return this.state;
  }

  /** Call `fn` now and after every change; returns the unsubscribe function. */
  subscribe(fn: (s: CompareState) => void): () => void {
    this.listeners.add(fn);
    fn(this.state);
    return () => this.listeners.delete(fn);
  }

  private set(patch: Partial<CompareState>): void {
    if (this.disposed) return;
    this.state = { ...this.state, ...patch };
    for (const fn of this.listeners) fn(this.state);
  }

  private async load(): Promise<void> {
    const { source } = this.state.option;
    try {
      const info = await this.worker.engine.request(
        { type: 'load', source, ...(this.engines.backend ? { backend: this.engines.backend } : {}), ...(this.engines.wasmPath ? { wasmPath: this.engines.wasmPath } : {}) },
        { onProgress: (progress) => this.set({ progress }) },
      );
      this.set({ phase: 'ready', info, progress: null });
      void this.pump();
    } catch (e) {
      this.set({ phase: 'failed', error: (e as Error).message, progress: null });
    }
  }

  /** Follow this clock (the page's; a new prompt makes a new one): its ticks are run here too. */
  follow(clock: Clock | null): void {
    this.unfollow?.();
    this.unfollow = clock ? clock.subscribe((s) => {
      this.target = s;
      void this.pump();
    }) : null;
  }

  /** Catch up with the page's clock, one tick at a time, until the two runs have the same ticks. */
  private async pump(): Promise<void> {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        while (!this.disposed && this.state.phase === 'ready' && this.target && (await this.step(this.target)));
      } while (this.again && !this.disposed);
    } catch (e) {
      this.set({ phase: 'failed', error: (e as Error).message, busy: false });
    } finally {
      this.pumping = false;
    }
  }

  /** One step towards the page's run; false when there is nothing to do. */
  private async step(page: ClockState): Promise<boolean> {
    const { engine } = this.worker;
    const mine = this.state.ticks;
    const first = page.ticks[0]?.sample;
    // A new prompt, or the page started over (Reset): a fresh session.
    if (this.prompt !== page.prompt || (page.ticks.length === 0 && mine.length > 0)) {
      this.prompt = page.prompt;
      await engine.request({ type: 'start', prompt: page.prompt, seed: first?.seed ?? 42, sampling: first?.sampling ?? DEFAULT_SAMPLING });
      this.set({ ticks: [] });
      return true;
    }
    // A tick the page ran again under other settings (after a fork): go back to just before it.
    const n = Math.min(mine.length, page.ticks.length);
    const k = mine.findIndex((t, i) => i < n && !sameDraw(t, page.ticks[i]));
    if (k >= 0) {
      await engine.request({ type: 'fork', index: k, forced: [] });
      this.set({ ticks: mine.slice(0, k) });
      return true;
    }
    if (mine.length >= page.ticks.length) return false;
    const want = page.ticks[mine.length].sample;
    const sampling: SamplingParams = want.sampling;
    this.set({ busy: true });
    const t = await engine.request({ type: 'tick', sampling, seed: want.seed, candidates: 8 });
    this.set({ ticks: [...this.state.ticks, t], busy: false });
    return true;
  }

  /** Stop for good and end the second engine's worker. */
  dispose(): void {
    if (this.disposed) return;
    this.unfollow?.();
    this.disposed = true;
    this.listeners.clear();
    this.worker.terminate();
  }
}

/** The latest value of something, and who wants to hear when it changes (the page's clock, for a CompareRun). */
export class Latest<T> {
  value: T | null = null;
  private fns = new Set<(v: T | null) => void>();
  set(v: T | null): void {
    this.value = v;
    for (const fn of this.fns) fn(v);
  }
  subscribe(fn: (v: T | null) => void): () => void {
    this.fns.add(fn);
    fn(this.value);
    return () => this.fns.delete(fn);
  }
}
