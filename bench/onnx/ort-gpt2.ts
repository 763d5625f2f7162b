/**
 * Running the ONNX GPT-2 of ./gpt2.ts in onnxruntime-web with a KV cache, the same way in Node
 * (the unit test) and in the browser (the peer benchmark). The caller passes the `ort` module it
 * imported, so this file works with either entry point of onnxruntime-web.
 */
import type * as Ort from 'onnxruntime-web';
import type { GPT2Config } from '../../model/config.ts';
import { causalMask } from './gpt2.ts';

type OrtModule = typeof Ort;

export class OrtGpt2 {
  /** The cache: past_key.i / past_value.i for the positions fed so far. */
  private past: Record<string, Ort.Tensor> = {};
  private P = 0;

  private constructor(
    private readonly ort: OrtModule,
    readonly session: Ort.InferenceSession,
    readonly config: GPT2Config,
  ) {
    this.clear();
  }

  /**
   * Load the model bytes (wasm execution provider, all graph optimisations). `spin: false` stops
   * ORT's pool threads spinning between runs (session.intra_op.allow_spinning = 0), so that they
   * do not take the cores from another engine running in between.
   */
  static async create(ort: OrtModule, config: GPT2Config, onnx: Uint8Array, opts: { spin?: boolean } = {}): Promise<OrtGpt2> {
    const session = await ort.InferenceSession.create(onnx, {
      executionProviders: ['wasm'],
      graphOptimizationLevel: 'all',
      ...(opts.spin === false ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
    });
    return new OrtGpt2(ort, session, config);
  }

  /** Positions in the cache. */
  get length(): number {
    return this.P;
  }

  clear(): void {
    this.dropPast();
    const { n_layer: L, n_head: H, n_embd: C } = this.config;
    for (let l = 0; l < L; l++) {
      this.past[`past_key.${l}`] = new this.ort.Tensor('float32', new Float32Array(0), [1, H, C / H, 0]); // keys transposed
      this.past[`past_value.${l}`] = new this.ort.Tensor('float32', new Float32Array(0), [1, H, 0, C / H]);
    }
    this.P = 0;
  }

  private dropPast(): void {
    for (const t of Object.values(this.past)) t.dispose();
    this.past = {};
  }

  /**
   * Feed `ids` after the cached positions and return the last position's logits. With
   * `keep: false` the cache stays as it was (to time one tick at a fixed context, as the engine's
   * bench does with `cache.truncate`); `keep: 'logits'` also fetches only the logits, so the new
   * keys and values the graph computed are never copied out of ORT's wasm memory (a lower bound
   * on a tick: a generation loop needs them back).
   */
  async step(ids: number[], keep: boolean | 'logits' = true): Promise<Float32Array> {
    const T = ids.length;
    const P = this.P;
    const feeds: Record<string, Ort.Tensor> = {
      input_ids: new this.ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [T]),
      position_ids: new this.ort.Tensor('int64', BigInt64Array.from({ length: T }, (_, i) => BigInt(P + i)), [T]),
      attention_mask: new this.ort.Tensor('float32', causalMask(T, P), [1, 1, T, P + T]),
      ...this.past,
    };
    const out = keep === 'logits' ? await this.session.run(feeds, ['logits']) : await this.session.run(feeds);
    const logits = out.logits.data as Float32Array;
    if (keep === true) {
      this.dropPast();
      for (let l = 0; l < this.config.n_layer; l++) {
        this.past[`past_key.${l}`] = out[`present_key.${l}`];
        this.past[`past_value.${l}`] = out[`present_value.${l}`];
      }
      this.P = P + T;
    } else {
      for (const [name, t] of Object.entries(out)) if (name !== 'logits') t.dispose();
    }
    return logits;
  }

  async release(): Promise<void> {
    this.dropPast();
    await this.session.release();
  }
}
