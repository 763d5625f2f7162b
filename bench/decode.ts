/**
 * The engine's decode path alone, in Node (wasm): prefill 64 and decode ms/token at context
 * 16 / 64 / 200, median and p95, with the load average around each measure, and the kernel
 * launches of one decode tick (tf.profile). For before/after comparisons of engine changes:
 *   node --import tsx bench/decode.ts [--small|--big] [--reps N]
 */
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../model/backend.ts';
import { forward, KVCache } from '../model/gpt2.ts';
import { Model } from '../model/model.ts';
import { gpt2VocabFiles, makeByteVocab, randomParams } from '../train/random-checkpoint.ts';
import { BENCH_MODELS } from './engine-core.ts';

const arg = (name: string) => process.argv.includes(name);
const repsArg = process.argv.indexOf('--reps');
const stats = (xs: number[]) => {
  const s = xs.slice().sort((a, b) => a - b);
  return { median: s[s.length >> 1], p95: s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)] };
};
const load = () => loadavg()[0].toFixed(2);

const backend = await initBackend('wasm');
console.log(`wasm simd ${backend.simd} threads ${backend.threads}`);
const models = BENCH_MODELS.filter((m) => (arg('--small') ? m.config.n_embd < 768 : arg('--big') ? m.config.n_embd >= 768 : true));
for (const { name, config } of models) {
  const big = config.n_embd >= 768;
  const reps = repsArg > 0 ? Number(process.argv[repsArg + 1]) : big ? 15 : 60;
  const files = big ? await gpt2VocabFiles() : makeByteVocab(config.vocab_size);
  const model = await Model.fromFiles({ config, params: randomParams(config, 1), ...files, dtype: 'F32', bytes: 0 });
  const ids = Array.from({ length: 256 }, (_, i) => (i * 7919) % Math.min(config.vocab_size, 50000));
  const cache = new KVCache(config.n_layer);
  const run = async (feed: number[]) => {
    const r = await forward(config, model.weights, feed, cache);
    await r.logits.data();
    r.logits.dispose();
  };
  const timeIt = async (f: () => Promise<void>, n: number, setup: () => void) => {
    const ms: number[] = [];
    const l0 = load();
    for (let i = 0; i < n; i++) {
      setup();
      const t0 = performance.now();
      await f();
      ms.push(performance.now() - t0);
    }
    return { ...stats(ms), load: `${l0}→${load()}` };
  };
  await run(ids.slice(0, 8));
  await run([1]);
  cache.clear();
  const rows: string[] = [];
  const p = await timeIt(() => run(ids.slice(0, 64)), big ? Math.max(3, reps >> 2) : reps >> 1, () => cache.clear());
  rows.push(`| prefill 64 | ${p.median.toFixed(2)} | ${p.p95.toFixed(2)} | ${p.load} |`);
  cache.clear();
  await run(ids.slice(0, 199));
  for (const c of [16, 64, 200]) {
    const d = await timeIt(() => run([ids[c - 1]]), reps, () => cache.truncate(c - 1));
    rows.push(`| decode @${c} | ${d.median.toFixed(3)} | ${d.p95.toFixed(3)} | ${d.load} |`);
  }
  // Kernel launches of one decode tick at context 64.
  cache.truncate(63);
  const prof = await tf.profile(async () => {
    const r = await forward(config, model.weights, [ids[63]], cache);
    await r.logits.data();
    r.logits.dispose();
  });
  const byName = new Map<string, number>();
  for (const k of prof.kernels.filter((x) => !x.name.endsWith('__op'))) byName.set(k.name, (byName.get(k.name) ?? 0) + 1);
  console.log(`\n${name}: ${[...byName.values()].reduce((a, b) => a + b, 0)} kernels per decode tick @64 — ${[...byName].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  console.log('| measure | median ms | p95 ms | load avg (1 min) |\n|---|---|---|---|\n' + rows.join('\n'));
  cache.clear();
  model.dispose();
}
