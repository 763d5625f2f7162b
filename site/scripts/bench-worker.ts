/// <reference lib="webworker" />
/**
 * Runs the engine benchmark (bench/engine-core.ts) in a worker, as the site runs the engine.
 * Message in: { quick, backend, wasmPath, only?, threads? }; messages out: { progress } …, then { report } or { error }.
 */
import { initBackend, type BackendName } from '../../model/backend.ts';
import { BENCH_MODELS, benchModel, matmulPeak, type BenchReport } from '../../bench/engine-core.ts';

self.onmessage = async (ev: MessageEvent<{ quick: boolean; backend: BackendName; wasmPath: string; only?: string; threads?: number }>) => {
  try {
    const b = await initBackend(ev.data.backend, { wasmPath: ev.data.wasmPath, threads: ev.data.threads });
    const report: BenchReport = {
      backend: `${b.name} (simd ${b.simd}, threads ${b.threads})${b.fallbacks.length ? `, fell back from ${b.fallbacks.map((f) => f.name).join(', ')}` : ''}`,
      matmulPeakGflops: await matmulPeak(),
      rows: [],
    };
    for (const { name, config } of BENCH_MODELS) {
      if (ev.data.only && !name.startsWith(ev.data.only)) continue;
      self.postMessage({ progress: `benchmarking ${name}…` });
      report.rows.push(await benchModel(name, config, null, ev.data.quick));
    }
    self.postMessage({ report });
  } catch (e) {
    self.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
};
