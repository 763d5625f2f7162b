// Fuzz: the bundled model's model.safetensors, corrupted at random (seeded), fed to the loader.
// Every case ends in a correct load (every weight finite, the shapes of the config) or a
// CheckpointError whose message names the file and the problem — never a raw RangeError or
// TypeError, and never a hang (each case has 10 s).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModelFiles } from '../../model/checkpoint.ts';
import { CheckpointError } from '../../model/config.ts';
import { firstNonFinite } from '../../model/safetensors.ts';
import { mulberry32 } from '../../train/random-checkpoint.ts';

const dir = fileURLToPath(new URL('../../public/models/gutenberg-4m/', import.meta.url));
const CASES = 200;

type Mutation = (file: Uint8Array, rand: () => number) => { bytes: Uint8Array; what: string };

const int = (rand: () => number, n: number) => Math.floor(rand() * n);

function headerLength(file: Uint8Array): number {
  return new DataView(file.buffer, file.byteOffset).getUint32(0, true);
}

/** Replace the header's text (padded with spaces, or grown: the data section moves with it). */
function withHeader(file: Uint8Array, text: string): Uint8Array {
  const n = headerLength(file);
  const json = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + json.length + file.length - 8 - n);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(file.subarray(8 + n), 8 + json.length);
  return out;
}

const headerText = (file: Uint8Array) => new TextDecoder().decode(file.subarray(8, 8 + headerLength(file)));

const mutations: Mutation[] = [
  (f, r) => { // flip bits in the header
    const b = f.slice();
    const n = headerLength(f);
    for (let k = 0, m = 1 + int(r, 4); k < m; k++) b[8 + int(r, n)] ^= 1 << int(r, 8);
    return { bytes: b, what: 'header bits flipped' };
  },
  (f, r) => { // a random 64-bit header length
    const b = f.slice();
    const dv = new DataView(b.buffer);
    dv.setUint32(0, int(r, 2 ** 32), true);
    dv.setUint32(4, r() < 0.5 ? 0 : int(r, 2 ** 32), true);
    return { bytes: b, what: 'header length replaced' };
  },
  (f, r) => ({ bytes: f.slice(0, int(r, f.length)), what: 'truncated' }),
  (f, r) => { // bytes appended
    const b = new Uint8Array(f.length + 1 + int(r, 64));
    b.set(f);
    return { bytes: b, what: 'bytes appended' };
  },
  (f, r) => { // a number in the header changed (offsets, shapes)
    const t = headerText(f);
    const nums = [...t.matchAll(/\d+/g)];
    const m = nums[int(r, nums.length)];
    const choices = ['0', '1', String(Number(m[0]) + 2), String(Number(m[0]) - 2), '9007199254740993', '-1', '1e400', '4294967296'];
    return { bytes: withHeader(f, t.slice(0, m.index) + choices[int(r, choices.length)] + t.slice(m.index! + m[0].length)), what: `header number ${m[0]} changed` };
  },
  (f, r) => { // a structural edit of the header
    const t = headerText(f);
    const edits: [RegExp, string][] = [[/"F16"/, '"F32"'], [/"F16"/, '"I8"'], [/"shape":\[/, '"shape":[2,'], [/"data_offsets":\[\d+,\d+\]/, '"data_offsets":[0,0]'], [/\]\},/, ']},"extra":{"dtype":"F16","shape":[1],"data_offsets":[0,2]},'], [/"dtype"/, '"dtyp"'], [/\}\}$/, '}'], [/"h\.0\./, '"h.9.']];
    const [re, to] = edits[int(r, edits.length)];
    return { bytes: withHeader(f, t.replace(re, to)), what: `header edit ${re}` };
  },
  (f, r) => { // bits flipped in the weights (may make NaN/Inf in F16)
    const b = f.slice();
    const start = 8 + headerLength(f);
    for (let k = 0, m = 1 + int(r, 16); k < m; k++) b[start + int(r, f.length - start)] ^= 1 << int(r, 8);
    return { bytes: b, what: 'weight bits flipped' };
  },
  (f, r) => { // a run of 0xff (F16 NaN) in the weights
    const b = f.slice();
    const start = 8 + headerLength(f) + int(r, f.length - 8 - headerLength(f) - 4);
    b.fill(0xff, start, start + 2 + int(r, 3));
    return { bytes: b, what: 'NaN written into the weights' };
  },
];

test(`fuzz: ${CASES} corrupted copies of the bundled model load correctly or fail with a clear CheckpointError`, { timeout: 120_000 }, async () => {
  const [st, config, vocab, merges] = await Promise.all(['model.safetensors', 'config.json', 'vocab.json', 'merges.txt'].map((f) => readFile(join(dir, f))));
  const file = new Uint8Array(st);
  const rand = mulberry32(20261215);
  const counts = { loaded: 0, refused: 0 };
  const t0 = Date.now();
  for (let i = 0; i < CASES; i++) {
    const { bytes, what } = mutations[i % mutations.length](file, rand);
    const load = loadModelFiles({ files: { 'config.json': config, 'model.safetensors': bytes, 'vocab.json': vocab, 'merges.txt': merges } });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const hang = new Promise<never>((_, no) => (timer = setTimeout(() => no(new Error(`case ${i} (${what}) hung`)), 10_000)));
    const res = await Promise.race([load, hang]).then((m) => ({ m }), (e: unknown) => ({ e })).finally(() => clearTimeout(timer));
    if ('m' in res) {
      counts.loaded++;
      for (const [name, p] of res.m.params) assert.equal(firstNonFinite(p.data), -1, `case ${i} (${what}): ${name} loaded with a non-finite value`);
    } else {
      counts.refused++;
      const e = res.e;
      assert.ok(e instanceof CheckpointError, `case ${i} (${what}): expected a CheckpointError, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
      assert.match(e.message, /^(model\.safetensors|config\.json): \S/, `case ${i} (${what}): the message names the file (config.json when the tensors disagree with it)`);
      assert.doesNotMatch(e.message, /Invalid typed array length|Maximum call stack|undefined is not|Cannot read properties|out of memory/i, `case ${i} (${what}): ${e.message}`);
    }
  }
  assert.ok(counts.refused > CASES / 2 && counts.loaded > 0, JSON.stringify(counts));
  assert.ok(Date.now() - t0 < 60_000, `took ${Date.now() - t0} ms`);
});
