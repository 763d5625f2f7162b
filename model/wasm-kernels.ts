/**
 * Three tfjs-backend-wasm kernels (4.22) replaced by the same arithmetic without its waste, and
 * one it lacks (LayerNorm, below).
 *
 * Its Slice (and SplitV, which slices once per part) first copies the *whole* input out of the
 * module's memory into a new JavaScript array (`readSync`), then copies the slice from that copy:
 * splitting training's (2048, 768) query-key-value product into three cost ≈ 50 ms, three whole
 * copies of 6 MB, for 6 MB of output. Here the slice is copied straight from a view of the
 * module's memory: the same rows, the same bytes, one copy. Its Transpose moves element by
 * element where rows and columns swap; here that case is an 8 × 8 tiled copy (the others stay
 * with tfjs's kernel).
 *
 * Registered once, when the wasm backend starts (model/backend.ts). String tensors keep tfjs's
 * own kernel. Other wasm kernels that call tfjs's slice internally (StridedSlice, Unpack) are
 * unchanged.
 */
import * as tf from '@tensorflow/tfjs-core';

type Shape = number[];
interface TensorInfo { dataId: object; shape: Shape; dtype: tf.DataType }
interface WasmBackend {
  makeOutput(shape: Shape, dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
}
type KernelArgs = { inputs: { x: TensorInfo }; attrs: Record<string, unknown>; backend: WasmBackend };

/** Copy the box begin…begin+size of x (row-major) into out: one `set` per run of contiguous elements. */
export function copyBox(x: ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> }, shape: Shape, begin: Shape, size: Shape, out: { set(a: ArrayLike<number>, at: number): void }): void {
  const rank = shape.length;
  if (rank === 0) {
    out.set(x.subarray(0, 1), 0);
    return;
  }
  // Merge the trailing axes taken whole into one run: the copy's unit.
  let inner = rank - 1;
  while (inner > 0 && begin[inner] === 0 && size[inner] === shape[inner]) inner--;
  const strides = new Array<number>(rank);
  strides[rank - 1] = 1;
  for (let a = rank - 2; a >= 0; a--) strides[a] = strides[a + 1] * shape[a + 1];
  const run = size[inner] * strides[inner];
  if (run === 0) return;
  const outer = size.slice(0, inner).reduce((n, s) => n * s, 1);
  const idx = new Array<number>(inner).fill(0);
  let o = 0;
  for (let r = 0; r < outer; r++) {
    let from = begin[inner] * strides[inner];
    for (let a = 0; a < inner; a++) from += (begin[a] + idx[a]) * strides[a];
    out.set(x.subarray(from, from + run), o);
    o += run;
    for (let a = inner - 1; a >= 0; a--) {
      if (++idx[a] < size[a]) break;
      idx[a] = 0;
    }
  }
}

function sliceInto(x: TensorInfo, begin: Shape, size: Shape, backend: WasmBackend): TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  if (size.some((s) => s === 0)) return out;
  // Views taken after makeOutput, which may grow (and so move) the module's memory.
  copyBox(backend.typedArrayFromHeap(x), x.shape, begin, size, backend.typedArrayFromHeap(out));
  return out;
}

/**
 * A transpose as (batch, rows, cols) → (batch, cols, rows), when it is one: size-1 axes dropped,
 * and input axes that stay side by side in the output merged. Null for any other permutation.
 */
export function batchedSwap(shape: Shape, perm: number[]): [number, number, number] | null {
  const kept = perm.filter((a) => shape[a] !== 1);
  // Runs of consecutive input axes that stay consecutive in the output.
  const groups: number[][] = [];
  for (const a of kept) {
    const last = groups[groups.length - 1];
    if (last && last[last.length - 1] + 1 === a) last.push(a);
    else groups.push([a]);
  }
  const size = (g: number[]) => g.reduce((n, a) => n * shape[a], 1);
  const order = [...groups].sort((g, h) => g[0] - h[0]); // the groups in input order
  if (groups.length === 2 && groups[0] === order[1]) return [1, size(order[0]), size(order[1])];
  if (groups.length === 3 && groups[0] === order[0] && groups[1] === order[2]) return [size(order[0]), size(order[1]), size(order[2])];
  return null;
}

/** out[b][c][r] = x[b][r][c], in 8 × 8 tiles (a plain loop misses the cache on every write). */
export function swapRowsCols(x: ArrayLike<number>, out: { [i: number]: number }, batch: number, rows: number, cols: number): void {
  const B = 8;
  const n = rows * cols;
  for (let b = 0; b < batch; b++) {
    const base = b * n;
    for (let r0 = 0; r0 < rows; r0 += B) {
      const r1 = Math.min(rows, r0 + B);
      for (let c0 = 0; c0 < cols; c0 += B) {
        const c1 = Math.min(cols, c0 + B);
        for (let r = r0; r < r1; r++) {
          const from = base + r * cols;
          for (let c = c0; c < c1; c++) out[base + c * rows + r] = x[from + c];
        }
      }
    }
  }
}

/**
 * The name of our LayerNorm kernel: (x − mean)·g/√(var + ε) + b over the last axis of x, in one
 * launch. tfjs has no LayerNorm; composed from its ops it is 9 launches a call (4 for one row, with
 * FusedBatchNorm), and a launch costs ≈ 4–5 µs, about what a row of 768 costs to normalise. Only
 * the wasm backend has it, and it has no gradient: inference calls it (model/gpt2.ts), training
 * composes tfjs's ops.
 */
export const LAYER_NORM = 'TokenClockLayerNorm';

/**
 * LayerNorm of each row of C values of x into out, with gain g and bias b: mean, then the mean of
 * squared differences (two passes, as the composed ops do), summed in float64.
 */
export function layerNormRows(x: ArrayLike<number>, g: ArrayLike<number>, b: ArrayLike<number>, eps: number, C: number, out: { [i: number]: number }): void {
  const rows = Math.floor(x.length / C);
  for (let r = 0, o = 0; r < rows; r++, o += C) {
    let sum = 0;
    for (let i = 0; i < C; i++) sum += x[o + i];
    const mean = sum / C;
    let sq = 0;
    for (let i = 0; i < C; i++) {
      const d = x[o + i] - mean;
      sq += d * d;
    }
    const inv = 1 / Math.sqrt(sq / C + eps);
    for (let i = 0; i < C; i++) out[o + i] = (x[o + i] - mean) * inv * g[i] + b[i];
  }
}

/**
 * The name of our GELU kernel (GPT-2's tanh form), one launch for the 6 of tfjs's ops it takes
 * composed (model/gpt2.ts `gelu`). Wasm only, no gradient: inference only.
 */
export const GELU = 'TokenClockGelu';

/** GPT-2's GELU, 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), written as x·sigmoid(2·√(2/π)·(x + 0.044715·x³)). */
export function geluInto(x: ArrayLike<number>, out: { [i: number]: number }): void {
  const a = 0.044715;
  const k = 2 * Math.sqrt(2 / Math.PI);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    out[i] = v / (1 + Math.exp(-k * v * (1 + a * v * v)));
  }
}

let registered = false;

/** Put the two kernels in place of tfjs-backend-wasm's (idempotent; call after the wasm backend is registered). */
export function registerWasmKernels(): void {
  if (registered) return;
  const oldSlice = tf.getKernel('Slice', 'wasm');
  const oldSplit = tf.getKernel('SplitV', 'wasm');
  if (!oldSlice || !oldSplit) return;
  registered = true;
  const slice = (args: KernelArgs) => {
    const { x } = args.inputs;
    if (x.dtype === 'string') return oldSlice.kernelFunc(args as never);
    const [begin, size] = tf.slice_util.parseSliceParams(x as never, args.attrs.begin as number[], args.attrs.size as number[]);
    return sliceInto(x, begin, size, args.backend);
  };
  const splitV = (args: KernelArgs) => {
    const { x } = args.inputs;
    if (x.dtype === 'string') return oldSplit.kernelFunc(args as never);
    const axis = tf.util.parseAxisParam(args.attrs.axis as number, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as never, args.attrs.numOrSizeSplits as number | number[], axis);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((s) => {
      const size = x.shape.slice();
      size[axis] = s;
      const out = sliceInto(x, begin.slice(), size, args.backend);
      begin[axis] += s;
      return out;
    });
  };
  const oldTranspose = tf.getKernel('Transpose', 'wasm');
  const transpose = (args: KernelArgs) => {
    const { x } = args.inputs;
    const perm = args.attrs.perm as number[];
    const swap = x.dtype === 'float32' || x.dtype === 'int32' ? batchedSwap(x.shape, perm) : null;
    // Small ones stay with tfjs's kernel: its call costs less than ours to set up.
    if (!swap || x.shape.reduce((n, s) => n * s, 1) < 4096) return oldTranspose!.kernelFunc(args as never);
    const out = args.backend.makeOutput(perm.map((a) => x.shape[a]), x.dtype);
    swapRowsCols(args.backend.typedArrayFromHeap(x), args.backend.typedArrayFromHeap(out), ...swap);
    return out;
  };
  if (oldTranspose) {
    tf.unregisterKernel('Transpose', 'wasm');
    tf.registerKernel({ kernelName: 'Transpose', backendName: 'wasm', kernelFunc: transpose as never, setupFunc: oldTranspose.setupFunc });
  }
  tf.unregisterKernel('Slice', 'wasm');
  tf.unregisterKernel('SplitV', 'wasm');
  tf.registerKernel({ kernelName: 'Slice', backendName: 'wasm', kernelFunc: slice as never });
  tf.registerKernel({ kernelName: 'SplitV', backendName: 'wasm', kernelFunc: splitV as never });
  const layerNorm = (args: { inputs: { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo }; attrs: Record<string, unknown>; backend: WasmBackend }) => {
    const { x, gamma, beta } = args.inputs;
    const out = args.backend.makeOutput(x.shape, 'float32');
    // Views taken after makeOutput, which may grow (and so move) the module's memory.
    const h = (t: TensorInfo) => args.backend.typedArrayFromHeap(t);
    layerNormRows(h(x), h(gamma), h(beta), args.attrs.eps as number, x.shape[x.shape.length - 1], h(out));
    return out;
  };
  tf.registerKernel({ kernelName: LAYER_NORM, backendName: 'wasm', kernelFunc: layerNorm as never });
  const gelu = (args: KernelArgs) => {
    const out = args.backend.makeOutput(args.inputs.x.shape, 'float32');
    geluInto(args.backend.typedArrayFromHeap(args.inputs.x), args.backend.typedArrayFromHeap(out));
    return out;
  };
  tf.registerKernel({ kernelName: GELU, backendName: 'wasm', kernelFunc: gelu as never });
}
