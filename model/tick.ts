/**
 * The clock. A `Session` holds what carries from one tick to the next — the token sequence and
 * the KV cache — and each tick is one forward pass that yields one new token:
 *
 *   read context → run the layers → logits → temperature / top-k / top-p → seeded draw → append
 *
 * Tick 0 is the prefill (the whole prompt in one pass); every later tick is a decode step that
 * feeds only the token chosen last time. The weights are never touched.
 */
import { windowKeep } from './config.ts';
import { forward, forwardFlops, KVCache, validateIntervention, type Intervention, type Trace, type TraceOptions } from './gpt2.ts';
import type { Model } from './model.ts';
import { tickDraw, toSeed } from './prng.ts';
import { forceSample, sample, validateSampling, type Distribution, type SamplingParams } from './sampler.ts';
import { Utf8Joiner, type TokenPiece } from './tokenizer.ts';

const now = () => globalThis.performance.now();

/** Everything one tick did, for charts, timelines and tests. */
export interface TickRecord {
  index: number; // 0 for the prefill, then 1, 2, …
  kind: 'prefill' | 'decode';
  fed: number[]; // token ids run through the model this tick
  position: number; // position of the first fed token (positions restart after a window slide)
  id: number; // the chosen token
  piece: TokenPiece; // its bytes and text; incomplete UTF-8 kept as bytes
  text: string; // text this token completes (may be "" while a character is half-written)
  pendingBytes: Uint8Array; // bytes waiting for the rest of their character
  prob: number; // probability of the chosen token in the final filtered distribution
  rank: number; // its rank by logit (0 = most likely)
  draw: number | null; // the seeded random number used (null when greedy)
  dist: Distribution; // the distribution after temperature, top-k and top-p
  logits: Float32Array; // raw logits of the last position; re-drawing needs no forward pass
  sampling: SamplingParams; // settings used
  seed: number;
  ms: { forward: number; sample: number; trace: number; total: number }; // measured around awaited results; trace: the logit lens and the trace's copies, after the draw
  flops: number; // forward FLOPs (see forwardFlops)
  cacheLength: number; // positions in the KV cache after the tick
  cacheBytes: number; // bytes the KV cache holds after the tick
  window: { dropped: number; kept: number } | null; // set when the context reached n_positions
  weightsChecksum: string; // of the weights, fixed since load
  forced: boolean; // the reader forced this token (Session.forced): the draw chose another, or the same
  intervention?: Intervention; // heads off / blocks skipped at this tick (Session.intervention); absent when untouched
  trace?: Trace; // internals of the fed positions, when asked for
}

/** Heads switched off and blocks skipped on every tick from `from` on: the rest of a run with a part removed. */
export interface LastingIntervention extends Intervention {
  from: number; // the first tick it acts on
}

export interface SessionOptions {
  prompt: string; // "" starts from <|endoftext|>, as GPT-2 was trained to
  promptIds?: number[]; // the prompt as token ids already (then `prompt` is not read): Session.copy
  seed?: number; // default 42
  sampling?: Partial<SamplingParams>; // default temperature 1, no top-k, no top-p
}

/** A run of ticks over one model. Not safe to tick twice at once; `run` serialises for you. */
export class Session {
  readonly ids: number[] = []; // the whole sequence: prompt then generated tokens
  readonly promptLength: number;
  readonly cache: KVCache;
  sampling: SamplingParams;
  seed: number;
  ticks = 0; // ticks done
  /** Tokens a reader forced (tick index → token id): that tick runs and draws as usual, then appends this token. */
  readonly forced = new Map<number, number>();
  /** Off by default; see `intervene`. */
  intervention: LastingIntervention | null = null;
  // The intervened run's cache, from its first tick on; `cache` keeps the untouched one as it was at
  // `intervention.from`, so going back before it restores the untouched run bit for bit.
  private ivCache: KVCache | null = null;
  private joiner: Utf8Joiner;
  private busy = false;
  private dropped = 0; // tokens before the current window (after a slide)

  constructor(
    readonly model: Model,
    opts: SessionOptions,
  ) {
    model.assertLive();
    const tok = model.tokenizer;
    const ids = opts.promptIds ? opts.promptIds.slice() : tok.encode(opts.prompt);
    if (ids.length === 0) {
      if (tok.eotId === undefined) throw new Error('the prompt is empty and this vocabulary has no <|endoftext|> to start from');
      ids.push(tok.eotId);
    }
    // A loop, not push(...ids): spreading 100k+ ids as arguments overflows the call stack.
    for (const id of ids) this.ids.push(id);
    this.promptLength = ids.length;
    this.cache = new KVCache(model.config.n_layer);
    this.seed = toSeed(opts.seed ?? 42);
    this.sampling = { temperature: 1, topK: 0, topP: 1, ...opts.sampling };
    validateSampling(this.sampling, model.config.vocab_size);
    this.joiner = new Utf8Joiner(tok);
  }

  /** Change sampling settings for the next ticks (validated first; bad values change nothing). */
  setSampling(p: Partial<SamplingParams>): void {
    const next = { ...this.sampling, ...p };
    validateSampling(next, this.model.config.vocab_size);
    this.sampling = next;
  }

  /**
   * Switch heads off / skip blocks on every tick from `iv.from` on (null: the model untouched again).
   * Only at or before the tick where the old and the new one start: go back there first (rewind).
   * The intervened run's first tick runs the whole text so far through the changed model (its
   * keys and values differ from the untouched ones at every position), then draws as a decode tick.
   */
  intervene(iv: LastingIntervention | null): void {
    if (this.busy) throw new Error('a tick is running in this session');
    const starts = Math.min(this.intervention?.from ?? Infinity, iv?.from ?? Infinity);
    if (this.ticks > starts) throw new Error(`go back to tick ${starts} first: this run has ${this.ticks} ticks`);
    if (iv) {
      if (!Number.isInteger(iv.from) || iv.from < 0) throw new RangeError(`an intervention starts at a tick from 0 on, got ${iv.from}`);
      validateIntervention(this.model.config, iv);
    }
    this.ivCache?.clear();
    this.ivCache = null;
    this.intervention = iv && { from: iv.from, heads: (iv.heads ?? []).map(([l, h]) => [l, h]), skipBlocks: [...(iv.skipBlocks ?? [])] };
  }

  /** The cache the next tick extends: the intervened run's once it has begun, else `cache`. */
  get activeCache(): KVCache {
    return this.ivCache ?? this.cache;
  }

  /**
   * A second session that goes on from here by itself: the same tokens, settings, seed, forced
   * tokens and cache (the tensors are copies sharing their data). Not while an intervention acts.
   */
  copy(): Session {
    if (this.busy) throw new Error('a tick is running in this session');
    if (this.ivCache) throw new Error('cannot copy a session while its intervention acts');
    const s = new Session(this.model, { prompt: '', promptIds: this.ids.slice(0, this.promptLength), seed: this.seed, sampling: this.sampling });
    for (const id of this.generatedIds) s.ids.push(id);
    s.ticks = this.ticks;
    s.dropped = this.dropped;
    for (const [k, id] of this.forced) s.forced.set(k, id);
    s.intervention = this.intervention;
    this.cache.copyTo(s.cache);
    for (const id of this.generatedIds) s.joiner.push(id);
    return s;
  }

  /**
   * Run one tick. `onDrawn` hears the tick as soon as its token is drawn, before the trace is read
   * (without `trace`; its `ms.trace` and `ms.total` are the time so far): a large model's logit
   * lens takes longer than the rest of its tick.
   */
  async tick(opts: { trace?: TraceOptions; onDrawn?: (rec: TickRecord) => void } = {}): Promise<TickRecord> {
    if (this.busy) throw new Error('a tick is already running in this session');
    this.model.assertLive();
    this.busy = true;
    try {
      return await this.step(opts.trace, opts.onDrawn);
    } finally {
      this.busy = false;
    }
  }

  private async step(traceOpts?: TraceOptions, onDrawn?: (rec: TickRecord) => void): Promise<TickRecord> {
    const { config, weights } = this.model;
    const t0 = now();
    const index = this.ticks;
    const iv = this.intervention && index >= this.intervention.from ? this.intervention : null;
    const cache = iv ? (this.ivCache ??= new KVCache(config.n_layer)) : this.cache;
    // #region tick-feed (the appendix shows the tick-* regions: the loop itself)
    // Feed everything not yet in the cache (the prompt at first, then the last chosen token).
    // `cache` is the session's KV cache (the intervened run's own while a part is switched off).
    let feed = this.ids.slice(cache.length + this.dropped);
    // #endregion tick-feed
    let window: TickRecord['window'] = null;
    if (cache.length + feed.length > config.n_positions) {
      // The position table ends here. Defined behaviour: keep the most recent half of the
      // context, clear the cache and prefill that window again from position 0.
      const keep = windowKeep(config.n_positions);
      const start = this.ids.length - keep;
      window = { dropped: start, kept: keep };
      this.dropped = start;
      this.cache.clear();
      this.ivCache?.clear(); // both runs' positions restart
      feed = this.ids.slice(start);
    }
    let flops = 0;
    if (iv && cache.length === 0 && feed.length > 1 && !window && index > 0) {
      // The intervened run's first decode tick: the text before its last token through the changed model first.
      const first = feed.slice(0, -1);
      const out = await forward(config, weights, first, cache, { intervention: iv });
      out.logits.dispose();
      flops += forwardFlops(config, first.length, 0, 1);
      feed = feed.slice(-1);
    }
    const position = cache.length;
    const kind = position === 0 ? 'prefill' : 'decode';

    // #region tick-forward
    // One forward pass over the fed tokens and the cache (which it extends):
    // one logit per vocabulary token, for the last position.
    const { logits: logitsT, readTrace } = await forward(config, weights, feed, cache, { trace: traceOpts, intervention: iv ?? undefined, lateTrace: true });
    let logits: Float32Array;
    try {
      logits = (await logitsT.data()) as Float32Array;
    } catch (e) {
      await readTrace?.().catch(() => {}); // frees what the pass recorded
      throw e;
    } finally {
      logitsT.dispose();
    }
    // #endregion tick-forward
    const t1 = now();

    // #region tick-draw
    // Temperature, top-k, top-p, then the seeded dice; append the token.
    const drawn = sample(logits, this.sampling, tickDraw(this.seed, index));
    const forcedId = this.forced.get(index);
    const s = forcedId === undefined ? drawn : forceSample(drawn, forcedId);
    this.ids.push(s.id);
    // #endregion tick-draw
    const joined = this.joiner.push(s.id);
    const t2 = now();
    this.ticks++;

    const rec: TickRecord = {
      index,
      kind,
      fed: feed,
      position,
      id: s.id,
      piece: this.model.tokenizer.tokenPiece(s.id),
      text: joined.text,
      pendingBytes: joined.pending,
      prob: s.prob,
      rank: s.rank,
      draw: s.draw,
      dist: s.dist,
      logits,
      sampling: { ...this.sampling },
      seed: this.seed,
      ms: { forward: t1 - t0, sample: t2 - t1, trace: 0, total: t2 - t0 },
      flops: flops + forwardFlops(config, feed.length, position, 1),
      cacheLength: cache.length,
      cacheBytes: cache.bytes,
      window,
      weightsChecksum: this.model.checksum,
      forced: forcedId !== undefined,
      ...(iv ? { intervention: { heads: iv.heads, skipBlocks: iv.skipBlocks } } : {}),
    };
    if (!readTrace) return rec;
    onDrawn?.(rec);
    // The internals, after the token: the logit lens and the copies out of the backend.
    const trace = await readTrace();
    const t3 = now();
    return { ...rec, ms: { ...rec.ms, trace: t3 - t2, total: t3 - t0 }, trace };
  }

  /**
   * Tick `steps` times (or until aborted), yielding each record as it completes. Aborting stops
   * before the next tick starts; the tick in flight finishes, so the session stays consistent.
   */
  async *run(opts: { steps: number; signal?: AbortSignal; trace?: TraceOptions; stopAtEndOfText?: boolean }): AsyncGenerator<TickRecord> {
    // #region tick-run
    for (let i = 0; i < opts.steps; i++) {
      if (opts.signal?.aborted) return;
      const rec = await this.tick({ trace: opts.trace });
      yield rec;
      if (opts.stopAtEndOfText && rec.id === this.model.tokenizer.eotId) return;
    }
    // #endregion tick-run
  }

  /**
   * Re-draw a past tick with other settings (or seed) from its stored logits: no forward pass.
   * Uses the same draw as the original tick when the seed is unchanged.
   */
  static resample(rec: TickRecord, sampling: SamplingParams, seed = rec.seed) {
    return sample(rec.logits, sampling, tickDraw(seed, rec.index), rec.dist.order);
  }

  /**
   * Go back to just before tick `index` (0: before the prefill): the tokens it and later ticks
   * appended are dropped and the KV cache is cut back to the positions fed before it, keeping
   * theirs exactly. Forced tokens at `index` and later are forgotten unless given again. The next
   * tick is tick `index` again, with the same seeded draw. Not after the context window slid
   * (its positions were fed again from 0).
   */
  rewind(index: number): void {
    if (this.busy) throw new Error('a tick is running in this session');
    if (!Number.isInteger(index) || index < 0 || index > this.ticks) throw new RangeError(`can only go back to a tick from 0 to ${this.ticks}, got ${index}`);
    if (this.dropped > 0) throw new Error('the context window slid in this session: its earlier ticks cannot be rerun');
    this.ids.length = this.promptLength + index;
    // Tick `index` feeds everything from position promptLength + index − 1 on (the prompt, for the prefill).
    const keep = index === 0 ? 0 : this.promptLength + index - 1;
    this.cache.truncate(keep);
    if (this.ivCache && this.intervention && index > this.intervention.from) this.ivCache.truncate(keep);
    else {
      this.ivCache?.clear(); // back at or before the intervention's first tick: it starts again there
      this.ivCache = null;
    }
    this.ticks = index;
    for (const k of [...this.forced.keys()]) if (k >= index) this.forced.delete(k);
    this.joiner = new Utf8Joiner(this.model.tokenizer);
    for (const id of this.ids.slice(this.promptLength)) this.joiner.push(id);
  }

  /** Generated text so far (joined bytes; a half-written character is not included). */
  get generatedIds(): number[] {
    return this.ids.slice(this.promptLength);
  }

  /** Free the KV cache. The model stays loaded. */
  dispose(): void {
    this.cache.clear();
    this.ivCache?.clear();
  }
}

