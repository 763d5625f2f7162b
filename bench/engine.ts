/** Engine benchmark in Node (wasm): prints a table and writes bench/out/engine-node.json. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { initBackend } from '../model/backend.ts';
import { gpt2VocabFiles } from '../train/random-checkpoint.ts';
import { BENCH_MODELS, benchModel, formatReport, matmulPeak, type BenchReport } from './engine-core.ts';

/** Run the engine benchmark, print a table, write JSON (default bench/out/engine-node.json). */
export async function runBench(opts: { quick?: boolean; out?: string } = {}): Promise<BenchReport> {
  const backend = await initBackend('wasm');
  const report: BenchReport = { backend: `${backend.name} (simd ${backend.simd}, threads ${backend.threads})`, matmulPeakGflops: await matmulPeak(), rows: [] };
  for (const { name, config } of BENCH_MODELS) {
    report.rows.push(await benchModel(name, config, config.vocab_size === 50257 ? await gpt2VocabFiles() : null, !!opts.quick));
  }
  console.log(formatReport(`Node ${process.version}`, report));
  const out = opts.out ?? join('bench', 'out', 'engine-node.json');
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify({ date: new Date().toISOString(), node: process.version, ...report }, null, 2));
  console.log(`wrote ${out}`);
  return report;
}
