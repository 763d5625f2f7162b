/**
 * A loaded model: config, tokenizer and weights on the current tfjs backend, plus the weights'
 * checksum taken at load. One loader serves the bundled model, a Hugging Face folder on disk,
 * a base URL, and files a reader picks in the page.
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadModelFiles, weightsChecksum, type ModelFiles, type ModelSource, type LoadOptions } from './checkpoint.ts';
import { countParams, type GPT2Config } from './config.ts';
import { disposeWeights, uploadWeights, type GPT2Weights } from './gpt2.ts';
import { backendWeightsChecksum } from './weights-checksum.ts';
import { Tokenizer } from './tokenizer.ts';

export class Model {
  private disposed = false;

  private constructor(
    readonly config: GPT2Config,
    readonly tokenizer: Tokenizer,
    readonly weights: GPT2Weights,
    readonly checksum: string, // of the checkpoint's weights (weightsChecksum); `verifyChecksum` recomputes it from the backend
    readonly info: { params: number; dtype: string; fileBytes: number; backend: string },
  ) {}

  /** Load from a model folder (Node path), a base URL, or in-memory files. */
  static async load(source: ModelSource, opts: LoadOptions = {}): Promise<Model> {
    return Model.fromFiles(await loadModelFiles(source, opts));
  }

  /** Build from already-read files (the tokenizer is parsed, the weights uploaded). */
  static async fromFiles(files: ModelFiles): Promise<Model> {
    const tokenizer = Tokenizer.fromFiles(files.vocabJson, files.mergesTxt);
    if (tokenizer.vocabSize > files.config.vocab_size) {
      throw new Error(`vocab.json has ${tokenizer.vocabSize} tokens but config.json says vocab_size = ${files.config.vocab_size}`);
    }
    const checksum = weightsChecksum(files.params);
    const weights = uploadWeights(files.config, files.params);
    return new Model(files.config, tokenizer, weights, checksum, {
      params: countParams(files.config),
      dtype: files.dtype,
      fileBytes: files.bytes,
      backend: tf.getBackend(),
    });
  }

  /**
   * Read every weight back from the backend and checksum it the same way as the file. Equal to
   * `checksum` after any number of ticks: inference never writes the weights.
   */
  async verifyChecksum(): Promise<string> {
    this.assertLive();
    return backendWeightsChecksum(this.weights);
  }

  /** Free the weights. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    disposeWeights(this.weights);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  assertLive(): void {
    if (this.disposed) throw new Error('this model has been disposed');
  }
}
