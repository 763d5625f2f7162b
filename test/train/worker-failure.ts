// Run by parallel.test.ts in a child process: a two-worker Trainer whose worker thread fails
// (a token id beyond the vocabulary in its share of the batch only). Prints what the caller sees,
// as JSON, and returns without dispose(): the process must exit by itself.
import { initBackend } from '../../model/backend.ts';
import { makeConfig } from '../../model/config.ts';
import { batchOffsets, DEFAULT_TRAIN, Trainer } from '../../train/trainer.ts';

await initBackend('wasm');
const config = makeConfig({ n_layer: 1, n_head: 2, n_embd: 16, n_positions: 16, vocab_size: 50 });
const train = { ...DEFAULT_TRAIN, steps: 10, batch: 4, ctx: 8, seed: 3 };
const ids = Int32Array.from({ length: 400 }, (_, i) => (i * 13) % 50);
// Rows 0–1 are this thread's share, rows 2–3 the worker's: poison a position only the worker reads.
const offsets = batchOffsets(train, 0, ids.length);
const mine = (p: number) => offsets.slice(0, 2).some((o) => p >= o && p < o + train.ctx);
const bad = Array.from({ length: train.ctx }, (_, t) => offsets[2] + t).find((p) => !mine(p));
if (bad === undefined) throw new Error('no position read only by the worker; change the seed');
ids[bad] = config.vocab_size;
const t = new Trainer(config, train, undefined, { workers: 2 });
const seen: string[] = [];
for (let i = 0; i < 2; i++) {
  try {
    await t.step(ids);
    seen.push('no error');
  } catch (e) {
    seen.push((e as Error).message);
  }
}
console.log(JSON.stringify({ seen, step: t.state.step }));
