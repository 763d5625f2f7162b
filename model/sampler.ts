/**
 * From logits to a token: temperature → top-k → top-p, in that order (as Hugging Face does),
 * over the full vocabulary, then one seeded draw.
 *
 * Definitions (exact, so tests and pages agree):
 * - Order: tokens sorted by logit, highest first; equal logits by lower id first. Temperature
 *   does not change this order, so every filter keeps a prefix of it.
 * - Temperature T > 0: p = softmax(logits / T), computed in float64. T = 0 is greedy: the first
 *   token of the order gets probability 1 and no draw is used.
 * - Top-k (k ≥ 1): keep exactly the first k tokens (ties at the boundary go to lower ids);
 *   k = 0 or k ≥ V keeps all.
 * - Top-p (0 < p ≤ 1): of the top-k set, renormalised, keep the shortest prefix whose mass is
 *   ≥ p (at least one token); p = 1 keeps all.
 * - Draw: u ∈ [0, 1) from the seeded dice; walking the kept tokens best first, choose the first
 *   whose cumulative renormalised probability exceeds u.
 */

export interface SamplingParams {
  temperature: number; // 0 → greedy
  topK: number; // 0 → off
  topP: number; // 1 → off
}

export const DEFAULT_SAMPLING: SamplingParams = { temperature: 1, topK: 0, topP: 1 };

/** The distribution at every stage, stored compactly: all stages share one sorted order. */
export interface Distribution {
  order: Uint32Array; // token ids, most likely first
  probs: Float64Array; // probability after temperature, in `order` (sums to 1)
  keptTopK: number; // how many of `order` survive top-k
  keptTopP: number; // how many survive top-p (≤ keptTopK)
}

export interface Sample {
  id: number; // the chosen token id
  rank: number; // its position in `order` (0 = most likely)
  prob: number; // its probability in the final (renormalised, filtered) distribution
  draw: number | null; // the random number used; null when greedy
  dist: Distribution;
}

/** Check sampling parameters; the message says which one is wrong and what is allowed. */
export function validateSampling(p: SamplingParams, vocabSize: number): void {
  if (!Number.isFinite(p.temperature) || p.temperature < 0) {
    throw new RangeError(`temperature must be a number ≥ 0, got ${p.temperature}`);
  }
  if (!Number.isInteger(p.topK) || p.topK < 0) throw new RangeError(`top-k must be a whole number ≥ 0, got ${p.topK}`);
  if (p.topK > vocabSize) throw new RangeError(`top-k must be at most the vocabulary size (${vocabSize}), got ${p.topK}`);
  if (!Number.isFinite(p.topP) || p.topP <= 0 || p.topP > 1) throw new RangeError(`top-p must be in (0, 1], got ${p.topP}`);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * Token ids sorted by logit descending, ties by id ascending. Each logit is mapped to an unsigned
 * key that sorts the same way (largest logit → smallest key), then a stable three-pass radix sort
 * (11 bits a pass) orders the ids: linear time, ~1 ms for GPT-2's 50,257 tokens where a
 * comparison sort takes ~5.
 */
export function sortByLogit(logits: ArrayLike<number>): Uint32Array {
  const V = logits.length;
  let keys = new Uint32Array(V);
  let ids = new Uint32Array(V);
  for (let i = 0; i < V; i++) {
    f32[0] = logits[i] + 0; // + 0 turns -0 into +0: equal logits tie by id
    const bits = u32[0];
    // Positives map to [0, 2³¹) (largest first), negatives to [2³¹, 2³²) (closest to zero first).
    keys[i] = Number.isNaN(f32[0]) ? 0xffffffff : bits & 0x80000000 ? 0x80000000 + (bits & 0x7fffffff) : 0x7fffffff - bits;
    ids[i] = i;
  }
  let keys2 = new Uint32Array(V);
  let ids2 = new Uint32Array(V);
  const count = new Uint32Array(2048);
  for (const shift of [0, 11, 22]) {
    count.fill(0);
    for (let i = 0; i < V; i++) count[(keys[i] >>> shift) & 2047]++;
    let sum = 0;
    for (let b = 0; b < 2048; b++) {
      const c = count[b];
      count[b] = sum;
      sum += c;
    }
    for (let i = 0; i < V; i++) {
      const dst = count[(keys[i] >>> shift) & 2047]++;
      keys2[dst] = keys[i];
      ids2[dst] = ids[i];
    }
    [keys, keys2] = [keys2, keys];
    [ids, ids2] = [ids2, ids];
  }
  return ids;
}

/** The distribution after temperature, top-k and top-p, without drawing. */
export function distribution(logits: ArrayLike<number>, params: SamplingParams, order = sortByLogit(logits)): Distribution {
  validateSampling(params, logits.length);
  const V = logits.length;
  const probs = new Float64Array(V);
  if (params.temperature === 0) {
    probs[0] = 1;
  } else {
    const max = logits[order[0]];
    let z = 0;
    for (let r = 0; r < V; r++) z += probs[r] = Math.exp((logits[order[r]] - max) / params.temperature);
    for (let r = 0; r < V; r++) probs[r] /= z;
  }
  const keptTopK = params.topK > 0 ? Math.min(params.topK, V) : V;
  let keptTopP = keptTopK;
  if (params.topP < 1) {
    let mass = 0;
    for (let r = 0; r < keptTopK; r++) mass += probs[r];
    let acc = 0;
    keptTopP = keptTopK;
    for (let r = 0; r < keptTopK; r++) {
      acc += probs[r] / mass;
      if (acc >= params.topP) {
        keptTopP = r + 1;
        break;
      }
    }
  }
  // Greedy: only the argmax has probability, so every filter keeps just it.
  if (params.temperature === 0) keptTopP = 1;
  return { order, probs, keptTopK, keptTopP };
}

/** Probabilities of the first `kept` tokens of `dist.order`, renormalised to sum to 1. */
export function stageProbs(dist: Distribution, stage: 'temperature' | 'topK' | 'topP'): Float64Array {
  const n = stage === 'temperature' ? dist.probs.length : stage === 'topK' ? dist.keptTopK : dist.keptTopP;
  const out = dist.probs.slice(0, n);
  let mass = 0;
  for (const p of out) mass += p;
  if (mass > 0) for (let i = 0; i < n; i++) out[i] /= mass;
  return out;
}

/** Choose a token: filters, then the draw `u` ∈ [0, 1) (ignored when greedy). */
export function sample(logits: ArrayLike<number>, params: SamplingParams, u: number, order?: Uint32Array): Sample {
  const dist = distribution(logits, params, order);
  if (params.temperature === 0) return { id: dist.order[0], rank: 0, prob: 1, draw: null, dist };
  if (!(u >= 0 && u < 1)) throw new RangeError(`draw must be in [0, 1), got ${u}`);
  const kept = stageProbs(dist, 'topP');
  let acc = 0;
  let rank = kept.length - 1; // float rounding can leave acc a hair below 1: fall back to the last kept
  for (let r = 0; r < kept.length; r++) {
    acc += kept[r];
    if (u < acc) {
      rank = r;
      break;
    }
  }
  return { id: dist.order[rank], rank, prob: kept[rank], draw: u, dist };
}

/**
 * The tick's draw as `sample` makes it, with `id` appended instead of the draw's choice (a reader
 * forcing another candidate: the timeline forks). Its rank is its place in the order; its
 * probability is the final filtered one (0 when a filter dropped it). The draw is kept as it was.
 */
export function forceSample(drawn: Sample, id: number): Sample {
  const { dist } = drawn;
  if (!Number.isInteger(id) || id < 0 || id >= dist.order.length) throw new RangeError(`token id must be in [0, ${dist.order.length}), got ${id}`);
  const rank = dist.order.indexOf(id);
  const kept = rank < dist.keptTopP ? stageProbs(dist, 'topP') : null;
  return { id, rank, prob: kept ? kept[rank] : 0, draw: drawn.draw, dist };
}
