/**
 * The host's loading room: which model is loaded, loading another (from a URL, the Hub, the
 * browser's store or picked files), storing it for the next visit, and estimating a Hub model's
 * size before its download. A failed or cancelled load leaves the model in use as it was.
 */
import { initBackend } from '../model/backend.ts';
import { BUNDLED_MODEL } from '../model/bundled-model.ts';
import { loadModelFiles } from '../model/checkpoint.ts';
import { countParams, parseConfig } from '../model/config.ts';
import { downloadFile, remoteSize, MODEL_FILES, type Partial } from '../model/download.ts';
import { Model } from '../model/model.ts';
import { EmbeddingNeighbours } from '../model/nearest.ts';
import { acquireModel } from './model-files.ts';
import { choiceLabel, fileUrls, storeKey, type LoadSource } from './model-source.ts';
import { ModelStore } from './model-store.ts';
import { tokenInfo } from './wire.ts';
import type { Handlers, ModelEstimate, ModelInfo, OnProgress, Protocol } from './protocol.ts';

const origin = () => globalThis.location?.origin ?? 'http://localhost';

export class ModelHost {
  model: Model | null = null;
  /** The browser's model store (none in Node); tests may set their own. */
  store: ModelStore | undefined = ModelStore.open();
  private loading: AbortController | null = null;
  private estimating: AbortController | null = null; // the running estimate (cancelLoad stops it)
  private partials = new Map<string, Partial>(); // failed downloads' bytes, kept for a retry
  private neighbours: EmbeddingNeighbours | null = null; // the loaded model's rows of wte and their lengths, for `nearest`

  /** `replaced` hears that a new model took over (the session of the old one must go). */
  constructor(private readonly replaced: () => void) {}

  readonly handlers: Handlers<'load' | 'estimate' | 'cancelLoad' | 'nearest'> = {
    load: (req, onProgress) => this.load(req, onProgress),
    nearest: async ({ id, k }) => {
      const m = this.need();
      this.neighbours ??= new EmbeddingNeighbours(m.weights);
      const near = await this.neighbours.nearest(id, k);
      return { id, neighbours: near.map((n) => ({ ...tokenInfo(m.tokenizer, n.id), cosine: n.cosine })) };
    },
    estimate: (req) => this.estimateLatest(req.source),
    cancelLoad: async () => ({ cancelled: this.cancelLoad() }),
  };

  /** The loaded model; an error a reader understands when there is none. */
  need(): Model {
    if (!this.model) throw new Error('no model is loaded yet');
    return this.model;
  }

  /** Stop the running load (and any estimate), if any; the model in use stays. */
  cancelLoad(): boolean {
    this.estimating?.abort(new Error('the estimate was cancelled'));
    if (!this.loading) return false;
    this.loading.abort(new Error('the load was cancelled'));
    return true;
  }

  /**
   * Load a model and make it the current one. Any failure (unreachable Hub, a cut connection, a
   * wrong or truncated file, cancel) leaves the previous model and session as they were.
   */
  private async load({ source, backend: backendName, wasmPath }: Protocol['load']['request'], onProgress: OnProgress): Promise<ModelInfo> {
    if (this.loading) throw new Error('another model is loading: cancel it first');
    const ctrl = new AbortController();
    this.loading = ctrl;
    try {
      const backend = await initBackend(backendName ?? 'wasm', { wasmPath });
      let files;
      let got: Awaited<ReturnType<typeof acquireModel>> | undefined;
      if (source.kind === 'url') {
        files = await loadModelFiles(source.url, { signal: ctrl.signal, onProgress: (p) => onProgress({ phase: 'download', file: p.file, loaded: p.loaded, total: undefined, fileLoaded: p.loaded, fileTotal: p.total }) });
      } else {
        got = await acquireModel(source, { store: this.store, origin: origin(), partials: this.partials, signal: ctrl.signal, onProgress, bundledName: BUNDLED_MODEL });
        onProgress({ phase: 'check', loaded: 0, total: undefined });
        files = await loadModelFiles({ files: got.files }, { signal: ctrl.signal });
      }
      if (ctrl.signal.aborted) throw ctrl.signal.reason;
      onProgress({ phase: 'upload', loaded: 0, total: undefined });
      const next = await Model.fromFiles(files);
      if (ctrl.signal.aborted) {
        next.dispose();
        throw ctrl.signal.reason;
      }
      this.replaced();
      this.neighbours?.dispose();
      this.neighbours = null;
      this.model?.dispose();
      this.model = next;
      let stored = got?.from === 'store';
      let storeError: string | undefined;
      if (got?.toStore && this.store) {
        onProgress({ phase: 'store', loaded: 0, total: undefined });
        try {
          await this.store.putAll(got.key, got.label, got.toStore);
          stored = true;
        } catch (e) {
          storeError = `could not keep it in this browser: ${(e as Error).message.replace(/\.$/, '')}`;
        }
      } else if (got && !this.store) storeError = 'this browser offers no storage here, so it will be downloaded again next time';
      return {
        url: got?.url ?? (source.kind === 'url' ? source.url : ''),
        label: got?.label ?? choiceLabel(source, BUNDLED_MODEL),
        key: got?.key ?? storeKey(source),
        from: got?.from ?? 'network',
        stored,
        ...(storeError ? { storeError } : {}),
        config: next.config,
        params: next.info.params,
        dtype: next.info.dtype,
        fileBytes: next.info.fileBytes,
        checksum: next.checksum,
        backend,
      };
    } catch (e) {
      if (ctrl.signal.aborted) throw new Error('the load was cancelled; the model in use is unchanged');
      throw e;
    } finally {
      this.loading = null;
    }
  }

  /** The estimate for `source`, which `cancelLoad` stops (the page sends it when the reader moves on). */
  private async estimateLatest(source: LoadSource): Promise<ModelEstimate> {
    const ctrl = new AbortController();
    this.estimating = ctrl;
    try {
      return await this.estimate(source, ctrl.signal);
    } finally {
      if (this.estimating === ctrl) this.estimating = null;
    }
  }

  /** A model's download size and memory need, from its config.json and the sizes the server gives. */
  private async estimate(source: LoadSource, signal: AbortSignal): Promise<ModelEstimate> {
    if (source.kind === 'files' || source.kind === 'local' || source.kind === 'url') throw new Error('only a Hub model needs an estimate before loading');
    const urls = fileUrls(source, origin());
    const key = storeKey(source);
    const stored = this.store ? await this.store.has(MODEL_FILES.map((f) => urls[f])).catch(() => false) : false;
    const configBytes = stored ? (await this.store!.getAll([urls['config.json']]))?.get(urls['config.json']) : await downloadFile(urls['config.json'], { signal });
    if (!configBytes) throw new Error('the stored config.json could not be read');
    const config = parseConfig(JSON.parse(new TextDecoder().decode(configBytes)), urls['config.json']);
    const sizes = stored ? [] : await Promise.all(MODEL_FILES.map((f) => (f === 'config.json' ? configBytes.byteLength : remoteSize(urls[f], { signal }))));
    const weightsBytes = stored ? undefined : sizes[MODEL_FILES.indexOf('model.safetensors')];
    const downloadBytes = stored || sizes.some((n) => n === undefined) ? undefined : sizes.reduce((a, b) => a! + b!, 0);
    const params = countParams(config);
    const memoryBytes = params * 4;
    return {
      key, label: choiceLabel(source, BUNDLED_MODEL), config, params, downloadBytes, weightsBytes, memoryBytes,
      peakBytes: weightsBytes === undefined ? undefined : weightsBytes + memoryBytes, stored,
    };
  }
}
