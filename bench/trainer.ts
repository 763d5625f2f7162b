/**
 * Trainer throughput (Node, wasm): tokens per second for the bundled model's configuration, one
 * worker thread against every core (train/parallel.ts), their steps interleaved so both see the
 * same machine load. Prints the median and p95 step time, the CPU time a step takes over all
 * threads (the work itself: on a shared machine, wall time also counts others' load), the
 * speed-up and the load average;
 * writes bench/out/trainer-node.json. Run alone: `node --import tsx bench/trainer.ts [--quick]`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../model/backend.ts';
import { BUNDLED_CONFIG, BUNDLED_TRAIN } from '../train/bundled-config.ts';
import { resolveWorkers, Trainer } from '../train/trainer.ts';

export interface TrainerBenchRow {
  batch: number;
  ctx: number;
  workers: number;
  steps: number; // timed steps (after one warm-up step)
  msPerStep: number; // median
  p95Ms: number;
  cpuMsPerStep: number; // median CPU time of the whole process (all threads) per step: the work, whatever the load
  tokensPerSec: number; // batch × ctx / median step time
  speedup: number; // against one worker, median over median
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};
const load = () => loadavg().map((x) => Number(x.toFixed(2))) as [number, number, number];

export async function runTrainerBench(opts: { quick?: boolean } = {}): Promise<TrainerBenchRow[]> {
  await initBackend('wasm');
  const V = BUNDLED_CONFIG.vocab_size;
  const ids = Int32Array.from({ length: 200_000 }, (_, i) => (i * 7919 + (i >> 5)) % V);
  const shapes = [
    { batch: BUNDLED_TRAIN.batch, ctx: BUNDLED_TRAIN.ctx },
    { batch: 16, ctx: 128 },
  ];
  const n = opts.quick ? 3 : 8;
  const loadBefore = load();
  const rows: TrainerBenchRow[] = [];
  for (const s of shapes) {
    const counts = [...new Set([1, await resolveWorkers(undefined, s.batch)])];
    const trainers = counts.map((workers) => new Trainer(BUNDLED_CONFIG, { ...BUNDLED_TRAIN, ...s, steps: 100 }, undefined, { workers }));
    for (const t of trainers) await t.step(ids); // warm-up: threads, kernels, gradient registration, XNNPACK packing
    const ms: number[][] = trainers.map(() => []);
    const cpu: number[][] = trainers.map(() => []);
    for (let i = 0; i < n; i++) {
      for (const [k, t] of trainers.entries()) {
        const c0 = process.cpuUsage();
        ms[k].push((await t.step(ids)).ms);
        const c = process.cpuUsage(c0);
        cpu[k].push((c.user + c.system) / 1000);
      }
    }
    const median1 = quantile(ms[0], 0.5);
    counts.forEach((workers, k) => {
      const median = quantile(ms[k], 0.5);
      rows.push({ ...s, workers, steps: n, msPerStep: median, p95Ms: quantile(ms[k], 0.95), cpuMsPerStep: quantile(cpu[k], 0.5), tokensPerSec: (s.batch * s.ctx) / (median / 1000), speedup: median1 / median });
    });
    for (const t of trainers) t.dispose();
  }
  const loadAfter = load();
  console.log(
    [
      `Trainer — ${BUNDLED_CONFIG.n_layer} layers, ${BUNDLED_CONFIG.n_embd} wide, vocabulary ${V}; wasm, one thread per worker, ${availableParallelism()} cores`,
      `load average (1, 5, 15 min): ${loadBefore.join(', ')} before, ${loadAfter.join(', ')} after`,
      '| batch × ctx | workers | ms per step (median) | p95 | CPU ms per step (all threads) | tokens/s | speed-up |',
      '|---|---|---|---|---|---|---|',
      ...rows.map((r) => `| ${r.batch} × ${r.ctx} | ${r.workers} | ${r.msPerStep.toFixed(0)} | ${r.p95Ms.toFixed(0)} | ${r.cpuMsPerStep.toFixed(0)} | ${r.tokensPerSec.toFixed(0)} | ${r.speedup.toFixed(2)}× |`),
    ].join('\n'),
  );
  await mkdir(join('bench', 'out'), { recursive: true });
  const out = join('bench', 'out', 'trainer-node.json');
  await writeFile(
    out,
    JSON.stringify({ date: new Date().toISOString(), node: process.version, cores: availableParallelism(), loadavg: { before: loadBefore, after: loadAfter }, config: BUNDLED_CONFIG, rows }, null, 2),
  );
  console.log(`wrote ${out}`);
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) await runTrainerBench({ quick: process.argv.includes('--quick') });
