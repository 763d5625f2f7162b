/**
 * The engine behind the worker: owns the model, the session, the recent tick records and every
 * tensor, and answers one request at a time. The worker (engine-worker.ts) only passes messages;
 * tests drive this class directly in Node with a real model.
 *
 * A failed request leaves the previous model and session in place.
 */
import { getBackend } from '@tensorflow/tfjs-core';
import { initBackend, type BackendName } from '../model/backend.ts';
import { loadModelFiles, weightsChecksum } from '../model/checkpoint.ts';
import { countParams, makeConfig, parseConfig } from '../model/config.ts';
import { BUNDLED_MODEL } from '../model/bundled-model.ts';
import { downloadFile, remoteSize, MODEL_FILES, type Partial } from '../model/download.ts';
import { forward, forwardFlops, KVCache, type Trace } from '../model/gpt2.ts';
import { Model } from '../model/model.ts';
import { toSeed } from '../model/prng.ts';
import { stageProbs, type Sample, type SamplingParams } from '../model/sampler.ts';
import { Session, type TickRecord } from '../model/tick.ts';
import type { Tokenizer } from '../model/tokenizer.ts';
import type { Trainer } from '../train/trainer.ts';
import { matmulPeak } from './matmul-peak.ts';
import { acquireModel } from './model-files.ts';
import { choiceLabel, fileUrls, storeKey, type LoadSource } from './model-source.ts';
import { ModelStore } from './model-store.ts';
import type {
  AttentionDetail, LoadProgress, ModelEstimate, AttentionRows, BpeSymbol, BpeWord, DrawCandidate, DrawSummary, LayerRows, LensRows, ModelInfo, PeakResult, Request, TrainDemoResult, ResponseMap, TickSummary, TickTrace, TokenInfo,
} from './protocol.ts';

/** How many past ticks can be re-drawn (each keeps its logits and sort order: ~0.4 MB for GPT-2's vocabulary). */
export const KEEP_TICKS = 64;

/** What a past tick keeps so it can be re-drawn without a forward pass. */
type Kept = Pick<TickRecord, 'index' | 'seed' | 'logits'> & { dist: Pick<TickRecord['dist'], 'order'> };

/** log Σ_j exp(z_j / T) over all of `logits`, in float64, shifted by the largest logit so it never overflows. */
export function logSumExp(logits: ArrayLike<number>, temperature: number): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp((logits[i] - max) / temperature);
  return max / temperature + Math.log(sum);
}

/**
 * Describe a draw: the `n` most likely tokens with their logits and probabilities after
 * temperature, which survive the filters, the renormaliser and the softmax's normaliser.
 */
export function describeDraw(
  index: number, seed: number, sampling: SamplingParams, logits: Float32Array, s: Sample, tokenizer: Tokenizer, n = 20,
): DrawSummary {
  const { dist } = s;
  const greedy = sampling.temperature === 0;
  const cand = (rank: number): DrawCandidate => {
    const id = dist.order[rank];
    return { id, text: tokenizer.tokenPiece(id).text, logit: logits[id], prob: dist.probs[rank], kept: rank < dist.keptTopP, rank };
  };
  const candidates = Array.from({ length: Math.min(n, dist.order.length) }, (_, r) => cand(r));
  let keptMass = 0;
  let before = 0; // kept mass ranked above the chosen token
  for (let r = 0; r < dist.keptTopP; r++) {
    if (r === s.rank) before = keptMass;
    keptMass += dist.probs[r];
  }
  return {
    index,
    sampling: { ...sampling },
    seed,
    id: s.id,
    rank: s.rank,
    prob: s.prob,
    draw: s.draw,
    chosen: cand(s.rank),
    candidates,
    vocabSize: logits.length,
    keptTopK: dist.keptTopK,
    keptTopP: dist.keptTopP,
    keptMass,
    logSumExp: greedy ? null : logSumExp(logits, sampling.temperature),
    chosenInterval: greedy ? null : [before / keptMass, (before + dist.probs[s.rank]) / keptMass],
  };
}

/** The attention rows and logit lens of a trace, as plain arrays for the page. */
export function traceForPage(trace: Trace, tokenizer: Tokenizer): TickTrace {
  const attention: AttentionRows[] = [];
  const lens: LensRows[] = [];
  const detail: AttentionDetail[] = [];
  for (const lt of trace.layers) {
    const part = lt.scores ?? lt.q;
    if (part) {
      const [h, t] = part.shape;
      const keys = lt.scores ? lt.scores.shape[2] : trace.start + t;
      const headDim = lt.q ? lt.q.shape[2] : 0;
      detail.push({
        layer: lt.layer, shape: [h, t, keys], headDim,
        ...(lt.q ? { q: lt.q.data } : {}), ...(lt.k ? { k: lt.k.data } : {}),
        ...(lt.scores ? { scores: lt.scores.data } : {}), ...(lt.scaledMasked ? { scaledMasked: lt.scaledMasked.data } : {}),
      });
    }
    if (lt.attention) {
      const [h, t, k] = lt.attention.shape;
      attention.push({ layer: lt.layer, shape: [h, t, k], data: lt.attention.data });
    }
    if (lt.lens) {
      lens.push({
        layer: lt.layer,
        positions: lt.lens.ids.map((ids, p) =>
          Array.from(ids, (id, r) => ({ id, text: tokenizer.tokenPiece(id).text, prob: lt.lens!.probs[p][r] }))),
      });
    }
  }
  const out: TickTrace = { start: trace.start, tokens: trace.tokens, attention, lens, ...(detail.length ? { detail } : {}) };
  const layers: LayerRows[] = trace.layers.filter((lt) => lt.mlp || lt.residual).map((lt) => ({
    layer: lt.layer,
    positions: trace.tokens.length,
    ...(lt.mlpIn ? { mlpIn: lt.mlpIn.data } : {}), ...(lt.mlp ? { mlp: lt.mlp.data } : {}), ...(lt.residual ? { residual: lt.residual.data } : {}),
  }));
  if (layers.length) out.layers = layers;
  if (trace.tokenEmbedding && trace.positionEmbedding && trace.embedding) {
    const [t, c] = trace.embedding.shape;
    out.embeddings = { shape: [t, c], token: trace.tokenEmbedding.data, position: trace.positionEmbedding.data, sum: trace.embedding.data };
  }
  return out;
}

/** encodeWithSteps for the page: every word's bytes, byte symbols, merges and tokens. */
export function bpeWords(tokenizer: Tokenizer, text: string): BpeWord[] {
  const sym = (text: string): BpeSymbol => {
    const id = tokenizer.tokenToId(text);
    return { text, bytes: id === undefined ? [] : [...tokenizer.tokenBytes(id)] };
  };
  return tokenizer.encodeWithSteps(text).words.map((w) => ({
    text: w.text,
    bytes: [...w.bytes],
    initial: w.initial.map(sym),
    steps: w.steps.map((s) => ({ pair: s.pair, rank: s.rank, positions: s.positions, symbols: s.symbols.map(sym) })),
    tokens: w.ids.map((id) => tokenInfo(tokenizer, id)),
    special: w.special,
  }));
}

function tokenInfo(tokenizer: Tokenizer, id: number): TokenInfo {
  const p = tokenizer.tokenPiece(id);
  return { id, text: p.text, bytes: [...p.bytes], complete: p.complete };
}

/** One model, one session, the last KEEP_TICKS ticks. */
export class EngineHost {
  model: Model | null = null;
  session: Session | null = null;
  private kept = new Map<number, Kept>();
  private peak: Promise<PeakResult> | null = null;
  private demo: { trainer: Trainer; ids: Int32Array; text: string } | null = null;
  private loading: AbortController | null = null;
  private partials = new Map<string, Partial>(); // failed downloads' bytes, kept for a retry
  /** The browser's model store (none in Node); tests may set their own. */
  store: ModelStore | undefined = ModelStore.open();

  /** Stop the running load, if any; the model in use stays. */
  cancelLoad(): boolean {
    if (!this.loading) return false;
    this.loading.abort(new Error('the load was cancelled'));
    return true;
  }

  private needModel(): Model {
    if (!this.model) throw new Error('no model is loaded yet');
    return this.model;
  }

  private needSession(): Session {
    if (!this.session) throw new Error('no session: send a prompt first');
    return this.session;
  }

  /** Answer one request. */
  async handle<K extends Request['type']>(req: Extract<Request, { type: K }>, onProgress: (p: LoadProgress) => void = () => {}): Promise<ResponseMap[K]> {
    return (await this.dispatch(req, onProgress)) as ResponseMap[K];
  }

  private async dispatch(req: Request, onProgress: (p: LoadProgress) => void): Promise<ResponseMap[Request['type']]> {
    switch (req.type) {
      case 'load':
        return this.load(req.source ?? { kind: 'url', url: req.url ?? '', label: req.url ?? '' }, req.backend, req.wasmPath, onProgress);
      case 'estimate':
        return this.estimate(req.source);
      case 'cancelLoad':
        return { cancelled: this.cancelLoad() };
      case 'start': {
        const m = this.needModel();
        const fresh = new Session(m, { prompt: req.prompt, seed: req.seed, sampling: req.sampling });
        if (req.maxPromptTokens !== undefined && fresh.promptLength > req.maxPromptTokens) {
          fresh.dispose();
          throw new RangeError(`the prompt is ${fresh.promptLength} tokens; this model reads at most ${req.maxPromptTokens}`);
        }
        this.session?.dispose();
        this.session = fresh;
        this.kept.clear();
        return {
          promptTokens: fresh.ids.map((id) => ({ id, text: m.tokenizer.tokenPiece(id).text, prob: 0 })),
          tokens: fresh.ids.map((id) => tokenInfo(m.tokenizer, id)),
        };
      }
      case 'tick': {
        const m = this.needModel();
        const session = this.needSession();
        if (req.sampling) session.setSampling(req.sampling);
        if (req.seed !== undefined) session.seed = toSeed(req.seed);
        const rec = await session.tick({ trace: req.trace });
        this.keep(rec);
        const weightsVerified = req.verifyWeights ? await m.verifyChecksum() : undefined;
        return this.summary(rec, m, req.candidates ?? 20, weightsVerified);
      }
      case 'resample': {
        const m = this.needModel();
        const rec = this.kept.get(req.index);
        if (!rec) throw new RangeError(`tick ${req.index} is not kept any more (the last ${KEEP_TICKS} ticks are)`);
        const s = Session.resample(rec as TickRecord, req.sampling, req.seed);
        return describeDraw(rec.index, req.seed, req.sampling, rec.logits, s, m.tokenizer, req.candidates ?? 20);
      }
      case 'tokenize': {
        const m = this.needModel();
        return { tokens: m.tokenizer.encode(req.text).map((id) => tokenInfo(m.tokenizer, id)) };
      }
      case 'tokenizeSteps': {
        const words = bpeWords(this.needModel().tokenizer, req.text);
        return { words, tokens: words.flatMap((w) => w.tokens) };
      }
      case 'recompute': {
        const m = this.needModel();
        const session = this.needSession();
        const n = session.cache.length;
        if (n === 0 || session.ticks === 0) throw new Error('nothing to recompute yet: run a tick first');
        // The cached positions are the sequence before the newest token (which no tick has fed yet).
        const ids = session.ids.slice(session.ids.length - 1 - n, session.ids.length - 1);
        const cache = new KVCache(m.config.n_layer);
        try {
          const t0 = performance.now();
          const { logits, trace } = await forward(m.config, m.weights, ids, cache, { trace: req.trace });
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
      case 'matmulPeak': {
        this.peak ??= (async () => {
          const n = 512;
          return { gflops: await matmulPeak(n), n, backend: getBackend() };
        })();
        return this.peak;
      }
      case 'trainDemo':
        return this.trainDemo(req.text, req.steps, req.reset ?? false);
      case 'cancel':
        return { cancelled: 0 }; // the worker drops queued ticks before they reach the host
      case 'verifyChecksum':
        return { checksum: await this.needModel().verifyChecksum() };
    }
  }

  /**
   * Load a model and make it the current one. Any failure (unreachable Hub, a cut connection, a
   * wrong or truncated file, cancel) leaves the previous model and session as they were.
   */
  private async load(source: LoadSource, backendName: BackendName | undefined, wasmPath: string | undefined, onProgress: (p: LoadProgress) => void): Promise<ModelInfo> {
    if (this.loading) throw new Error('another model is loading: cancel it first');
    const ctrl = new AbortController();
    this.loading = ctrl;
    try {
      const backend = await initBackend(backendName ?? 'wasm', { wasmPath });
      let files;
      let got: Awaited<ReturnType<typeof acquireModel>> | undefined;
      if (source.kind === 'url') {
        files = await loadModelFiles(source.url, { signal: ctrl.signal, onProgress: (p) => onProgress({ phase: 'download', file: p.file, loaded: p.loaded, total: undefined, fileLoaded: p.loaded, fileTotal: p.total }) });
      } else {
        got = await acquireModel(source, { store: this.store, origin: globalThis.location?.origin ?? 'http://localhost', partials: this.partials, signal: ctrl.signal, onProgress, bundledName: BUNDLED_MODEL });
        onProgress({ phase: 'check', loaded: 0, total: undefined });
        files = await loadModelFiles({ files: got.files }, { signal: ctrl.signal });
      }
      if (ctrl.signal.aborted) throw ctrl.signal.reason;
      onProgress({ phase: 'upload', loaded: 0, total: undefined });
      const next = await Model.fromFiles(files);
      if (ctrl.signal.aborted) {
        next.dispose();
        throw ctrl.signal.reason;
      }
      this.session?.dispose();
      this.session = null;
      this.kept.clear();
      this.model?.dispose();
      this.model = next;
      let stored = got?.from === 'store';
      let storeError: string | undefined;
      if (got?.toStore && this.store) {
        onProgress({ phase: 'store', loaded: 0, total: undefined });
        try {
          await this.store.putAll(got.key, got.label, got.toStore);
          stored = true;
        } catch (e) {
          storeError = `could not keep it in this browser: ${(e as Error).message.replace(/\.$/, '')}`;
        }
      } else if (got && !this.store) storeError = 'this browser offers no storage here, so it will be downloaded again next time';
      return {
        url: got?.url ?? (source.kind === 'url' ? source.url : ''),
        label: got?.label ?? choiceLabel(source, BUNDLED_MODEL),
        key: got?.key ?? storeKey(source),
        from: got?.from ?? 'network',
        stored,
        ...(storeError ? { storeError } : {}),
        config: next.config,
        params: next.info.params,
        dtype: next.info.dtype,
        fileBytes: next.info.fileBytes,
        checksum: next.checksum,
        backend,
      };
    } catch (e) {
      if (ctrl.signal.aborted) throw new Error('the load was cancelled; the model in use is unchanged');
      throw e;
    } finally {
      this.loading = null;
    }
  }

  /** A model's download size and memory need, from its config.json and the sizes the server gives. */
  private async estimate(source: LoadSource): Promise<ModelEstimate> {
    if (source.kind === 'files' || source.kind === 'local' || source.kind === 'url') throw new Error('only a Hub model needs an estimate before loading');
    const urls = fileUrls(source, globalThis.location?.origin ?? 'http://localhost');
    const key = storeKey(source);
    const stored = this.store ? await this.store.has(MODEL_FILES.map((f) => urls[f])).catch(() => false) : false;
    const configBytes = stored ? (await this.store!.getAll([urls['config.json']]))?.get(urls['config.json']) : await downloadFile(urls['config.json']);
    if (!configBytes) throw new Error('the stored config.json could not be read');
    const config = parseConfig(JSON.parse(new TextDecoder().decode(configBytes)), urls['config.json']);
    const sizes = stored ? [] : await Promise.all(MODEL_FILES.map((f) => (f === 'config.json' ? configBytes.byteLength : remoteSize(urls[f]))));
    const weightsBytes = stored ? undefined : sizes[MODEL_FILES.indexOf('model.safetensors')];
    const downloadBytes = stored || sizes.some((n) => n === undefined) ? undefined : sizes.reduce((a, b) => a! + b!, 0);
    const params = countParams(config);
    const memoryBytes = params * 4;
    return {
      key, label: choiceLabel(source, BUNDLED_MODEL), config, params, downloadBytes, weightsBytes, memoryBytes,
      peakBytes: weightsBytes === undefined ? undefined : weightsBytes + memoryBytes, stored,
    };
  }

  /**
   * The training demo: a tiny random GPT-2 (1 layer, 2 heads, width 32, the loaded model's
   * vocabulary and tokenizer) trained with AdamW on `text`, `steps` more steps a request.
   */
  private async trainDemo(text: string, steps: number, reset: boolean): Promise<TrainDemoResult> {
    const m = this.needModel();
    const { Trainer, DEFAULT_TRAIN } = await import('../train/trainer.ts');
    if (reset || !this.demo || this.demo.text !== text) {
      this.demo?.trainer.dispose();
      this.demo = null;
      const config = makeConfig({ n_layer: 1, n_head: 2, n_embd: 32, n_positions: 32, vocab_size: m.config.vocab_size });
      const ids = Int32Array.from(m.tokenizer.encode(text));
      const train = { ...DEFAULT_TRAIN, steps: 10_000, batch: 4, ctx: Math.min(16, ids.length - 2), lr: 1e-2, minLr: 1e-2, warmup: 1, weightDecay: 0, seed: 1 };
      if (train.ctx < 2) throw new RangeError(`the training text is ${ids.length} tokens; it needs at least 4`);
      this.demo = { trainer: new Trainer(config, train), ids, text };
    }
    const { trainer, ids } = this.demo;
    const checksumBefore = weightsChecksum(await trainer.params());
    const out: TrainDemoResult['steps'] = [];
    for (let i = 0; i < steps; i++) {
      const log = await trainer.step(ids);
      out.push({ step: log.step, loss: log.loss, checksum: weightsChecksum(await trainer.params()), ms: log.ms });
    }
    return {
      config: trainer.config, params: countParams(trainer.config), textTokens: ids.length,
      checksumBefore, checksumAfter: out.at(-1)?.checksum ?? checksumBefore, steps: out,
    };
  }

  /** The stored logits of a recent tick (what a resample re-draws from), or undefined when not kept. */
  tickLogits(index: number): Float32Array | undefined {
    return this.kept.get(index)?.logits;
  }

  private keep(rec: TickRecord): void {
    this.kept.set(rec.index, { index: rec.index, seed: rec.seed, logits: rec.logits, dist: { order: rec.dist.order } });
    for (const i of this.kept.keys()) {
      if (this.kept.size <= KEEP_TICKS) break;
      this.kept.delete(i); // Map keeps insertion order: the oldest go first
    }
  }

  private summary(rec: TickRecord, m: Model, n: number, weightsVerified: string | undefined): TickSummary {
    const probs = stageProbs(rec.dist, 'topP');
    const top = Array.from(rec.dist.order.slice(0, 10), (id, r) => ({ id, text: m.tokenizer.tokenPiece(id).text, prob: probs[r] ?? 0 }));
    const s: Sample = { id: rec.id, rank: rec.rank, prob: rec.prob, draw: rec.draw, dist: rec.dist };
    return {
      index: rec.index,
      kind: rec.kind,
      id: rec.id,
      piece: { text: rec.piece.text, bytes: [...rec.piece.bytes], complete: rec.piece.complete },
      text: rec.text,
      pendingBytes: [...rec.pendingBytes],
      prob: rec.prob,
      rank: rec.rank,
      draw: rec.draw,
      top,
      ms: rec.ms,
      flops: rec.flops,
      fed: rec.fed.length,
      position: rec.position,
      cacheLength: rec.cacheLength,
      cacheBytes: rec.cacheBytes,
      window: rec.window,
      weightsChecksum: rec.weightsChecksum,
      ...(weightsVerified === undefined ? {} : { weightsVerified }),
      sample: describeDraw(rec.index, rec.seed, rec.sampling, rec.logits, s, m.tokenizer, n),
      ...(rec.trace ? { trace: traceForPage(rec.trace, m.tokenizer) } : {}),
    };
  }
}
