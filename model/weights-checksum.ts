/**
 * The weights' checksum, and checking it again from the weights the backend holds. The checksum
 * is FNV-1a over every tensor's name and its float32 bits, tensors in name order, elements in the
 * checkpoint's layout. Checking it again is what shows that a tick does not change the weights,
 * so it runs after every tick on chapters 1 and 8: on wasm it reads the backend's memory in place
 * (no copy of the weights and no transpose of wte, which the backend holds transposed).
 */
import * as tf from '@tensorflow/tfjs-core';
import { namedWeights, type GPT2Weights } from './gpt2.ts';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a, fed names and 32-bit words. */
class Fnv {
  private h = FNV_OFFSET;

  name(s: string): void {
    let h = this.h;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
    this.h = h;
  }

  words(bits: Uint32Array): void {
    let h = this.h;
    for (let i = 0; i < bits.length; i++) h = Math.imul(h ^ bits[i], FNV_PRIME);
    this.h = h;
  }

  /** The words of a (rows, cols) matrix held transposed in `bits` as (cols, rows), in row order. */
  transposedWords(bits: Uint32Array, rows: number, cols: number): void {
    let h = this.h;
    for (let r = 0; r < rows; r++) for (let c = 0, i = r; c < cols; c++, i += rows) h = Math.imul(h ^ bits[i], FNV_PRIME);
    this.h = h;
  }

  hex(): string {
    return (this.h >>> 0).toString(16).padStart(8, '0');
  }
}

const bitsOf = (d: Float32Array): Uint32Array => new Uint32Array(d.buffer, d.byteOffset, d.length);

/**
 * A fast, deterministic fingerprint of checkpoint parameters (name → float32 data in the file's
 * layout): FNV-1a (32-bit) over each tensor's name and then its float32 bit patterns one 32-bit
 * word at a time (word-wise keeps 124M floats well under a second), in sorted name order.
 *
 * @returns 8 lowercase hex digits
 */
export function weightsChecksum(params: Map<string, { data: Float32Array }>): string {
  const fnv = new Fnv();
  for (const name of [...params.keys()].sort()) {
    fnv.name(name);
    fnv.words(bitsOf(params.get(name)!.data));
  }
  return fnv.hex();
}

/** The wasm backend's memory under a tensor, as float32 bits, without a copy; null elsewhere. */
function wasmBits(t: tf.Tensor): Uint32Array | null {
  if (tf.getBackend() !== 'wasm' || t.dtype !== 'float32') return null;
  const backend = tf.backend() as unknown as { dataIdMap?: { get(id: object): { memoryOffset?: number } | undefined }; wasm?: { HEAPU8?: Uint8Array } };
  const offset = backend.dataIdMap?.get(t.dataId)?.memoryOffset;
  const heap = backend.wasm?.HEAPU8;
  if (offset === undefined || !heap || offset % 4 !== 0 || offset + t.size * 4 > heap.byteLength) return null;
  return new Uint32Array(heap.buffer, heap.byteOffset + offset, t.size);
}

/** The checksum of the weights as the backend holds them now (equal to the load checksum unless a weight changed). */
export async function backendWeightsChecksum(w: GPT2Weights): Promise<string> {
  const named = namedWeights(w).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const fnv = new Fnv();
  for (const [name, t] of named) {
    fnv.name(name);
    const transposed = name === 'wte.weight'; // held as (C, V); the checkpoint's layout is (V, C)
    const bits = wasmBits(t) ?? bitsOf((await t.data()) as Float32Array);
    if (transposed) fnv.transposedWords(bits, t.shape[1]!, t.shape[0]!);
    else fnv.words(bits);
  }
  return fnv.hex();
}
