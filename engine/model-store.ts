/**
 * Models kept in the browser (Cache Storage), so a second visit loads from disk instead of the
 * network. Works in pages and in workers. A model is stored only after it loaded and passed every
 * check, and all its files go in together, so the store never holds half a model.
 */

/** Which model a file belongs to, as the store lists it. */
export interface StoredModel {
  key: string; // e.g. "hub:https://huggingface.co/openai-community/gpt2" or "local:my-gpt2"
  label: string; // what a reader calls it
  files: number;
  bytes: number;
  storedAt: string; // ISO date
}

const CACHE = 'tokenclock-models-v1';
const H_MODEL = 'x-tokenclock-model';
const H_LABEL = 'x-tokenclock-label';
const H_BYTES = 'x-tokenclock-bytes';
const H_DATE = 'x-tokenclock-stored';

/** The browser's Cache Storage, or undefined where there is none (Node, some private modes). */
export function browserCaches(): CacheStorage | undefined {
  const c = (globalThis as { caches?: CacheStorage }).caches;
  return c && typeof c.open === 'function' ? c : undefined;
}

export class ModelStore {
  constructor(private readonly caches: CacheStorage) {}

  /** The store of this browser, or undefined when it has none. */
  static open(): ModelStore | undefined {
    const c = browserCaches();
    return c ? new ModelStore(c) : undefined;
  }

  /** Every file of a model, by URL, if the store has them all; undefined otherwise. */
  async getAll(urls: string[]): Promise<Map<string, Uint8Array> | undefined> {
    const cache = await this.caches.open(CACHE);
    const out = new Map<string, Uint8Array>();
    for (const url of urls) {
      const res = await cache.match(url);
      if (!res) return undefined;
      const buf = new Uint8Array(await res.arrayBuffer());
      if (String(buf.byteLength) !== res.headers.get(H_BYTES)) return undefined; // damaged: treat as absent
      out.set(url, buf);
    }
    return out;
  }

  /** Whether every one of `urls` is stored. */
  async has(urls: string[]): Promise<boolean> {
    const cache = await this.caches.open(CACHE);
    for (const url of urls) if (!(await cache.match(url))) return false;
    return true;
  }

  /** Store a model's files (all or, on failure, none). */
  async putAll(key: string, label: string, files: Map<string, Uint8Array>): Promise<void> {
    const cache = await this.caches.open(CACHE);
    const storedAt = new Date().toISOString();
    const done: string[] = [];
    try {
      for (const [url, buf] of files) {
        const headers = { 'content-type': 'application/octet-stream', [H_MODEL]: key, [H_LABEL]: encodeURIComponent(label), [H_BYTES]: String(buf.byteLength), [H_DATE]: storedAt };
        await cache.put(url, new Response(buf as Uint8Array<ArrayBuffer>, { headers }));
        done.push(url);
      }
    } catch (e) {
      for (const url of done) await cache.delete(url);
      throw e;
    }
  }

  /** The models stored, with their sizes. */
  async list(): Promise<StoredModel[]> {
    const cache = await this.caches.open(CACHE);
    const models = new Map<string, StoredModel>();
    for (const req of await cache.keys()) {
      const res = await cache.match(req);
      if (!res) continue;
      const key = res.headers.get(H_MODEL) ?? req.url;
      const m = models.get(key) ?? { key, label: decodeURIComponent(res.headers.get(H_LABEL) ?? key), files: 0, bytes: 0, storedAt: res.headers.get(H_DATE) ?? '' };
      m.files++;
      m.bytes += Number(res.headers.get(H_BYTES) ?? 0);
      models.set(key, m);
    }
    return [...models.values()].sort((a, b) => a.label.localeCompare(b.label));
  }

  /** Remove one model's files. */
  async delete(key: string): Promise<void> {
    const cache = await this.caches.open(CACHE);
    for (const req of await cache.keys()) {
      const res = await cache.match(req);
      if ((res?.headers.get(H_MODEL) ?? req.url) === key) await cache.delete(req);
    }
  }

  /** Remove every stored model. */
  async clear(): Promise<void> {
    await this.caches.delete(CACHE);
  }
}
