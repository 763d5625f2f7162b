/**
 * Data-parallel training on worker threads (Node only; train/trainer.ts loads it when a Trainer
 * has more than one worker).
 *
 * The Trainer's own thread is rank 0; ranks 1…N−1 are worker threads (train/parallel-worker.ts),
 * each with its own tfjs backend and a Trainer holding a copy of the weights and AdamW moments,
 * started from rank 0's. A step:
 *
 *   1. the batch's B windows are split into N contiguous shares (sizes ⌊B/N⌋ or ⌈B/N⌉); every
 *      rank computes the mean loss of its share and its gradient, written flat into its slot of
 *      one SharedArrayBuffer (no copies through messages, no JSON);
 *   2. rank 0 sums the slots, each weighted by its share of the windows (n_k / B: the loss is the
 *      mean over the batch), in a fixed order into one shared buffer, and takes the global norm;
 *   3. every rank applies the same clipped AdamW update to the same bits, so all copies stay
 *      identical without sending weights back (train/trainer.test.ts checks it).
 *
 * The sum differs from one thread's batch gradient only in summation order (float32 rounding).
 * A failure in any worker rejects the step with the worker's message and ends every thread.
 */
import { Worker } from 'node:worker_threads';
import type { GPT2Config } from '../model/config.ts';
import * as tf from '@tensorflow/tfjs-core';
import type { Trainer, TrainConfig } from './trainer.ts';

/**
 * The worker's entry: tsx's loader does not reach worker threads by itself (Node 20), so the
 * thread registers it and then imports the TypeScript worker module.
 */
const WORKER_BOOT = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then(({ register }) => { register(); return import(${JSON.stringify(new URL('./parallel-worker.ts', import.meta.url).href)}); })`;

/** What a worker thread starts from (its workerData). */
export interface WorkerInit {
  rank: number;
  backend: string;
  config: GPT2Config;
  train: TrainConfig;
  params: Map<string, { shape: number[]; data: Float32Array }>;
  m: Map<string, Float32Array>;
  v: Map<string, Float32Array>;
  slots: SharedArrayBuffer; // N × size float32: each rank's share gradient
  total: SharedArrayBuffer; // size float32: the batch gradient
  size: number;
}

export type ToWorker =
  | { type: 'grad'; x: Int32Array; y: Int32Array; rows: number }
  | { type: 'apply'; clip: number; step: number }
  | { type: 'weights' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'grad'; loss: number }
  | { type: 'applied' }
  | { type: 'weights'; data: Float32Array }
  | { type: 'error'; message: string; stack?: string };

interface Waiter {
  type: FromWorker['type'];
  resolve: (m: FromWorker) => void;
}

/** The B windows split into n contiguous shares: share k is rows [bounds[k], bounds[k+1]). */
export function shareBounds(B: number, n: number): number[] {
  return Array.from({ length: n + 1 }, (_, k) => Math.floor((k * B) / n));
}

/**
 * total[i] = Σ_k weights[k] · slots[k][i] (in float64, rounded once to float32); returns Σ total[i]².
 * Two slots, the common case, get a loop of their own (~8 ms for 4.3M weights; the general one ~35 ms).
 */
export function weightedSum(slots: Float32Array[], weights: number[], total: Float32Array): number {
  let sumSq = 0;
  if (slots.length === 2) {
    const [s0, s1] = slots;
    const [w0, w1] = weights;
    for (let i = 0; i < total.length; i++) {
      total[i] = w0 * s0[i] + w1 * s1[i];
      const g = total[i];
      sumSq += g * g;
    }
    return sumSq;
  }
  const n = slots.length;
  for (let i = 0; i < total.length; i++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += weights[k] * slots[k][i];
    total[i] = s;
    const g = total[i];
    sumSq += g * g;
  }
  return sumSq;
}

export class WorkerPool {
  private readonly waiting: (Waiter | null)[];
  private failure: Error | null = null;
  private closed = false;
  private rejectAll: ((e: Error) => void)[] = [];

  private constructor(
    private readonly trainer: Trainer,
    private readonly workers: Worker[], // ranks 1…N−1
    private readonly slots: Float32Array[], // ranks 0…N−1
    private readonly total: Float32Array,
  ) {
    this.waiting = workers.map(() => null);
    workers.forEach((w, i) => {
      const rank = i + 1;
      w.on('message', (m: FromWorker) => {
        if (m.type === 'error') return this.fail(new Error(`trainer worker ${rank} failed: ${m.message}`, { cause: m.stack }));
        const waiter = this.waiting[i];
        if (!waiter || waiter.type !== m.type) return this.fail(new Error(`trainer worker ${rank} answered '${m.type}' out of turn`));
        this.waiting[i] = null;
        waiter.resolve(m);
      });
      w.on('error', (e) => this.fail(new Error(`trainer worker ${rank} failed: ${e.message}`, { cause: e })));
      w.on('exit', (code) => {
        if (!this.closed) this.fail(new Error(`trainer worker ${rank} exited (code ${code}) during training`));
      });
    });
  }

  /** Start n − 1 worker threads with copies of `trainer`'s weights and moments; resolves once all are ready. */
  static async start(trainer: Trainer, n: number): Promise<WorkerPool> {
    const size = trainer.size;
    const slotsBuf = new SharedArrayBuffer(n * size * 4);
    const totalBuf = new SharedArrayBuffer(size * 4);
    const params = await trainer.params();
    const { m, v } = await trainer.moments();
    const workers = Array.from({ length: n - 1 }, (_, i) => {
      const workerData: WorkerInit = { rank: i + 1, backend: tf.getBackend(), config: trainer.config, train: trainer.train, params, m, v, slots: slotsBuf, total: totalBuf, size };
      return new Worker(WORKER_BOOT, { eval: true, workerData });
    });
    const slots = Array.from({ length: n }, (_, k) => new Float32Array(slotsBuf, k * size * 4, size));
    const pool = new WorkerPool(trainer, workers, slots, new Float32Array(totalBuf));
    await pool.all('ready');
    pool.idle();
    return pool;
  }

  /** One step of the batch (x, y: B windows of ctx tokens); every rank's weights are updated when it resolves. */
  async step(batch: { x: Int32Array; y: Int32Array }, step: number): Promise<{ loss: number; gradNorm: number }> {
    this.check();
    const c = this.trainer.train;
    const T = c.ctx;
    const B = batch.x.length / T;
    const n = this.slots.length;
    const bounds = shareBounds(B, n);
    const share = (k: number) => ({ x: batch.x.subarray(bounds[k] * T, bounds[k + 1] * T), y: batch.y.subarray(bounds[k] * T, bounds[k + 1] * T), rows: bounds[k + 1] - bounds[k] });
    for (const w of this.workers) w.ref();
    try {
      const replies = this.all('grad', (k) => ({ type: 'grad', ...share(k) }));
      const own = share(0);
      const loss0 = await this.trainer.shareGradient(own.x, own.y, own.rows, this.slots[0]);
      const losses = [loss0, ...(await replies).map((m) => (m as { loss: number }).loss)];
      // The batch gradient: Σ_k (n_k / B) · g_k, in rank order, and its global norm.
      const weights = Array.from({ length: n }, (_, k) => (bounds[k + 1] - bounds[k]) / B);
      const total = this.total;
      const gradNorm = Math.sqrt(weightedSum(this.slots, weights, total));
      const clip = gradNorm > c.clip ? c.clip / gradNorm : 1;
      const applied = this.all('applied', () => ({ type: 'apply', clip, step }));
      this.trainer.applyGradient(total, clip, step);
      await applied;
      return { loss: losses.reduce((a, l, k) => a + weights[k] * l, 0), gradNorm };
    } finally {
      this.idle();
    }
  }

  /** Each worker's flat copy of the weights (shareGradient's layout), to check that the copies agree. */
  async replicaWeights(): Promise<Float32Array[]> {
    this.check();
    for (const w of this.workers) w.ref();
    try {
      return (await this.all('weights', () => ({ type: 'weights' }))).map((m) => (m as { data: Float32Array }).data);
    } finally {
      this.idle();
    }
  }

  /** End every worker thread (idempotent). */
  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      for (const reject of this.rejectAll) reject(this.failure ?? new Error('the trainer worker pool was closed'));
      this.rejectAll = [];
    }
    return Promise.all(this.workers.map((w) => w.terminate())).then(() => undefined);
  }

  private check(): void {
    if (this.failure) throw this.failure;
    if (this.closed) throw new Error('the trainer worker pool was closed');
  }

  /** Idle workers do not keep Node running (a script that forgets dispose() still exits). */
  private idle(): void {
    for (const w of this.workers) w.unref();
  }

  private fail(e: Error): void {
    if (this.failure || this.closed) return;
    this.failure = e;
    void this.close();
  }

  /** Send each worker its message (if any) and resolve with every worker's next reply of `type`. */
  private all(type: FromWorker['type'], message?: (rank: number) => ToWorker): Promise<FromWorker[]> {
    const p = new Promise<FromWorker[]>((resolve, reject) => {
      if (this.failure || this.closed) return reject(this.failure ?? new Error('the trainer worker pool was closed'));
      const replies: FromWorker[] = [];
      let left = this.workers.length;
      this.rejectAll.push(reject);
      const done = () => {
        this.rejectAll = this.rejectAll.filter((r) => r !== reject);
        resolve(replies);
      };
      if (left === 0) return done();
      this.workers.forEach((w, i) => {
        this.waiting[i] = {
          type,
          resolve: (m) => {
            replies[i] = m;
            if (--left === 0) done();
          },
        };
        if (message) w.postMessage(message(i + 1));
      });
    });
    p.catch(() => {}); // handled by whoever awaits it; no unhandled rejection if the caller failed first
    return p;
  }
}
