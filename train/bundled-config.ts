/** The bundled model's configuration and paths (train/bundled.ts trains it; model-card.ts describes it). */
import { join } from 'node:path';
import { BUNDLED_MODEL } from '../model/bundled-model.ts';
import { makeConfig } from '../model/config.ts';
import { DEFAULT_TRAIN, type TrainConfig } from './trainer.ts';

export const BUNDLED_CONFIG = makeConfig({ n_layer: 4, n_head: 4, n_embd: 256, n_positions: 256, vocab_size: 4096 });

export const BUNDLED_TRAIN: TrainConfig = {
  ...DEFAULT_TRAIN,
  steps: 900,
  batch: 8,
  ctx: 256,
  lr: 2e-3,
  minLr: 2e-4,
  warmup: 100,
  weightDecay: 0.1,
  seed: 1234,
  evalEvery: 100,
  evalWindows: 0,
};

export const RUN_DIR = join('train', 'runs', BUNDLED_MODEL);
export const MODEL_DIR = join('public', 'models', BUNDLED_MODEL);

