/**
 * Model folders → validated GPT-2 parameters.
 *
 * A model folder is the Hugging Face GPT-2 layout: config.json, model.safetensors, vocab.json and
 * merges.txt. It can be a base URL (fetched), a local directory (Node only), or files already in
 * memory (a dropped folder, a freshly trained model). Every problem becomes a CheckpointError
 * that names the file, the tensor, and what was expected versus found.
 */

import { CheckpointError, parseConfig } from './config.ts';
import type { GPT2Config } from './config.ts';
import { firstNonFinite, fromLayout, MAX_SAFETENSORS_BYTES, parseSafetensors, parseSafetensorsHeader, safetensorsHeaderLength, toFloat32 } from './safetensors.ts';
import type { SafetensorsFile } from './safetensors.ts';
import { nodeBuiltin } from './node-builtin.ts';

/** A parameter tensor as float32, row-major in the checkpoint's layout (Conv1D weights [in, out]). */
export interface Param {
  shape: number[];
  data: Float32Array;
}

export interface ModelFiles {
  config: GPT2Config;
  /** Hugging Face names without the `transformer.` prefix, e.g. `h.0.attn.c_attn.weight`. */
  params: Map<string, Param>;
  vocabJson: string;
  mergesTxt: string;
  /** dtype(s) stored in model.safetensors, e.g. "F16" (mixed files give "F32+F16"). */
  dtype: string;
  /** Size of model.safetensors in bytes: what the reader downloads. */
  bytes: number;
}

export type ModelSource = string | { files: Record<string, ArrayBuffer | Uint8Array | Blob | string> };

export interface LoadOptions {
  fetch?: typeof fetch;
  onProgress?: (p: { file: string; loaded: number; total?: number }) => void;
  signal?: AbortSignal;
}

/** File names used in messages; loaders pass full paths or URLs. */
export interface FileNames {
  config: string;
  weights: string;
}

const DEFAULT_NAMES: FileNames = { config: 'config.json', weights: 'model.safetensors' };

const shapeStr = (s: readonly number[]) => `[${s.join(', ')}]`;
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Every tensor a GPT-2 of this config has, with its shape, in a stable order
 * (embeddings, blocks, final LayerNorm).
 */
export function expectedShapes(config: GPT2Config): Map<string, number[]> {
  const C = config.n_embd;
  const m = new Map<string, number[]>();
  m.set('wte.weight', [config.vocab_size, C]);
  m.set('wpe.weight', [config.n_positions, C]);
  for (let i = 0; i < config.n_layer; i++) {
    const p = `h.${i}.`;
    m.set(`${p}ln_1.weight`, [C]);
    m.set(`${p}ln_1.bias`, [C]);
    m.set(`${p}attn.c_attn.weight`, [C, 3 * C]);
    m.set(`${p}attn.c_attn.bias`, [3 * C]);
    m.set(`${p}attn.c_proj.weight`, [C, C]);
    m.set(`${p}attn.c_proj.bias`, [C]);
    m.set(`${p}ln_2.weight`, [C]);
    m.set(`${p}ln_2.bias`, [C]);
    m.set(`${p}mlp.c_fc.weight`, [C, 4 * C]);
    m.set(`${p}mlp.c_fc.bias`, [4 * C]);
    m.set(`${p}mlp.c_proj.weight`, [4 * C, C]);
    m.set(`${p}mlp.c_proj.bias`, [C]);
  }
  m.set('ln_f.weight', [C]);
  m.set('ln_f.bias', [C]);
  return m;
}

/** What a shape is in terms of the config, so a wrong-shape message explains the expectation. */
function shapeMeaning(name: string): string {
  const tail = name.replace(/^h\.\d+\./, '');
  const table: Record<string, string> = {
    'wte.weight': '[vocab_size, n_embd]',
    'wpe.weight': '[n_positions, n_embd]',
    'attn.c_attn.weight': '[C, 3C]',
    'attn.c_attn.bias': '[3C]',
    'attn.c_proj.weight': '[C, C]',
    'mlp.c_fc.weight': '[C, 4C]',
    'mlp.c_fc.bias': '[4C]',
    'mlp.c_proj.weight': '[4C, C]',
  };
  return table[name] ?? table[tail] ?? '[C]';
}

/** Buffers old HF checkpoints carry (the causal mask); they are not parameters. */
const IGNORED_BUFFER = /^h\.\d+\.attn\.(bias|masked_bias)$/;

/**
 * Check tensor names and shapes against the config. Config disagreements are reported first and
 * blamed on config.json (a wrong n_layer would otherwise surface as a confusing "missing tensor").
 *
 * @param tensors normalised names (no `transformer.` prefix, buffers and lm_head removed)
 * @throws CheckpointError for a config that disagrees with the tensors, a missing tensor, a wrong
 *   shape, or a tensor that is not part of GPT-2
 */
export function validateParams(config: GPT2Config, tensors: Map<string, { shape: number[] }>, names: FileNames = DEFAULT_NAMES): void {
  const cfg = names.config;
  const w = names.weights;

  let blocks = 0; // 1 + the highest block index among the tensors
  let lastBlockTensor = '';
  for (const name of tensors.keys()) {
    const m = /^h\.(\d+)\./.exec(name);
    if (m && Number(m[1]) + 1 > blocks) {
      blocks = Number(m[1]) + 1;
      lastBlockTensor = name;
    }
  }
  if (blocks > config.n_layer) {
    throw new CheckpointError(cfg, `n_layer is ${config.n_layer} but ${w} has ${blocks} blocks (h.0 … h.${blocks - 1}, e.g. tensor ${lastBlockTensor}); fix n_layer in config.json`);
  }
  if (blocks < config.n_layer) {
    const have = blocks === 0 ? 'no blocks (no h.* tensors)' : `only ${blocks} block${blocks > 1 ? 's' : ''} (h.0 … h.${blocks - 1})`;
    throw new CheckpointError(cfg, `n_layer is ${config.n_layer} but ${w} has ${have}; fix n_layer in config.json`);
  }
  const wte = tensors.get('wte.weight')?.shape;
  if (wte?.length === 2) {
    if (wte[0] !== config.vocab_size) {
      throw new CheckpointError(cfg, `vocab_size is ${config.vocab_size} but wte.weight in ${w} has ${wte[0]} rows (shape ${shapeStr(wte)})`);
    }
    if (wte[1] !== config.n_embd) {
      throw new CheckpointError(cfg, `n_embd is ${config.n_embd} but wte.weight in ${w} has ${wte[1]} columns (shape ${shapeStr(wte)})`);
    }
  }
  const wpe = tensors.get('wpe.weight')?.shape;
  if (wpe?.length === 2 && wpe[0] !== config.n_positions) {
    throw new CheckpointError(cfg, `n_positions is ${config.n_positions} but wpe.weight in ${w} has ${wpe[0]} rows (shape ${shapeStr(wpe)})`);
  }

  const expected = expectedShapes(config);
  const missing = [...expected.keys()].filter((n) => !tensors.has(n));
  if (missing.length > 0) {
    const first = missing[0];
    const more = missing.length > 1 ? ` (and ${missing.length - 1} more: ${missing.slice(1, 4).join(', ')}${missing.length > 4 ? ', …' : ''})` : '';
    throw new CheckpointError(w, `missing tensor ${first}, expected shape ${shapeStr(expected.get(first)!)}${more}`);
  }
  for (const [name, want] of expected) {
    const got = tensors.get(name)!.shape;
    if (!sameShape(got, want)) {
      const transposed = got.length === 2 && want.length === 2 && got[0] === want[1] && got[1] === want[0]
        ? ' — transposed? GPT-2 stores Conv1D weights as [in, out]' : '';
      throw new CheckpointError(w, `tensor ${name} has shape ${shapeStr(got)}, expected ${shapeStr(want)} = ${shapeMeaning(name)} with C = n_embd = ${config.n_embd}${transposed}`);
    }
  }
  for (const name of tensors.keys()) {
    if (!expected.has(name)) throw new CheckpointError(w, `unexpected tensor ${name}: not part of a GPT-2 (expected wte, wpe, h.N.*, ln_f)`);
  }
}

/** The multi-index of flat element `i` in a row-major tensor of `shape`. */
function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return idx;
}

/**
 * Normalise a parsed safetensors file's names (strip `transformer.`, drop the attention-mask
 * buffers and the tied `lm_head.weight`), validate them against the config, and convert to float32.
 */
export function paramsFromSafetensors(st: SafetensorsFile, config: GPT2Config, names: FileNames = DEFAULT_NAMES): Map<string, Param> {
  const w = names.weights;
  const kept = new Map<string, { shape: number[]; raw: string }>();
  let lmHead: number[] | undefined;
  for (const [raw, entry] of st.tensors) {
    const name = raw.startsWith('transformer.') ? raw.slice('transformer.'.length) : raw;
    if (name === 'lm_head.weight') {
      lmHead = entry.shape;
      continue;
    }
    if (IGNORED_BUFFER.test(name)) continue;
    const prev = kept.get(name);
    if (prev) throw new CheckpointError(w, `tensor ${name} appears twice (as ${prev.raw} and ${raw})`);
    kept.set(name, { shape: entry.shape, raw });
  }
  validateParams(config, kept, names);
  const wte = kept.get('wte.weight')!.shape;
  if (lmHead && !sameShape(lmHead, wte)) {
    throw new CheckpointError(w, `tensor lm_head.weight has shape ${shapeStr(lmHead)} but GPT-2 ties it to wte.weight ${shapeStr(wte)}`);
  }
  const params = new Map<string, Param>();
  for (const name of expectedShapes(config).keys()) {
    const { shape, raw } = kept.get(name)!;
    const data = toFloat32(st.tensors.get(raw)!);
    // A NaN or infinity would spread through every later layer and print NaN on the pages.
    const bad = firstNonFinite(data);
    if (bad >= 0) {
      const at = shape.length > 1 ? ` [${unravel(bad, shape).join(', ')}]` : '';
      throw new CheckpointError(w, `tensor ${raw} holds ${data[bad]} at element ${bad}${at}: weights must be finite numbers`);
    }
    params.set(name, { shape, data });
  }
  return params;
}

// The weights' checksum (FNV-1a over names and float32 bits) lives with its check against the backend.
export { weightsChecksum } from './weights-checksum.ts';

// ---------------------------------------------------------------------------------------------
// Sources

type FileName = 'config.json' | 'model.safetensors' | 'vocab.json' | 'merges.txt';

type Reader = (file: FileName, signal: AbortSignal) => Promise<Uint8Array>;

interface Resolved {
  label: string; // how messages refer to the folder
  path: (file: FileName) => string; // how messages refer to one file
  read: Reader;
  /** model.safetensors, parsed; where the source allows, its header is checked before the weights are read. */
  readWeights?: (signal: AbortSignal) => Promise<{ file: SafetensorsFile; bytes: number }>;
}

const isNode = (): boolean => typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';

const isHttpUrl = (s: string): boolean => {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
};

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

function fromUrl(base: string, opts: LoadOptions): Resolved {
  const root = base.replace(/\/+$/, '');
  const f = opts.fetch ?? globalThis.fetch.bind(globalThis);
  const path = (file: FileName) => `${root}/${file}`;
  return {
    label: root,
    path,
    async read(file, signal) {
      const url = path(file);
      let res: Response;
      try {
        res = await f(url, { signal });
      } catch (e) {
        if (signal.aborted) throw abortReason(signal);
        throw new CheckpointError(url, `GET ${url} failed: ${(e as Error).message}`);
      }
      if (!res.ok) {
        const status = `GET ${url} → ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
        if (res.status === 404) throw new CheckpointError(url, `model folder ${root} has no ${file} (${status})`);
        throw new CheckpointError(url, status);
      }
      // Content-Length counts compressed bytes when the server compresses, so it is no total then.
      const len = Number(res.headers.get('content-length'));
      const enc = res.headers.get('content-encoding');
      const total = Number.isSafeInteger(len) && len > 0 && (!enc || enc === 'identity') ? len : undefined;
      // A server's word is no allocation size: nothing larger than the loader can hold is accepted.
      const cap = MAX_SAFETENSORS_BYTES;
      if (total !== undefined && total > cap) {
        await res.body?.cancel().catch(() => {});
        throw new CheckpointError(url, `the server says the file is ${(total / 2 ** 30).toFixed(1)} GiB, more than the ${(cap / 2 ** 30).toFixed(1)} GiB a GPT-2 model file can be; refused`);
      }
      if (!res.body) {
        const buf = new Uint8Array(await res.arrayBuffer());
        opts.onProgress?.({ file, loaded: buf.byteLength, total: buf.byteLength });
        return buf;
      }
      const reader = res.body.getReader();
      // Preallocate when the size is known, so a 500 MB download is not held twice.
      let buf = new Uint8Array(total ?? 1 << 16);
      let loaded = 0;
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          if (loaded + value.byteLength > buf.byteLength) {
            if (total !== undefined || loaded + value.byteLength > cap) {
              throw new CheckpointError(url, total !== undefined ? `the server sent more than the ${total} bytes it announced` : `the file grew past ${(cap / 2 ** 30).toFixed(1)} GiB${enc && enc !== 'identity' ? ` as its ${enc} body expanded` : ''}; refused`);
            }
            const grown = new Uint8Array(Math.min(cap, Math.max(buf.byteLength * 2, loaded + value.byteLength)));
            grown.set(buf.subarray(0, loaded));
            buf = grown;
          }
          buf.set(value, loaded);
          loaded += value.byteLength;
          opts.onProgress?.({ file, loaded, total });
        }
      } catch (e) {
        await reader.cancel().catch(() => {});
        if (e instanceof CheckpointError) throw e;
        if (signal.aborted) throw abortReason(signal);
        throw new CheckpointError(url, `GET ${url} failed after ${loaded} bytes: ${(e as Error).message}`);
      }
      if (total !== undefined && loaded < total) {
        throw new CheckpointError(url, `truncated download: got ${loaded} of ${total} bytes`);
      }
      return loaded === buf.byteLength ? buf : buf.subarray(0, loaded);
    },
  };
}

async function fromDirectory(dirArg: string, opts: LoadOptions): Promise<Resolved> {
  const fs = await nodeBuiltin('node:fs/promises');
  const { constants } = await nodeBuiltin('node:fs');
  const pathMod = await nodeBuiltin('node:path');
  let dir = dirArg;
  if (dir.startsWith('file:')) dir = (await nodeBuiltin('node:url')).fileURLToPath(dir);
  const path = (file: FileName) => pathMod.join(dir, file);

  /** Open a regular file; anything else (a FIFO, a device, a folder) is refused before it can block. */
  async function open(file: FileName) {
    const p = path(file);
    const info = await fs.stat(p).catch(async (e: unknown) => {
      const code = (e as { code?: string }).code;
      if (code === 'ENOENT') {
        const dirExists = await fs.stat(dir).then((s) => s.isDirectory(), () => false);
        throw new CheckpointError(p, dirExists ? `model folder ${dir} has no ${file}` : `model folder ${dir} does not exist`);
      }
      throw new CheckpointError(p, `cannot open: ${(e as Error).message}`);
    });
    const kind = (s: typeof info) => (s.isFile() ? '' : s.isDirectory() ? 'a folder' : s.isFIFO() ? 'a named pipe (FIFO)' : s.isSocket() ? 'a socket' : 'a device or other special file');
    if (!info.isFile()) throw new CheckpointError(p, `is ${kind(info)}, not a regular file`);
    let fh: Awaited<ReturnType<typeof fs.open>>;
    try {
      // O_NONBLOCK: should the path turn into a FIFO after the check, opening it still cannot hang.
      fh = await fs.open(p, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    } catch (e) {
      throw new CheckpointError(p, `cannot open: ${(e as Error).message}`);
    }
    const now = await fh.stat();
    if (!now.isFile()) {
      await fh.close();
      throw new CheckpointError(p, `is ${kind(now)}, not a regular file`);
    }
    return { fh, p, size: now.size };
  }

  /** Fill buf[from..] with the file's bytes at the same offsets, in chunks (progress, abort, Node's 2 GB read limit). */
  async function fill(fh: Awaited<ReturnType<typeof fs.open>>, buf: Uint8Array, from: number, to: number, p: string, file: FileName, signal: AbortSignal) {
    const CHUNK = 16 << 20;
    let loaded = from;
    while (loaded < to) {
      if (signal.aborted) throw abortReason(signal);
      const { bytesRead } = await fh.read(buf, loaded, Math.min(CHUNK, to - loaded), loaded);
      if (bytesRead === 0) throw new CheckpointError(p, `file shrank while reading: got ${loaded} of ${buf.byteLength} bytes`);
      loaded += bytesRead;
      opts.onProgress?.({ file, loaded, total: buf.byteLength });
    }
  }

  return {
    label: dir,
    path,
    async read(file, signal) {
      const { fh, p, size } = await open(file);
      try {
        const buf = new Uint8Array(size);
        await fill(fh, buf, 0, size, p, file, signal);
        if (size === 0) opts.onProgress?.({ file, loaded: 0, total: 0 });
        return buf;
      } finally {
        await fh.close();
      }
    },
    async readWeights(signal) {
      const { fh, p, size } = await open('model.safetensors');
      try {
        // The 8-byte length, then the header, checked against the file's size before the weights are read.
        const first8 = new Uint8Array(Math.min(8, size));
        await fill(fh, first8, 0, first8.byteLength, p, 'model.safetensors', signal);
        const n = safetensorsHeaderLength(first8, size, p);
        const json = new Uint8Array(8 + n);
        json.set(first8);
        await fill(fh, json, 8, 8 + n, p, 'model.safetensors', signal);
        const layout = parseSafetensorsHeader(json.subarray(8), size, p);
        const buf = new Uint8Array(size);
        buf.set(json);
        await fill(fh, buf, 8 + n, size, p, 'model.safetensors', signal);
        return { file: fromLayout(layout, buf), bytes: size };
      } finally {
        await fh.close();
      }
    },
  };
}

/**
 * A file of a model folder by name among picked files: "config.json", or a dropped folder's
 * relative path such as "gpt2/config.json".
 */
export function findModelFile<T>(files: Record<string, T>, name: string): T | undefined {
  if (name in files) return files[name];
  const key = Object.keys(files).find((k) => k.endsWith(`/${name}`) || k.endsWith(`\\${name}`));
  return key === undefined ? undefined : files[key];
}

function fromMemory(files: Record<string, ArrayBuffer | Uint8Array | Blob | string>, opts: LoadOptions): Resolved {
  const label = '(in-memory files)';
  // Accept "config.json" and also "gpt2/config.json" (a dropped folder's relative paths).
  const find = (file: FileName) => findModelFile(files, file);
  return {
    label,
    path: (file) => file,
    async read(file, signal) {
      const v = find(file);
      if (v === undefined) throw new CheckpointError(file, `model folder ${label} has no ${file}`);
      if (signal.aborted) throw abortReason(signal);
      let buf: Uint8Array;
      if (typeof v === 'string') {
        if (file === 'model.safetensors') throw new CheckpointError(file, 'expected binary data (ArrayBuffer, Uint8Array or Blob), got a string');
        buf = new TextEncoder().encode(v);
      } else if (v instanceof Uint8Array) buf = v;
      else if (v instanceof ArrayBuffer) buf = new Uint8Array(v);
      else buf = new Uint8Array(await v.arrayBuffer());
      opts.onProgress?.({ file, loaded: buf.byteLength, total: buf.byteLength });
      return buf;
    },
    async readWeights(signal) {
      const v = find('model.safetensors');
      if (!(typeof Blob !== 'undefined' && v instanceof Blob)) {
        const buf = await this.read('model.safetensors', signal);
        return { file: parseSafetensors(buf, 'model.safetensors'), bytes: buf.byteLength };
      }
      // A picked file: read its header through slices, check it against the size, then the weights.
      const name = 'model.safetensors';
      const first8 = new Uint8Array(await v.slice(0, 8).arrayBuffer());
      const n = safetensorsHeaderLength(first8, v.size, name);
      const layout = parseSafetensorsHeader(new Uint8Array(await v.slice(8, 8 + n).arrayBuffer()), v.size, name);
      if (signal.aborted) throw abortReason(signal);
      const buf = new Uint8Array(await v.arrayBuffer());
      if (buf.byteLength !== v.size) throw new CheckpointError(name, `the file changed while reading: ${buf.byteLength} bytes, ${v.size} before`);
      opts.onProgress?.({ file: name, loaded: buf.byteLength, total: buf.byteLength });
      return { file: fromLayout(layout, buf), bytes: buf.byteLength };
    },
  };
}

function decodeText(buf: Uint8Array, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    throw new CheckpointError(file, 'is not valid UTF-8 text');
  }
}

function parseJson(buf: Uint8Array, file: string): unknown {
  const text = decodeText(buf, file);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CheckpointError(file, `not valid JSON (${(e as Error).message})`);
  }
}

/** Light checks on vocab.json: the tokenizer proper lives in tokenizer.ts. */
function checkVocab(json: unknown, config: GPT2Config, file: string, cfgFile: string): void {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new CheckpointError(file, 'expected a JSON object mapping token strings to ids');
  }
  for (const [tok, id] of Object.entries(json as Record<string, unknown>)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      throw new CheckpointError(file, `token ${JSON.stringify(tok)} has id ${JSON.stringify(id)}, expected a non-negative integer`);
    }
    if (id >= config.vocab_size) {
      throw new CheckpointError(file, `token ${JSON.stringify(tok)} has id ${id} but ${cfgFile} says vocab_size ${config.vocab_size} (ids must be < vocab_size)`);
    }
  }
}

/**
 * Load a model folder and validate it.
 *
 * @param source a base URL (`https://…/gpt2`, or any string in a browser/worker, resolved by
 *   fetch against the page), a local directory or `file:` URL (Node), or in-memory files
 * @param opts `fetch` to use, `onProgress` per file (bytes so far; `total` when known), `signal`
 *   to cancel (rejects with the signal's reason; every other failure is a CheckpointError)
 */
export async function loadModelFiles(source: ModelSource, opts: LoadOptions = {}): Promise<ModelFiles> {
  let src: Resolved;
  if (typeof source !== 'string') src = fromMemory(source.files, opts);
  else if (isHttpUrl(source) || !isNode()) src = fromUrl(source, opts);
  else src = await fromDirectory(source, opts);

  // One controller so that the first failure (say a bad config.json) cancels a 500 MB download.
  const ctrl = new AbortController();
  const onAbort = () => ctrl.abort(abortReason(opts.signal!));
  if (opts.signal?.aborted) throw abortReason(opts.signal);
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  const names: FileNames = { config: src.path('config.json'), weights: src.path('model.safetensors') };
  try {
    const [config, st, vocabBuf, mergesBuf] = await Promise.all([
      src.read('config.json', ctrl.signal).then((b) => parseConfig(parseJson(b, names.config), names.config)),
      src.readWeights
        ? src.readWeights(ctrl.signal)
        : src.read('model.safetensors', ctrl.signal).then((b) => ({ file: parseSafetensors(b, names.weights), bytes: b.byteLength })),
      src.read('vocab.json', ctrl.signal),
      src.read('merges.txt', ctrl.signal),
    ]);
    const vocabJson = decodeText(vocabBuf, src.path('vocab.json'));
    checkVocab(parseJson(vocabBuf, src.path('vocab.json')), config, src.path('vocab.json'), names.config);
    const mergesTxt = decodeText(mergesBuf, src.path('merges.txt'));
    const params = paramsFromSafetensors(st.file, config, names);
    const dtypes = [...new Set([...st.file.tensors.values()].map((t) => t.dtype))];
    return { config, params, vocabJson, mergesTxt, dtype: dtypes.join('+'), bytes: st.bytes };
  } catch (e) {
    ctrl.abort();
    if (opts.signal?.aborted) throw abortReason(opts.signal);
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError(src.label, (e as Error)?.message ?? String(e));
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
