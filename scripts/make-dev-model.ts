/**
 * Until the trained bundled model exists (issue: the bundled small GPT-2), the site runs a small
 * random-weight GPT-2 with GPT-2's real vocabulary, written here in the Hugging Face layout.
 * Its text is gibberish — but every number the page shows is a real forward pass.
 *
 *   node --import tsx scripts/make-dev-model.ts [--force]
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeConfig } from '../model/config.ts';
import { writeRandomGpt2VocabCheckpoint } from '../train/random-checkpoint.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEV_MODEL_NAME = 'random-tiny';
const out = join(root, 'public', 'models', DEV_MODEL_NAME);

if (existsSync(join(out, 'model.safetensors')) && !process.argv.includes('--force')) {
  console.log(`make-dev-model: public/models/${DEV_MODEL_NAME}/ exists`);
} else {
  const config = makeConfig({ n_layer: 2, n_head: 4, n_embd: 64, n_positions: 128, vocab_size: 50257 });
  await writeRandomGpt2VocabCheckpoint(out, { config, dtype: 'F16', seed: 2026 });
  console.log(`make-dev-model: wrote public/models/${DEV_MODEL_NAME}/ (random weights, GPT-2 vocabulary)`);
}
