/**
 * Trainer throughput (Node, wasm): tokens per second for the bundled model's configuration,
 * measured over a few optimizer steps after a warm-up step. Prints a table, writes
 * bench/out/trainer-node.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { initBackend } from '../model/backend.ts';
import { BUNDLED_CONFIG, BUNDLED_TRAIN } from '../train/bundled-config.ts';
import { Trainer } from '../train/trainer.ts';

export async function runTrainerBench(opts: { quick?: boolean } = {}): Promise<void> {
  await initBackend('wasm');
  const V = BUNDLED_CONFIG.vocab_size;
  const ids = Int32Array.from({ length: 200_000 }, (_, i) => (i * 7919 + (i >> 5)) % V);
  const shapes = [
    { batch: BUNDLED_TRAIN.batch, ctx: BUNDLED_TRAIN.ctx },
    { batch: 16, ctx: 128 },
  ];
  const rows: { batch: number; ctx: number; msPerStep: number; tokensPerSec: number }[] = [];
  for (const s of shapes) {
    const t = new Trainer(BUNDLED_CONFIG, { ...BUNDLED_TRAIN, ...s, steps: 100 });
    await t.step(ids); // warm-up: kernels, gradient registration, XNNPACK packing
    const n = opts.quick ? 2 : 4;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await t.step(ids);
    const msPerStep = (performance.now() - t0) / n;
    rows.push({ ...s, msPerStep, tokensPerSec: (s.batch * s.ctx) / (msPerStep / 1000) });
    t.dispose();
  }
  console.log(
    [
      `Trainer — ${BUNDLED_CONFIG.n_layer} layers, ${BUNDLED_CONFIG.n_embd} wide, vocabulary ${V}; wasm, one thread`,
      '| batch × ctx | ms per step | tokens/s |',
      '|---|---|---|',
      ...rows.map((r) => `| ${r.batch} × ${r.ctx} | ${r.msPerStep.toFixed(0)} | ${r.tokensPerSec.toFixed(0)} |`),
    ].join('\n'),
  );
  await mkdir(join('bench', 'out'), { recursive: true });
  const out = join('bench', 'out', 'trainer-node.json');
  await writeFile(out, JSON.stringify({ date: new Date().toISOString(), node: process.version, config: BUNDLED_CONFIG, rows }, null, 2));
  console.log(`wrote ${out}`);
}
