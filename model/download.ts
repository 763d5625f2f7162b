/**
 * Downloading model files: the Hugging Face Hub's URL scheme, progress (bytes, percent, speed),
 * cancel, and resuming after a failure with an HTTP Range request where the server allows it.
 *
 * A download either returns every byte of the file, checked against the size the server
 * announced, or throws a DownloadError that carries the bytes received so far, so a retry can
 * ask for the rest instead of starting over. Nothing here knows about pages or storage.
 */

/** The Hub every reader can reach; a teacher (or a test) can point at a mirror instead. */
export const HUB_URL = 'https://huggingface.co';

/** The four files of a GPT-2 model folder, in the order they are fetched (small ones first). */
export const MODEL_FILES = ['config.json', 'vocab.json', 'merges.txt', 'model.safetensors'] as const;
export type ModelFileName = (typeof MODEL_FILES)[number];

/** `<hub>/<org>/<name>/resolve/<revision>/<file>`: where the Hub serves a file of a repository. */
export function hubFileUrl(hub: string, repo: string, file: string, revision = 'main'): string {
  if (!/^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*$/.test(repo)) throw new Error(`"${repo}" is not a Hub repository name like openai-community/gpt2`);
  return `${hub.replace(/\/+$/, '')}/${repo}/resolve/${encodeURIComponent(revision)}/${file}`;
}

/** Bytes of one file so far. */
export interface DownloadProgress {
  url: string;
  loaded: number; // bytes held, including any resumed from an earlier attempt
  total: number | undefined; // the file's size, when the server said
  bytesPerSecond: number; // over this attempt so far
  resumed: number; // bytes kept from an earlier attempt (0 when it started over)
}

/** What an interrupted download keeps so a retry can resume it. */
export interface Partial {
  url: string;
  bytes: Uint8Array; // the first `bytes.length` bytes of the file
  total: number | undefined;
  validator: string | undefined; // ETag or Last-Modified of the first response, sent as If-Range
}

/** A failed download: what went wrong, in a sentence, and the bytes kept for a retry. */
export class DownloadError extends Error {
  constructor(
    readonly url: string,
    message: string,
    readonly partial: Partial | undefined, // undefined when nothing worth keeping arrived
    readonly status?: number, // the HTTP status, when the server answered with an error
    readonly cancelled = false, // the reader cancelled it (the bytes so far are still kept)
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

export interface DownloadOptions {
  fetch?: typeof fetch;
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  resume?: Partial; // an earlier attempt's bytes: ask only for the rest
}

function cancelled(url: string, partial: Partial | undefined): DownloadError {
  return new DownloadError(url, 'the download was cancelled', partial, undefined, true);
}

/** The file's full size from a 206's `Content-Range: bytes a-b/total`, if it says. */
function rangeTotal(header: string | null): { start: number; total: number | undefined } | undefined {
  const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(header?.trim() ?? '');
  if (!m) return undefined;
  return { start: Number(m[1]), total: m[2] === '*' ? undefined : Number(m[2]) };
}

/**
 * Download one file whole, resuming `opts.resume` when the server honours the Range request
 * (a 200 instead of a 206 means it did not, and the download starts over).
 * @throws DownloadError, with `partial` holding the bytes received when any arrived; also when
 *   cancelled through `opts.signal` (then `cancelled` is true)
 */
export async function downloadFile(url: string, opts: DownloadOptions = {}): Promise<Uint8Array> {
  const f = opts.fetch ?? globalThis.fetch.bind(globalThis);
  const resume = opts.resume && opts.resume.url === url && opts.resume.bytes.length > 0 ? opts.resume : undefined;
  const headers: Record<string, string> = {};
  if (resume) {
    headers.Range = `bytes=${resume.bytes.length}-`;
    if (resume.validator) headers['If-Range'] = resume.validator;
  }
  let res: Response;
  try {
    res = await f(url, { signal: opts.signal, headers, cache: 'no-store' });
  } catch (e) {
    if (opts.signal?.aborted) throw cancelled(url, resume);
    throw new DownloadError(url, `could not reach ${new URL(url).host}: ${(e as Error).message}`, resume);
  }
  if (!res.ok) {
    const what = `${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
    const hint = res.status === 404 ? ' (no such file)' : res.status === 401 || res.status === 403 ? ' (not allowed: is the repository private or gated?)' : '';
    throw new DownloadError(url, `the server answered ${what}${hint} for ${url}`, resume, res.status);
  }

  // Where this response starts in the file: after the resumed bytes on a 206, at 0 otherwise.
  let start = 0;
  let total: number | undefined;
  const enc = res.headers.get('content-encoding');
  const length = Number(res.headers.get('content-length'));
  const bodyLength = Number.isFinite(length) && length >= 0 && res.headers.has('content-length') && (!enc || enc === 'identity') ? length : undefined;
  if (res.status === 206 && resume) {
    const r = rangeTotal(res.headers.get('content-range'));
    if (!r || r.start !== resume.bytes.length) {
      await res.body?.cancel();
      throw new DownloadError(url, `the server sent the wrong part of the file (Content-Range: ${res.headers.get('content-range') ?? 'missing'})`, undefined);
    }
    start = r.start;
    total = r.total ?? resume.total;
    if (resume.total !== undefined && total !== resume.total) {
      await res.body?.cancel();
      throw new DownloadError(url, `the file changed on the server (${resume.total} bytes before, ${total} now)`, undefined);
    }
  } else {
    total = bodyLength;
  }
  const validator = res.headers.get('etag') ?? res.headers.get('last-modified') ?? undefined;

  let buf = new Uint8Array(total ?? Math.max(start, 1 << 16));
  if (start > 0) buf.set(resume!.bytes);
  let loaded = start;
  const t0 = Date.now();
  const report = () =>
    opts.onProgress?.({ url, loaded, total, resumed: start, bytesPerSecond: ((loaded - start) * 1000) / Math.max(1, Date.now() - t0) });
  const keep = (): Partial | undefined => (loaded > 0 ? { url, bytes: buf.slice(0, loaded), total, validator } : undefined);
  report();
  if (res.body) {
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (loaded + value.byteLength > buf.byteLength) {
          if (total !== undefined) throw new DownloadError(url, `the server sent more than the ${total} bytes it announced`, undefined);
          const grown = new Uint8Array(Math.max(buf.byteLength * 2, loaded + value.byteLength));
          grown.set(buf.subarray(0, loaded));
          buf = grown;
        }
        buf.set(value, loaded);
        loaded += value.byteLength;
        report();
      }
    } catch (e) {
      if (e instanceof DownloadError) throw e;
      if (opts.signal?.aborted) throw cancelled(url, keep());
      throw new DownloadError(url, `the connection broke after ${loaded} of ${total ?? '?'} bytes: ${(e as Error).message}`, keep());
    }
  } else {
    const body = new Uint8Array(await res.arrayBuffer());
    buf = new Uint8Array(start + body.byteLength);
    if (start > 0) buf.set(resume!.bytes);
    buf.set(body, start);
    loaded = buf.byteLength;
    report();
  }
  if (total !== undefined && loaded !== total) {
    throw new DownloadError(url, `the download stopped early: ${loaded} of ${total} bytes`, keep());
  }
  return loaded === buf.byteLength ? buf : buf.slice(0, loaded);
}

/**
 * The size of a file without downloading it (a HEAD request, redirects followed);
 * undefined when the server does not say.
 */
export async function remoteSize(url: string, opts: { fetch?: typeof fetch; signal?: AbortSignal } = {}): Promise<number | undefined> {
  const f = opts.fetch ?? globalThis.fetch.bind(globalThis);
  let res: Response;
  try {
    res = await f(url, { method: 'HEAD', signal: opts.signal, cache: 'no-store' });
  } catch (e) {
    if (opts.signal?.aborted) throw cancelled(url, undefined);
    throw new DownloadError(url, `could not reach ${new URL(url).host}: ${(e as Error).message}`, undefined);
  }
  if (!res.ok) throw new DownloadError(url, `the server answered ${res.status} for ${url}`, undefined, res.status);
  // The Hub answers HEAD on an LFS file with the size of the file behind the redirect here.
  const linked = Number(res.headers.get('x-linked-size'));
  if (Number.isFinite(linked) && linked > 0) return linked;
  const len = Number(res.headers.get('content-length'));
  return res.headers.has('content-length') && Number.isFinite(len) ? len : undefined;
}
