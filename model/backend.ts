/**
 * Choosing where the arithmetic runs. wasm is the default everywhere (fast on CPUs, identical
 * results across machines); WebGPU and WebGL are used when asked for and present; the plain
 * JavaScript `cpu` backend is the last resort. Every fallback is reported, never silent.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmKernels } from './wasm-kernels.ts';

export type BackendName = 'wasm' | 'webgpu' | 'webgl' | 'cpu';

export interface BackendReport {
  name: BackendName; // the backend now running
  requested: BackendName; // what was asked for
  fallbacks: { name: BackendName; reason: string }[]; // backends tried first that failed, and why
  threads: number; // threads wasm computes on, as tfjs-backend-wasm reports them (1 unless cross-origin isolated)
  simd: boolean; // wasm SIMD
}

export interface BackendOptions {
  /** Base URL the site serves the tfjs wasm files from (browser only), e.g. '/tfjs/'. */
  wasmPath?: string;
  /**
   * Threads for wasm's thread pool (browser only, cross-origin isolated pages). Unset: what
   * tfjs-backend-wasm picks by itself, half the logical cores; on a machine of 2 or 3 cores that
   * is one thread, and then the build without threads is started (no idle pool of workers).
   */
  threads?: number;
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

/** The logical cores the browser reports (1 where it does not say). */
const cores = () => (globalThis.navigator as Navigator | undefined)?.hardwareConcurrency || 1;

async function register(name: BackendName, opts: BackendOptions): Promise<void> {
  if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (opts.wasmPath && !isNode) wasm.setWasmPaths(opts.wasmPath);
    registerWasmKernels(); // Slice, SplitV and Transpose of our own in tfjs's place (model/wasm-kernels.ts)
    if (!isNode && opts.threads) wasm.setThreadsCount(Math.max(1, Math.floor(opts.threads)));
    // Where tfjs would compute on one thread anyway (no threads asked for, and half the cores is
    // one: a 2-core machine), the build without threads is started. The threaded build starts a
    // pool of 8 pthread workers whatever the thread count, each instantiating the module: ≈ 50-70
    // ms of CPU apiece, while the page is laying itself out on the same two cores.
    if (!isNode && !opts.threads && Math.floor(cores() / 2) <= 1) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  } else if (name === 'webgl') {
    if (isNode) throw new Error('WebGL needs a browser');
    await import('@tensorflow/tfjs-backend-webgl');
  } else if (name === 'webgpu') {
    if (!(globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu) throw new Error('this browser has no WebGPU (navigator.gpu)');
    await import('@tensorflow/tfjs-backend-webgpu');
  } else {
    await import('@tensorflow/tfjs-backend-cpu');
  }
}

/**
 * Run `fn` while navigator.hardwareConcurrency reads `cores`, then put it back. tfjs-backend-wasm
 * 4.22 starts at most half the logical cores (its C++ caps setThreadsCount there; on a 2-core
 * machine that is one thread), so the backend is started seeing twice the threads wanted.
 */
async function withCoresAsSeen<T>(cores: number, fn: () => Promise<T>): Promise<T> {
  const nav = globalThis.navigator as Navigator | undefined;
  if (!nav || cores <= nav.hardwareConcurrency) return fn();
  Object.defineProperty(nav, 'hardwareConcurrency', { configurable: true, get: () => cores });
  try {
    return await fn();
  } finally {
    delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency; // the prototype's getter again
  }
}

/** The threads tfjs-backend-wasm actually started (its own report; 1 without threads support). */
async function wasmThreads(): Promise<number> {
  if (!tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')) return 1;
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  try {
    return wasm.getThreadsCount();
  } catch {
    return 1;
  }
}

/**
 * Start a backend: the requested one, else wasm, else cpu. Resolves once it is ready.
 * Calling it again with the same name is cheap.
 */
export async function initBackend(requested: BackendName = 'wasm', opts: BackendOptions = {}): Promise<BackendReport> {
  const chain: BackendName[] = [requested, 'wasm', 'cpu'].filter((n, i, a) => a.indexOf(n) === i) as BackendName[];
  const fallbacks: BackendReport['fallbacks'] = [];
  for (const name of chain) {
    try {
      if (tf.getBackend() !== name || !tf.engine().backendNames().includes(name)) {
        await register(name, opts);
        const ok = name === 'wasm' && !isNode && opts.threads ? await withCoresAsSeen(2 * Math.floor(opts.threads), () => tf.setBackend(name)) : await tf.setBackend(name);
        if (!ok) throw new Error(`tf.setBackend('${name}') returned false`);
      }
      await tf.ready();
      const threads = name === 'wasm' ? await wasmThreads() : 1;
      const simd = name === 'wasm' && tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
      return { name, requested, fallbacks, threads, simd };
    } catch (e) {
      fallbacks.push({ name, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  throw new Error(`no TensorFlow.js backend could start: ${fallbacks.map((f) => `${f.name}: ${f.reason}`).join('; ')}`);
}

/** What the backend holds now: for a soak test to see that nothing grows tick after tick. */
export interface BackendMemory {
  tensors: number; // live tensors (tf.memory)
  bytes: number; // their data, in bytes
  dataBuffers: number; // the backend's data buffers (a leak without a tensor shows here)
  heapBytes: number | undefined; // wasm: the module's linear memory (it grows, never shrinks)
}

export function backendMemory(): BackendMemory {
  const m = tf.memory();
  const wasm = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm;
  return { tensors: m.numTensors, bytes: m.numBytes, dataBuffers: m.numDataBuffers, heapBytes: wasm?.HEAPU8?.byteLength };
}
