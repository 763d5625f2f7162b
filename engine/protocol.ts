/**
 * Messages between the page and the engine. The page never touches tfjs; it sends requests and
 * gets plain data back (structured clone), so a tick never freezes the page.
 *
 * `Protocol` is the one list of requests: each entry is a request and its response side by side.
 * The host's handlers are keyed by it (see `Handlers`), so adding a request is one entry here and
 * one handler, and the compiler checks that they agree.
 *
 * Wire data reuses the model's own types where they are plain data; where the wire differs (bytes
 * as plain arrays, traced tensors as their data, a token's id beside its text), the wire type is
 * derived from the model's. The converters are in wire.ts.
 */
import type { BackendMemory, BackendName, BackendReport } from '../model/backend.ts';
import type { GPT2Config } from '../model/config.ts';
import type { DownloadProgress } from '../model/download.ts';
import type { Intervention, LayerTrace, Trace, TraceArray, TraceOptions } from '../model/gpt2.ts';
import type { Model } from '../model/model.ts';
import type { Distribution, Sample, SamplingParams } from '../model/sampler.ts';
import type { LastingIntervention, TickRecord } from '../model/tick.ts';
import type { MergeStep, TokenPiece, WordSteps } from '../model/tokenizer.ts';
import type { StepLog } from '../train/trainer.ts';
import type { LoadSource } from './model-source.ts';

/** A model type as it crosses the wire: its raw bytes (Uint8Array) as plain arrays of numbers. */
export type Wire<T> = { [K in keyof T]: T[K] extends Uint8Array ? number[] : T[K] };

export interface ModelInfo extends Pick<Model, 'config' | 'checksum'>, Pick<Model['info'], 'params' | 'dtype' | 'fileBytes'> {
  url: string; // where it was loaded from (a Hub repository's folder URL; "local:<name>" for picked files)
  label: string; // what a reader calls it
  key: string; // model-source.ts storeKey: which model this is
  from: 'network' | 'store' | 'files'; // where the bytes came from this time
  stored: boolean; // kept in the browser's store for the next visit
  storeError?: string; // why it could not be stored, when it could not
  notice?: string; // set by the page: why it runs this model and not the reader's choice
  backend: BackendReport;
}

/** A token and the probability the model gives it: a tick's top tokens, a logit-lens guess, a prompt token (0). */
export interface TokenGuess {
  id: number;
  text: TokenPiece['text']; // token piece, partial UTF-8 written as <0xHH>
  prob: number; // in the final filtered distribution (0 when filtered out); for the lens, the lens softmax
}

/** A token as the token strip shows it: its id and its piece (text, raw bytes, whether they are whole UTF-8). */
export interface TokenInfo extends Wire<TokenPiece> {
  id: number;
}

/** One of the most likely next tokens, at one tick, under one set of sampling settings. */
export interface DrawCandidate extends TokenGuess {
  logit: number; // raw logit z_i from the model
  prob: number; // softmax(z / T)_i: after temperature, before top-k and top-p
  kept: boolean; // survives top-k and top-p
  rank: number; // position by logit, 0 = most likely
}

/**
 * From logits to a token, with every number a page shows about it: the sampler's Sample (chosen
 * token, rank, final probability, draw) and the filters' counts, plus the candidates, the
 * renormaliser and the softmax's normaliser. Made by a tick and by a resample.
 */
export interface DrawSummary extends Pick<TickRecord, 'index' | 'sampling' | 'seed'>, Omit<Sample, 'dist'>, Pick<Distribution, 'keptTopK' | 'keptTopP'> {
  chosen: DrawCandidate; // the chosen token (it may lie outside `candidates`)
  candidates: DrawCandidate[]; // the most likely tokens, best first
  vocabSize: number; // V: the sum in the softmax runs over all of it
  keptMass: number; // Σ softmax(z/T) over the kept tokens: the renormaliser
  logSumExp: number | null; // log Σ_j exp(z_j / T) over the whole vocabulary (float64); null when greedy
  entropy: number; // nats, of softmax(z / T) over the whole vocabulary, before the filters (float64); 0 when greedy
  chosenInterval: [number, number] | null; // the chosen token's stretch [start, end) of the dice; null when greedy
}

/** Some of a layer's traced tensors, as their data only (the shape is given once, beside them). */
type LayerData<K extends keyof LayerTrace> = { [P in K]?: TraceArray['data'] };

/** Attention weights of one layer for the positions a tick fed: (H, T, start + T) row-major. */
export interface AttentionRows extends Pick<LayerTrace, 'layer'>, TraceArray {
  shape: [number, number, number]; // [heads, new positions, keys]
}

/** The logit lens at one layer: the model's top guesses at each fed position after that layer. */
export interface LensRows extends Pick<LayerTrace, 'layer'> {
  positions: TokenGuess[][]; // per fed position, best first; prob is the lens softmax
}

/** Token and position embeddings of the positions a tick fed, and their sum: each (T, C) row-major. */
export interface EmbeddingRows {
  shape: [number, number]; // [new positions, n_embd]
  token: TraceArray['data']; // wte[id_t] for each fed token (Trace.tokenEmbedding)
  position: TraceArray['data']; // wpe[t] for each fed position (Trace.positionEmbedding)
  sum: TraceArray['data']; // token + position: the residual stream entering block 0 (Trace.embedding)
}

/**
 * One layer's attention arithmetic for the positions a tick fed, per head (when asked for with
 * trace.qkv / trace.scores), row-major, heads first: q and k (H, T, d) (new positions only;
 * earlier keys came with earlier ticks), v (H, T, d) likewise (with trace.qkv), heads = weights · v
 * (H, T, d) (with trace.heads), scores = q·kᵀ and scaledMasked = q·kᵀ/√d with −Infinity above the
 * diagonal (H, T, keys).
 */
export interface AttentionDetail extends Pick<LayerTrace, 'layer'>, LayerData<'q' | 'k' | 'v' | 'heads' | 'scores' | 'scaledMasked'> {
  shape: [number, number, number]; // [heads, new positions, keys]
  headDim: number; // d = n_embd / n_head
}

/**
 * One block's output for the positions a tick fed (when asked for with trace.mlp / trace.residual /
 * trace.norm / trace.adds): mlpIn and mlp (T, 4C), residual (T, C); ln1 (T, C) with ln1Gamma and
 * ln1Beta (C); attnOut and mlpOut (T, C), what attention and the MLP add to the stream.
 */
export interface LayerRows extends Pick<LayerTrace, 'layer'>, LayerData<'mlpIn' | 'mlp' | 'residual' | 'ln1' | 'ln1Gamma' | 'ln1Beta' | 'attnOut' | 'mlpOut'> {
  positions: number; // T: new positions
}

/** The internals a chart needs, for the positions one tick fed. */
export interface TickTrace extends Pick<Trace, 'start' | 'tokens'> {
  attention: AttentionRows[]; // when asked for (trace.attention)
  lens: LensRows[]; // when asked for (trace.lens)
  embeddings?: EmbeddingRows; // when asked for (trace.embeddings)
  detail?: AttentionDetail[]; // when asked for (trace.qkv or trace.scores)
  layers?: LayerRows[]; // when asked for (trace.mlp or trace.residual)
}

/** One forward pass over the whole cached sequence with a fresh cache, timed: what a tick would cost without the KV cache. */
export interface RecomputeResult {
  tick: number; // the latest tick when it ran (its cache is what was recomputed)
  positions: number; // tokens run through the model at once
  ms: number; // measured around the awaited logits, like a tick's forward time
  flops: number; // forwardFlops(config, positions, 0)
  trace?: TickTrace; // when asked for
}

/** One token whose probability (softmax(z / T), before top-k and top-p) an intervention changed. */
export interface ProbChange extends Omit<TokenGuess, 'prob'> {
  before: number; // in the latest tick's own distribution
  after: number; // with the intervention
  delta: number; // after − before
}

/**
 * The latest tick's sequence run once more on a fresh cache with heads switched off or blocks
 * skipped (the session is untouched), against the latest tick itself: the untouched side.
 */
export interface InterventionResult {
  tick: number; // the latest tick: its sequence was run again, its dice drew `sample`
  positions: number; // tokens run through the model
  intervention: Intervention; // what was switched off, as applied
  sample: DrawSummary; // the intervened logits under the session's settings, drawn with the latest tick's dice: tickDraw(seed, tick)
  lens: LensRows[]; // the intervened logit lens at the last position, per layer (positions holds one row)
  untouchedLens?: LensRows[]; // the same sequence's lens without the intervention, when asked for (a tick that traced only some layers has no full lens)
  changes: ProbChange[]; // the tokens whose probability changed most (|Δp|, largest first), over the whole vocabulary
  checksum: string; // the weights' checksum taken at load
  weightsVerified: string; // the weights read back from the backend after the run and checksummed again
  trace?: TickTrace; // the intervened run's trace, when asked for
}

/** How fast this device streams a buffer from memory (bandwidth.ts): the best of 8 passes. */
export interface StreamResult {
  bytes: number; // the buffer's size
  gbps: number; // 1e9 bytes per second
  threads: number; // threads streaming their shares at once
}

/**
 * This device's limits, measured once on demand: matmul throughput (matmul-peak.ts), and how fast
 * it reads memory (bandwidth.ts) — a buffer the size of the model's weights, and one past every cache.
 */
export interface PeakResult {
  gflops: number; // 2·n³ FLOPs over the median time of an n×n by n×n product
  n: number;
  backend: string; // the tfjs backend it ran on
  weights?: StreamResult; // streaming the bytes the request named (what one decode tick reads), when it named them
  memory: StreamResult; // streaming MEMORY_PROBE_BYTES (main memory)
}

/** One optimizer step of the training demo (the trainer's log) and the weights' checksum after it. */
export interface TrainStep extends Pick<StepLog, 'step' | 'loss' | 'ms'> {
  checksum: string; // weightsChecksum of the weights after the update
}

/** A tiny GPT-2 trained in the engine (train/trainer.ts), a few steps a request. */
export interface TrainDemoResult {
  config: GPT2Config; // the tiny model's shape (the loaded model's vocabulary)
  params: number; // its parameter count
  textTokens: number; // tokens of the training text
  checksumBefore: string; // of the weights before this request's steps
  checksumAfter: string; // after them
  steps: TrainStep[]; // this request's steps
}

/** A token near another in embedding space: its cosine similarity with the other's row of wte. */
export interface NearestToken extends TokenInfo {
  cosine: number; // cos(wte[id], wte[query]), over the whole row
}

/** A symbol of a word during BPE: its vocab spelling and the bytes it stands for. */
export interface BpeSymbol {
  text: string; // vocab spelling: GPT-2's printable stand-ins for bytes ("Ġ" is the space 0x20)
  bytes: number[]; // the raw bytes
}

/** One merge of byte-level BPE inside a word (the tokenizer's MergeStep), with each symbol's bytes. */
export interface BpeMerge extends Omit<MergeStep, 'symbols'> {
  symbols: BpeSymbol[]; // the word's symbols after this merge
}

/** How one pre-token word of a text became tokens (the tokenizer's WordSteps), with bytes, symbols and tokens spelled out. */
export interface BpeWord extends Pick<WordSteps, 'text' | 'special'>, Wire<Pick<WordSteps, 'bytes'>> {
  initial: BpeSymbol[]; // one symbol per byte, before any merge
  steps: BpeMerge[]; // merges in the order applied
  tokens: TokenInfo[]; // the word's tokens
}

/** A tick (model/tick.ts TickRecord), trimmed to what crosses the worker boundary cheaply. */
export interface TickSummary
  extends Pick<TickRecord, 'index' | 'kind' | 'id' | 'text' | 'prob' | 'rank' | 'draw' | 'ms' | 'flops' | 'position' | 'cacheLength' | 'cacheBytes' | 'window' | 'weightsChecksum' | 'forced' | 'intervention'>,
    Wire<Pick<TickRecord, 'pendingBytes'>> {
  piece: Wire<TokenPiece>; // the chosen token's bytes and text
  top: TokenGuess[]; // most likely first
  fed: number; // tokens run through the model this tick
  weightsVerified?: string; // the weights read back from the backend after this tick and checksummed again (when asked)
  sample: DrawSummary; // the draw in full, for probability bars and equations
  trace?: TickTrace; // when asked for
  logits?: Float32Array; // the tick's raw logits, when asked for (a resample on the page draws from them)
  order?: Uint32Array; // token ids by logit, highest first (sampler.ts sortByLogit), with `logits`
  texts?: string[]; // the texts of the first tokens of `order` (session-host.ts TICK_TEXTS), with `logits`
  untouched?: TickSummary; // while an intervention lasts (fork's `intervention`): the untouched run's own tick at this index, run beside this one
}

/** How far a load has got: sent while it runs (downloads can take minutes). */
export interface LoadProgress extends Partial<Pick<DownloadProgress, 'bytesPerSecond'>> {
  phase: 'download' | 'read' | 'check' | 'upload' | 'store';
  file?: string; // the file being downloaded or read
  loaded: number; // bytes of all the model's files so far
  total: number | undefined; // bytes of all its files, once every size is known
  fileLoaded?: number; // DownloadProgress.loaded of the current file
  fileTotal?: number; // DownloadProgress.total of the current file
  resumed?: number; // bytes of the current file kept from a failed try
}

/** A model's size and memory need, told before its download starts. */
export interface ModelEstimate {
  key: string;
  label: string;
  config: GPT2Config;
  params: number;
  downloadBytes: number | undefined; // all four files; undefined when the server does not say
  weightsBytes: number | undefined; // model.safetensors
  memoryBytes: number; // the weights as float32 on the backend
  peakBytes: number | undefined; // while loading: the file and the float32 weights at once
  stored: boolean; // already in the browser's store: no download needed
}

/** What the engine holds: the backend's tensors and heap, and the session's KV cache. */
export interface EngineMemory extends BackendMemory {
  cacheBytes: number; // the session's KV cache (0 without a session)
}

/** Tokens a reader forced, as [tick index, token id] pairs: those ticks append them instead of the draw's choice (model/tick.ts Session.forced). */
export type Forced = [number, number][];

/** A request with nothing to say but its type. */
type Bare = Record<never, never>;

/** Every request the engine answers: what is sent and what comes back. */
export interface Protocol {
  load: { request: { source: LoadSource; backend?: BackendName; wasmPath?: string }; response: ModelInfo };
  estimate: { request: { source: LoadSource }; response: ModelEstimate }; // size and memory need, without downloading the weights
  cancelLoad: { request: Bare; response: { cancelled: boolean } }; // stop a running load (jumps the queue); the model in use stays
  start: { request: { prompt: string; seed: number; sampling: SamplingParams; forced?: Forced }; response: { promptTokens: TokenGuess[]; tokens: TokenInfo[] } };
  tick: {
    request: {
      trace?: TraceOptions; // internals to return (attention rows and logit lens are sent back)
      sampling?: SamplingParams; // settings for this tick and the next ones
      seed?: number; // seed for this tick and the next ones
      verifyWeights?: boolean; // re-read the weights from the backend and checksum them after the tick
      candidates?: number; // how many of the most likely tokens to describe (default 20)
      logits?: boolean; // send the tick's raw logits and their order back too, so the page can re-draw it without a round trip (notebooks/resample.ts)
      tokenFirst?: boolean; // with a trace: send the tick as soon as its token is drawn (OnDrawn, without trace or logits), before the logit lens and the trace's copies
    };
    response: TickSummary;
  };
  fork: { request: { index: number; forced: Forced; intervention?: LastingIntervention }; response: { ticks: number } }; // go back to just before tick `index`, with these forced tokens from there on (none: the dice choose); the next tick is tick `index`. With `intervention` (new ones start at `index`): that part removed on every tick from `from` on, the untouched run going on beside it (TickSummary.untouched); without: the model untouched (off by default, no cost)
  resample: { request: { index: number; sampling: SamplingParams; seed: number; candidates?: number }; response: DrawSummary };
  tokenize: { request: { text: string }; response: { tokens: TokenInfo[] } };
  tokenizeSteps: { request: { text: string }; response: { words: BpeWord[]; tokens: TokenInfo[] } }; // tokenize, with every word's bytes and merges
  recompute: { request: { trace?: TraceOptions; positions?: number }; response: RecomputeResult }; // run the cached sequence (or its first `positions`: what an earlier tick would have recomputed) again from scratch, timed (with a lasting intervention's part removed while it acts); the session is untouched
  intervene: { request: Intervention & { trace?: TraceOptions; lens?: number; changes?: number; candidates?: number; untouchedLens?: boolean }; response: InterventionResult }; // the latest tick's sequence again with heads off / blocks skipped; the session is untouched
  matmulPeak: { request: { bytes?: number; threads?: number }; response: PeakResult }; // measure this device's matmul peak and memory bandwidth (once each; later requests get the same answers)
  trainDemo: { request: { text: string; steps: number; reset?: boolean }; response: TrainDemoResult }; // train a tiny random model on `text` (continuing, unless reset)
  nearest: { request: { id: number; k: number }; response: { id: number; neighbours: NearestToken[] } }; // the k tokens of the whole vocabulary whose rows of wte are nearest to row id by cosine, nearest first (id itself left out)
  cancel: { request: Bare; response: { cancelled: number } }; // drop the queued ticks (jumps the queue; queue.ts answers it)
  verifyChecksum: { request: Bare; response: { checksum: string } };
  memory: { request: Bare; response: EngineMemory }; // what the backend holds now (a soak test watches it)
}

export type RequestType = keyof Protocol;
/** One request as sent: its type and its fields. */
export type RequestOf<K extends RequestType> = { type: K } & Protocol[K]['request'];
/** Any request. */
export type Request = { [K in RequestType]: RequestOf<K> }[RequestType];
/** What each request is answered with. */
export type ResponseMap = { [K in RequestType]: Protocol[K]['response'] };

/** Hears how a load is going before its answer comes. */
export type OnProgress = (p: LoadProgress) => void;
/** Hears a tick's token before its answer (the same tick with its trace) comes: the tick request's `tokenFirst`. */
export type OnDrawn = (t: TickSummary) => void;
/** What a request hears before its answer: a load's progress, a tick's token. */
export interface Listeners {
  onProgress?: OnProgress;
  onDrawn?: OnDrawn;
}
/** An answer to each of the requests `K`: the compiler checks each handler against its Protocol entry. */
export type Handlers<K extends RequestType> = { [P in K]: (req: Protocol[P]['request'], onProgress: OnProgress, onDrawn: OnDrawn) => Promise<Protocol[P]['response']> };

export type Envelope = { id: number; request: Request };
export type Reply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: string; cancelled?: boolean }
  | { id: number; progress: LoadProgress } // not an answer: news of a running load
  | { id: number; drawn: TickSummary }; // not an answer: a tick's token, its trace still being read

/** The error message of a request dropped by `cancel` before it started. */
export const CANCELLED = 'cancelled before it started';

