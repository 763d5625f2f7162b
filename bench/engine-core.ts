/**
 * The engine benchmark itself, portable: the same code runs in Node (bench/engine.ts) and in the
 * browser (site/pages/bench.astro, driven by bench/browser.ts). It measures prefill, decode per
 * tick at several context lengths, the KV cache's speedup over recomputing, achieved GFLOP/s
 * against a matmul peak measured in the same run, and the cost of a fully traced tick.
 */
import { countParams, makeConfig, type GPT2Config } from '../model/config.ts';
import { forward, forwardFlops, KVCache, type TraceOptions } from '../model/gpt2.ts';
import { Model } from '../model/model.ts';
import { matmulPeak, medianTime as time } from '../engine/matmul-peak.ts';
import { makeByteVocab, randomParams } from '../train/random-checkpoint.ts';

export interface BenchRow {
  model: string;
  params: number;
  prefill64Ms: number;
  decodeMs: Record<string, number>; // context → ms per tick
  tokensPerSec: number; // at context 64
  recomputeMs: number; // full forward over the largest context measured
  kvSpeedup: number; // recomputeMs / decode ms at that context
  kvContext: number; // that context (256)
  gflops64: number; // achieved while decoding at context 64
  tracedTickMs: number; // decode at context 64 with every trace item on
  kvCacheBytes: number; // at kvContext
}

export interface BenchReport {
  backend: string;
  matmulPeakGflops: number;
  rows: BenchRow[];
}

export { matmulPeak }; // the probe lives with the engine, which runs it for the cost chapter

export const BENCH_MODELS: { name: string; config: GPT2Config }[] = [
  { name: 'small (L4 H4 C256 ctx256 V4096)', config: makeConfig({ n_layer: 4, n_head: 4, n_embd: 256, n_positions: 256, vocab_size: 4096 }) },
  { name: 'gpt2-124M-shaped', config: makeConfig({ n_layer: 12, n_head: 12, n_embd: 768, n_positions: 1024, vocab_size: 50257 }) },
];

/**
 * Benchmark one model shape with random weights. `vocab` supplies vocab.json/merges.txt text
 * (GPT-2's own for a 50257-token model); it only matters for loading, not for speed.
 */
export async function benchModel(name: string, config: GPT2Config, vocab: { vocabJson: string; mergesTxt: string } | null, quick: boolean): Promise<BenchRow> {
  const files = vocab ?? makeByteVocab(config.vocab_size);
  const model = await Model.fromFiles({ config, params: randomParams(config, 1), ...files, dtype: 'F32', bytes: 0 });
  const big = config.n_embd >= 768;
  const reps = quick ? 3 : big ? 5 : 30;
  const ids = Array.from({ length: config.n_positions }, (_, i) => (i * 7919) % Math.min(config.vocab_size, 50000));
  const cache = new KVCache(config.n_layer);
  const run = async (feed: number[], trace?: TraceOptions) => {
    const r = await forward(config, model.weights, feed, cache, { trace });
    await r.logits.data();
    r.logits.dispose();
  };
  try {
    // Warm up kernels and XNNPACK's packed weights.
    await run(ids.slice(0, 8));
    await run([1]);
    cache.clear();

    const prefill64Ms = await time(() => run(ids.slice(0, 64)), reps, () => cache.clear());

    // Decode at context c: truncate a longer cache to c - 1 positions, then feed one token.
    const decodeMs: Record<string, number> = {};
    const contexts = [16, 64, 256].filter((c) => c <= config.n_positions);
    const kvContext = contexts[contexts.length - 1];
    let kvCacheBytes = 0;
    for (const c of contexts) {
      cache.clear();
      await run(ids.slice(0, kvContext - 1));
      decodeMs[c] = await time(() => run([ids[c - 1]]), reps * 2, () => cache.truncate(c - 1));
      if (c === kvContext) kvCacheBytes = cache.bytes;
    }
    const recomputeMs = await time(() => run(ids.slice(0, kvContext)), Math.max(2, reps >> 1), () => cache.clear());

    cache.clear();
    await run(ids.slice(0, 63));
    const full: TraceOptions = { embeddings: true, qkv: true, scores: true, attention: true, heads: true, mlp: true, residual: true, lens: true };
    const tracedTickMs = await time(() => run([ids[63]], full), reps, () => cache.truncate(63));

    const d64 = decodeMs[64];
    return {
      model: name,
      params: countParams(config),
      prefill64Ms,
      decodeMs,
      tokensPerSec: 1000 / d64,
      recomputeMs,
      kvSpeedup: recomputeMs / decodeMs[kvContext],
      kvContext,
      gflops64: forwardFlops(config, 1, 63) / (d64 / 1000) / 1e9,
      tracedTickMs,
      kvCacheBytes,
    };
  } finally {
    cache.clear();
    model.dispose();
  }
}

const f = (x: number | undefined, d = 2) => (x === undefined ? '—' : x.toFixed(d));

/** The report as a Markdown table. */
export function formatReport(title: string, r: BenchReport): string {
  return [
    `${title} — backend ${r.backend}; matmul peak ${f(r.matmulPeakGflops, 1)} GFLOP/s (512³)`,
    '| model | params | prefill 64 (ms) | decode @16 (ms) | decode @64 | decode @256 | tokens/s @64 | recompute 256 (ms) | KV speedup @256 | GFLOP/s @64 | % of peak | traced tick @64 (ms) | KV cache @256 |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...r.rows.map(
      (x) =>
        `| ${x.model} | ${(x.params / 1e6).toFixed(1)}M | ${f(x.prefill64Ms)} | ${f(x.decodeMs[16], 3)} | ${f(x.decodeMs[64], 3)} | ${f(x.decodeMs[256], 3)} | ${f(x.tokensPerSec, 1)} | ${f(x.recomputeMs)} | ${f(x.kvSpeedup, 1)}× | ${f(x.gflops64)} | ${f((100 * x.gflops64) / r.matmulPeakGflops, 1)}% | ${f(x.tracedTickMs)} | ${(x.kvCacheBytes / 2 ** 20).toFixed(1)} MiB |`,
    ),
  ].join('\n');
}
