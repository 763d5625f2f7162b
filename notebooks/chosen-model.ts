/**
 * Every page loads the model the reader chose on the Models page (kept in localStorage), read
 * from the browser's store; when that fails it falls back to the bundled model and says why.
 */
import { strings as t } from './strings.ts';
import type { BackendName } from '../model/backend.ts';
import type { Engine } from '../engine/engine.ts';
import type { LoadProgress, ModelInfo } from '../engine/protocol.ts';
import { HUB_URL, MODEL_FILES } from '../model/download.ts';
import { fileUrls, loadSourceFor, pageStorage, readBackend, readChoice, type LoadSource } from '../engine/model-source.ts';
import { ModelStore } from '../engine/model-store.ts';
import type { LinkModelProblem } from './url-link.ts';
import type { UrlModel } from './url-state.ts';

export interface ChosenModel {
  info: ModelInfo;
  notice?: string; // why the page is not running the reader's choice, when it is not
  linkNotice?: LinkModelProblem; // why the page is not running the model its URL names, when it is not
}

/** Whether every file of a Hub model is in the browser's store (no store: no). */
async function storedInBrowser(source: Extract<LoadSource, { kind: 'hub' }>): Promise<boolean> {
  const urls = fileUrls(source, globalThis.location?.origin ?? '');
  return (await ModelStore.open()?.has(MODEL_FILES.map((f) => urls[f])).catch(() => false)) ?? false;
}

/** Load the reader's model (or the bundled one) into `engine`. */
export async function loadChosenModel(
  engine: Engine,
  opts: {
    bundled: { url: string; label: string };
    wasmPath: string;
    onProgress?: (p: LoadProgress) => void;
    storage?: Storage;
    linked?: UrlModel; // the model the page's URL names: it wins over the reader's choice, but a Hub model is only ever read from the store
    isStored?: (source: Extract<LoadSource, { kind: 'hub' }>) => Promise<boolean>;
  },
): Promise<ChosenModel> {
  const storage = opts.storage ?? pageStorage();
  const { choice, notice } = readChoice(storage);
  const backend: BackendName = readBackend(storage);
  const bundled = { type: 'load' as const, source: loadSourceFor({ kind: 'bundled' }, opts.bundled), backend, wasmPath: opts.wasmPath };
  const linked = opts.linked;
  if (linked?.kind === 'bundled') return { info: await engine.request(bundled, { onProgress: opts.onProgress }) };
  if (linked?.kind === 'hub') {
    // A link never starts a download: the reader's own choice of that repository (whichever Hub
    // it came from), else the copy in the store, else the bundled model and a notice.
    const source: Extract<LoadSource, { kind: 'hub' }> = choice.kind === 'hub' && choice.repo === linked.repo
      ? { kind: 'hub', hub: choice.hub, repo: choice.repo, storedOnly: true }
      : { kind: 'hub', hub: HUB_URL, repo: linked.repo, storedOnly: true };
    if (!(await (opts.isStored ?? storedInBrowser)(source))) {
      return { info: await engine.request(bundled, { onProgress: opts.onProgress }), linkNotice: { kind: 'not-stored', repo: linked.repo } };
    }
    try {
      return { info: await engine.request({ ...bundled, source }, { onProgress: opts.onProgress }) };
    } catch (e) {
      const info = await engine.request(bundled, { onProgress: opts.onProgress });
      return { info, linkNotice: { kind: 'failed', repo: linked.repo, error: (e as Error).message } };
    }
  }
  if (choice.kind === 'bundled') return { info: await engine.request(bundled, { onProgress: opts.onProgress }), ...(notice ? { notice } : {}) };
  try {
    return { info: await engine.request({ ...bundled, source: loadSourceFor(choice, opts.bundled) }, { onProgress: opts.onProgress }) };
  } catch (e) {
    const info = await engine.request(bundled, { onProgress: opts.onProgress });
    return { info, notice: t('models.chosenFailed', { error: (e as Error).message, model: info.label }) };
  }
}
