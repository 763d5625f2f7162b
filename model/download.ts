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

/** What went wrong, for a caller that reacts differently (retry, report, give up). */
export type DownloadErrorKind =
  | 'cancelled' // the reader cancelled (the bytes so far are kept)
  | 'http' // the server answered with an error status
  | 'network' // the host could not be reached, or the connection broke
  | 'stalled' // no byte (or no headers) arrived within the stall timeout
  | 'too-large' // the file is larger than any model file can be
  | 'changed' // the file changed on the server between the size check or an earlier attempt and now
  | 'protocol'; // the reply was not HTTP, or malformed (invalid Content-Length, a redirect loop, a wrong range)

/** A failed download: what went wrong, in a sentence, and the bytes kept for a retry. */
export class DownloadError extends Error {
  readonly kind: DownloadErrorKind;
  constructor(
    readonly url: string,
    message: string,
    readonly partial: Partial | undefined, // undefined when nothing worth keeping arrived
    readonly status?: number, // the HTTP status, when the server answered with an error
    readonly cancelled = false, // the reader cancelled it (the bytes so far are still kept)
    kind?: DownloadErrorKind,
  ) {
    super(message);
    this.name = 'DownloadError';
    this.kind = kind ?? (cancelled ? 'cancelled' : status !== undefined ? 'http' : 'network');
  }
}

/** No byte for this long means the connection stalled (headers and body alike). */
export const DEFAULT_STALL_MS = 30_000;

/**
 * The most bytes a file of a GPT-2 folder can have: what the loader holds for model.safetensors
 * (see MAX_SAFETENSORS_BYTES), generous bounds for the text files. A server that announces or
 * sends more is refused before its size becomes an allocation.
 */
export function maxBytesFor(url: string): number {
  const file = new URL(url, 'http://x').pathname.split('/').pop() ?? '';
  if (file === 'config.json') return 1 << 20;
  if (file === 'vocab.json' || file === 'merges.txt') return 64 << 20;
  return 2 ** 32 - 1;
}

export interface DownloadOptions {
  fetch?: typeof fetch;
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  resume?: Partial; // an earlier attempt's bytes: ask only for the rest
  expectedSize?: number; // the size announced before the download (remoteSize): the file must have it
  maxBytes?: number; // refuse a file larger than this (default: maxBytesFor(url))
  stallMs?: number; // give up when no byte arrives for this long (default DEFAULT_STALL_MS)
}

function cancelled(url: string, partial: Partial | undefined): DownloadError {
  return new DownloadError(url, 'the download was cancelled', partial, undefined, true);
}

const size = (n: number) => (n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(1)} GiB` : n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(1)} MiB` : `${n} bytes`);

/**
 * Why a fetch failed, in words: Node's fetch says only "fetch failed" and keeps the reason in
 * `cause` (a browser's fetch tells nothing more, so its message is kept).
 */
function fetchFailure(url: string, e: unknown, partial: Partial | undefined): DownloadError {
  const host = new URL(url).host;
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? '';
  const said = cause?.message ?? '';
  if (/redirect count exceeded/i.test(said)) return new DownloadError(url, `${host} redirected too many times (a redirect loop?)`, partial, undefined, false, 'protocol');
  if (code === 'HPE_INVALID_CONTENT_LENGTH' || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') {
    return new DownloadError(url, `${host} sent an invalid Content-Length header`, partial, undefined, false, 'protocol');
  }
  if (code.startsWith('HPE_')) return new DownloadError(url, `${host} did not answer in HTTP (${said || code}): is this the right address?`, partial, undefined, false, 'protocol');
  const why = code === 'ECONNREFUSED' ? 'the connection was refused' : code === 'ENOTFOUND' ? 'no such host' : code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' ? 'the connection was reset' : said || (e as Error).message;
  return new DownloadError(url, `could not reach ${host}: ${why}`, partial);
}

/** The file's full size from a 206's `Content-Range: bytes a-b/total`, if it says. */
function rangeTotal(header: string | null): { start: number; total: number | undefined } | undefined {
  const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(header?.trim() ?? '');
  if (!m) return undefined;
  return { start: Number(m[1]), total: m[2] === '*' ? undefined : Number(m[2]) };
}

/**
 * Download one file whole, resuming `opts.resume` when the server honours the Range request
 * (a 200 instead of a 206 means it did not, and the download starts over; so does a 206 whose
 * ETag or Last-Modified differs from the earlier attempt's, since its bytes belong to another
 * version of the file). The file's size is checked against `expectedSize`, the size of the
 * earlier attempt and the cap (`maxBytes`) before anything is allocated; a gzip body is held to the
 * same cap as it expands; a connection that sends nothing for `stallMs` is given up.
 * @throws DownloadError, with `partial` holding the bytes received when any arrived, and a `kind`
 *   saying what went wrong; when cancelled through `opts.signal`, `cancelled` is true
 */
export async function downloadFile(url: string, opts: DownloadOptions = {}): Promise<Uint8Array> {
  const resume = opts.resume && opts.resume.url === url && opts.resume.bytes.length > 0 ? opts.resume : undefined;
  try {
    return await attempt(url, opts, resume);
  } catch (e) {
    if (e instanceof StartOver) return attempt(url, opts, undefined);
    throw e;
  }
}

/** Thrown inside an attempt whose 206 came from another version of the file. */
class StartOver extends Error {}

async function attempt(url: string, opts: DownloadOptions, resume: Partial | undefined): Promise<Uint8Array> {
  const f = opts.fetch ?? globalThis.fetch.bind(globalThis);
  const cap = opts.maxBytes ?? maxBytesFor(url);
  const stallMs = opts.stallMs ?? DEFAULT_STALL_MS;
  const headers: Record<string, string> = {};
  if (resume) {
    headers.Range = `bytes=${resume.bytes.length}-`;
    if (resume.validator) headers['If-Range'] = resume.validator;
  }

  // One controller for the caller's cancel and the stall timer; the timer restarts with every byte.
  const ctrl = new AbortController();
  const onAbort = () => ctrl.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) ctrl.abort();
  let stalled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      ctrl.abort();
    }, stallMs);
  };
  const stallError = (what: string, partial: Partial | undefined) =>
    new DownloadError(url, `${new URL(url).host} sent nothing for ${stallMs / 1000} s ${what}: the connection stalled; try again`, partial, undefined, false, 'stalled');

  try {
    let res: Response;
    arm();
    try {
      res = await f(url, { signal: ctrl.signal, headers, cache: 'no-store' });
    } catch (e) {
      if (opts.signal?.aborted) throw cancelled(url, resume);
      if (stalled) throw stallError('while its headers were awaited', resume);
      throw fetchFailure(url, e, resume);
    }
    const refuse = async (msg: string, kind: DownloadErrorKind, partial?: Partial) => {
      await res.body?.cancel().catch(() => {});
      return new DownloadError(url, msg, partial, undefined, false, kind);
    };
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      const what = `${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
      const hint = res.status === 404 ? ' (no such file)' : res.status === 401 || res.status === 403 ? ' (not allowed: is the repository private or gated?)' : '';
      throw new DownloadError(url, `the server answered ${what}${hint} for ${url}`, resume, res.status);
    }

    // Where this response starts in the file: after the resumed bytes on a 206, at 0 otherwise.
    let start = 0;
    let total: number | undefined;
    const enc = res.headers.get('content-encoding');
    const lengthHeader = res.headers.get('content-length');
    const length = Number(lengthHeader);
    if (lengthHeader !== null && !(Number.isSafeInteger(length) && length >= 0)) {
      throw await refuse(`${new URL(url).host} sent an invalid Content-Length (${JSON.stringify(lengthHeader)})`, 'protocol');
    }
    const bodyLength = lengthHeader !== null && (!enc || enc === 'identity') ? length : undefined;
    const validator = res.headers.get('etag') ?? res.headers.get('last-modified') ?? undefined;
    if (res.status === 206) {
      if (!resume) throw await refuse('the server sent part of the file (206) when the whole file was asked for', 'protocol');
      // A 206 from another version of the file (the server ignored If-Range): its bytes do not
      // continue ours. Start over from byte 0.
      if (resume.validator !== undefined && validator !== resume.validator) {
        await res.body?.cancel().catch(() => {});
        throw new StartOver();
      }
      const r = rangeTotal(res.headers.get('content-range'));
      if (!r || r.start !== resume.bytes.length) {
        throw await refuse(`the server sent the wrong part of the file (Content-Range: ${res.headers.get('content-range') ?? 'missing'})`, 'protocol');
      }
      start = r.start;
      total = r.total ?? resume.total;
      if (resume.total !== undefined && total !== resume.total) {
        throw await refuse(`the file changed on the server (${resume.total} bytes before, ${total} now)`, 'changed');
      }
      if (bodyLength !== undefined && total !== undefined && start + bodyLength !== total) {
        throw await refuse(`the server's Content-Length (${bodyLength}) and Content-Range (${res.headers.get('content-range')}) disagree`, 'protocol');
      }
    } else {
      total = bodyLength;
    }
    if (total !== undefined && total > cap) {
      throw await refuse(`the server says the file is ${size(total)}, more than the ${size(cap)} a file of a GPT-2 model can be; refused`, 'too-large');
    }
    if (total !== undefined && opts.expectedSize !== undefined && total !== opts.expectedSize) {
      throw await refuse(`the file changed on the server: ${opts.expectedSize} bytes announced before the download, ${total} now`, 'changed');
    }

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
          arm();
          const { done, value } = await reader.read();
          if (done) break;
          if (loaded + value.byteLength > buf.byteLength) {
            if (total !== undefined) throw new DownloadError(url, `the server sent more than the ${total} bytes it announced`, undefined, undefined, false, 'protocol');
            // No length announced (or a compressed body expanding): hold it to the cap as it grows.
            if (loaded + value.byteLength > cap) {
              throw new DownloadError(url, `the file grew past ${size(cap)}${enc && enc !== 'identity' ? ` as its ${enc} body expanded` : ''}, more than a file of a GPT-2 model can be; refused`, undefined, undefined, false, 'too-large');
            }
            const grown = new Uint8Array(Math.min(cap, Math.max(buf.byteLength * 2, loaded + value.byteLength)));
            grown.set(buf.subarray(0, loaded));
            buf = grown;
          }
          buf.set(value, loaded);
          loaded += value.byteLength;
          report();
        }
      } catch (e) {
        await reader.cancel().catch(() => {});
        if (e instanceof DownloadError) throw e;
        if (opts.signal?.aborted) throw cancelled(url, keep());
        if (stalled) throw stallError(`after ${loaded} of ${total ?? '?'} bytes`, keep());
        throw new DownloadError(url, `the connection broke after ${loaded} of ${total ?? '?'} bytes: ${(e as Error).message}`, keep());
      }
    } else {
      const body = new Uint8Array(await res.arrayBuffer());
      if (start + body.byteLength > cap) throw new DownloadError(url, `the file is larger than the ${size(cap)} a file of a GPT-2 model can be; refused`, undefined, undefined, false, 'too-large');
      buf = new Uint8Array(start + body.byteLength);
      if (start > 0) buf.set(resume!.bytes);
      buf.set(body, start);
      loaded = buf.byteLength;
      report();
    }
    if (total !== undefined && loaded !== total) {
      throw new DownloadError(url, `the download stopped early: ${loaded} of ${total} bytes`, keep());
    }
    if (opts.expectedSize !== undefined && loaded !== opts.expectedSize) {
      throw new DownloadError(url, `the file changed on the server: ${opts.expectedSize} bytes announced before the download, ${loaded} received`, undefined, undefined, false, 'changed');
    }
    return loaded === buf.byteLength ? buf : buf.slice(0, loaded);
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * The size of a file without downloading it (a HEAD request, redirects followed);
 * undefined when the server does not say.
 * @throws DownloadError when the server cannot be reached, answers an error, or announces a size
 *   no file of a GPT-2 model can have (kind 'too-large'), so no estimate shows an absurd size
 */
export async function remoteSize(url: string, opts: { fetch?: typeof fetch; signal?: AbortSignal; maxBytes?: number; stallMs?: number } = {}): Promise<number | undefined> {
  const f = opts.fetch ?? globalThis.fetch.bind(globalThis);
  const ctrl = new AbortController();
  const onAbort = () => ctrl.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) ctrl.abort();
  let stalled = false;
  const stallMs = opts.stallMs ?? DEFAULT_STALL_MS;
  const timer = setTimeout(() => {
    stalled = true;
    ctrl.abort();
  }, stallMs);
  let res: Response;
  try {
    res = await f(url, { method: 'HEAD', signal: ctrl.signal, cache: 'no-store' });
  } catch (e) {
    if (opts.signal?.aborted) throw cancelled(url, undefined);
    if (stalled) throw new DownloadError(url, `${new URL(url).host} sent nothing for ${stallMs / 1000} s while its headers were awaited: the connection stalled; try again`, undefined, undefined, false, 'stalled');
    throw fetchFailure(url, e, undefined);
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
  if (!res.ok) throw new DownloadError(url, `the server answered ${res.status} for ${url}`, undefined, res.status);
  const cap = opts.maxBytes ?? maxBytesFor(url);
  const check = (n: number, header: string) => {
    if (n > cap) throw new DownloadError(url, `the server says the file is ${size(n)} (${header}), more than the ${size(cap)} a file of a GPT-2 model can be`, undefined, undefined, false, 'too-large');
    return n;
  };
  // The Hub answers HEAD on an LFS file with the size of the file behind the redirect here.
  const linked = Number(res.headers.get('x-linked-size'));
  if (Number.isSafeInteger(linked) && linked > 0) return check(linked, 'X-Linked-Size');
  const len = Number(res.headers.get('content-length'));
  return res.headers.has('content-length') && Number.isSafeInteger(len) && len >= 0 ? check(len, 'Content-Length') : undefined;
}
