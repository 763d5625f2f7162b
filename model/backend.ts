/**
 * Choosing where the arithmetic runs. wasm is the default everywhere (fast on CPUs, identical
 * results across machines); WebGPU and WebGL are used when asked for and present; the plain
 * JavaScript `cpu` backend is the last resort. Every fallback is reported, never silent.
 */
import * as tf from '@tensorflow/tfjs-core';

export type BackendName = 'wasm' | 'webgpu' | 'webgl' | 'cpu';

export interface BackendReport {
  name: BackendName; // the backend now running
  requested: BackendName; // what was asked for
  fallbacks: { name: BackendName; reason: string }[]; // backends tried first that failed, and why
  threads: number; // wasm threads (1 unless cross-origin isolated)
  simd: boolean; // wasm SIMD
}

export interface BackendOptions {
  /** Base URL the site serves the tfjs wasm files from (browser only), e.g. '/tfjs/'. */
  wasmPath?: string;
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

async function register(name: BackendName, opts: BackendOptions): Promise<void> {
  if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (opts.wasmPath && !isNode) wasm.setWasmPaths(opts.wasmPath);
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
        const ok = await tf.setBackend(name);
        if (!ok) throw new Error(`tf.setBackend('${name}') returned false`);
      }
      await tf.ready();
      const threads = name === 'wasm' && tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? (globalThis.navigator?.hardwareConcurrency ?? 1) : 1;
      const simd = name === 'wasm' && tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
      return { name, requested, fallbacks, threads, simd };
    } catch (e) {
      fallbacks.push({ name, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  throw new Error(`no TensorFlow.js backend could start: ${fallbacks.map((f) => `${f.name}: ${f.reason}`).join('; ')}`);
}
