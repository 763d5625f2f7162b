// The shipped model: public/models/<BUNDLED_MODEL>/ loads in the engine, its config matches its
// tensors, its files are small, and generation at a fixed seed is the same on every run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { initBackend } from '../../model/backend.ts';
import { BUNDLED_MODEL } from '../../model/bundled-model.ts';
import { loadModelFiles } from '../../model/checkpoint.ts';
import { countParams } from '../../model/config.ts';
import { FINAL_LOSS_STEPS, finalTrainLoss } from '../../model/loss-summary.ts';
import { Model } from '../../model/model.ts';
import { Session } from '../../model/tick.ts';

const dir = join('public', 'models', BUNDLED_MODEL);

test('the bundled model folder has the Hugging Face files, a model card and a loss log', () => {
  for (const f of ['config.json', 'model.safetensors', 'vocab.json', 'merges.txt', 'MODEL_CARD.md', 'train-log.json']) {
    assert.ok(existsSync(join(dir, f)), `${dir}/${f} is missing`);
  }
});

test('the model card quotes the end-of-run training loss as defined once (model/loss-summary.ts), from the log', async () => {
  const card = await readFile(join(dir, 'MODEL_CARD.md'), 'utf8');
  const log = JSON.parse(await readFile(join(dir, 'train-log.json'), 'utf8')) as { steps: { loss: number }[] };
  const row = card.match(/\| training \(mean of the last (\d+) steps\) \| ([\d.]+) \|/);
  assert.ok(row, 'the card has its training-loss row');
  assert.equal(Number(row[1]), FINAL_LOSS_STEPS);
  assert.equal(row[2], finalTrainLoss(log.steps.map((s) => s.loss)).toFixed(3));
});

test('it transfers in at most 10 MB (gzip, as a server sends it)', async () => {
  let total = 0;
  for (const f of ['config.json', 'model.safetensors', 'vocab.json', 'merges.txt']) total += gzipSync(await readFile(join(dir, f))).length;
  assert.ok(total <= 10 * 1024 * 1024, `${total} bytes`);
  assert.ok(statSync(join(dir, 'model.safetensors')).size < 10 * 1024 * 1024);
});

test('it loads in the engine and its config matches its tensors', async () => {
  const files = await loadModelFiles(dir); // validates every tensor's shape against config.json
  assert.equal(files.config.vocab_size, 4096);
  assert.equal(files.params.get('wte.weight')!.shape[0], files.config.vocab_size);
  assert.equal(countParams(files.config), [...files.params.values()].reduce((a, p) => a + p.data.length, 0));
  assert.equal(files.dtype, 'F16');
});

test('generation at a fixed seed is the same on every run, and reads as words', async () => {
  await initBackend('wasm');
  const model = await Model.load(dir);
  const run = async () => {
    const s = new Session(model, { prompt: 'Once upon a time', seed: 42, sampling: { temperature: 0.8, topK: 40, topP: 0.95 } });
    let text = '';
    for await (const rec of s.run({ steps: 40 })) text += rec.text;
    s.dispose();
    return text;
  };
  const a = await run();
  assert.equal(await run(), a);
  const words = a.split(/\s+/).filter((w) => /^[A-Za-z',.;:!?"-]+$/.test(w));
  assert.ok(words.length >= 10, `expected English-looking words, got ${JSON.stringify(a)}`);
  model.dispose();
});

test('the loss log shows validation loss falling', async () => {
  const log = JSON.parse(await readFile(join(dir, 'train-log.json'), 'utf8')) as { evals: { step: number; loss: number; bitsPerByte: number }[] };
  assert.ok(log.evals.length >= 2);
  assert.ok(log.evals.at(-1)!.loss < log.evals[0].loss);
});
