/**
 * The peer benchmark's worker (bundled by bench/peer.ts with esbuild, served with the wasm files
 * of both engines from node_modules by the bench's own server, never part of the site). Token
 * Clock's engine (tfjs wasm) and onnxruntime-web (wasm execution provider, the ONNX graph of
 * bench/onnx/gpt2.ts) run the same safetensors weights in this one Web Worker — where the site
 * runs its engine — on the same number of threads, their ticks interleaved; the logits must agree
 * first. bench/peer/page.ts starts it and hands the report to the Node driver.
 */
import type * as Ort from 'onnxruntime-web';
import { initBackend } from '../../model/backend.ts';
import { loadModelFiles, type ModelFiles } from '../../model/checkpoint.ts';
import { makeConfig } from '../../model/config.ts';
import { forward, KVCache } from '../../model/gpt2.ts';
import { Model } from '../../model/model.ts';
import { randomCheckpointFiles } from '../../train/random-checkpoint.ts';
import { gpt2Onnx } from '../onnx/gpt2.ts';
import { OrtGpt2 } from '../onnx/ort-gpt2.ts';
import { parallelStreamGBps } from '../../engine/bandwidth.ts';
import type { PeerModelReport, PeerReport, Stat } from './report.ts';

/** Options the page posts; the worker answers with `{ log }` lines, then `{ report }` or `{ error }`. */
export interface PeerOptions {
  quick: boolean;
  threads?: number;
  models?: string[];
}

const scope = globalThis as unknown as { postMessage(message: unknown): void; onmessage: ((e: MessageEvent<PeerOptions>) => void) | null };

const stat = (xs: number[]): Stat => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
  return { median: s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2, p95: at(0.95), n: s.length };
};

/** Largest |a − b|, relative to the range of `b` (the engine's logits). */
function agreement(a: Float32Array, b: Float32Array): { maxAbsDiff: number; range: number } {
  let d = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    lo = Math.min(lo, b[i]);
    hi = Math.max(hi, b[i]);
  }
  return { maxAbsDiff: d, range: hi - lo };
}

async function benchOne(ort: typeof Ort, name: string, files: ModelFiles, quick: boolean, threads: number): Promise<PeerModelReport> {
  const { config } = files;
  const log = (s: string) => scope.postMessage({ log: `[peer] ${name}: ${s}` });
  const model = await Model.fromFiles(files);
  let t0 = performance.now();
  let onnx: Uint8Array | undefined = gpt2Onnx(config, files.params);
  const onnxBytes = onnx.byteLength;
  log(`ONNX graph written: ${(onnxBytes / 2 ** 20).toFixed(1)} MiB in ${(performance.now() - t0).toFixed(0)} ms`);
  t0 = performance.now();
  const peer = await OrtGpt2.create(ort, config, onnx, { spin: threads <= 1 }); // spinning ORT threads would starve tfjs's between ticks
  onnx = undefined; // ORT holds its own copy
  log(`onnxruntime-web session in ${(performance.now() - t0).toFixed(0)} ms`);
  const weightBytes = [...files.params.values()].reduce((a, p) => a + p.data.byteLength, 0);
  const cache = new KVCache(config.n_layer);
  const ours = async (feed: number[]): Promise<Float32Array> => {
    const r = await forward(config, model.weights, feed, cache);
    const data = (await r.logits.data()) as Float32Array;
    r.logits.dispose();
    return data;
  };
  const ids = Array.from({ length: config.n_positions }, (_, i) => (i * 7919) % Math.min(config.vocab_size, 50000));
  try {
    // Logits first: a 63-token prefill and the tick after it, both engines.
    const checks: PeerModelReport['agreement'] = [];
    for (const [what, feed] of [['prefill 63', ids.slice(0, 63)], ['decode @64', [ids[63]]]] as const) {
      const a = await peer.step([...feed]);
      const b = await ours([...feed]);
      const g = agreement(a, b);
      checks.push({ what, ...g, ok: g.maxAbsDiff <= 1e-4 * g.range });
      log(`${what}: max |Δlogit| ${g.maxAbsDiff.toExponential(2)} = ${(g.maxAbsDiff / g.range).toExponential(2)} of the range ${g.range.toFixed(2)}`);
    }
    if (!checks.every((c) => c.ok)) return { model: name, params: weightBytes / 4, weightBytes, onnxBytes, agreement: checks, measures: [], bandwidthGBps: 0, floorMs: 0 };

    // Warm both (XNNPACK packs tfjs's weights on first use; ORT's first runs allocate).
    cache.clear();
    peer.clear();
    for (let i = 0; i < 3; i++) {
      await ours(ids.slice(0, 8));
      await peer.step(ids.slice(0, 8));
    }
    for (let i = 8; i < 16; i++) {
      await ours([ids[i]]);
      await peer.step([ids[i]]);
    }
    const reps = quick ? 3 : config.n_embd >= 768 ? 10 : 40;
    const measures: PeerModelReport['measures'] = [];
    // Interleave: each repetition times Token Clock, onnxruntime-web's full tick (logits and the
    // new cache back in JS) and its logits-only run, in a rotating order.
    const interleave = async (what: string, n: number, fns: (() => Promise<unknown>)[], reset: () => void) => {
      const times: number[][] = fns.map(() => []);
      for (let r = 0; r < n; r++) {
        for (let k = 0; k < fns.length; k++) {
          const which = (r + k) % fns.length;
          reset();
          const s = performance.now();
          await fns[which]();
          times[which].push(performance.now() - s);
        }
      }
      const [ours, ort, ortLogitsOnly] = times.map(stat);
      measures.push({ what, ours, ort, ortLogitsOnly });
      log(`${what}: Token Clock ${ours.median.toFixed(2)} ms, onnxruntime-web ${ort.median.toFixed(2)} ms (logits only ${ortLogitsOnly.median.toFixed(2)}) (median of ${n})`);
    };
    for (const c of [16, 64, 200]) {
      cache.clear();
      peer.clear();
      await ours(ids.slice(0, c - 1));
      await peer.step(ids.slice(0, c - 1));
      const feed = [ids[c - 1]];
      await interleave(`decode @${c}`, reps * 2, [() => ours(feed), () => peer.step(feed, false), () => peer.step(feed, 'logits')], () => cache.truncate(c - 1));
    }
    const prompt = ids.slice(0, 64);
    await interleave('prefill 64', reps, [() => ours(prompt), () => peer.step(prompt, false), () => peer.step(prompt, 'logits')], () => {
      cache.clear();
      peer.clear();
    });
    const bandwidthGBps = await parallelStreamGBps(weightBytes, threads);
    log(`streaming ${(weightBytes / 2 ** 20).toFixed(1)} MiB on ${threads} thread(s): ${bandwidthGBps.toFixed(1)} GB/s`);
    return { model: name, params: weightBytes / 4, weightBytes, onnxBytes, agreement: checks, measures, bandwidthGBps, floorMs: (weightBytes / (bandwidthGBps * 1e9)) * 1000 };
  } finally {
    cache.clear();
    model.dispose();
    await peer.release();
  }
}

async function runPeer({ quick, threads, models = ['bundled', '124M'] }: PeerOptions): Promise<PeerReport> {
  const backend = await initBackend('wasm', { wasmPath: '/tfjs/', threads });
  const ortUrl = '/ort/ort.wasm.min.mjs';
  const ort = (await import(/* @vite-ignore */ ortUrl)) as typeof Ort;
  ort.env.wasm.wasmPaths = '/ort/';
  ort.env.wasm.numThreads = backend.threads;
  ort.env.wasm.simd = true;
  const report: PeerReport = {
    crossOriginIsolated,
    hardwareConcurrency: navigator.hardwareConcurrency,
    engine: { backend: backend.name, threads: backend.threads, simd: backend.simd },
    ort: { version: ort.env.versions.web ?? '', numThreads: backend.threads },
    models: [],
  };
  if (models.includes('bundled')) {
    const files = await loadModelFiles(new URL('/models/gutenberg-4m/', location.href).href);
    report.models.push(await benchOne(ort, 'bundled gutenberg-4m', files, quick, backend.threads));
  }
  if (models.includes('124M')) {
    // The benchmark's GPT-2-124M-shaped checkpoint (random weights, seed 1, F32), as a
    // safetensors file in memory, read by the same loader.
    const config = makeConfig({ n_layer: 12, n_head: 12, n_embd: 768, n_positions: 1024, vocab_size: 50257 });
    const files = await loadModelFiles({ files: randomCheckpointFiles({ config, dtype: 'F32', seed: 1 }).files });
    report.models.push(await benchOne(ort, 'gpt2-124M-shaped', files, quick, backend.threads));
  }
  report.ort.numThreads = ort.env.wasm.numThreads ?? backend.threads;
  return report;
}

scope.onmessage = (e) => {
  runPeer(e.data).then(
    (report) => scope.postMessage({ report }),
    (error: unknown) => scope.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
};
