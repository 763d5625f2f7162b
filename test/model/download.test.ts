// model/download.ts against a real HTTP server in the Hub's URL scheme (test/hub-server.ts).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DownloadError, downloadFile, hubFileUrl, remoteSize, type DownloadProgress } from '../../model/download.ts';
import { startHubServer, type HubServer } from '../hub-server.ts';

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
