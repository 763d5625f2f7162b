/**
 * Engine benchmark (Node, wasm): prefill, decode per tick at several context lengths, the KV
 * cache's speedup over recomputing, achieved GFLOP/s against a matmul peak measured in the same
 * run, and the cost of a fully traced tick — for the small bundled-model shape and a
 * GPT-2-124M-shaped checkpoint (random weights, real GPT-2 vocabulary).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../model/backend.ts';
import { makeConfig, countParams, type GPT2Config } from '../model/config.ts';
import { forward, forwardFlops, KVCache, type TraceOptions } from '../model/gpt2.ts';
import { Model } from '../model/model.ts';
import { gpt2VocabFiles, makeByteVocab, randomParams } from '../train/random-checkpoint.ts';

interface Row {
  model: string;
  params: number;
  prefill64Ms: number;
  decodeMs: Record<string, number>; // context → ms per tick
  tokensPerSec: number; // at context 64
  recompute256Ms: number;
  kvSpeedup256: number;
  gflops64: number; // achieved while decoding at context 64
  tracedTickMs: number; // decode at context 64 with every trace item on
  kvCacheBytes256: number;
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];

/** Median wall time of `f` over `reps` runs; `setup` runs before each, untimed. */
async function time(f: () => Promise<void>, reps: number, setup?: () => void | Promise<void>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    await setup?.();
    const t0 = performance.now();
    await f();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

/** Peak matmul throughput of this backend: a square product big enough to be compute-bound. */
async function matmulPeak(n = 512, reps = 8): Promise<number> {
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  const ms = await time(async () => {
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
  }, reps);
  a.dispose();
  b.dispose();
  return (2 * n ** 3) / (ms / 1000) / 1e9;
}

async function benchModel(name: string, config: GPT2Config, quick: boolean): Promise<Row> {
  const vocab = config.vocab_size === 50257 ? await gpt2VocabFiles() : makeByteVocab(config.vocab_size);
  const model = await Model.fromFiles({ config, params: randomParams(config, 1), ...vocab, dtype: 'F32', bytes: 0 });
  const big = config.n_embd >= 768;
  const reps = quick ? 3 : big ? 5 : 30;
  const ids = Array.from({ length: config.n_positions }, (_, i) => (i * 7919) % config.vocab_size);
  const cache = new KVCache(config.n_layer);
  const run = async (feed: number[], trace?: TraceOptions) => {
    const r = await forward(config, model.weights, feed, cache, { trace });
    await r.logits.data();
    r.logits.dispose();
  };
  // Warm up kernels and XNNPACK's packed weights.
  await run(ids.slice(0, 8));
  await run([1]);
  cache.clear();

  const prefill64Ms = await time(() => run(ids.slice(0, 64)), reps, () => cache.clear());

  // Decode at context c: truncate a longer cache to c - 1 positions, then feed one token.
  const decodeMs: Record<string, number> = {};
  const contexts = [16, 64, 256].filter((c) => c <= config.n_positions);
  const ctxMax = contexts[contexts.length - 1];
  let kvCacheBytes256 = 0;
  for (const c of contexts) {
    cache.clear();
    await run(ids.slice(0, ctxMax - 1));
    decodeMs[c] = await time(() => run([ids[c - 1]]), reps * 2, () => cache.truncate(c - 1));
    if (c === 256) kvCacheBytes256 = cache.bytes;
  }
  const recompute256Ms = await time(() => run(ids.slice(0, ctxMax)), Math.max(2, reps >> 1), () => cache.clear());

  cache.clear();
  await run(ids.slice(0, 63));
  const full: TraceOptions = { embeddings: true, qkv: true, scores: true, attention: true, heads: true, mlp: true, residual: true, lens: true };
  const tracedTickMs = await time(() => run([ids[63]], full), reps, () => cache.truncate(63));
  cache.clear();
  model.dispose();

  const d64 = decodeMs[64];
  return {
    model: name,
    params: countParams(config),
    prefill64Ms,
    decodeMs,
    tokensPerSec: 1000 / d64,
    recompute256Ms,
    kvSpeedup256: recompute256Ms / decodeMs[ctxMax],
    gflops64: forwardFlops(config, 1, 63) / (d64 / 1000) / 1e9,
    tracedTickMs,
    kvCacheBytes256,
  };
}

const f = (x: number, d = 2) => x.toFixed(d);

/** Run the engine benchmark, print a table, write JSON (default bench/out/engine-node.json). */
export async function runBench(opts: { quick?: boolean; out?: string } = {}): Promise<void> {
  const backend = await initBackend('wasm');
  const peak = await matmulPeak();
  const rows: Row[] = [];
  rows.push(await benchModel('small (L4 H4 C256 ctx256 V4096)', makeConfig({ n_layer: 4, n_head: 4, n_embd: 256, n_positions: 256, vocab_size: 4096 }), !!opts.quick));
  rows.push(await benchModel('gpt2-124M-shaped', makeConfig({ n_layer: 12, n_head: 12, n_embd: 768, n_positions: 1024, vocab_size: 50257 }), !!opts.quick));
  const lines = [
    `backend: ${backend.name} (simd ${backend.simd}, threads ${backend.threads}); matmul peak ${f(peak, 1)} GFLOP/s (512³)`,
    '| model | params | prefill 64 (ms) | decode @16 | decode @64 | decode @256 | tokens/s @64 | recompute 256 (ms) | KV speedup @256 | GFLOP/s @64 | % of peak | traced tick @64 (ms) | KV cache @256 |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.model} | ${(r.params / 1e6).toFixed(1)}M | ${f(r.prefill64Ms)} | ${f(r.decodeMs[16] ?? NaN, 3)} | ${f(r.decodeMs[64], 3)} | ${f(r.decodeMs[256] ?? NaN, 3)} | ${f(r.tokensPerSec, 1)} | ${f(r.recompute256Ms)} | ${f(r.kvSpeedup256, 1)}× | ${f(r.gflops64)} | ${f((100 * r.gflops64) / peak, 1)}% | ${f(r.tracedTickMs)} | ${(r.kvCacheBytes256 / 2 ** 20).toFixed(1)} MiB |`),
  ];
  console.log(lines.join('\n'));
  const out = opts.out ?? join('bench', 'out', 'engine-node.json');
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify({ date: new Date().toISOString(), node: process.version, backend, matmulPeakGflops: peak, rows }, null, 2));
  console.log(`wrote ${out}`);
}
