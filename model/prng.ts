/**
 * The seeded dice. Every tick's random draw depends only on (seed, tick index), so the same seed
 * gives the same run on every machine, and re-sampling a past tick with other settings reuses
 * that tick's draw.
 *
 *   state = (seed + 0x9E3779B9 · (index + 1)) mod 2³²
 *   draw  = mulberry32(state) / 2³²            — a number in [0, 1)
 *
 * mulberry32 (Tommy Ettinger's 32-bit generator) uses only 32-bit integer multiply, shift and
 * xor (Math.imul, >>>), which every JavaScript engine computes identically.
 */

/** One mulberry32 step from `state`, as an unsigned 32-bit integer. */
export function mulberry32(state: number): number {
  let t = (state + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}

/** Normalise any number a reader types into a 32-bit seed (integers stay themselves mod 2³²). */
export function toSeed(seed: number): number {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  return Math.trunc(seed) >>> 0;
}

/** The draw u ∈ [0, 1) for tick `index` under `seed`. */
export function tickDraw(seed: number, index: number): number {
  const state = (toSeed(seed) + Math.imul(0x9e3779b9, index + 1)) >>> 0;
  return mulberry32(state) / 4294967296;
}

/** A sequential stream (for tests and training data order): draws u₀, u₁, … of `seed`. */
export function makeRng(seed: number): () => number {
  let i = 0;
  return () => tickDraw(seed, i++);
}
