/**
 * Every page loads the model the reader chose on the Models page (kept in localStorage), read
 * from the browser's store; when that fails it falls back to the bundled model and says why.
 */
import type { BackendName } from '../model/backend.ts';
import type { Engine } from './engine.ts';
import type { LoadProgress, ModelInfo } from './engine-protocol.ts';
import { loadSourceFor, readBackend, readChoice } from './model-source.ts';

export interface ChosenModel {
  info: ModelInfo;
  notice?: string; // why the page is not running the reader's choice, when it is not
}

/** Load the reader's model (or the bundled one) into `engine`. */
export async function loadChosenModel(
  engine: Engine,
  opts: { bundled: { url: string; label: string }; wasmPath: string; onProgress?: (p: LoadProgress) => void; storage?: Storage },
): Promise<ChosenModel> {
  const storage = opts.storage ?? safeLocalStorage();
  const { choice, notice } = readChoice(storage);
  const backend: BackendName = readBackend(storage);
  const bundled = { type: 'load' as const, source: loadSourceFor({ kind: 'bundled' }, opts.bundled), backend, wasmPath: opts.wasmPath };
  if (choice.kind === 'bundled') return { info: await engine.request(bundled, { onProgress: opts.onProgress }), ...(notice ? { notice } : {}) };
  try {
    return { info: await engine.request({ ...bundled, source: loadSourceFor(choice, opts.bundled) }, { onProgress: opts.onProgress }) };
  } catch (e) {
    const info = await engine.request(bundled, { onProgress: opts.onProgress });
    return { info, notice: `Your chosen model could not be loaded (${(e as Error).message}), so this page runs ${info.label}.` };
  }
}

function safeLocalStorage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}
