/**
 * The page's clock: one engine session seen from the page. It starts the session for a prompt,
 * runs ticks on Next token, runs them back to back on Play until Pause, starts over on Reset, and
 * tells its subscribers the new state after each change. No DOM: the cells wire buttons to it.
 */
import type { Intervention, TraceOptions } from '../model/gpt2.ts';
import type { LastingIntervention } from '../model/tick.ts';
import type { SamplingParams } from '../model/sampler.ts';
import { CancelledError } from '../engine/client.ts';
import type { Engine } from '../engine/engine.ts';
import type { Forced, ModelInfo, TickSummary, TokenInfo } from '../engine/protocol.ts';

/** Sampling settings and seed, as the inputs last held them (valid). */
export interface ClockSettings {
  sampling: SamplingParams;
  seed: number;
}

/** Everything the charts draw about the session. */
export interface ClockState {
  prompt: string;
  promptTokens: TokenInfo[]; // the prompt as the model reads it
  ticks: TickSummary[]; // every tick of this session, oldest first
  wallMs: number[]; // page time (performance.now) when each tick's answer arrived
  playing: boolean;
  playStart: number | null; // how many ticks there were when the latest Play began
  busy: boolean; // a tick is running
  error: string | null; // the last tick's failure, if it failed
  forced: Forced; // tokens the reader forced, [tick, id], ticks rising: the run's fork points
  left: Fork | null; // the run the latest fork left (Back returns to it)
  intervention?: ClockIntervention | null; // a part removed from a tick on (Clock.intervene); absent or null: the model untouched
  verified: readonly (string | undefined)[]; // [tick] the weights' checksum read back from the backend after that tick (ClockOptions.verifyWeights); arrives after the tick is shown
  drawn: TickSummary | null; // the running tick once its token is drawn, while its trace is still read (ClockOptions.tokenFirst); null otherwise. Not in `ticks` until the trace comes
  queued: number; // presses of Next token still to run after the running tick (Clock.press)
}

/** Presses of Next token kept while a tick runs: more are not kept (a reader who holds the key down does not queue a minute of ticks). */
export const MAX_QUEUED = 8;

/** Heads switched off / blocks skipped on every tick from `from` on, and the untouched run going on beside. */
export interface ClockIntervention extends LastingIntervention {
  untouched: TickSummary[]; // the untouched run's ticks from `from` on, each computed beside the intervened tick of the same index
}

/** Where a run forked: the tick, and the run it left there (its ticks and forced tokens). */
export interface Fork {
  at: number; // the tick whose token was forced
  ticks: TickSummary[]; // the run before the fork, whole
  forced: Forced;
  intervention?: ClockIntervention | null; // the run's intervention, if it had one
}

export interface ClockOptions {
  trace?: TraceOptions | (() => TraceOptions); // internals each tick should return (a function is asked at every tick)
  verifyWeights?: boolean; // re-read the weights after each tick, once the tick is on the page (chapter 1 shows they never change): ClockState.verified
  candidates?: number; // how many of the most likely tokens each tick describes
  pace?: () => number; // Play's ticks per second, read at every tick (0 or none: as fast as they run)
  forced?: Forced; // tokens forced from the start (a shared link's fork)
  logits?: boolean; // each tick brings its raw logits, so the page re-draws it without asking the engine (the latest LOGITS_KEPT ticks keep them)
  /**
   * Show a traced tick's token before its trace (ClockState.drawn): true always, false never; a
   * number: when the latest tick's trace took at least that many ms, and at a session's first
   * tick (default TOKEN_FIRST_MS). On GPT-2 124M the logit lens takes ≈ 4× the rest of a tick.
   */
  tokenFirst?: boolean | number;
}

/** A tick whose trace took this long (ms) or more makes the next one send its token first (ClockOptions.tokenFirst). */
export const TOKEN_FIRST_MS = 8;

/** The ticks with `weightsVerified` set from `verified` (the weights read back after each, where that has arrived). */
export function withVerified(ticks: TickSummary[], verified: ClockState['verified']): TickSummary[] {
  return ticks.map((t) => (verified[t.index] === undefined || t.weightsVerified === verified[t.index] ? t : { ...t, weightsVerified: verified[t.index] }));
}

/** How many of the latest ticks keep their logits on the page (ClockOptions.logits); older ones drop them. */
export const LOGITS_KEPT = 64;

/** `ticks` with the logits of the one that just fell out of the latest LOGITS_KEPT dropped (memory stays bounded on a long Play). */
function dropOldLogits(ticks: TickSummary[]): TickSummary[] {
  const old = ticks.length - 1 - LOGITS_KEPT;
  if (old < 0 || !ticks[old].logits) return ticks;
  const { logits: _l, order: _o, ...rest } = ticks[old];
  const out = ticks.slice();
  out[old] = rest;
  return out;
}

const now = () => globalThis.performance.now();

/**
 * The performance mark set when a tick's answer reaches the page, with `{ index, engineMs }` as
 * its detail (engineMs: the tick's own time in the engine). Only the latest is kept. bench/notebook.ts
 * reads it to split a tick's time into the engine's part and the page's redraw.
 */
export const TICK_MARK = 'tokenclock:tick';

function markTick(t: TickSummary): void {
  const p = globalThis.performance;
  p.clearMarks?.(TICK_MARK);
  p.mark?.(TICK_MARK, { detail: { index: t.index, engineMs: t.ms.total } });
}

export class Clock {
  private state: ClockState;
  private listeners = new Set<(s: ClockState) => void>();
  private disposed = false;
  private session = 0; // bumped by start/reset: answers for an older session are dropped

  private constructor(
    private readonly engine: Engine,
    private readonly info: ModelInfo,
    prompt: string,
    private readonly settings: () => ClockSettings, // read at every tick: the inputs' latest valid values
    private readonly opts: ClockOptions,
  ) {
    this.state = { prompt, promptTokens: [], ticks: [], wallMs: [], playing: false, playStart: null, busy: false, error: null, forced: opts.forced ?? [], left: null, verified: [], drawn: null, queued: 0 };
  }

  /** Start a session for `prompt` (one longer than the context slides at its first tick: model/tick.ts). */
  static async create(engine: Engine, info: ModelInfo, prompt: string, settings: () => ClockSettings, opts: ClockOptions = {}): Promise<Clock> {
    const clock = new Clock(engine, info, prompt, settings, opts);
    await clock.start();
    return clock;
  }

  get current(): ClockState {
    return this.state;
  }

  /** Call `fn` now and after every change; returns the unsubscribe function. */
  subscribe(fn: (s: ClockState) => void): () => void {
    this.listeners.add(fn);
    fn(this.state);
    return () => this.listeners.delete(fn);
  }

  private set(patch: Partial<ClockState>): void {
    this.state = { ...this.state, ...patch };
    for (const fn of this.listeners) fn(this.state);
  }

  private async start(): Promise<void> {
    const mine = ++this.session;
    const { sampling, seed } = this.settings();
    const { tokens } = await this.engine.request({
      type: 'start',
      prompt: this.state.prompt,
      seed,
      sampling,
      forced: this.opts.forced,
    });
    if (mine !== this.session) return;
    this.set({ promptTokens: tokens, ticks: [], wallMs: [], playStart: null, error: null, forced: this.opts.forced ?? [], left: null, intervention: null, verified: [], drawn: null });
  }

  /**
   * Fork the run at tick `index`: go back to just before it, force token `id` there, and run as
   * many ticks as the run had (at least that one), with the same seeded dice. The run it left is
   * kept in `left` until Back. Forcing the token the tick chose anyway changes nothing.
   */
  async fork(index: number, id: number): Promise<void> {
    const { ticks, forced } = this.state;
    if (!Number.isInteger(index) || index < 0 || index >= ticks.length) throw new RangeError(`no tick ${index} to fork at: this run has ${ticks.length}`);
    if (ticks[index].id === id) return;
    const iv = this.state.intervention ?? null;
    const left: Fork = { at: index, ticks, forced, intervention: iv };
    // A fork inside an intervened run keeps the intervention; one before it goes back to the untouched model.
    await this.branch(index, [...forced.filter(([k]) => k < index), [index, id]], Math.max(ticks.length, index + 1), left, iv && iv.from <= index ? iv : null);
  }

  /**
   * Remove a part of the model (heads switched off, blocks skipped) from tick `index` on: go back to
   * just before it and run as many ticks as the run had (at least that one) with the part removed
   * and the same seeded dice, the untouched run going on beside it (`intervention.untouched`); later
   * ticks keep it removed. The run it left is kept in `left`; Back returns to the untouched model.
   */
  async intervene(index: number, part: Intervention): Promise<void> {
    const { ticks, forced } = this.state;
    if (this.state.intervention) throw new Error('a part is already removed: go Back first');
    if (!Number.isInteger(index) || index < 0 || index > ticks.length) throw new RangeError(`no tick ${index} to intervene from: this run has ${ticks.length}`);
    const left: Fork = { at: index, ticks, forced, intervention: null };
    const iv: ClockIntervention = { from: index, heads: part.heads ?? [], skipBlocks: part.skipBlocks ?? [], untouched: [] };
    await this.branch(index, forced.filter(([k]) => k < index), Math.max(ticks.length, index + 1), left, iv);
  }

  /**
   * Back to the run the latest fork (or intervention) left: the same ticks, recomputed from the
   * fork's tick on. Back from an intervention gives the untouched run as far as it went beside it.
   */
  async back(): Promise<void> {
    const left = this.state.left;
    if (!left) return;
    const iv = this.state.intervention;
    const beside = iv && iv.from === left.at ? iv.from + iv.untouched.length : 0;
    await this.branch(left.at, left.forced, Math.max(left.ticks.length, beside), null, left.intervention ?? null);
  }

  private async branch(index: number, forced: Forced, until: number, left: Fork | null, iv: ClockIntervention | null = null): Promise<void> {
    if (this.disposed) return;
    await this.pause();
    const mine = this.session;
    await this.engine.request({
      type: 'fork',
      index,
      forced: forced.filter(([k]) => k >= index),
      ...(iv ? { intervention: { from: iv.from, heads: iv.heads, skipBlocks: iv.skipBlocks } } : {}),
    });
    if (mine !== this.session || this.disposed) return;
    const intervention = iv && { ...iv, untouched: iv.untouched.slice(0, Math.max(0, index - iv.from)) };
    this.set({ ticks: this.state.ticks.slice(0, index), wallMs: this.state.wallMs.slice(0, index), verified: this.state.verified.slice(0, index), forced, left, intervention, error: null, busy: false, drawn: null, queued: 0 });
    this.playUntil(until);
  }

  /**
   * A reader's press of Next token: a tick now, or, while one runs, after it. Presses that come
   * while a tick runs are kept (up to MAX_QUEUED) and run one after another, so a quick second press
   * (the token is on the screen before its figures: tokenFirst) is not lost. Play, Reset, a fork
   * and a failed tick drop the presses still waiting.
   */
  press(): void {
    if (this.disposed || this.state.playing) return;
    this.set({ queued: Math.min(MAX_QUEUED, this.state.queued + 1) });
    if (!this.pressing) void this.runPresses();
  }

  private pressing = false;

  private async runPresses(): Promise<void> {
    this.pressing = true;
    try {
      while (this.state.queued > 0 && !this.disposed) {
        if (this.state.busy) {
          await this.untilIdle();
          continue;
        }
        this.set({ queued: this.state.queued - 1 });
        const t = await this.tick();
        if (!t && this.state.error) this.set({ queued: 0 });
      }
    } finally {
      this.pressing = false;
    }
  }

  /** Resolves at the next state that has no tick running (never, once disposed). */
  private untilIdle(): Promise<void> {
    return new Promise((resolve) => {
      let off: (() => void) | null = null;
      let done = false;
      off = this.subscribe((s) => {
        if (done || s.busy) return;
        done = true;
        off?.();
        resolve();
      });
      if (done) off();
    });
  }

  /** Run one tick (ignored while one is running). Resolves to it, or null when none ran. */
  async tick(): Promise<TickSummary | null> {
    if (this.disposed || this.state.busy) return null;
    const mine = this.session;
    const { sampling, seed } = this.settings();
    this.set({ busy: true });
    const trace = typeof this.opts.trace === 'function' ? this.opts.trace() : this.opts.trace;
    const tokenFirst = !!trace && this.tokenFirst();
    const onDrawn = (d: TickSummary) => {
      if (mine === this.session && !this.disposed && this.state.busy) this.set({ drawn: d });
    };
    try {
      const t = await this.engine.request({
        type: 'tick',
        sampling,
        seed,
        trace,
        candidates: this.opts.candidates,
        ...(this.opts.logits ? { logits: true } : {}),
        ...(tokenFirst ? { tokenFirst: true } : {}),
      }, tokenFirst ? { onDrawn } : {});
      if (mine !== this.session || this.disposed) return null;
      const { untouched, ...tick } = t;
      markTick(tick);
      // Asked now, so the engine reads the weights back while the page draws the tick (not before it answers).
      if (this.opts.verifyWeights) this.verify(tick);
      const iv = this.state.intervention;
      this.set({
        ticks: dropOldLogits([...this.state.ticks, tick]),
        wallMs: [...this.state.wallMs, now()],
        busy: false,
        error: null,
        drawn: null,
        ...(iv && untouched ? { intervention: { ...iv, untouched: [...iv.untouched, untouched] } } : {}),
      });
      return tick;
    } catch (e) {
      if (mine !== this.session || this.disposed) return null;
      const cancelled = e instanceof CancelledError;
      this.set({ busy: false, playing: false, error: cancelled ? null : (e as Error).message, drawn: null });
      return null;
    }
  }

  /** Whether the next tick sends its token before its trace (ClockOptions.tokenFirst). */
  private tokenFirst(): boolean {
    const opt = this.opts.tokenFirst ?? TOKEN_FIRST_MS;
    if (typeof opt === 'boolean') return opt;
    const last = this.state.ticks.at(-1);
    return !last || last.ms.trace >= opt;
  }

  /**
   * Read the weights back from the backend and checksum them, after tick `t` (the engine answers
   * in order, so no later tick has run when it reads them); the answer goes into `verified[t.index]`
   * unless the run has moved away from that tick. A read Pause cancelled (queued behind the
   * running tick) is asked again.
   */
  private verify(t: TickSummary): void {
    const mine = this.session;
    const stillThere = () => mine === this.session && !this.disposed && this.state.ticks[t.index] === t;
    this.engine.request({ type: 'verifyChecksum' }).then(({ checksum }) => {
      if (!stillThere()) return;
      const verified = this.state.verified.slice();
      verified[t.index] = checksum;
      this.set({ verified });
    }, (e: unknown) => {
      if (e instanceof CancelledError && stillThere()) this.verify(t);
    });
  }

  /** The weights' checksum read back after tick `index` (ClockOptions.verifyWeights), once it has arrived. */
  verifiedAfter(index: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const session = this.session;
      let off: (() => void) | null = null;
      let done = false;
      off = this.subscribe((s) => {
        const v = s.verified[index];
        if (done) return;
        if (v !== undefined) resolve(v);
        else if (session !== this.session || this.disposed || index >= s.ticks.length) reject(new Error(`no weights read back after tick ${index}`));
        else return;
        done = true;
        off?.();
      });
      if (done) off();
    });
  }

  /**
   * Tick one after another until `pause` (or an error), at the pace the page asks for (each tick
   * starts 1/pace s after the one before, or at once when it ran longer). A replay (`playUntil`)
   * runs unpaced.
   */
  play(paced = true): void {
    if (this.disposed || this.state.playing) return;
    this.set({ playing: true, playStart: this.state.ticks.length, queued: 0 });
    const run = ++this.playRun; // a loop still waiting out its pace after Pause/Reset ends, and never runs beside this one
    void (async () => {
      try {
        while (this.state.playing && !this.disposed && run === this.playRun) {
          const started = now();
          const t = await this.tick();
          if (!t && this.state.error) break;
          const rate = paced ? this.opts.pace?.() ?? 0 : 0;
          // Let the page draw the tick before the next one starts (and wait out the pace; Pause ends the wait).
          const wait = rate > 0 ? Math.max(0, 1000 / rate - (now() - started)) : 0;
          await this.sleep(wait);
        }
      } catch (e) {
        // Whatever failed (a listener included), Play must not look as if it still runs.
        if (!this.disposed && run === this.playRun) this.set({ playing: false, busy: false, error: (e as Error).message });
      }
    })();
  }

  private wake: (() => void) | null = null;
  private playRun = 0;

  private sleep(ms: number): Promise<void> {
    return new Promise((done) => {
      const timer = setTimeout(() => {
        this.wake = null;
        done();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        done();
      };
    });
  }

  /** Tick as Play does until the session has `n` ticks (a shared link's replay); Pause, Reset or a failure stop it early. */
  playUntil(n: number): void {
    if (n <= this.state.ticks.length) return;
    let started = false;
    let done = false;
    let unsubscribe: (() => void) | null = null;
    const stop = () => {
      done = true;
      unsubscribe?.();
    };
    unsubscribe = this.subscribe((s) => {
      if (done) return;
      if (s.ticks.length >= n) {
        stop();
        queueMicrotask(() => void this.pause()); // after this change has reached every subscriber
      } else if (started && !s.playing) stop();
    });
    if (done) unsubscribe();
    started = true;
    this.play(false);
  }

  /** Stop Play: queued ticks are dropped, the running one finishes and is kept. */
  async pause(): Promise<void> {
    if (!this.state.playing) return;
    this.set({ playing: false });
    this.wake?.();
    await this.engine.cancel();
  }

  /** Start over from the prompt (the same seed gives the same run). */
  async reset(): Promise<void> {
    this.set({ playing: false, queued: 0 });
    this.wake?.();
    await this.engine.cancel();
    await this.start();
    this.set({ busy: false });
  }

  /** Stop for good (the cell that made it was invalidated). */
  dispose(): void {
    this.disposed = true;
    this.wake?.();
    this.state = { ...this.state, playing: false };
    this.listeners.clear();
  }
}
