/**
 * The model's weight products with hand-written gradients, for training on wasm.
 *
 * tfjs's own gradient of a matmul uses transposed matmuls (dA = dY·Bᵀ, dB = Aᵀ·dY), which on the
 * wasm backend skip XNNPACK and run 10–25× slower. Here the transpose is materialised first, so
 * every product is a plain one. The embedding's gradient (a scatter-add into the rows of wte)
 * uses scatterND, which sums duplicate ids, instead of gather's UnsortedSegmentSum kernel that
 * tfjs-backend-wasm lacks.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as Esbuild from 'esbuild';
import { headByHead, type BlockOps } from '../model/gpt2.ts';
import { nodeBuiltin } from '../model/node-builtin.ts';

let registered: Promise<void> | null = null;

/**
 * tfjs-core registers no gradients by itself (inference never needs them). They live in its ESM
 * build, whose extensionless imports Node cannot load, so in Node they are bundled once with
 * esbuild into node_modules/.cache/ and imported from there; they register into tfjs's global
 * registry, the one the engine uses. In a browser the bundler resolves the module directly.
 */
export function registerGradients(): Promise<void> {
  registered ??= (async () => {
    if (typeof process === 'undefined' || !process.versions?.node) {
      await import('@tensorflow/tfjs-core/dist/register_all_gradients');
      return;
    }
    const { createRequire } = await nodeBuiltin('node:module');
    const { existsSync, mkdirSync, writeFileSync } = await nodeBuiltin('node:fs');
    const { dirname, join } = await nodeBuiltin('node:path');
    const { pathToFileURL } = await nodeBuiltin('node:url');
    const require = createRequire(import.meta.url);
    const entry = require.resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js');
    const version = (require('@tensorflow/tfjs-core/package.json') as { version: string }).version;
    const cacheDir = join(dirname(require.resolve('@tensorflow/tfjs-core/package.json')), '..', '..', '.cache', 'token-clock');
    const out = join(cacheDir, `tfjs-gradients-${version}.mjs`);
    if (!existsSync(out)) {
      // Hidden from the browser bundler: this branch only ever runs in Node.
      const esbuild = 'esbuild';
      const { buildSync } = (await import(/* @vite-ignore */ esbuild)) as typeof Esbuild;
      const built = buildSync({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'neutral', mainFields: ['module', 'main'], write: false, logLevel: 'silent' });
      mkdirSync(cacheDir, { recursive: true });
      writeFileSync(out, built.outputFiles[0].contents);
    }
    await import(pathToFileURL(out).href);
  })();
  return registered;
}

/** Swap the last two axes. */
const swap = (t: tf.Tensor) => tf.transpose(t, t.rank === 3 ? [0, 2, 1] : [1, 0]);

/**
 * a @ b over the last two axes. Rank 2 is one XNNPACK product. For rank 3 — training's
 * (B·H, T, ·) attention products — tfjs-backend-wasm's batched matmul runs a plain loop
 * (~2 GFLOP/s), so the batch goes as one plain XNNPACK product per head: one split of each
 * operand, the products, one concatenation (≈ 5× a depthwise convolution that computes the same
 * grouped product, transposes included, on training's (32, 256, 64) shapes).
 */
export function product(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return a.rank === 2 ? tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D) : headByHead(a as tf.Tensor3D, b as tf.Tensor3D);
}

// customGrad's typing takes (...inputs: (Tensor | GradSaveFunc)[]); the `as never` casts name ours.
const matMul = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: product(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved;
      return [product(dy, swap(sb)), product(swap(sa), dy)];
    },
  };
}) as never) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/**
 * The sum of a (N, D) tensor's rows, (D): as the product ones(1, N) · t, one XNNPACK call. (tfjs-
 * backend-wasm sums along any axis but the last by transposing first, element by element: ≈ 25×
 * slower for training's (2048, 256) gradients of biases and LayerNorm gains.)
 */
export function columnSum(t: tf.Tensor2D): tf.Tensor1D {
  const [N, D] = t.shape;
  return tf.tidy(() => tf.reshape(tf.matMul(tf.ones([1, N]), t), [D]) as tf.Tensor1D);
}

/** x @ w + b with its gradients written out: each a plain product, the bias's a column sum. */
const linear = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.add(product(x, w), b),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [sx, sw] = saved;
      return [product(dy, swap(sw)), product(swap(sx), dy), columnSum(dy)];
    },
  };
}) as never) as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

/** LayerNorm's xn·g + b (g, b: (D)) with its gradients written out, the gain's and the bias's as column sums. */
const scaleShift = tf.customGrad(((xn: tf.Tensor2D, g: tf.Tensor1D, b: tf.Tensor1D, save: tf.GradSaveFunc) => {
  save([xn, g]);
  return {
    value: tf.add(tf.mul(xn, g), b),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [sxn, sg] = saved;
      return [tf.mul(dy, sg), columnSum(tf.mul(dy, sxn) as tf.Tensor2D), columnSum(dy)];
    },
  };
}) as never) as (xn: tf.Tensor2D, g: tf.Tensor1D, b: tf.Tensor1D) => tf.Tensor2D;

/** One-hot rows as float32. (tfjs-backend-wasm's OneHot with dtype 'float32' returns zeros, so cast.) */
const oneHot = (ids: tf.Tensor1D, depth: number) => tf.cast(tf.oneHot(ids, depth), 'float32');

/**
 * Mean cross-entropy (nats) of logits (N, V) against target ids, with its gradient written out:
 * (softmax(logits) − onehot(targets)) / N. The exponentials of the forward pass are kept for the
 * gradient, so the (N, V) exp runs once. (Autodiff through logSumExp's max builds an (N, V)
 * broadcast comparison that wasm runs very slowly.)
 */
export function crossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  const [N, V] = logits.shape;
  const f = tf.customGrad(((x: tf.Tensor2D, save: tf.GradSaveFunc) => {
    const m = tf.max(x, 1, true); // (N, 1)
    const e = tf.exp(tf.sub(x, m)); // (N, V), each row's largest is 1
    const z = tf.sum(e, 1, true); // (N, 1)
    save([e, z]);
    // The target's logit, gathered: x[i, targets[i]] at flat index i·V + targets[i].
    const picked = tf.gather(tf.reshape(x, [N * V]), tf.add(tf.mul(tf.range(0, N, 1, 'int32'), tf.scalar(V, 'int32')), targets));
    const logZ = tf.reshape(tf.add(m, tf.log(z)), [N]);
    return {
      value: tf.mean(tf.sub(logZ, picked)) as tf.Scalar,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [se, sz] = saved;
        return tf.mul(tf.sub(tf.div(se, sz), oneHot(targets, V)), tf.div(dy, N));
      },
    };
  }) as never) as (x: tf.Tensor2D) => tf.Scalar;
  return f(logits);
}

export const TRAINING_OPS: BlockOps = {
  matMul,
  matMulBT: (a, b) => matMul(a, swap(b)),
  linear: (x, p) => linear(x, p.w, p.b),
  scaleShift: (xn, g, b) => scaleShift(xn, g, b),
  embed: (wteT, ids) => {
    const V = wteT.shape[1];
    const C = wteT.shape[0];
    const f = tf.customGrad(((w: tf.Tensor, save: tf.GradSaveFunc) => {
      save([]);
      return {
        value: tf.transpose(tf.gather(w, ids, 1)), // (N, C)
        gradFunc: (dy: tf.Tensor) => tf.transpose(tf.scatterND(tf.expandDims(ids, 1), dy, [V, C])), // (C, V)
      };
    }) as never) as (w: tf.Tensor) => tf.Tensor;
    return f(wteT) as tf.Tensor2D;
  },
};
