// A small random GPT-2 folder on disk and an engine over it, for the notebook tests.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeConfig, type GPT2Config } from '../../model/config.ts';
import { writeRandomCheckpoint } from '../../train/random-checkpoint.ts';
import { localEngine } from '../../engine/local.ts';
import type { Engine } from '../../engine/engine.ts';
import type { ModelInfo } from '../../engine/protocol.ts';

export const smallConfig: GPT2Config = makeConfig({ n_layer: 2, n_head: 2, n_embd: 16, n_positions: 32, vocab_size: 300 });

/** Write a random checkpoint to a temporary folder and load it into a local engine (wasm backend). */
export async function smallEngine(seed = 11): Promise<{ engine: Engine; info: ModelInfo; host: ReturnType<typeof localEngine>['host']; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'tokenclock-notebook-'));
  await writeRandomCheckpoint(dir, { config: smallConfig, dtype: 'F32', seed });
  const engine = localEngine();
  const info = await engine.request({ type: 'load', source: { kind: 'url', url: dir, label: dir }, backend: 'wasm' });
  return {
    engine,
    info,
    host: engine.host,
    cleanup: async () => {
      engine.host.session?.dispose();
      engine.host.model?.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
