/**
 * From the model's types to wire data: pure functions, no tfjs, so they can be tested on plain
 * arrays. The host calls them on what a tick, a trace or the tokenizer gives it; the page gets
 * what they return (protocol.ts).
 */
import type { Trace } from '../model/gpt2.ts';
import { stageProbs, type Distribution, type Sample, type SamplingParams } from '../model/sampler.ts';
import type { TickRecord } from '../model/tick.ts';
import type { Tokenizer } from '../model/tokenizer.ts';
import type {
  AttentionDetail, AttentionRows, BpeSymbol, BpeWord, DrawCandidate, DrawSummary, LayerRows, LensRows, ProbChange, TickSummary, TickTrace, TokenGuess, TokenInfo,
} from './protocol.ts';

/** What the converters read of a tokenizer. */
export type TokenizerLike = Pick<Tokenizer, 'tokenPiece' | 'tokenToId' | 'tokenBytes' | 'encodeWithSteps'>;

/** log Σ_j exp(z_j / T) over all of `logits`, in float64, shifted by the largest logit so it never overflows. */
export function logSumExp(logits: ArrayLike<number>, temperature: number): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp((logits[i] - max) / temperature);
  return max / temperature + Math.log(sum);
}

/**
 * Entropy, in nats, of softmax(z / T) over all of `logits` (float64): H = −Σ p_i ln p_i, with
 * ln p_i = z_i/T − logSumExp. 0 means one token is certain; ln V means all V are equally likely.
 */
export function softmaxEntropy(logits: ArrayLike<number>, temperature: number, lse = logSumExp(logits, temperature)): number {
  let h = 0;
  for (let i = 0; i < logits.length; i++) {
    const lnP = logits[i] / temperature - lse;
    h -= Math.exp(lnP) * lnP;
  }
  return h;
}

/** A token as the token strip shows it: id, text, raw bytes, whether they are whole UTF-8. */
export function tokenInfo(tokenizer: Pick<Tokenizer, 'tokenPiece'>, id: number): TokenInfo {
  const p = tokenizer.tokenPiece(id);
  return { id, text: p.text, bytes: [...p.bytes], complete: p.complete };
}

/** A token with a probability (0 for a prompt token, which no draw chose). */
export function tokenGuess(tokenizer: Pick<Tokenizer, 'tokenPiece'>, id: number, prob = 0): TokenGuess {
  return { id, text: tokenizer.tokenPiece(id).text, prob };
}

/**
 * Describe a draw: the `n` most likely tokens with their logits and probabilities after
 * temperature, which survive the filters, the renormaliser and the softmax's normaliser.
 */
export function describeDraw(
  index: number, seed: number, sampling: SamplingParams, logits: Float32Array, s: Sample, tokenizer: Pick<Tokenizer, 'tokenPiece'>, n = 20,
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
  const lse = greedy ? null : logSumExp(logits, sampling.temperature);
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
    logSumExp: lse,
    entropy: lse === null ? 0 : softmaxEntropy(logits, sampling.temperature, lse),
    chosenInterval: greedy ? null : [before / keptMass, (before + dist.probs[s.rank]) / keptMass],
  };
}

/** The attention rows, attention arithmetic, layer outputs, embeddings and logit lens of a trace, as plain arrays for the page. */
export function traceForPage(trace: Trace, tokenizer: Pick<Tokenizer, 'tokenPiece'>): TickTrace {
  const attention: AttentionRows[] = [];
  const lens: LensRows[] = [];
  const detail: AttentionDetail[] = [];
  for (const lt of trace.layers) {
    const part = lt.scores ?? lt.q ?? lt.heads;
    if (part) {
      const [h, t] = part.shape;
      const keys = lt.scores ? lt.scores.shape[2] : trace.start + t;
      const headDim = lt.q ? lt.q.shape[2] : lt.heads ? lt.heads.shape[2] : 0;
      detail.push({
        layer: lt.layer, shape: [h, t, keys], headDim,
        ...(lt.q ? { q: lt.q.data } : {}), ...(lt.k ? { k: lt.k.data } : {}), ...(lt.v ? { v: lt.v.data } : {}),
        ...(lt.heads ? { heads: lt.heads.data } : {}),
        ...(lt.scores ? { scores: lt.scores.data } : {}), ...(lt.scaledMasked ? { scaledMasked: lt.scaledMasked.data } : {}),
      });
    }
    if (lt.attention) {
      const [h, t, k] = lt.attention.shape;
      attention.push({ layer: lt.layer, shape: [h, t, k], data: lt.attention.data });
    }
    if (lt.lens) {
      const { ids, probs } = lt.lens;
      lens.push({ layer: lt.layer, positions: ids.map((row, p) => Array.from(row, (id, r) => tokenGuess(tokenizer, id, probs[p][r]))) });
    }
  }
  const out: TickTrace = { start: trace.start, tokens: trace.tokens, attention, lens, ...(detail.length ? { detail } : {}) };
  const layers: LayerRows[] = trace.layers.filter((lt) => lt.mlp || lt.residual || lt.ln1 || lt.attnOut).map((lt) => ({
    layer: lt.layer,
    positions: trace.tokens.length,
    ...(lt.mlpIn ? { mlpIn: lt.mlpIn.data } : {}), ...(lt.mlp ? { mlp: lt.mlp.data } : {}), ...(lt.residual ? { residual: lt.residual.data } : {}),
    ...(lt.ln1 ? { ln1: lt.ln1.data } : {}), ...(lt.ln1Gamma ? { ln1Gamma: lt.ln1Gamma.data } : {}), ...(lt.ln1Beta ? { ln1Beta: lt.ln1Beta.data } : {}),
    ...(lt.attnOut ? { attnOut: lt.attnOut.data } : {}), ...(lt.mlpOut ? { mlpOut: lt.mlpOut.data } : {}),
  }));
  if (layers.length) out.layers = layers;
  if (trace.tokenEmbedding && trace.positionEmbedding && trace.embedding) {
    const [t, c] = trace.embedding.shape;
    out.embeddings = { shape: [t, c], token: trace.tokenEmbedding.data, position: trace.positionEmbedding.data, sum: trace.embedding.data };
  }
  return out;
}

/**
 * The `n` tokens whose probability (after temperature, before the filters) moved most from
 * `before` to `after`, over the whole vocabulary: largest |Δp| first, ties by lower id.
 */
export function probChanges(before: Pick<Distribution, 'order' | 'probs'>, after: Pick<Distribution, 'order' | 'probs'>, tokenizer: Pick<Tokenizer, 'tokenPiece'>, n: number): ProbChange[] {
  const byId = (d: Pick<Distribution, 'order' | 'probs'>) => {
    const p = new Float64Array(d.order.length);
    d.order.forEach((id, r) => (p[id] = d.probs[r]));
    return p;
  };
  const b = byId(before);
  const a = byId(after);
  const ids = Array.from(b.keys()).sort((i, j) => Math.abs(a[j] - b[j]) - Math.abs(a[i] - b[i]) || i - j).slice(0, n);
  return ids.map((id) => ({ id, text: tokenizer.tokenPiece(id).text, before: b[id], after: a[id], delta: a[id] - b[id] }));
}

/** encodeWithSteps for the page: every word's bytes, byte symbols, merges and tokens. */
export function bpeWords(tokenizer: TokenizerLike, text: string): BpeWord[] {
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

/**
 * A tick record for the page: its numbers, the ten most likely tokens after the filters, the
 * draw described with `n` candidates, and its trace when it has one.
 */
export function tickSummary(rec: TickRecord, tokenizer: Pick<Tokenizer, 'tokenPiece'>, n: number, weightsVerified?: string): TickSummary {
  const probs = stageProbs(rec.dist, 'topP');
  const top = Array.from(rec.dist.order.slice(0, 10), (id, r) => tokenGuess(tokenizer, id, probs[r] ?? 0));
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
    forced: rec.forced,
    ...(rec.intervention ? { intervention: rec.intervention } : {}),
    ...(weightsVerified === undefined ? {} : { weightsVerified }),
    sample: describeDraw(rec.index, rec.seed, rec.sampling, rec.logits, s, tokenizer, n),
    ...(rec.trace ? { trace: traceForPage(rec.trace, tokenizer) } : {}),
  };
}
