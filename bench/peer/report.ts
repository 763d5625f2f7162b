/** The peer benchmark's report (page → Node) and its table. */

export interface Stat {
  median: number;
  p95: number;
  n: number;
}

export interface PeerModelReport {
  model: string;
  params: number;
  weightBytes: number; // F32 bytes of the checkpoint's tensors: what a decode tick reads
  onnxBytes: number;
  agreement: { what: string; maxAbsDiff: number; range: number; ok: boolean }[];
  /**
   * ms per call. `ort`: onnxruntime-web's tick as a generation loop runs it (logits and the new
   * cache copied back to JS); `ortLogitsOnly`: the same run fetching only the logits.
   */
  measures: { what: string; ours: Stat; ort: Stat; ortLogitsOnly: Stat }[];
  bandwidthGBps: number; // streaming the weights' size, on the engines' thread count
  floorMs: number; // weightBytes at that bandwidth: no decode tick can be faster
}

export interface PeerReport {
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  engine: { backend: string; threads: number; simd: boolean };
  ort: { version: string; numThreads: number };
  models: PeerModelReport[];
}

const f = (x: number, d = 2) => x.toFixed(d);

/** Markdown: one row per model and measure, Token Clock vs onnxruntime-web, ratio ours / ORT. */
export function formatPeerReport(title: string, r: PeerReport): string {
  const lines = [
    `${title} — Token Clock on tfjs wasm (${r.engine.threads} thread${r.engine.threads === 1 ? '' : 's'}, simd ${r.engine.simd}) vs onnxruntime-web ${r.ort.version} wasm EP (numThreads ${r.ort.numThreads}); crossOriginIsolated ${r.crossOriginIsolated}, ${r.hardwareConcurrency} logical cores`,
    '| model | measure | Token Clock median (ms) | p95 | ORT tick median (ms) | p95 | ratio TC/ORT median | p95 | ORT logits-only median (ms) | p95 | ratio TC/ORT-logits-only median | p95 | bandwidth floor (ms) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const m of r.models) {
    for (const x of m.measures) {
      const floor = x.what.startsWith('decode') ? `${f(m.floorMs, 3)} (${f(m.bandwidthGBps, 1)} GB/s × ${(m.weightBytes / 2 ** 20).toFixed(1)} MiB)` : '—';
      lines.push(`| ${m.model} | ${x.what} | ${f(x.ours.median)} | ${f(x.ours.p95)} | ${f(x.ort.median)} | ${f(x.ort.p95)} | ${f(x.ours.median / x.ort.median)}× | ${f(x.ours.p95 / x.ort.p95)}× | ${f(x.ortLogitsOnly.median)} | ${f(x.ortLogitsOnly.p95)} | ${f(x.ours.median / x.ortLogitsOnly.median)}× | ${f(x.ours.p95 / x.ortLogitsOnly.p95)}× | ${floor} |`);
    }
  }
  lines.push('Ratio > 1: Token Clock slower. ORT tick: logits and the new KV cache back in JS (what a generation loop needs); ORT logits-only: the same run fetching only the logits (the cache it computed stays in ORT).');
  lines.push('Logits, onnxruntime-web vs Token Clock (max |Δ| / range of the logits; must be ≤ 1e-4 before timing counts):');
  for (const m of r.models) {
    lines.push(`  ${m.model}: ${m.agreement.map((a) => `${a.what} ${a.maxAbsDiff.toExponential(2)} / ${f(a.range)} = ${(a.maxAbsDiff / a.range).toExponential(2)}${a.ok ? '' : ' FAIL'}`).join('; ')}`);
  }
  return lines.join('\n');
}
