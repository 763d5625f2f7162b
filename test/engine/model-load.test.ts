// Loading a model from a Hub-shaped server through the engine (the worker's code, in Node):
// progress, the size estimate, a cut connection that keeps the old model and resumes on retry,
// a wrong file refused, cancel, and picked files.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { countParams, makeConfig } from '../../model/config.ts';
import { HUB_URL } from '../../model/download.ts';
import type { LoadProgress } from '../../engine/protocol.ts';
import { localEngine } from '../../engine/local.ts';
import { readChoice, parseHubUrl, cleanName, storeKey } from '../../engine/model-source.ts';
import { writeRandomCheckpoint } from '../../train/random-checkpoint.ts';
import { startHubServer, type HubServer } from '../hub-server.ts';

const config = makeConfig({ n_layer: 2, n_head: 2, n_embd: 32, n_positions: 64, vocab_size: 300 });

describe('loading a model from the Hub (or a mirror) in the engine', () => {
  let dir: string;
  let hub: HubServer;
  const engine = localEngine();
  let first: Awaited<ReturnType<typeof engine.request<'load'>>>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tokenclock-hubload-'));
    await writeRandomCheckpoint(join(dir, 'test-org', 'tiny'), { config, dtype: 'F32', seed: 3 });
    await writeRandomCheckpoint(join(dir, 'test-org', 'other'), { config, dtype: 'F16', seed: 4 });
    const st = await readFile(join(dir, 'test-org', 'tiny', 'model.safetensors'));
    await writeRandomCheckpoint(join(dir, 'test-org', 'broken'), { config, dtype: 'F32', seed: 5 });
    await writeFile(join(dir, 'test-org', 'broken', 'model.safetensors'), st.subarray(0, st.length - 100)); // truncated
    hub = await startHubServer(dir);
    first = await engine.request({ type: 'load', source: { kind: 'hub', hub: hub.url, repo: 'test-org/tiny' }, backend: 'wasm' });
  });

  after(async () => {
    engine.host.session?.dispose();
    engine.host.model?.dispose();
    await hub.close();
    await rm(dir, { recursive: true, force: true });
  });

  const tickWorks = async () => {
    await engine.request({ type: 'start', prompt: 'ab', seed: 1, sampling: { temperature: 1, topK: 0, topP: 1 } });
    return engine.request({ type: 'tick' });
  };

  it('states the download size and memory need before downloading the weights', async () => {
    hub.requests.length = 0;
    const e = await engine.request({ type: 'estimate', source: { kind: 'hub', hub: hub.url, repo: 'test-org/other' } });
    const sizes = await Promise.all(['config.json', 'vocab.json', 'merges.txt', 'model.safetensors'].map(async (f) => (await readFile(join(dir, 'test-org', 'other', f))).length));
    assert.equal(e.params, countParams(config));
    assert.equal(e.memoryBytes, countParams(config) * 4);
    assert.equal(e.downloadBytes, sizes.reduce((a, b) => a + b));
    assert.equal(e.weightsBytes, sizes[3]);
    assert.equal(e.stored, false);
    assert.ok(!hub.requests.some((r) => r.method === 'GET' && r.path.endsWith('model.safetensors')), 'no weights downloaded');
  });

  it('an estimate waiting on a silent Hub stops on cancelLoad (sent when the reader moves on), and the next request runs', async () => {
    const silent = createServer(() => {}); // accepts, never answers
    await new Promise<void>((ok) => silent.listen(0, '127.0.0.1', ok));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const started = Date.now();
      const first = engine.request({ type: 'estimate', source: { kind: 'hub', hub: url, repo: 'test-org/tiny' } });
      const second = engine.request({ type: 'estimate', source: { kind: 'hub', hub: hub.url, repo: 'test-org/other' } });
      await new Promise((ok) => setTimeout(ok, 200));
      await engine.request({ type: 'cancelLoad' });
      await assert.rejects(first, /cancelled/);
      assert.equal((await second).params, countParams(config));
      assert.ok(Date.now() - started < 5000, 'not held up by the stall timeout');
    } finally {
      silent.closeAllConnections();
      await new Promise((ok) => silent.close(ok));
    }
  });

  it('loads, reporting where the model came from', () => {
    assert.equal(first.from, 'network');
    assert.equal(first.key, storeKey({ kind: 'hub', hub: hub.url, repo: 'test-org/tiny' }));
    assert.match(first.label, /test-org\/tiny \(from http:\/\/127\.0\.0\.1:\d+\)/);
    assert.equal(first.stored, false); // Node has no browser store
    assert.match(first.storeError ?? '', /no storage/);
  });

  it('a cut connection fails with a clear message, keeps the old model, and a retry resumes', async () => {
    hub.cutAfter = 4000;
    hub.requests.length = 0;
    const progress: LoadProgress[] = [];
    await assert.rejects(
      engine.request({ type: 'load', source: { kind: 'hub', hub: hub.url, repo: 'test-org/other' } }, { onProgress: (p) => progress.push(p) }),
      /connection broke|stopped early/,
    );
    assert.equal(engine.host.model?.checksum, first.checksum, 'the old model stays');
    assert.equal((await tickWorks()).index, 0);
    hub.cutAfter = undefined;
    hub.requests.length = 0;
    const progress2: LoadProgress[] = [];
    const info = await engine.request({ type: 'load', source: { kind: 'hub', hub: hub.url, repo: 'test-org/other' } }, { onProgress: (p) => progress2.push(p) });
    assert.notEqual(info.checksum, first.checksum);
    const weightsGet = hub.requests.find((r) => r.method === 'GET' && r.path.endsWith('model.safetensors'));
    assert.equal(weightsGet?.status, 206, 'the weights resumed with a Range request');
    assert.ok(progress2.some((p) => p.phase === 'download' && (p.resumed ?? 0) > 0));
    const last = progress2.filter((p) => p.phase === 'download').at(-1)!;
    assert.equal(last.loaded, last.total);
    assert.ok(progress.some((p) => p.phase === 'download' && p.file === 'config.json'));
  });

  it('a truncated model.safetensors is refused and the model in use stays', async () => {
    const before = engine.host.model?.checksum;
    await assert.rejects(engine.request({ type: 'load', source: { kind: 'hub', hub: hub.url, repo: 'test-org/broken' } }), /model\.safetensors/);
    assert.equal(engine.host.model?.checksum, before);
  });

  it('a missing repository and an unreachable Hub are clear messages', async () => {
    await assert.rejects(engine.request({ type: 'load', source: { kind: 'hub', hub: hub.url, repo: 'test-org/none' } }), /404/);
    await assert.rejects(engine.request({ type: 'load', source: { kind: 'hub', hub: 'http://127.0.0.1:9', repo: 'test-org/tiny' } }), /could not reach 127\.0\.0\.1:9/);
    assert.ok(engine.host.model);
  });

  it('cancelLoad stops a download at once and the model in use stays', async () => {
    const before = engine.host.model?.checksum;
    hub.chunkDelayMs = 200;
    const p = engine.request({ type: 'load', source: { kind: 'hub', hub: hub.url, repo: 'test-org/tiny' } }, {
      onProgress: (q) => { if (q.phase === 'download') void engine.request({ type: 'cancelLoad' }); },
    });
    await assert.rejects(p, /cancelled/);
    hub.chunkDelayMs = 0;
    assert.equal(engine.host.model?.checksum, before);
  });

  it('loads files picked from disk (a dropped folder) and refuses a folder without weights', async () => {
    const folder = join(dir, 'test-org', 'tiny');
    const files: Record<string, ArrayBuffer> = {};
    for (const f of ['config.json', 'vocab.json', 'merges.txt', 'model.safetensors']) {
      const b = await readFile(join(folder, f));
      files[`tiny/${f}`] = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
    }
    const info = await engine.request({ type: 'load', source: { kind: 'files', name: 'tiny', files } });
    assert.equal(info.from, 'files');
    assert.equal(info.checksum, first.checksum);
    delete files['tiny/model.safetensors'];
    await assert.rejects(engine.request({ type: 'load', source: { kind: 'files', name: 'tiny', files } }), /have no model\.safetensors/);
    assert.equal(engine.host.model?.checksum, first.checksum);
  });
});

describe('the saved model choice', () => {
  const store = (v: string | null) => ({ getItem: () => v });

  it('reads a good choice back and ignores a hostile or malformed one with a notice', () => {
    assert.deepEqual(readChoice(store(null)).choice, { kind: 'bundled' });
    assert.deepEqual(readChoice(store(JSON.stringify({ kind: 'hub', hub: HUB_URL, repo: 'openai-community/gpt2' }))).choice, { kind: 'hub', hub: HUB_URL, repo: 'openai-community/gpt2' });
    for (const bad of ['{', '{"kind":"hub","hub":"javascript:alert(1)","repo":"a/b"}', '{"kind":"hub","hub":"https://x.org","repo":"../../etc"}', '{"kind":"local","name":"<img src=x>"}']) {
      const r = readChoice(store(bad));
      assert.deepEqual(r.choice, { kind: 'bundled' }, bad);
      assert.match(r.notice ?? '', /not understood/);
    }
  });

  it('checks a typed Hub address and cleans a picked folder name', () => {
    assert.equal(parseHubUrl(' https://huggingface.co/ '), 'https://huggingface.co');
    assert.throws(() => parseHubUrl('ftp://x'), /must start with https/);
    assert.throws(() => parseHubUrl('not a url'), /not a web address/);
    assert.throws(() => parseHubUrl('https://u:p@x.org'), /user name/);
    assert.equal(cleanName('  my gpt2 <b>  '), 'my-gpt2-b');
    assert.equal(cleanName('***'), 'my-model');
  });
});
