/**
 * The errata page's numbers: what the source article claims, and what the engine computes
 * instead. Pure functions over the engine's tick summaries and traces; no DOM.
 */
import type { TraceOptions } from '../../model/gpt2.ts';
import type { TickSummary } from '../../engine/protocol.ts';
import { SEED_LOGITS, softmaxOf } from '../softmax.ts';

/** The article's worked example: softmax([0.1, 0.2, 0.3, 0.4]) = [0.2, 0.3, 0.3, 0.2], as it prints it. */
export const ARTICLE_INPUTS = SEED_LOGITS;
export const ARTICLE_SOFTMAX = [0.2, 0.3, 0.3, 0.2];

/** The article's prompt, in its code (§5.2.2). */
export const ARTICLE_PROMPT = '我喜欢编程。';
/** How the article splits that prompt (§4.3): four "words". */
export const ARTICLE_WORDS = ['我', '喜欢', '编程', '。'];
/** The output it says that code printed (§5.4). */
export const ARTICLE_OUTPUT = '我喜欢编程，因为编程是一种有趣的活动。';
/** Its `max_length=20`: a limit on the whole sequence, prompt included. */
export const ARTICLE_MAX_LENGTH = 20;

/** The layer and head whose attention the page compares with the article's recipe. */
export const LAYER = 0;
export const HEAD = 0;
/** What each tick traces: layer 0's q, k, v, weights and head outputs (small: one layer). */
export const TRACE: TraceOptions = { qkv: true, attention: true, heads: true, layers: [LAYER] };

/** One row of the softmax table: an input, the article's number, the true softmax. */
export interface SoftmaxRow {
  input: number;
  article: number;
  real: number;
}

/** The article's softmax beside the real one (by the engine's own sampler). */
export function softmaxRows(): { rows: SoftmaxRow[]; increasing: boolean } {
  const real = softmaxOf(ARTICLE_INPUTS, 1);
  const rows = ARTICLE_INPUTS.map((input, i) => ({ input, article: ARTICLE_SOFTMAX[i], real: real[i] }));
  // softmax keeps the order of its inputs: a larger input always gets a larger weight.
  const increasing = real.every((p, i) => i === 0 || p > real[i - 1]);
  return { rows, increasing };
}

/** The weights' checksum after each tick, beside the one taken at load. */
export interface ChecksumView {
  atLoad: string;
  rows: { tick: number; token: string; checksum: string; verified: string | undefined }[];
  same: boolean; // every tick's (and every re-read's) checksum is the one taken at load
}

export function checksumView(ticks: TickSummary[], atLoad: string): ChecksumView {
  const rows = ticks.map((t) => ({ tick: t.index, token: t.piece.text, checksum: t.weightsChecksum, verified: t.weightsVerified }));
  return { atLoad, rows, same: rows.every((r) => r.checksum === atLoad && (r.verified === undefined || r.verified === atLoad)) }; // a read-back still on its way (undefined) is not counted
}

/** The ticks of the current window: from the latest prefill on (a context slide starts a new one). */
function windowTicks(ticks: TickSummary[]): TickSummary[] {
  let from = -1;
  for (let i = ticks.length - 1; i >= 0 && from < 0; i--) if (ticks[i].kind === 'prefill') from = i;
  return from < 0 ? [] : ticks.slice(from);
}

/** Real attention at the newest position beside the article's recipe, on the same q, k, v. */
export interface AttentionCompare {
  tick: number;
  layer: number;
  head: number;
  position: number; // i: the query's position (the newest token fed)
  headDim: number; // d
  tokens: number[]; // the token ids at positions 0 … i
  q: number[]; // q_i
  weights: number[]; // the engine's softmax row: one weight per position j ≤ i
  recomputed: number[]; // softmax_j(q_i·k_j / √d), float64 from the engine's q and k
  output: number[]; // Σ_j a_ij v_j, float64 from the engine's weights and v
  engineOutput: number[]; // the engine's own head output (weights · v)
  articleWeights: number[]; // softmax(q_i ⊙ k_i): one weight per dimension, not per token
  articleOutput: number[]; // the article's next step: those weights times the key, element-wise
}

const softmax64 = (xs: number[]): number[] => {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
};

/**
 * Gather the newest position's q and every position's k and v (layer LAYER, head HEAD) from the
 * window's traces, and compute both recipes. Null until a traced tick has run.
 */
export function attentionCompare(ticks: TickSummary[]): AttentionCompare | null {
  const win = windowTicks(ticks);
  const last = win.at(-1);
  const lastDetail = last?.trace?.detail?.find((d) => d.layer === LAYER);
  const lastAtt = last?.trace?.attention.find((a) => a.layer === LAYER);
  if (!last || !last.trace || !lastDetail?.q || !lastDetail.v || !lastDetail.heads || !lastAtt) return null;
  const hd = lastDetail.headDim;
  const ks: number[][] = [];
  const vs: number[][] = [];
  const tokens: number[] = [];
  for (const t of win) {
    const d = t.trace?.detail?.find((x) => x.layer === LAYER);
    if (!t.trace || !d?.k || !d.v) return null;
    const [H, T] = d.shape;
    for (let p = 0; p < T; p++) {
      const at = (HEAD * T + p) * hd;
      ks[t.trace.start + p] = Array.from(d.k.subarray(at, at + hd));
      vs[t.trace.start + p] = Array.from(d.v.subarray(at, at + hd));
      tokens[t.trace.start + p] = t.trace.tokens[p];
    }
    void H;
  }
  const [, T, K] = lastDetail.shape;
  const p = T - 1; // the newest fed position, within this tick
  const position = last.trace.start + p;
  if (ks.length !== position + 1 || ks.some((k) => !k)) return null;
  const q = Array.from(lastDetail.q.subarray((HEAD * T + p) * hd, (HEAD * T + p + 1) * hd));
  const [, , Ka] = lastAtt.shape;
  const weights = Array.from(lastAtt.data.subarray((HEAD * T + p) * Ka, (HEAD * T + p) * Ka + position + 1));
  const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
  const recomputed = softmax64(ks.map((k) => dot(q, k) / Math.sqrt(hd)));
  const output = new Array<number>(hd).fill(0);
  weights.forEach((w, j) => vs[j].forEach((v, c) => (output[c] += w * v)));
  const engineOutput = Array.from(lastDetail.heads.subarray((HEAD * T + p) * hd, (HEAD * T + p + 1) * hd));
  const own = ks[position];
  const articleWeights = softmax64(q.map((x, c) => x * own[c]));
  const articleOutput = articleWeights.map((w, c) => w * own[c]);
  void K;
  return { tick: last.index, layer: LAYER, head: HEAD, position, headDim: hd, tokens, q, weights, recomputed, output, engineOutput, articleWeights, articleOutput };
}

/** Largest absolute difference between two vectors of one length. */
export function maxDiff(a: number[], b: number[]): number {
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
}

/** Cosine of the angle between two vectors (1: same direction). */
export function cosine(a: number[], b: number[]): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  a.forEach((x, i) => {
    ab += x * b[i];
    aa += x * x;
    bb += b[i] * b[i];
  });
  return ab / Math.sqrt(aa * bb);
}

/** UTF-8 bytes of a text (what GPT-2's byte-level BPE starts from). */
export const utf8Bytes = (s: string): number => new TextEncoder().encode(s).length;

/** Characters of a text as a reader counts them (code points). */
export const characters = (s: string): number => [...s].length;

/**
 * The project's own generation loop, quoted line by line from model/tick.ts: Session.run's loop,
 * then the lines of one tick (test/notebooks/errata.test.ts checks that each line is there).
 */
export const LOOP_LINES = [
  'for (let i = 0; i < opts.steps; i++) {',
  'const rec = await this.tick({ trace: opts.trace });',
  'if (opts.stopAtEndOfText && rec.id === this.model.tokenizer.eotId) return;',
  'let feed = this.ids.slice(cache.length + this.dropped);',
  'const { logits: logitsT, readTrace } = await forward(config, weights, feed, cache, { trace: traceOpts, intervention: iv ?? undefined, lateTrace: true });',
  'logits = (await logitsT.data()) as Float32Array;',
  'const drawn = sample(logits, this.sampling, tickDraw(this.seed, index));',
  'const s = forcedId === undefined ? drawn : forceSample(drawn, forcedId);',
  'this.ids.push(s.id);',
] as const;
