/**
 * `tokenclock train`: a teacher's own text in, a model folder the site can load out.
 * Any language works (byte-level BPE). Validation is the last ~5% of each file, in whole
 * paragraphs, so the model is scored on text it never saw.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckpointError} from '../model/config.ts';
import { makeConfig, parseConfig } from '../model/config.ts';
import { Tokenizer } from '../model/tokenizer.ts';
import { trainBPE } from './bpe.ts';
import { exportModel, runTraining } from './run.ts';
import { DEFAULT_TRAIN, type TrainConfig } from './trainer.ts';

export interface TeacherOptions {
  corpus: string[]; // text files (UTF-8)
  out: string; // model folder to write
  layers: number;
  heads: number;
  embd: number;
  ctx: number;
  vocab: number;
  steps: number;
  seed: number;
  batch: number;
  lr: number;
  quiet?: boolean;
}

export const TEACHER_DEFAULTS = { layers: 4, heads: 4, embd: 256, ctx: 256, vocab: 4096, steps: 1000, seed: 1, batch: 8, lr: 2e-3 };

/** Split one text into (train, validation): trailing paragraphs worth ≥ 5% of it go to validation. */
export function splitTail(text: string, fraction = 0.05): { train: string; val: string } {
  const paras = text.split(/\n\s*\n/).filter((p) => p.trim() !== '');
  if (paras.length >= 2) {
    let chars = 0;
    let k = paras.length;
    while (k > 1 && chars < fraction * text.length) chars += paras[--k].length;
    return { train: paras.slice(0, k).join('\n\n'), val: paras.slice(k).join('\n\n') };
  }
  // One paragraph: cut at the last line or sentence end before the tail.
  const cut = Math.floor(text.length * (1 - fraction));
  const nl = Math.max(text.lastIndexOf('\n', cut), text.lastIndexOf('. ', cut) + 1);
  const at = nl > text.length / 2 ? nl : cut;
  return { train: text.slice(0, at), val: text.slice(at) };
}

/** Train a model on the files and write it as a Hugging Face GPT-2 folder. */
export async function trainOnCorpus(o: TeacherOptions): Promise<{ valLoss: number; bitsPerByte: number; bytes: number }> {
  if (o.corpus.length === 0) throw new Error('give at least one --corpus file');
  const config = makeConfig({ n_layer: o.layers, n_head: o.heads, n_embd: o.embd, n_positions: o.ctx, vocab_size: o.vocab });
  try {
    parseConfig(config, 'the model settings');
  } catch (e) {
    throw new Error((e as CheckpointError).message.replace(/^the model settings: /, '').replace('n_embd', '--embd').replace('n_head', '--heads'));
  }
  const texts: string[] = [];
  for (const f of o.corpus) {
    if (!existsSync(f)) throw new Error(`corpus file ${f} does not exist`);
    texts.push(await readFile(f, 'utf8'));
  }
  const all = texts.join('');
  if (all.trim() === '') throw new Error(`the corpus is empty (${o.corpus.join(', ')})`);
  const parts = texts.filter((t) => t.trim() !== '').map((t) => splitTail(t));
  const trainText = parts.map((p) => p.train).join('<|endoftext|>');
  const valText = parts.map((p) => p.val).join('<|endoftext|>');
  const bpe = trainBPE(trainText, { vocabSize: o.vocab });
  const tokenizer = Tokenizer.fromFiles(bpe.vocabJson, bpe.mergesTxt);
  const trainIds = Int32Array.from(tokenizer.encode(trainText));
  const valIds = Int32Array.from(tokenizer.encode(valText));
  const ctx = Math.min(o.ctx, trainIds.length - 2, Math.max(8, valIds.length - 1));
  if (ctx < 8) throw new Error(`the corpus is too short to train on: ${trainIds.length} training tokens; give more text`);
  const train: TrainConfig = { ...DEFAULT_TRAIN, steps: o.steps, batch: o.batch, ctx, lr: o.lr, minLr: o.lr / 10, warmup: Math.min(100, Math.ceil(o.steps / 10)), seed: o.seed, evalEvery: Math.max(1, Math.min(100, o.steps)) };
  const t = await runTraining({ out: join(o.out, 'run'), config, train, trainIds, valIds, tokenizer, quiet: o.quiet });
  try {
    const bytes = await exportModel(t, o.out, bpe, 'F16');
    await writeFile(join(o.out, 'train-log.json'), JSON.stringify({ config, train, steps: t.state.log, evals: t.state.evals, elapsedMs: t.state.elapsedMs }));
    const last = t.state.evals.at(-1)!;
    return { valLoss: last.loss, bitsPerByte: last.bitsPerByte, bytes };
  } finally {
    t.dispose();
  }
}
