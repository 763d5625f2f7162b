/**
 * A memory-bandwidth probe in plain wasm SIMD: the floor under a decode tick, which must read
 * every weight once. The cost chapter measures it (matmulPeak) and the peer benchmark
 * (bench/peer/) reports it. The module (hand-assembled below, 100-odd bytes) sums a buffer with four
 * v128 accumulators, 64 bytes an iteration; GB/s = bytes / time of the best of several passes.
 * With `threads` > 1, that many Web Workers each stream their own share at the same time.
 */

/** The wasm module: memory of `pages` 64-KiB pages, export sum(from, to) → f32. */
export function probeModule(pages: number): Uint8Array<ArrayBuffer> {
  const leb = (n: number) => {
    const out: number[] = [];
    do {
      let b = n & 0x7f;
      n >>>= 7;
      if (n) b |= 0x80;
      out.push(b);
    } while (n);
    return out;
  };
  const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
  const str = (s: string) => [s.length, ...[...s].map((c) => c.charCodeAt(0))];
  const load = (local: number, offset: number) => [0x20, local, 0x20, 0, 0xfd, 0x00, 0x04, offset, 0xfd, 0xe4, 0x01, 0x21, local]; // acc += v128.load offset(p)
  const body = [
    0x01, 0x04, 0x7b, // four v128 locals (2..5)
    0x03, 0x40, // loop
    ...load(2, 0), ...load(3, 16), ...load(4, 32), ...load(5, 48),
    0x20, 0, 0x41, 0xc0, 0x00, 0x6a, 0x22, 0, // p += 64 (local.tee)
    0x20, 1, 0x49, 0x0d, 0x00, // br_if p < end
    0x0b, // end loop
    0x20, 2, 0x20, 3, 0xfd, 0xe4, 0x01, 0x20, 4, 0xfd, 0xe4, 0x01, 0x20, 5, 0xfd, 0xe4, 0x01,
    0xfd, 0x1f, 0x00, // f32x4.extract_lane 0
    0x0b,
  ];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
    ...section(1, [0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7d]), // type: (i32, i32) → f32
    ...section(3, [0x01, 0x00]), // one function of that type
    ...section(5, [0x01, 0x00, ...leb(pages)]), // one memory
    ...section(7, [0x02, ...str('sum'), 0x00, 0x00, ...str('mem'), 0x02, 0x00]), // exports
    ...section(10, [0x01, ...leb(body.length), ...body]), // code
  ]);
}

/** Stream `bytes` (rounded up to 64) `passes` times in this thread; GB/s of the fastest pass. */
export async function streamGBps(bytes: number, passes = 8): Promise<number> {
  const n = Math.ceil(bytes / 64) * 64;
  const { instance } = await WebAssembly.instantiate(probeModule(Math.ceil(n / 65536) + 1));
  const sum = instance.exports.sum as (from: number, to: number) => number;
  const mem = new Float32Array((instance.exports.mem as WebAssembly.Memory).buffer, 0, n / 4);
  for (let i = 0; i < mem.length; i += 1024) mem[i] = 1; // touch every page
  sum(0, n);
  let best = Infinity;
  for (let p = 0; p < passes; p++) {
    const t0 = performance.now();
    sum(0, n);
    best = Math.min(best, performance.now() - t0);
  }
  return n / (best / 1000) / 1e9;
}

/** The worker's source: instantiate its own copy, stream when told, post the pass times. */
const WORKER = `
onmessage = async (e) => {
  const { module, bytes, passes } = e.data;
  const instance = await WebAssembly.instantiate(module); // a Module gives the Instance itself
  const sum = instance.exports.sum;
  const mem = new Float32Array(instance.exports.mem.buffer, 0, bytes / 4);
  for (let i = 0; i < mem.length; i += 1024) mem[i] = 1;
  sum(0, bytes);
  postMessage('ready');
  onmessage = (e2) => {
    const t0 = performance.now();
    sum(0, bytes);
    postMessage(performance.now() - t0);
  };
};`;

/**
 * Aggregate GB/s of `threads` workers each streaming bytes / threads at once (browser only); the
 * wall time of a pass is from the start message to the last worker's reply.
 */
export async function parallelStreamGBps(bytes: number, threads: number, passes = 8): Promise<number> {
  if (threads <= 1) return streamGBps(bytes, passes);
  const share = Math.ceil(bytes / threads / 64) * 64;
  const module = await WebAssembly.compile(probeModule(Math.ceil(share / 65536) + 1));
  const url = URL.createObjectURL(new Blob([WORKER], { type: 'text/javascript' }));
  const workers = Array.from({ length: threads }, () => new Worker(url));
  const next = (w: Worker) =>
    new Promise<unknown>((done, fail) => {
      w.onmessage = (e) => done(e.data);
      w.onerror = (e) => fail(new Error(`bandwidth worker: ${e.message}`));
    });
  try {
    await Promise.all(workers.map((w) => { const r = next(w); w.postMessage({ module, bytes: share, passes }); return r; }));
    let best = Infinity;
    for (let p = 0; p < passes + 1; p++) {
      const t0 = performance.now();
      await Promise.all(workers.map((w) => { const r = next(w); w.postMessage('go'); return r; }));
      if (p > 0) best = Math.min(best, performance.now() - t0);
    }
    return (share * threads) / (best / 1000) / 1e9;
  } finally {
    workers.forEach((w) => w.terminate());
    URL.revokeObjectURL(url);
  }
}

/** Largest buffer the chapter streams: past every cache, so it measures main memory, and small enough to allocate beside a model. */
export const MEMORY_PROBE_BYTES = 256 * 2 ** 20;

/** GB/s streaming `bytes` on `threads` at once (one thread where workers cannot start). */
export async function measureStream(bytes: number, threads: number, passes = 8): Promise<{ bytes: number; gbps: number; threads: number }> {
  const n = Math.max(64 * 1024, Math.min(MEMORY_PROBE_BYTES, Math.ceil(bytes / 64) * 64));
  if (threads > 1 && typeof Worker !== 'undefined') {
    try {
      return { bytes: n, gbps: await parallelStreamGBps(n, threads, passes), threads };
    } catch {
      // fall through: one thread
    }
  }
  return { bytes: n, gbps: await streamGBps(n, passes), threads: 1 };
}
