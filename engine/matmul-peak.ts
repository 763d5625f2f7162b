/**
 * This device's matmul throughput: a square product big enough to be compute-bound, timed on the
 * current tfjs backend. The cost chapter sets measured ticks against it; the benchmark
 * (bench/engine-core.ts) reports it beside its own numbers.
 */
import * as tf from '@tensorflow/tfjs-core';

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];

/** Median wall time of `f` over `reps` runs, in ms; `setup` runs before each, untimed. */
export async function medianTime(f: () => Promise<void>, reps: number, setup?: () => void | Promise<void>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    await setup?.();
    const t0 = performance.now();
    await f();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

/** Peak matmul throughput of the current backend in GFLOP/s: 2·n³ FLOPs over the median time of an n×n by n×n product. */
export async function matmulPeak(n = 512, reps = 8): Promise<number> {
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  const ms = await medianTime(async () => {
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
  }, reps);
  a.dispose();
  b.dispose();
  return (2 * n ** 3) / (ms / 1000) / 1e9;
}
