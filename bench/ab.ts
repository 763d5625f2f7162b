/**
 * Engine A/B, interleaved in one process so both sides share the machine's load: another
 * checkout's model/gpt2.ts (--base DIR, e.g. a worktree of main) against this one's, on the same
 * random weights. Prints the largest logit difference, then prefill 64 and decode @16/64/200
 * (median, p95, min, ms) with the load average, kernel launches per tick, and kernel ms @200.
 *   node --import tsx bench/ab.ts --base ../main [--big] [--reps N]
 */
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../model/backend.ts';
import * as B from '../model/gpt2.ts';
import { Model } from '../model/model.ts';
import { gpt2VocabFiles, makeByteVocab, randomParams } from '../train/random-checkpoint.ts';
import { BENCH_MODELS } from './engine-core.ts';
const baseDir = process.argv[process.argv.indexOf('--base') + 1];
if (!process.argv.includes('--base') || !baseDir) throw new Error('usage: bench/ab.ts --base DIR [--big] [--reps N]');
const A = (await import(resolve(baseDir, 'model', 'gpt2.ts'))) as typeof B;
await initBackend('wasm');
const big = process.argv.includes('--big');
const { name, config } = BENCH_MODELS[big ? 1 : 0];
const reps = (process.argv.includes('--reps') && Number(process.argv[process.argv.indexOf('--reps') + 1])) || (big ? 12 : 60);
const model = await Model.fromFiles({ config, params: randomParams(config, 1), ...(big ? await gpt2VocabFiles() : makeByteVocab(config.vocab_size)), dtype: 'F32', bytes: 0 });
const ids = Array.from({ length: 256 }, (_, i) => (i * 7919) % Math.min(config.vocab_size, 50000));
const impls = { main: { m: A, cache: new A.KVCache(config.n_layer) }, new: { m: B, cache: new B.KVCache(config.n_layer) } };
const run = async (k: 'main' | 'new', feed: number[]) => { const { m, cache } = impls[k]; const r = await m.forward(config, model.weights, feed, cache); const d = await r.logits.data(); r.logits.dispose(); return d; };
// equality
for (const k of ['main', 'new'] as const) { impls[k].cache.clear(); await run(k, ids.slice(0, 8)); }
const la = await run('main', [5]); const lb = await run('new', [5]);
let md = 0; for (let i = 0; i < la.length; i++) md = Math.max(md, Math.abs(la[i] - lb[i]));
console.log(`${name}: logits max |main - new| after prefill 8 + 1 = ${md}`);
const st = (xs: number[]) => { const s = xs.slice().sort((a, b) => a - b); return `${s[s.length >> 1].toFixed(3)} (p95 ${s[Math.ceil(0.95 * s.length) - 1].toFixed(3)}, min ${s[0].toFixed(3)})`; };
const measure = async (label: string, setup: (k: 'main' | 'new') => Promise<void> | void, f: (k: 'main' | 'new') => Promise<unknown>, n: number) => {
  const ms = { main: [] as number[], new: [] as number[] };
  const l0 = loadavg()[0];
  for (let i = 0; i < n; i++) for (const k of (i % 2 ? ['main', 'new'] : ['new', 'main']) as ('main' | 'new')[]) {
    await setup(k); const t0 = performance.now(); await f(k); ms[k].push(performance.now() - t0);
  }
  console.log(`| ${label} | ${st(ms.main)} | ${st(ms.new)} | ${l0.toFixed(2)}→${loadavg()[0].toFixed(2)} |`);
};
console.log('| measure | main median ms | new median ms | load avg |\n|---|---|---|---|');
await measure('prefill 64', (k) => impls[k].cache.clear(), (k) => run(k, ids.slice(0, 64)), big ? 5 : reps >> 1);
for (const k of ['main', 'new'] as const) { impls[k].cache.clear(); await run(k, ids.slice(0, 199)); }
for (const c of [16, 64, 200]) await measure(`decode @${c}`, (k) => impls[k].cache.truncate(c - 1), (k) => run(k, [ids[c - 1]]), reps);
for (const k of ['main', 'new'] as const) {
  impls[k].cache.truncate(63);
  const p = await tf.profile(() => run(k, [ids[63]]));
  console.log(`${k}: ${p.kernels.filter((x) => !x.name.endsWith('__op')).length} kernels per decode tick @64`);
}
for (const k of ['main', 'new'] as const) {
  const agg = new Map<string, number>();
  for (let r = 0; r < 5; r++) {
    impls[k].cache.truncate(199);
    const p = await tf.profile(() => run(k, [ids[199]]));
    for (const x of p.kernels) if (!x.name.endsWith('__op')) agg.set(x.name, (agg.get(x.name) ?? 0) + (x.kernelTimeMs as number) / 5);
  }
  console.log(`${k} @200 kernel ms: ` + [...agg].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([n, ms]) => `${n} ${ms.toFixed(3)}`).join(', '));
}
