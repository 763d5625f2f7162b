// model/download.ts against a real HTTP server in the Hub's URL scheme (test/hub-server.ts).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DownloadError, downloadFile, hubFileUrl, remoteSize, type DownloadProgress } from '../../model/download.ts';
import { startHubServer, type HubServer } from '../hub-server.ts';
import { head, startBadServer, type BadServer } from '../bad-server.ts';
import { gzipSync } from 'node:zlib';

describe('downloadFile', () => {
  let dir: string;
  let hub: HubServer;
  const size = 3 * (1 << 20) + 12_345;
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 2654435761) >>> 24;
  const url = () => hubFileUrl(hub.url, 'test-org/tiny', 'model.safetensors');

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tokenclock-hub-'));
    await mkdir(join(dir, 'test-org', 'tiny'), { recursive: true });
    await writeFile(join(dir, 'test-org', 'tiny', 'model.safetensors'), bytes);
    hub = await startHubServer(dir);
  });

  after(async () => {
    await hub.close();
    await rm(dir, { recursive: true, force: true });
  });

  const reset = () => {
    hub.cutAfter = undefined;
    hub.ignoreRanges = false;
    hub.failWith = undefined;
    hub.requests.length = 0;
  };

  it('builds the Hub URL of a file, and refuses what is not a repository name', () => {
    assert.equal(hubFileUrl('https://huggingface.co/', 'openai-community/gpt2', 'config.json'), 'https://huggingface.co/openai-community/gpt2/resolve/main/config.json');
    assert.throws(() => hubFileUrl('https://huggingface.co', '../etc/passwd', 'config.json'), /not a Hub repository name/);
    assert.throws(() => hubFileUrl('https://huggingface.co', 'gpt2', 'config.json'), /not a Hub repository name/);
  });

  it('downloads a file whole and reports progress up to its size', async () => {
    reset();
    const seen: DownloadProgress[] = [];
    const got = await downloadFile(url(), { onProgress: (p) => seen.push(p) });
    assert.deepEqual(got, bytes);
    assert.equal(seen.at(-1)?.loaded, size);
    assert.equal(seen.at(-1)?.total, size);
    assert.ok(seen.length > 1);
    assert.ok(seen.every((p, i) => i === 0 || p.loaded >= seen[i - 1].loaded));
  });

  it('tells the size before downloading (HEAD)', async () => {
    reset();
    assert.equal(await remoteSize(url()), size);
    assert.equal(hub.requests[0].method, 'HEAD');
  });

  it('a broken connection keeps the bytes received, and a retry asks only for the rest', async () => {
    reset();
    hub.cutAfter = 1 << 20;
    const err = await downloadFile(url()).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof DownloadError, String(err));
    assert.match(err.message, /of 3158073 bytes|stopped early|broke/);
    assert.ok(err.partial && err.partial.bytes.length > 0 && err.partial.bytes.length <= 1 << 20, `kept ${err.partial?.bytes.length}`);
    hub.cutAfter = undefined;
    const seen: DownloadProgress[] = [];
    const got = await downloadFile(url(), { resume: err.partial, onProgress: (p) => seen.push(p) });
    assert.deepEqual(got, bytes);
    const last = hub.requests.at(-1)!;
    assert.equal(last.status, 206);
    assert.equal(last.range, `bytes=${err.partial.bytes.length}-`);
    assert.equal(seen[0].resumed, err.partial.bytes.length);
  });

  it('starts over when the server ignores the Range request', async () => {
    reset();
    hub.ignoreRanges = true;
    const partial = { url: url(), bytes: bytes.slice(0, 1000), total: size, validator: undefined };
    const got = await downloadFile(url(), { resume: partial });
    assert.deepEqual(got, bytes);
    assert.equal(hub.requests.at(-1)!.status, 200);
  });

  it('never returns bytes from a different file: a changed ETag gets the whole new file', async () => {
    reset();
    const partial = { url: url(), bytes: new Uint8Array(1000).fill(7), total: size, validator: '"stale"' };
    const got = await downloadFile(url(), { resume: partial });
    assert.deepEqual(got, bytes);
  });

  it('a missing file and a server error are clear messages', async () => {
    reset();
    await assert.rejects(downloadFile(hubFileUrl(hub.url, 'test-org/none', 'config.json')), (e: unknown) =>
      e instanceof DownloadError && e.status === 404 && /404.*no such file/.test(e.message));
    hub.failWith = 503;
    await assert.rejects(downloadFile(url()), /the server answered 503/);
  });

  it('an unreachable host is a clear message', async () => {
    await assert.rejects(downloadFile('http://127.0.0.1:9/x/y/resolve/main/config.json'), (e: unknown) =>
      e instanceof DownloadError && /could not reach 127\.0\.0\.1:9/.test(e.message));
  });

  it('cancelling stops the download and says so', async () => {
    reset();
    hub.chunkDelayMs = 50;
    const ctrl = new AbortController();
    const p = downloadFile(url(), { signal: ctrl.signal, onProgress: (q) => q.loaded > 0 && ctrl.abort() });
    await assert.rejects(p, (e: unknown) => e instanceof DownloadError && e.cancelled && /cancelled/.test(e.message));
    hub.chunkDelayMs = 0;
  });
});

describe('downloadFile and remoteSize against a misbehaving server (test/bad-server.ts)', () => {
  let bad: BadServer;
  const v1 = new Uint8Array(5000).map((_, i) => i % 251);
  const v2 = new Uint8Array(5000).map((_, i) => (i * 7) % 253);
  const file = (name = 'model.safetensors') => `${bad.url}/org/m/resolve/main/${name}`;
  const kindOf = async (p: Promise<unknown>, kind: string, message: RegExp): Promise<DownloadError> => {
    const e = await p.then(() => undefined, (x: unknown) => x);
    assert.ok(e instanceof DownloadError, `expected a DownloadError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    assert.match(e.message, message);
    return e;
  };

  before(async () => {
    bad = await startBadServer();
  });
  after(() => bad.close());

  /** A server that has moved on to v2: it answers a range from v2 as 206 (ignoring If-Range), else v2 whole, with `validator`. */
  const serveV2 = (validator: Record<string, string>): typeof bad.handler => (req, s) => {
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const from = m ? Number(m[1]) : 0;
    const body = v2.subarray(from);
    s.write(head(m ? '206 Partial Content' : '200 OK', { 'Content-Length': body.length, ...validator, ...(m ? { 'Content-Range': `bytes ${from}-4999/5000` } : {}) }));
    s.end(body);
  };

  it('a 206 with a different ETag (If-Range ignored) is not joined to the old bytes: it starts over from byte 0', async () => {
    bad.requests.length = 0;
    bad.handler = serveV2({ ETag: '"v2"' });
    const partial = { url: file(), bytes: v1.slice(0, 2000), total: 5000, validator: '"v1"' };
    const got = await downloadFile(file(), { resume: partial });
    assert.deepEqual(got, v2);
    assert.deepEqual(bad.requests.map((r) => r.headers.range), ['bytes=2000-', undefined]);
    assert.equal(bad.requests[0].headers['if-range'], '"v1"');
  });

  it('a Last-Modified validator is compared the same way', async () => {
    bad.requests.length = 0;
    bad.handler = serveV2({ 'Last-Modified': 'Wed, 02 Dec 2026 10:00:00 GMT' });
    const partial = { url: file(), bytes: v1.slice(0, 2000), total: 5000, validator: 'Tue, 01 Dec 2026 10:00:00 GMT' };
    assert.deepEqual(await downloadFile(file(), { resume: partial }), v2);
    assert.equal(bad.requests.length, 2);
  });

  it('the final size must be the size announced before the download', async () => {
    bad.handler = (_req, s) => s.end(Buffer.concat([Buffer.from(head('200 OK', { 'Content-Length': 4000 })), v1.subarray(0, 4000)]));
    await kindOf(downloadFile(file(), { expectedSize: 5000 }), 'changed', /5000 bytes announced before the download, 4000 now/);
    bad.handler = (_req, s) => s.end(Buffer.concat([Buffer.from(head('200 OK', { Connection: 'close' })), v1.subarray(0, 4000)]));
    await kindOf(downloadFile(file(), { expectedSize: 5000 }), 'changed', /5000 bytes announced before the download, 4000 received/);
  });

  it('a Content-Length or Content-Range total beyond any model file is refused before it becomes an allocation', async () => {
    bad.handler = (_req, s) => s.end(head('200 OK', { 'Content-Length': 2 ** 53 - 1 }));
    await kindOf(downloadFile(file()), 'too-large', /the server says the file is 8388608\.0 GiB, more than the 4\.0 GiB a file of a GPT-2 model can be; refused/);
    bad.handler = (_req, s) => s.end(head('200 OK', { 'Content-Length': 5 << 20 }));
    await kindOf(downloadFile(file('config.json')), 'too-large', /5\.0 MiB, more than the 1\.0 MiB/);
    bad.handler = (_req, s) => s.end(head('206 Partial Content', { 'Content-Length': 3000, 'Content-Range': `bytes 2000-${2 ** 40}/${2 ** 40 + 1}` }));
    await kindOf(downloadFile(file(), { resume: { url: file(), bytes: v1.slice(0, 2000), total: undefined, validator: undefined } }), 'protocol', /Content-Length \(3000\) and Content-Range .* disagree/);
    bad.handler = (_req, s) => s.end(head('206 Partial Content', { 'Content-Range': `bytes 2000-${2 ** 50 - 1}/${2 ** 50}` }));
    await kindOf(downloadFile(file(), { resume: { url: file(), bytes: v1.slice(0, 2000), total: undefined, validator: undefined } }), 'too-large', /1048576\.0 GiB, more than the 4\.0 GiB/);
  });

  it('remoteSize refuses an absurd size instead of estimating it', async () => {
    bad.handler = (_req, s) => s.end(head('200 OK', { 'Content-Length': 2 ** 53 - 1 }));
    await kindOf(remoteSize(file()), 'too-large', /Content-Length\), more than the 4\.0 GiB/);
    bad.handler = (_req, s) => s.end(head('200 OK', { 'Content-Length': 0, 'X-Linked-Size': 2 ** 43 }));
    await kindOf(remoteSize(file()), 'too-large', /8192\.0 GiB \(X-Linked-Size\)/);
    bad.handler = (_req, s) => s.end(head('200 OK', { 'Content-Length': 12345 }));
    assert.equal(await remoteSize(file()), 12345);
  });

  it('headers that never arrive, or a body that stops, end with a "stalled" error after the stall timeout', async () => {
    bad.handler = () => {}; // read the request, answer nothing
    let t0 = Date.now();
    await kindOf(downloadFile(file(), { stallMs: 200 }), 'stalled', /sent nothing for 0\.2 s while its headers were awaited: the connection stalled; try again/);
    assert.ok(Date.now() - t0 < 3000);
    await kindOf(remoteSize(file(), { stallMs: 200 }), 'stalled', /stalled/);
    bad.handler = (_req, s) => s.write(Buffer.concat([Buffer.from(head('200 OK', { 'Content-Length': 5000, ETag: '"v1"' })), v1.subarray(0, 1200)]));
    t0 = Date.now();
    const e = await kindOf(downloadFile(file(), { stallMs: 200 }), 'stalled', /sent nothing for 0\.2 s after 1200 of 5000 bytes/);
    assert.ok(Date.now() - t0 < 3000);
    assert.deepEqual(e.partial?.bytes, v1.subarray(0, 1200), 'the bytes so far are kept for a retry');
    assert.equal(e.partial?.validator, '"v1"');
  });

  it('a gzip body that expands beyond the cap is refused as it expands', async () => {
    const bomb = gzipSync(new Uint8Array(8 << 20));
    bad.handler = (_req, s) => s.end(Buffer.concat([Buffer.from(head('200 OK', { 'Content-Encoding': 'gzip', 'Content-Length': bomb.length })), bomb]));
    await kindOf(downloadFile(file('config.json')), 'too-large', /grew past 1\.0 MiB as its gzip body expanded/);
    await kindOf(downloadFile(file(), { maxBytes: 4 << 20 }), 'too-large', /grew past 4\.0 MiB as its gzip body expanded/);
    const small = gzipSync(v1);
    bad.handler = (_req, s) => s.end(Buffer.concat([Buffer.from(head('200 OK', { 'Content-Encoding': 'gzip', 'Content-Length': small.length })), small]));
    assert.deepEqual(await downloadFile(file('config.json')), v1);
  });

  it('a redirect loop, an invalid Content-Length and a reply that is not HTTP are each named', async () => {
    bad.handler = (_req, s) => s.end(head('302 Found', { Location: file(), 'Content-Length': 0 }));
    await kindOf(downloadFile(file()), 'protocol', /redirected too many times \(a redirect loop\?\)/);
    await kindOf(remoteSize(file()), 'protocol', /redirect loop/);
    bad.handler = (_req, s) => s.end(head('200 OK', { 'Content-Length': 'abc' }) + 'hello');
    await kindOf(downloadFile(file()), 'protocol', /sent an invalid Content-Length/);
    bad.handler = (_req, s) => s.end('SSH-2.0-OpenSSH_9.0\r\n');
    await kindOf(downloadFile(file()), 'protocol', /did not answer in HTTP .*is this the right address\?/);
  });
});
