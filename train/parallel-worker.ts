/**
 * One worker thread of a data-parallel Trainer (train/parallel.ts): a copy of the weights and
 * AdamW moments that computes its share's gradient into shared memory and applies the batch's
 * update. Errors go back to the pool as messages; the pool then ends every thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend, type BackendName } from '../model/backend.ts';
import type { FromWorker, ToWorker, WorkerInit } from './parallel.ts';
import { Trainer } from './trainer.ts';

const port = parentPort!;
const d = workerData as WorkerInit;
const post = (m: FromWorker) => port.postMessage(m);
const report = (e: unknown) => post({ type: 'error', message: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined });

try {
  await initBackend(d.backend as BackendName);
  const trainer = new Trainer(d.config, d.train, { params: d.params, m: d.m, v: d.v }, { workers: 1 });
  const slot = new Float32Array(d.slots, d.rank * d.size * 4, d.size);
  const total = new Float32Array(d.total);
  port.on('message', async (m: ToWorker) => {
    try {
      if (m.type === 'grad') post({ type: 'grad', loss: await trainer.shareGradient(m.x, m.y, m.rows, slot) });
      else if (m.type === 'apply') {
        trainer.applyGradient(total, m.clip, m.step);
        post({ type: 'applied' });
      } else {
        const flat = trainer.flatWeights();
        port.postMessage({ type: 'weights', data: flat } satisfies FromWorker, [flat.buffer as ArrayBuffer]);
      }
    } catch (e) {
      report(e);
    }
  });
  post({ type: 'ready' });
} catch (e) {
  report(e);
}
