/**
 * Getting a model's four files for the engine (in the worker): from the browser's store when it
 * has them, else downloaded (resuming an earlier failed try), else from files a reader picked.
 * The caller checks them (loadModelFiles) and stores them only once the model has loaded.
 */
import { findModelFile } from '../model/checkpoint.ts';
import { DownloadError, downloadFile, MODEL_FILES, remoteSize, type Partial } from '../model/download.ts';
import type { LoadProgress } from './protocol.ts';
import { choiceLabel, fileUrls, storeKey, type LoadSource } from './model-source.ts';
import type { ModelStore } from './model-store.ts';

export interface Acquired {
  files: Record<string, Uint8Array | Blob | ArrayBuffer>; // by file name, for loadModelFiles
  from: 'network' | 'store' | 'files';
  toStore?: Map<string, Uint8Array>; // by URL: what to keep once the model loads
  key: string;
  label: string;
  url: string; // what ModelInfo.url says
}

export interface AcquireContext {
  store: ModelStore | undefined;
  origin: string; // the page's origin: local models are stored under it
  partials: Map<string, Partial>; // failed downloads' bytes, by URL, for a retry to resume
  signal: AbortSignal;
  onProgress: (p: LoadProgress) => void;
  fetch?: typeof fetch;
  bundledName: string;
}

async function toBytes(v: Blob | ArrayBuffer): Promise<Uint8Array> {
  return v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(await v.arrayBuffer());
}

/** The four files of `source` (the `url` kind is read by loadModelFiles itself). */
export async function acquireModel(source: Exclude<LoadSource, { kind: 'url' }>, ctx: AcquireContext): Promise<Acquired> {
  const key = storeKey(source);
  const label = choiceLabel(source, ctx.bundledName);
  if (source.kind === 'files') {
    const urls = fileUrls(source, ctx.origin);
    const files: Record<string, Uint8Array> = {};
    const toStore = new Map<string, Uint8Array>();
    let loaded = 0;
    for (const f of MODEL_FILES) {
      const v = findModelFile(source.files, f);
      if (v === undefined) throw new Error(`the files picked have no ${f} (a GPT-2 folder has ${MODEL_FILES.join(', ')})`);
      ctx.onProgress({ phase: 'read', file: f, loaded, total: undefined });
      const bytes = await toBytes(v);
      loaded += bytes.byteLength;
      files[f] = bytes;
      toStore.set(urls[f], bytes);
    }
    return { files, from: 'files', toStore, key, label, url: key };
  }

  const urls = fileUrls(source, ctx.origin);
  const stored = ctx.store ? await ctx.store.getAll(MODEL_FILES.map((f) => urls[f])).catch(() => undefined) : undefined;
  if (stored) {
    const files: Record<string, Uint8Array> = {};
    for (const f of MODEL_FILES) files[f] = stored.get(urls[f])!;
    const total = [...stored.values()].reduce((a, b) => a + b.byteLength, 0);
    ctx.onProgress({ phase: 'read', loaded: total, total });
    return { files, from: 'store', key, label, url: source.kind === 'hub' ? urls['config.json'].replace(/config\.json$/, '') : key };
  }
  if (source.kind === 'local') throw new Error(`“${source.name}” is no longer in this browser's storage: pick its files again`);
  if (source.storedOnly) throw new Error(`${label} is not in this browser's storage (was it cleared?): download it again on the Models page`);

  // Download, small files first; sizes known up front make one overall percentage.
  const sizes = new Map<string, number | undefined>();
  for (const f of MODEL_FILES) sizes.set(f, await remoteSize(urls[f], { fetch: ctx.fetch, signal: ctx.signal }).catch((e: unknown) => {
    if (e instanceof DownloadError && (e.cancelled || e.status === 404)) throw e;
    return undefined;
  }));
  const total = [...sizes.values()].every((n) => n !== undefined) ? [...sizes.values()].reduce((a, b) => a! + b!, 0) : undefined;
  const files: Record<string, Uint8Array> = {};
  const toStore = new Map<string, Uint8Array>();
  let before = 0;
  for (const f of MODEL_FILES) {
    const url = urls[f];
    let bytes: Uint8Array;
    try {
      bytes = await downloadFile(url, {
        fetch: ctx.fetch,
        signal: ctx.signal,
        expectedSize: sizes.get(f), // a file that changed between the size check and its download is refused
        resume: ctx.partials.get(url),
        onProgress: (p) => ctx.onProgress({
          phase: 'download', file: f, loaded: before + p.loaded, total, fileLoaded: p.loaded, fileTotal: p.total, bytesPerSecond: p.bytesPerSecond, resumed: p.resumed,
        }),
      });
    } catch (e) {
      if (e instanceof DownloadError) {
        if (e.partial) ctx.partials.set(url, e.partial);
        else ctx.partials.delete(url);
      }
      throw e;
    }
    ctx.partials.delete(url);
    before += bytes.byteLength;
    files[f] = bytes;
    toStore.set(url, bytes);
  }
  return { files, from: 'network', toStore, key, label, url: urls['config.json'].replace(/config\.json$/, '') };
}
