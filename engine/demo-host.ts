/**
 * The host's demonstrations beside the session: this device's matmul peak and memory bandwidth (measured once) and
 * the training demo, a tiny random GPT-2 that learns a text while the reader watches its weights
 * change — the contrast with inference, where they never do.
 */
import { getBackend } from '@tensorflow/tfjs-core';
import { weightsChecksum } from '../model/checkpoint.ts';
import { countParams, makeConfig } from '../model/config.ts';
import type { Model } from '../model/model.ts';
import type { Trainer } from '../train/trainer.ts';
import { measureStream, MEMORY_PROBE_BYTES } from './bandwidth.ts';
import { matmulPeak } from './matmul-peak.ts';
import type { Handlers, Protocol, StreamResult, TrainDemoResult } from './protocol.ts';

const PEAK_N = 512; // the matmul probe's size: big enough to be compute-bound

export class DemoHost {
  private peak: Promise<number> | null = null;
  private streams = new Map<string, Promise<StreamResult>>(); // by bytes and threads
  private demo: { trainer: Trainer; ids: Int32Array; text: string } | null = null;

  /** `model` gives the loaded model (the demo borrows its vocabulary and tokenizer). */
  constructor(private readonly model: () => Model) {}

  readonly handlers: Handlers<'matmulPeak' | 'trainDemo'> = {
    matmulPeak: async ({ bytes, threads = 1 }) => {
      const n = PEAK_N;
      this.peak ??= matmulPeak(n);
      const gflops = await this.peak; // one at a time: the probes would slow each other
      const memory = await this.stream(MEMORY_PROBE_BYTES, threads);
      const weights = bytes && bytes > 0 ? await this.stream(bytes, threads) : undefined;
      return { gflops, n, backend: getBackend(), memory, ...(weights ? { weights } : {}) };
    },
    trainDemo: (req) => this.trainDemo(req),
  };

  /** Stream `bytes` on `threads`, measured once per size and thread count. */
  private stream(bytes: number, threads: number): Promise<StreamResult> {
    const key = `${bytes}/${threads}`;
    let p = this.streams.get(key);
    if (!p) this.streams.set(key, (p = measureStream(bytes, threads)));
    return p;
  }

  /**
   * The training demo: a tiny random GPT-2 (1 layer, 2 heads, width 32, the loaded model's
   * vocabulary and tokenizer) trained with AdamW on `text`, `steps` more steps a request.
   */
  private async trainDemo({ text, steps, reset }: Protocol['trainDemo']['request']): Promise<TrainDemoResult> {
    const m = this.model();
    // Loaded on first use: the trainer (and its gradients) is only needed by the chapter that trains.
    const { Trainer, DEFAULT_TRAIN } = await import('../train/trainer.ts');
    if (reset || !this.demo || this.demo.text !== text) {
      this.demo?.trainer.dispose();
      this.demo = null;
      const config = makeConfig({ n_layer: 1, n_head: 2, n_embd: 32, n_positions: 32, vocab_size: m.config.vocab_size });
      const ids = Int32Array.from(m.tokenizer.encode(text));
      const train = { ...DEFAULT_TRAIN, steps: 10_000, batch: 4, ctx: Math.min(16, ids.length - 2), lr: 1e-2, minLr: 1e-2, warmup: 1, weightDecay: 0, seed: 1 };
      if (train.ctx < 2) throw new RangeError(`the training text is ${ids.length} tokens; it needs at least 4`);
      this.demo = { trainer: new Trainer(config, train, undefined, { workers: 1 }), ids, text }; // one thread: the model is tiny, and a page's engine is one worker
    }
    const { trainer, ids } = this.demo;
    const checksumBefore = weightsChecksum(await trainer.params());
    const out: TrainDemoResult['steps'] = [];
    for (let i = 0; i < steps; i++) {
      const log = await trainer.step(ids);
      out.push({ step: log.step, loss: log.loss, checksum: weightsChecksum(await trainer.params()), ms: log.ms });
    }
    return {
      config: trainer.config, params: countParams(trainer.config), textTokens: ids.length,
      checksumBefore, checksumAfter: out.at(-1)?.checksum ?? checksumBefore, steps: out,
    };
  }
}
