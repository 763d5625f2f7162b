/**
 * Messages between the page and the engine worker. The page never touches tfjs; it sends these
 * requests and gets plain data back (structured clone), so a tick never freezes the page.
 */
import type { BackendName, BackendReport } from '../model/backend.ts';
import type { GPT2Config } from '../model/config.ts';
import type { TraceOptions } from '../model/gpt2.ts';
import type { SamplingParams } from '../model/sampler.ts';
import type { LoadSource } from './model-source.ts';

export interface ModelInfo {
  url: string; // where it was loaded from (a Hub repository's folder URL; "local:<name>" for picked files)
  label: string; // what a reader calls it
  key: string; // model-source.ts storeKey: which model this is
  from: 'network' | 'store' | 'files'; // where the bytes came from this time
  stored: boolean; // kept in the browser's store for the next visit
  storeError?: string; // why it could not be stored, when it could not
  notice?: string; // set by the page: why it runs this model and not the reader's choice
  config: GPT2Config;
  params: number; // parameter count
  dtype: string; // dtype stored in model.safetensors
  fileBytes: number; // size of model.safetensors
  checksum: string; // of the weights, taken at load
  backend: BackendReport;
}

export interface Candidate {
  id: number;
  text: string; // token piece, partial UTF-8 written as <0xHH>
  prob: number; // in the final filtered distribution (0 when filtered out)
}

/** A token as the token strip shows it: text, id and raw bytes. */
export interface TokenInfo {
  id: number;
  text: string; // decoded text; bytes of an incomplete character written as <0xE4>
  bytes: number[]; // the token's raw bytes
  complete: boolean; // false when the bytes are not a whole UTF-8 character on their own
}

/** One of the most likely next tokens, at one tick, under one set of sampling settings. */
export interface DrawCandidate {
  id: number;
  text: string; // token piece, partial UTF-8 written as <0xHH>
  logit: number; // raw logit z_i from the model
  prob: number; // softmax(z / T)_i: after temperature, before top-k and top-p
  kept: boolean; // survives top-k and top-p
  rank: number; // position by logit, 0 = most likely
}

/**
 * From logits to a token, with every number a page shows about it: the candidates, the filters'
 * cut-offs, the softmax's normaliser and the seeded draw. Made by a tick and by a resample.
 */
export interface DrawSummary {
  index: number; // the tick this draw belongs to
  sampling: SamplingParams; // settings used
  seed: number; // seed used (the draw is tickDraw(seed, index))
  id: number; // the chosen token
  rank: number; // its rank by logit
  prob: number; // its probability in the final (filtered, renormalised) distribution
  draw: number | null; // u ∈ [0, 1) used; null when greedy (T = 0)
  chosen: DrawCandidate; // the chosen token (it may lie outside `candidates`)
  candidates: DrawCandidate[]; // the most likely tokens, best first
  vocabSize: number; // V: the sum in the softmax runs over all of it
  keptTopK: number; // tokens left after top-k
  keptTopP: number; // tokens left after top-p (≤ keptTopK)
  keptMass: number; // Σ softmax(z/T) over the kept tokens: the renormaliser
  logSumExp: number | null; // log Σ_j exp(z_j / T) over the whole vocabulary (float64); null when greedy
  chosenInterval: [number, number] | null; // the chosen token's stretch [start, end) of the dice; null when greedy
}

/** Attention weights of one layer for the positions a tick fed: (H, T, start + T) row-major. */
export interface AttentionRows {
  layer: number;
  shape: [number, number, number]; // [heads, new positions, keys]
  data: Float32Array;
}

/** The logit lens at one layer: the model's top guesses at each fed position after that layer. */
export interface LensRows {
  layer: number;
  positions: Candidate[][]; // per fed position, best first; prob is the lens softmax
}

/** Token and position embeddings of the positions a tick fed, and their sum: each (T, C) row-major. */
export interface EmbeddingRows {
  shape: [number, number]; // [new positions, n_embd]
  token: Float32Array; // wte[id_t] for each fed token
  position: Float32Array; // wpe[t] for each fed position
  sum: Float32Array; // token + position: the residual stream entering block 0
}

/**
 * One layer's attention arithmetic for the positions a tick fed, per head (when asked for with
 * trace.qkv / trace.scores): q and k (new positions only; earlier keys came with earlier ticks),
 * q·kᵀ, and q·kᵀ/√d with −Infinity above the diagonal. All row-major, heads first.
 */
export interface AttentionDetail {
  layer: number;
  shape: [number, number, number]; // [heads, new positions, keys]
  headDim: number; // d = n_embd / n_head
  q?: Float32Array; // (H, T, d)
  k?: Float32Array; // (H, T, d)
  scores?: Float32Array; // (H, T, keys) q·kᵀ
  scaledMasked?: Float32Array; // (H, T, keys) q·kᵀ/√d, masked
}

/** One forward pass over the whole cached sequence with a fresh cache, timed: what a tick would cost without the KV cache. */
export interface RecomputeResult {
  tick: number; // the latest tick when it ran (its cache is what was recomputed)
  positions: number; // tokens run through the model at once
  ms: number; // measured around the awaited logits, like a tick's forward time
  flops: number; // forwardFlops(config, positions, 0)
  trace?: TickTrace; // when asked for
}

/** One block's output for the positions a tick fed (when asked for with trace.mlp / trace.residual): each row-major. */
export interface LayerRows {
  layer: number;
  positions: number; // T: new positions
  mlpIn?: Float32Array; // (T, 4C) GELU input
  mlp?: Float32Array; // (T, 4C) GELU output
  residual?: Float32Array; // (T, C) the residual stream after this block
}

/** This device's matmul throughput, measured once on demand (bench/engine-core.ts `matmulPeak`). */
export interface PeakResult {
  gflops: number; // 2·n³ FLOPs over the median time of an n×n by n×n product
  n: number;
  backend: string; // the tfjs backend it ran on
}

/** One optimizer step of the training demo: its loss and the weights' checksum after it. */
export interface TrainStep {
  step: number; // updates done after this step (1-based)
  loss: number; // cross-entropy of the step's batch, nats per token
  checksum: string; // weightsChecksum of the weights after the update
  ms: number; // wall time of the step
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

/** The internals a chart needs, for the positions one tick fed. */
export interface TickTrace {
  start: number; // position of the first fed token
  tokens: number[]; // the fed token ids
  attention: AttentionRows[]; // when asked for (trace.attention)
  lens: LensRows[]; // when asked for (trace.lens)
  embeddings?: EmbeddingRows; // when asked for (trace.embeddings)
  detail?: AttentionDetail[]; // when asked for (trace.qkv or trace.scores)
  layers?: LayerRows[]; // when asked for (trace.mlp or trace.residual)
}

/** One merge of byte-level BPE inside a word: the pair joined, its rank, the symbols after. */
export interface BpeMerge {
  pair: [string, string]; // the adjacent symbols joined, in vocab spelling (e.g. "Ġ", "t")
  rank: number; // the merge's line in merges.txt (0 = the first merge learned)
  positions: number[]; // where the pair started in the previous symbol list
  symbols: BpeSymbol[]; // the word's symbols after this merge
}

/** A symbol of a word during BPE: its vocab spelling and the bytes it stands for. */
export interface BpeSymbol {
  text: string; // vocab spelling: GPT-2's printable stand-ins for bytes ("Ġ" is the space 0x20)
  bytes: number[]; // the raw bytes
}

/** How one pre-token word of a text became tokens. */
export interface BpeWord {
  text: string; // the word as it appears in the text, e.g. " hello"
  bytes: number[]; // its UTF-8 bytes
  initial: BpeSymbol[]; // one symbol per byte, before any merge
  steps: BpeMerge[]; // merges in the order applied
  tokens: TokenInfo[]; // the word's tokens
  special: boolean; // <|endoftext|>, which skips BPE
}

/** A tick, trimmed to what crosses the worker boundary cheaply. */
export interface TickSummary {
  index: number;
  kind: 'prefill' | 'decode';
  id: number;
  piece: { text: string; bytes: number[]; complete: boolean };
  text: string; // text this token completes
  pendingBytes: number[]; // bytes waiting for the rest of their character
  prob: number;
  rank: number;
  draw: number | null;
  top: Candidate[]; // most likely first
  ms: { forward: number; sample: number; total: number };
  flops: number;
  fed: number; // tokens run through the model this tick
  position: number; // position of the first fed token
  cacheLength: number;
  cacheBytes: number;
  window: { dropped: number; kept: number } | null;
  weightsChecksum: string; // of the weights, as taken at load
  weightsVerified?: string; // the weights read back from the backend after this tick and checksummed again (when asked)
  sample: DrawSummary; // the draw in full, for probability bars and equations
  trace?: TickTrace; // when asked for
}

/** How far a load has got: sent while it runs (downloads can take minutes). */
export interface LoadProgress {
  phase: 'download' | 'read' | 'check' | 'upload' | 'store';
  file?: string; // the file being downloaded or read
  loaded: number; // bytes of all the model's files so far
  total: number | undefined; // bytes of all its files, once every size is known
  fileLoaded?: number;
  fileTotal?: number;
  bytesPerSecond?: number; // download speed of the current file
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

export type Request =
  | { type: 'load'; url?: string; source?: LoadSource; backend?: BackendName; wasmPath?: string } // `url` is short for { kind: 'url', url }
  | { type: 'estimate'; source: LoadSource } // size and memory need, without downloading the weights
  | { type: 'cancelLoad' } // stop a running load (jumps the queue); the model in use stays
  | { type: 'start'; prompt: string; seed: number; sampling: SamplingParams; maxPromptTokens?: number }
  | {
      type: 'tick';
      trace?: TraceOptions; // internals to return (attention rows and logit lens are sent back)
      sampling?: SamplingParams; // settings for this tick and the next ones
      seed?: number; // seed for this tick and the next ones
      verifyWeights?: boolean; // re-read the weights from the backend and checksum them after the tick
      candidates?: number; // how many of the most likely tokens to describe (default 20)
    }
  | { type: 'resample'; index: number; sampling: SamplingParams; seed: number; candidates?: number }
  | { type: 'tokenize'; text: string }
  | { type: 'tokenizeSteps'; text: string } // tokenize, with every word's bytes and merges
  | { type: 'recompute'; trace?: TraceOptions } // run the cached sequence again from scratch, timed; the session is untouched
  | { type: 'matmulPeak' } // measure this device's matmul peak (once; later requests get the same answer)
  | { type: 'trainDemo'; text: string; steps: number; reset?: boolean } // train a tiny random model on `text` (continuing, unless reset)
  | { type: 'cancel' }
  | { type: 'verifyChecksum' };

export interface ResponseMap {
  load: ModelInfo;
  estimate: ModelEstimate;
  cancelLoad: { cancelled: boolean };
  start: { promptTokens: Candidate[]; tokens: TokenInfo[] };
  tick: TickSummary;
  resample: DrawSummary;
  tokenize: { tokens: TokenInfo[] };
  tokenizeSteps: { words: BpeWord[]; tokens: TokenInfo[] };
  recompute: RecomputeResult;
  matmulPeak: PeakResult;
  trainDemo: TrainDemoResult;
  cancel: { cancelled: number }; // requests dropped from the queue
  verifyChecksum: { checksum: string };
}

export type Envelope = { id: number; request: Request };
export type Reply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: string; cancelled?: boolean }
  | { id: number; progress: LoadProgress }; // not an answer: news of a running load

/** The error message of a request dropped by `cancel` before it started. */
export const CANCELLED = 'cancelled before it started';
