/**
 * The host's session room: a run of ticks over the loaded model (start, tick, re-draw a past
 * tick, recompute without the cache), tokenizing for the page, the weights' checksum and what the
 * backend holds (memory, for the soak test). It
 * keeps the last KEEP_TICKS ticks' logits, so a past tick can be re-drawn without a forward pass.
 */
import { backendMemory } from '../model/backend.ts';
import { forward, forwardFlops, KVCache, validateIntervention, type ForwardOptions, type Intervention } from '../model/gpt2.ts';
import type { Model } from '../model/model.ts';
import { tickDraw, toSeed } from '../model/prng.ts';
import { distribution, sample } from '../model/sampler.ts';
import { Session, type LastingIntervention, type TickRecord } from '../model/tick.ts';
import type { Handlers, InterventionResult, OnDrawn, Protocol, RecomputeResult, TickSummary } from './protocol.ts';
import { bpeWords, describeDraw, probChanges, tickSummary, tokenGuess, tokenInfo, traceForPage } from './wire.ts';

/** How many past ticks can be re-drawn (each keeps its logits and sort order: ~0.4 MB for GPT-2's vocabulary). */
export const KEEP_TICKS = 64;

/** How many of the most likely tokens' texts a tick sends with its logits (a re-draw on the page names its token from them). */
export const TICK_TEXTS = 512;

/** What a past tick keeps so it can be re-drawn without a forward pass. */
type Kept = Pick<TickRecord, 'index' | 'seed' | 'logits'> & { dist: Pick<TickRecord['dist'], 'order'> };

/** The same part removed from the same tick on. */
const sameIntervention = (a: LastingIntervention, b: LastingIntervention) =>
  a.from === b.from && JSON.stringify(a.heads ?? []) === JSON.stringify(b.heads ?? []) && JSON.stringify(a.skipBlocks ?? []) === JSON.stringify(b.skipBlocks ?? []);

export type SessionRequest = 'start' | 'tick' | 'fork' | 'resample' | 'tokenize' | 'tokenizeSteps' | 'recompute' | 'verifyChecksum' | 'memory' | 'intervene';

export class SessionHost {
  session: Session | null = null;
  /** While an intervention lasts: the untouched run, going on beside the session tick for tick. */
  untouched: Session | null = null;
  private kept = new Map<number, Kept>();

  /** `model` gives the loaded model (or says there is none). */
  constructor(private readonly model: () => Model) {}

  readonly handlers: Handlers<SessionRequest> = {
    start: async (req) => this.start(req),
    tick: (req, _onProgress, onDrawn) => this.tick(req, onDrawn),
    fork: async ({ index, forced, intervention }) => {
      const session = this.need();
      this.checkForced(forced, index);
      const keep = !!intervention && !!session.intervention && sameIntervention(intervention, session.intervention);
      if (!keep) this.checkIntervention(session, index, intervention);
      session.rewind(index);
      if (keep && this.untouched) this.untouched.rewind(Math.min(index, this.untouched.ticks));
      else {
        this.untouched?.dispose();
        this.untouched = null;
        session.intervene(intervention ?? null);
        if (intervention) {
          this.untouched = session.copy();
          this.untouched.intervene(null);
        }
      }
      for (const [k, id] of forced) session.forced.set(k, id);
      for (const k of [...this.kept.keys()]) if (k >= index) this.kept.delete(k);
      return { ticks: session.ticks };
    },
    resample: async ({ index, sampling, seed, candidates }) => {
      const { tokenizer } = this.model();
      const rec = this.kept.get(index);
      if (!rec) throw new RangeError(`tick ${index} is not kept any more (the last ${KEEP_TICKS} ticks are)`);
      const s = Session.resample(rec as TickRecord, sampling, seed);
      return describeDraw(rec.index, seed, sampling, rec.logits, s, tokenizer, candidates ?? 20);
    },
    tokenize: async ({ text }) => {
      const { tokenizer } = this.model();
      return { tokens: tokenizer.encode(text).map((id) => tokenInfo(tokenizer, id)) };
    },
    tokenizeSteps: async ({ text }) => {
      const words = bpeWords(this.model().tokenizer, text);
      return { words, tokens: words.flatMap((w) => w.tokens) };
    },
    recompute: (req) => this.recompute(req),
    intervene: (req) => this.intervene(req),
    verifyChecksum: async () => ({ checksum: await this.model().verifyChecksum() }),
    memory: async () => ({ ...backendMemory(), cacheBytes: this.session?.cache.bytes ?? 0 }),
  };

  /** Drop the session and the kept ticks (a new model took over). */
  reset(): void {
    this.session?.dispose();
    this.session = null;
    this.untouched?.dispose();
    this.untouched = null;
    this.kept.clear();
  }

  /** The stored logits of a recent tick (what a resample re-draws from), or undefined when not kept. */
  tickLogits(index: number): Float32Array | undefined {
    return this.kept.get(index)?.logits;
  }

  private need(): Session {
    if (!this.session) throw new Error('no session: send a prompt first');
    return this.session;
  }

  private start({ prompt, seed, sampling, forced }: Protocol['start']['request']): Protocol['start']['response'] {
    const m = this.model();
    const fresh = new Session(m, { prompt, seed, sampling });
    this.checkForced(forced ?? [], 0);
    for (const [index, id] of forced ?? []) {
      fresh.forced.set(index, id);
    }
    this.reset();
    this.session = fresh;
    return {
      promptTokens: fresh.ids.map((id) => tokenGuess(m.tokenizer, id)),
      tokens: fresh.ids.map((id) => tokenInfo(m.tokenizer, id)),
    };
  }

  private async tick(req: Protocol['tick']['request'], onDrawn: OnDrawn): Promise<Protocol['tick']['response']> {
    const m = this.model();
    const session = this.need();
    if (req.sampling) session.setSampling(req.sampling);
    if (req.seed !== undefined) session.seed = toSeed(req.seed);
    // tokenFirst: the token goes to the page while the trace is still being read.
    let drawn: TickSummary | undefined;
    const early = req.tokenFirst && req.trace ? (r: TickRecord) => onDrawn((drawn = tickSummary(r, m.tokenizer, req.candidates ?? 20))) : undefined;
    const rec = await session.tick({ trace: req.trace, onDrawn: early });
    this.keep(rec);
    const twin = this.untouched;
    let untouched: TickRecord | undefined;
    if (twin && twin.ticks === rec.index) {
      // The run the intervention left goes on with the same settings and dice.
      twin.setSampling(session.sampling);
      twin.seed = session.seed;
      untouched = await twin.tick();
    }
    const weightsVerified = req.verifyWeights ? await m.verifyChecksum() : undefined;
    const own = drawn
      ? { ...drawn, ms: rec.ms, ...(weightsVerified === undefined ? {} : { weightsVerified }), ...(rec.trace ? { trace: traceForPage(rec.trace, m.tokenizer) } : {}) } // the draw described once
      : tickSummary(rec, m.tokenizer, req.candidates ?? 20, weightsVerified);
    const summary = {
      ...own,
      ...(untouched ? { untouched: tickSummary(untouched, m.tokenizer, req.candidates ?? 20) } : {}),
    };
    // Copies: the kept logits stay the engine's own, whatever the page does with these.
    if (!req.logits) return summary;
    const texts = Array.from(rec.dist.order.subarray(0, TICK_TEXTS), (id) => m.tokenizer.tokenPiece(id).text);
    return { ...summary, logits: rec.logits.slice(), order: rec.dist.order.slice(), texts };
  }

  /**
   * Run the cached sequence again from scratch with a fresh cache, timed; the session is untouched.
   * While an intervention acts, with the part removed: the cache it recomputes is the intervened run's.
   */
  private async recompute(req: Protocol['recompute']['request']): Promise<RecomputeResult> {
    const m = this.model();
    const session = this.need();
    const cached = session.activeCache.length;
    if (cached === 0 || session.ticks === 0) throw new Error('nothing to recompute yet: run a tick first');
    const n = req.positions ?? cached;
    if (!Number.isInteger(n) || n < 1 || n > cached) throw new RangeError(`can recompute 1 to ${cached} positions, not ${n}`);
    // The cached positions are the sequence before the newest token (which no tick has fed yet); the first n of them.
    const from = session.ids.length - 1 - cached;
    const ids = session.ids.slice(from, from + n);
    const cache = new KVCache(m.config.n_layer);
    try {
      const t0 = performance.now();
      const iv = session.activeCache !== session.cache ? session.intervention : null;
      const { logits, trace } = await forward(m.config, m.weights, ids, cache, { trace: req.trace, ...(iv ? { intervention: iv } : {}) });
      try {
        await logits.data();
      } finally {
        logits.dispose();
      }
      const ms = performance.now() - t0;
      return { tick: session.ticks - 1, positions: n, ms, flops: forwardFlops(m.config, n, 0, 1), ...(trace ? { trace: traceForPage(trace, m.tokenizer) } : {}) };
    } finally {
      cache.clear();
    }
  }

  /** Forced tokens must be [tick ≥ from, id in the vocabulary] with rising ticks. */
  private checkForced(forced: [number, number][], from: number): void {
    const V = this.model().config.vocab_size;
    forced.forEach(([k, id], i) => {
      if (!(Number.isInteger(k) && k >= from && Number.isInteger(id) && id >= 0 && id < V) || (i > 0 && k <= forced[i - 1][0])) {
        throw new RangeError(`forced tokens must be [tick ≥ ${from}, token id below ${V}] with rising ticks, got [${k}, ${id}]`);
      }
    });
  }

  /** A new intervention starts at the fork's tick, within the model, and only where the old one had not begun. */
  private checkIntervention(session: Session, index: number, iv: LastingIntervention | undefined): void {
    if (session.intervention && index > session.intervention.from) {
      throw new Error(`go back to tick ${session.intervention.from}, where the intervention began, before changing it`);
    }
    if (!iv) return;
    if (iv.from !== index) throw new RangeError(`an intervention starts at the tick the run goes back to (${index}), not ${iv.from}`);
    validateIntervention(this.model().config, iv);
  }

  /** The sequence the latest tick saw: every position now in the cache (the newest token is not fed yet). */
  private latestSequence(session: Session, what: string): number[] {
    const n = session.activeCache.length;
    if (n === 0 || session.ticks === 0) throw new Error(`nothing to ${what} yet: run a tick first`);
    return session.ids.slice(session.ids.length - 1 - n, session.ids.length - 1);
  }

  /**
   * Run the latest tick's sequence once more on a fresh cache with heads switched off or blocks
   * skipped, and draw from it with the latest tick's settings and dice. The session (its ids,
   * cache, seed and settings) is untouched; the weights are read back afterwards and checksummed.
   */
  private async intervene(req: Protocol['intervene']['request']): Promise<InterventionResult> {
    const m = this.model();
    const session = this.need();
    const ids = this.latestSequence(session, 'intervene on');
    const index = session.ticks - 1;
    const kept = this.kept.get(index);
    if (!kept) throw new Error(`tick ${index} is not kept`);
    const intervention: Intervention = {
      heads: (req.heads ?? []).map(([l, h]) => [l, h]),
      skipBlocks: [...(req.skipBlocks ?? [])],
    };
    const lensK = req.lens ?? 5;
    const run = async (opts: ForwardOptions) => {
      const cache = new KVCache(m.config.n_layer);
      try {
        const out = await forward(m.config, m.weights, ids, cache, opts);
        try {
          return { logits: (await out.logits.data()) as Float32Array, trace: out.trace! };
        } finally {
          out.logits.dispose();
        }
      } finally {
        cache.clear();
      }
    };
    const { logits, trace } = await run({ intervention, trace: { ...req.trace, lens: lensK } });
    const untouched = req.untouchedLens ? (await run({ trace: { lens: lensK } })).trace : null;
    const weightsVerified = await m.verifyChecksum();
    const s = sample(logits, session.sampling, tickDraw(kept.seed, index));
    const page = traceForPage(trace, m.tokenizer);
    const last = ids.length - 1;
    const before = distribution(kept.logits, session.sampling, kept.dist.order);
    return {
      tick: index,
      positions: ids.length,
      intervention,
      sample: describeDraw(index, kept.seed, session.sampling, logits, s, m.tokenizer, req.candidates ?? 10),
      lens: page.lens.map((r) => ({ layer: r.layer, positions: [r.positions[last]] })),
      ...(untouched ? { untouchedLens: traceForPage(untouched, m.tokenizer).lens.map((r) => ({ layer: r.layer, positions: [r.positions[last]] })) } : {}),
      changes: probChanges(before, s.dist, m.tokenizer, req.changes ?? 5),
      checksum: m.checksum,
      weightsVerified,
      ...(req.trace ? { trace: page } : {}),
    };
  }

  private keep(rec: TickRecord): void {
    this.kept.set(rec.index, { index: rec.index, seed: rec.seed, logits: rec.logits, dist: { order: rec.dist.order } });
    for (const i of this.kept.keys()) {
      if (this.kept.size <= KEEP_TICKS) break;
      this.kept.delete(i); // Map keeps insertion order: the oldest go first
    }
  }
}
