/**
 * A training run on disk: the loop around Trainer with a progress line, periodic validation,
 * a JSON loss log, checkpoints that resume bit for bit, and the export of the result as a
 * Hugging Face GPT-2 folder the site and the engine load unchanged.
 *
 *   <out>/checkpoint/model.safetensors      weights (F32, HF names)
 *   <out>/checkpoint/optimizer.safetensors  AdamW moments (F32)
 *   <out>/checkpoint/state.json             step, logs, model and training config
 *   <out>/train-log.json                    train/validation loss per step (the site plots it)
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseConfig, type GPT2Config } from '../model/config.ts';
import { parseSafetensors, toFloat32, writeSafetensors, type SafetensorsDtype } from '../model/safetensors.ts';
import type { Tokenizer } from '../model/tokenizer.ts';
import { configJson } from './random-checkpoint.ts';
import { Trainer, type EvalLog, type StepLog, type TrainConfig, type TrainerOptions, type TrainState } from './trainer.ts';

export interface RunOptions {
  out: string; // run folder (checkpoint/, train-log.json)
  config: GPT2Config;
  train: TrainConfig;
  trainIds: Int32Array;
  valIds: Int32Array;
  tokenizer: Tokenizer; // for bits per byte
  resume?: boolean; // continue from <out>/checkpoint if present (default true)
  stopAfter?: number; // stop (with a checkpoint) after this many steps in this process
  workers?: number; // threads sharing each batch (default: the machine's cores; see TrainerOptions)
  quiet?: boolean; // no progress line
  onStep?: (s: StepLog) => void;
  onEval?: (e: EvalLog) => void;
}

interface Saved {
  config: GPT2Config;
  train: TrainConfig;
  state: TrainState;
}

/** Write a checkpoint atomically: a temporary folder renamed over the old one. */
export async function saveCheckpoint(dir: string, t: Trainer): Promise<void> {
  const tmp = `${dir}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  const params = await t.params();
  const f32 = (m: Map<string, { shape: number[]; data: Float32Array }>) =>
    Object.fromEntries([...m].map(([k, p]) => [k, { dtype: 'F32' as const, shape: p.shape, data: p.data }]));
  await writeFile(join(tmp, 'model.safetensors'), writeSafetensors(f32(params)));
  const { m, v } = await t.moments();
  const moments: Record<string, { dtype: 'F32'; shape: number[]; data: Float32Array }> = {};
  for (const [k, data] of m) moments[`m.${k}`] = { dtype: 'F32', shape: [data.length], data };
  for (const [k, data] of v) moments[`v.${k}`] = { dtype: 'F32', shape: [data.length], data };
  await writeFile(join(tmp, 'optimizer.safetensors'), writeSafetensors(moments));
  const saved: Saved = { config: t.config, train: t.train, state: t.state };
  await writeFile(join(tmp, 'state.json'), JSON.stringify(saved));
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
}

/** Load a checkpoint written by saveCheckpoint into a new Trainer. */
export async function loadCheckpoint(dir: string, train?: TrainConfig, options?: TrainerOptions): Promise<Trainer> {
  const saved = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as Saved;
  const config = parseConfig(saved.config, join(dir, 'state.json'));
  const st = parseSafetensors(await readFile(join(dir, 'model.safetensors')), join(dir, 'model.safetensors'));
  const params = new Map([...st.tensors].map(([k, e]) => [k, { shape: e.shape, data: toFloat32(e) }]));
  const opt = parseSafetensors(await readFile(join(dir, 'optimizer.safetensors')), join(dir, 'optimizer.safetensors'));
  const m = new Map<string, Float32Array>();
  const v = new Map<string, Float32Array>();
  for (const [k, e] of opt.tensors) (k.startsWith('m.') ? m : v).set(k.slice(2), toFloat32(e).slice());
  return new Trainer(config, { ...saved.train, ...train }, { params, m, v, state: saved.state }, options);
}

/** Export the trained weights as a Hugging Face GPT-2 folder (config.json, model.safetensors, vocab.json, merges.txt). */
export async function exportModel(t: Trainer, dir: string, vocab: { vocabJson: string; mergesTxt: string }, dtype: SafetensorsDtype = 'F16'): Promise<number> {
  await mkdir(dir, { recursive: true });
  const params = await t.params();
  const tensors = Object.fromEntries([...params].map(([k, p]) => [k, { dtype, shape: p.shape, data: p.data }]));
  const bytes = writeSafetensors(tensors, { format: 'pt' });
  await writeFile(join(dir, 'model.safetensors'), bytes);
  await writeFile(join(dir, 'config.json'), configJson(t.config) + '\n');
  await writeFile(join(dir, 'vocab.json'), vocab.vocabJson);
  await writeFile(join(dir, 'merges.txt'), vocab.mergesTxt);
  return bytes.length;
}

const fmtTime = (ms: number) => {
  const s = Math.round(ms / 1000);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
};

/** Train (or continue training) until train.steps; returns the trainer (caller disposes). */
export async function runTraining(o: RunOptions): Promise<Trainer> {
  const ckpt = join(o.out, 'checkpoint');
  await mkdir(o.out, { recursive: true });
  const resume = o.resume ?? true;
  const options = { workers: o.workers };
  const t = resume && existsSync(join(ckpt, 'state.json')) ? await loadCheckpoint(ckpt, o.train, options) : new Trainer(o.config, o.train, undefined, options);
  const workers = await t.workers();
  const bytesOf = (id: number) => o.tokenizer.tokenBytes(id).length;
  const writeLog = () =>
    writeFile(join(o.out, 'train-log.json'), JSON.stringify({ config: t.config, train: t.train, workers, steps: t.state.log, evals: t.state.evals, elapsedMs: t.state.elapsedMs }));
  const progress = (s: StepLog) => {
    if (o.quiet) return;
    const recent = t.state.log.slice(-20);
    const msPerStep = recent.reduce((a, x) => a + x.ms, 0) / recent.length;
    const tokS = (t.train.batch * t.train.ctx) / (msPerStep / 1000);
    const last = t.state.evals.at(-1);
    const width = 24;
    const done = Math.round((width * s.step) / t.train.steps);
    process.stderr.write(
      `\r[${'#'.repeat(done)}${'.'.repeat(width - done)}] step ${s.step}/${t.train.steps} loss ${s.loss.toFixed(3)}` +
        (last ? ` val ${last.loss.toFixed(3)} (${last.bitsPerByte.toFixed(3)} bpb)` : '') +
        ` ${tokS.toFixed(0)} tok/s (${workers} worker${workers === 1 ? '' : 's'}) ETA ${fmtTime(msPerStep * (t.train.steps - s.step))}   `,
    );
  };
  let doneHere = 0;
  while (t.state.step < t.train.steps) {
    const s = await t.step(o.trainIds);
    o.onStep?.(s);
    progress(s);
    doneHere++;
    const last = t.state.step === t.train.steps;
    if (t.state.step % t.train.evalEvery === 0 || last) {
      const e = await t.evaluate(o.valIds, bytesOf);
      o.onEval?.(e);
      await saveCheckpoint(ckpt, t);
      await writeLog();
    }
    if (o.stopAfter !== undefined && doneHere >= o.stopAfter && !last) {
      await saveCheckpoint(ckpt, t);
      await writeLog();
      break;
    }
  }
  if (!o.quiet) process.stderr.write('\n');
  return t;
}
