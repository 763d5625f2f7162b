/**
 * GPT-2's byte-level BPE tokenizer, from a model folder's vocab.json and merges.txt.
 *
 * Text → UTF-8 bytes → one printable symbol per byte (GPT-2's bytes_to_unicode table, so the
 * vocabulary can be stored as JSON strings) → pre-token words (GPT-2's regex) → BPE merges in
 * rank order within each word → ids. Decoding runs the same tables backwards; because a token
 * may end in the middle of a UTF-8 character, pieces are also offered as raw bytes.
 *
 * Pure TypeScript with no DOM and no Node built-ins (TextEncoder/TextDecoder are globals in the
 * browser, Web Workers and Node), so it runs wherever the engine runs.
 */

import { CheckpointError } from './config.ts';

/** The text GPT-2 uses to separate documents; recognised in input as one special token. */
export const END_OF_TEXT = '<|endoftext|>';

/** GPT-2's pre-tokenizer: contractions, letter runs, digit runs, other runs, whitespace. */
export const GPT2_SPLIT_REGEX = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/**
 * GPT-2's bytes_to_unicode: printable Latin-1 bytes stand for themselves, the other 68 bytes
 * (control characters, space, soft hyphen, …) are moved to U+0100 onwards so every symbol is
 * visible and no token string contains whitespace. That is why " the" is spelled "Ġthe".
 */
function buildByteTables(): { byteToChar: string[]; charToByte: Map<string, number> } {
  const byteToChar: string[] = new Array(256);
  let next = 256;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    byteToChar[b] = String.fromCharCode(printable ? b : next++);
  }
  const charToByte = new Map<string, number>();
  byteToChar.forEach((c, b) => charToByte.set(c, b));
  return { byteToChar, charToByte };
}

const { byteToChar: BYTE_TO_CHAR, charToByte: CHAR_TO_BYTE } = buildByteTables();

/** The symbol GPT-2's vocabulary uses for one byte, e.g. 0x20 → "Ġ", 0x0A → "Ċ". */
export function byteToSymbol(byte: number): string {
  if (!Number.isInteger(byte) || byte < 0 || byte > 255) throw new RangeError(`byte ${byte} is not in 0..255`);
  return BYTE_TO_CHAR[byte];
}

const utf8Encoder = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF as text: by default TextDecoder drops it, so decode(encode(s))
// would lose it, and the joiner would drop one from every piece that starts with it.
// Non-fatal: invalid bytes become U+FFFD, as every GPT-2 decode does.
const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** One merge applied to a word during BPE. */
export interface MergeStep {
  pair: [string, string]; // the adjacent symbols joined, in vocab spelling (e.g. "Ġ", "t")
  rank: number; // the merge's priority: its 0-based line in merges.txt after the #version header
  positions: number[]; // indices in the previous symbol list where the pair started (all merged at once)
  symbols: string[]; // the word's symbols after this merge
}

/** How one pre-token word became tokens. */
export interface WordSteps {
  text: string; // the word as it appears in the input, e.g. " hello"
  bytes: Uint8Array; // its UTF-8 bytes
  initial: string[]; // one symbol per byte before any merge (for a special token: the token itself)
  steps: MergeStep[]; // merges in the order applied; ranks increase for a trained merges.txt
  ids: number[]; // the word's final token ids
  special: boolean; // true for <|endoftext|>, which skips BPE
}

/** The full account of encode(): every word's merges, and the ids encode() returns. */
export interface EncodeSteps {
  words: WordSteps[]; // in input order; concatenating their text gives the input back
  ids: number[]; // identical to encode(text)
}

/** One token seen on its own, with its bytes kept honest. */
export interface TokenPiece {
  text: string; // decoded text; bytes that are not complete UTF-8 are written as <0xE4> etc.
  bytes: Uint8Array; // the token's raw bytes
  complete: boolean; // true when the bytes are complete, valid UTF-8 on their own
}

/** What Utf8Joiner.push() releases. */
export interface JoinedText {
  text: string; // newly completed text (may be ""); concatenated pushes plus flush() equal decode(ids)
  pending: Uint8Array; // bytes that start a character still waiting for its remaining bytes
}

/**
 * Classify the UTF-8 sequence starting at `i` (WHATWG rules: no overlongs, surrogates or values
 * above U+10FFFF). Returns its length if complete and valid, 0 if `bytes[i]` cannot start a
 * valid sequence here, or -k if the last k bytes of the buffer are a valid but unfinished start.
 */
function utf8SequenceAt(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i];
  if (b0 < 0x80) return 1;
  let need: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) need = 1;
  else if (b0 >= 0xe0 && b0 <= 0xef) {
    need = 2;
    if (b0 === 0xe0) lo = 0xa0;
    else if (b0 === 0xed) hi = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    need = 3;
    if (b0 === 0xf0) lo = 0x90;
    else if (b0 === 0xf4) hi = 0x8f;
  } else return 0;
  for (let k = 1; k <= need; k++) {
    if (i + k >= bytes.length) return -k;
    const c = bytes[i + k];
    if (c < lo || c > hi) return 0;
    lo = 0x80;
    hi = 0xbf;
  }
  return need + 1;
}

function hexByte(b: number): string {
  return `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
}

/**
 * Write bytes as text, keeping valid UTF-8 as characters and every other byte as `<0xHH>`,
 * so a partial character is shown for what it is rather than as U+FFFD.
 */
export function bytesToReadable(bytes: Uint8Array): string {
  let out = '';
  let runStart = 0;
  let i = 0;
  while (i < bytes.length) {
    const n = utf8SequenceAt(bytes, i);
    if (n > 0) {
      i += n;
      continue;
    }
    out += utf8Decoder.decode(bytes.subarray(runStart, i)) + hexByte(bytes[i]);
    i += 1;
    runStart = i;
  }
  return out + utf8Decoder.decode(bytes.subarray(runStart, i));
}

/** Offset where a valid-but-unfinished UTF-8 sequence ends the buffer, or the length if none does. */
function unfinishedTailStart(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const n = utf8SequenceAt(bytes, i);
    if (n < 0) return i;
    i += n > 0 ? n : 1;
  }
  return bytes.length;
}

/** Anything that can give a token's raw bytes (a Tokenizer, or a stub in tests). */
export interface TokenBytesSource {
  tokenBytes(id: number): Uint8Array; // raw bytes of one token
}

/**
 * Joins generated tokens into text one at a time. A token can end halfway through a character
 * (GPT-2 spends 2–3 tokens on many Chinese characters), so text is released only once the bytes
 * complete a character; until then the bytes wait in `pending` for the page to show as bytes.
 * Bytes that can never become valid UTF-8 are released as U+FFFD, exactly as decode() does.
 */
export class Utf8Joiner {
  private buffered: Uint8Array = new Uint8Array(0);

  constructor(private readonly source: TokenBytesSource) {}

  /** Add one token; returns the text it completes and the bytes still waiting. */
  push(id: number): JoinedText {
    return this.pushBytes(this.source.tokenBytes(id));
  }

  /** Add raw bytes directly (what push() does after looking the token up). */
  pushBytes(bytes: Uint8Array): JoinedText {
    const all = new Uint8Array(this.buffered.length + bytes.length);
    all.set(this.buffered, 0);
    all.set(bytes, this.buffered.length);
    const cut = unfinishedTailStart(all);
    this.buffered = all.slice(cut);
    return { text: utf8Decoder.decode(all.subarray(0, cut)), pending: this.buffered.slice() };
  }

  /** Bytes waiting for the rest of their character. */
  get pending(): Uint8Array {
    return this.buffered.slice();
  }

  /** End of stream: release any waiting bytes (as U+FFFD, like decode()) and start afresh. */
  flush(): string {
    const text = utf8Decoder.decode(this.buffered);
    this.buffered = new Uint8Array(0);
    return text;
  }

  /** Drop waiting bytes without releasing them (e.g. when the reader presses Reset). */
  reset(): void {
    this.buffered = new Uint8Array(0);
  }
}

/** Word caches grow with the variety of text seen; past this many entries the cache restarts. */
const MAX_CACHE_ENTRIES = 100_000;

/** GPT-2's byte-level BPE tokenizer. */
export class Tokenizer {
  readonly eotId: number | undefined; // id of <|endoftext|>, or undefined if the vocab lacks it
  private readonly idToTok: string[];
  private readonly tokToId: Map<string, number>;
  private readonly ranks: Map<string, number>; // "left right" → rank; vocab symbols never contain a space
  private readonly flatBytes: Uint8Array; // all tokens' bytes back to back
  private readonly byteOffsets: Uint32Array; // token id's bytes are flatBytes[off[id], off[id+1])
  private readonly cache = new Map<string, number[]>();

  /**
   * Build from a parsed vocab.json and the text of merges.txt, validating both: ids must be
   * 0..N-1 without gaps or repeats, every byte must have its single-symbol token, and every
   * merge line must join two vocab tokens into a vocab token.
   * @throws CheckpointError naming vocab.json or merges.txt (with a line number) on bad input
   */
  constructor(vocab: Record<string, number>, merges: string) {
    if (vocab === null || typeof vocab !== 'object' || Array.isArray(vocab)) {
      throw new CheckpointError('vocab.json', 'expected a JSON object mapping token strings to integer ids');
    }
    const entries = Object.entries(vocab);
    if (entries.length === 0) throw new CheckpointError('vocab.json', 'the vocabulary is empty');
    const idToTok: string[] = new Array(entries.length);
    const tokToId = new Map<string, number>();
    for (const [tok, id] of entries) {
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
        throw new CheckpointError('vocab.json', `token ${JSON.stringify(tok)} has id ${JSON.stringify(id)}; ids must be non-negative integers`);
      }
      if (id >= entries.length) {
        throw new CheckpointError('vocab.json', `token ${JSON.stringify(tok)} has id ${id}, but ${entries.length} tokens need ids 0..${entries.length - 1} with no gaps`);
      }
      if (idToTok[id] !== undefined) {
        throw new CheckpointError('vocab.json', `id ${id} is given to both ${JSON.stringify(idToTok[id])} and ${JSON.stringify(tok)}`);
      }
      idToTok[id] = tok;
      tokToId.set(tok, id);
    }
    for (let b = 0; b < 256; b++) {
      if (!tokToId.has(BYTE_TO_CHAR[b])) {
        throw new CheckpointError('vocab.json', `no token for byte 0x${b.toString(16).padStart(2, '0')} (symbol ${JSON.stringify(BYTE_TO_CHAR[b])}); byte-level BPE needs all 256`);
      }
    }
    this.idToTok = idToTok;
    this.tokToId = tokToId;
    this.eotId = tokToId.get(END_OF_TEXT);
    this.ranks = parseMerges(merges, tokToId);

    // Precomputed so decode() and the tick loop's per-token lookups are plain copies.
    const perToken = idToTok.map(tokenStringToBytes);
    const offsets = new Uint32Array(perToken.length + 1);
    perToken.forEach((b, id) => (offsets[id + 1] = offsets[id] + b.length));
    const flat = new Uint8Array(offsets[perToken.length]);
    perToken.forEach((b, id) => flat.set(b, offsets[id]));
    this.flatBytes = flat;
    this.byteOffsets = offsets;
  }

  /**
   * Parse the two files of a Hugging Face GPT-2 folder.
   * @throws CheckpointError naming the file and what is wrong with it
   */
  static fromFiles(vocabJsonText: string, mergesText: string): Tokenizer {
    let vocab: unknown;
    try {
      vocab = JSON.parse(vocabJsonText);
    } catch (e) {
      throw new CheckpointError('vocab.json', `not valid JSON (${(e as Error).message})`);
    }
    return new Tokenizer(vocab as Record<string, number>, mergesText);
  }

  /** Number of token ids (0..vocabSize-1). */
  get vocabSize(): number {
    return this.idToTok.length;
  }

  /** The token's vocab spelling, e.g. "Ġthe" for " the". */
  idToToken(id: number): string {
    this.checkId(id);
    return this.idToTok[id];
  }

  /** The id of a vocab spelling, or undefined if the vocab has no such token. */
  tokenToId(token: string): number | undefined {
    return this.tokToId.get(token);
  }

  /** Token ids for `text`; each "<|endoftext|>" becomes the special token when the vocab has it. */
  encode(text: string): number[] {
    const ids: number[] = [];
    for (const [chunk, isSpecial] of this.splitSpecial(text)) {
      if (isSpecial) {
        ids.push(this.eotId as number);
        continue;
      }
      for (const m of chunk.matchAll(GPT2_SPLIT_REGEX)) {
        const word = m[0];
        let wordIds = this.cache.get(word);
        if (wordIds === undefined) {
          wordIds = this.bpe(wordSymbols(word)).map((s) => this.tokToId.get(s) as number);
          if (this.cache.size >= MAX_CACHE_ENTRIES) this.cache.clear();
          this.cache.set(word, wordIds);
        }
        for (const id of wordIds) ids.push(id);
      }
    }
    return ids;
  }

  /** Like encode(), but records each word's bytes, starting symbols and every merge in order. */
  encodeWithSteps(text: string): EncodeSteps {
    const words: WordSteps[] = [];
    const ids: number[] = [];
    for (const [chunk, isSpecial] of this.splitSpecial(text)) {
      if (isSpecial) {
        const id = this.eotId as number;
        words.push({ text: chunk, bytes: utf8Encoder.encode(chunk), initial: [chunk], steps: [], ids: [id], special: true });
        ids.push(id);
        continue;
      }
      for (const m of chunk.matchAll(GPT2_SPLIT_REGEX)) {
        const word = m[0];
        const bytes = utf8Encoder.encode(word);
        const initial = Array.from(bytes, (b) => BYTE_TO_CHAR[b]);
        const steps: MergeStep[] = [];
        const symbols = this.bpe(initial.slice(), steps);
        const wordIds = symbols.map((s) => this.tokToId.get(s) as number);
        words.push({ text: word, bytes, initial, steps, ids: wordIds, special: false });
        for (const id of wordIds) ids.push(id);
      }
    }
    return { words, ids };
  }

  /** Text for a sequence of ids; bytes are joined first so characters split across tokens decode whole. */
  decode(ids: readonly number[]): string {
    let total = 0;
    for (const id of ids) {
      this.checkId(id);
      total += this.byteOffsets[id + 1] - this.byteOffsets[id];
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (const id of ids) {
      const piece = this.flatBytes.subarray(this.byteOffsets[id], this.byteOffsets[id + 1]);
      out.set(piece, at);
      at += piece.length;
    }
    return utf8Decoder.decode(out);
  }

  /** The raw bytes of one token (a fresh copy). */
  tokenBytes(id: number): Uint8Array {
    this.checkId(id);
    return this.flatBytes.slice(this.byteOffsets[id], this.byteOffsets[id + 1]);
  }

  /** One token as text if its bytes are whole UTF-8, otherwise with the loose bytes shown as <0xHH>. */
  tokenPiece(id: number): TokenPiece {
    const bytes = this.tokenBytes(id);
    try {
      return { text: strictDecoder.decode(bytes), bytes, complete: true };
    } catch {
      return { text: bytesToReadable(bytes), bytes, complete: false };
    }
  }

  private checkId(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.idToTok.length) {
      throw new RangeError(`token id ${id} is outside the vocabulary (valid ids are integers 0..${this.idToTok.length - 1})`);
    }
  }

  /** Split around <|endoftext|> when the vocab has it; otherwise the text is ordinary text. */
  private *splitSpecial(text: string): Generator<[string, boolean]> {
    if (this.eotId === undefined) {
      if (text) yield [text, false];
      return;
    }
    const parts = text.split(END_OF_TEXT);
    for (let i = 0; i < parts.length; i++) {
      if (i > 0) yield [END_OF_TEXT, true];
      if (parts[i]) yield [parts[i], false];
    }
  }

  /**
   * GPT-2's BPE loop: repeatedly find the adjacent pair with the lowest merge rank and join every
   * occurrence of it, left to right, until no adjacent pair has a rank. One step merges all
   * occurrences because GPT-2's encoder.py does, so the steps shown match the reference.
   */
  private bpe(symbols: string[], steps?: MergeStep[]): string[] {
    while (symbols.length > 1) {
      let best = Infinity;
      let left = '';
      let right = '';
      for (let i = 0; i < symbols.length - 1; i++) {
        const r = this.ranks.get(symbols[i] + ' ' + symbols[i + 1]);
        if (r !== undefined && r < best) {
          best = r;
          left = symbols[i];
          right = symbols[i + 1];
        }
      }
      if (best === Infinity) break;
      const merged: string[] = [];
      const positions: number[] = [];
      for (let i = 0; i < symbols.length; ) {
        if (i < symbols.length - 1 && symbols[i] === left && symbols[i + 1] === right) {
          positions.push(i);
          merged.push(left + right);
          i += 2;
        } else {
          merged.push(symbols[i]);
          i += 1;
        }
      }
      symbols = merged;
      steps?.push({ pair: [left, right], rank: best, positions, symbols: symbols.slice() });
    }
    return symbols;
  }
}

function wordSymbols(word: string): string[] {
  return Array.from(utf8Encoder.encode(word), (b) => BYTE_TO_CHAR[b]);
}

/**
 * A vocab string back to bytes. Characters outside the byte table (only possible in tokens
 * added by hand, never in GPT-2's own) stand for their UTF-8 bytes, so they decode as written.
 */
function tokenStringToBytes(tok: string): Uint8Array {
  const out: number[] = [];
  for (const ch of tok) {
    const b = CHAR_TO_BYTE.get(ch);
    if (b !== undefined) out.push(b);
    else for (const x of utf8Encoder.encode(ch)) out.push(x);
  }
  return Uint8Array.from(out);
}

/** merges.txt → rank map, validating each line against the vocab. */
function parseMerges(text: string, vocab: Map<string, number>): Map<string, number> {
  if (typeof text !== 'string') throw new CheckpointError('merges.txt', 'expected the text of merges.txt');
  const ranks = new Map<string, number>();
  const firstLine = new Map<string, number>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    if (i === 0 && line.startsWith('#version')) continue;
    if (line === '') {
      // Only trailing blank lines are harmless; a blank line in the middle would shift every rank.
      if (lines.slice(i + 1).every((l) => l === '' || l === '\r')) break;
      throw new CheckpointError('merges.txt', `line ${lineNo} is empty; expected "left right"`);
    }
    const parts = line.split(' ');
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
      throw new CheckpointError('merges.txt', `line ${lineNo} (${JSON.stringify(line)}) is not two tokens separated by one space`);
    }
    const [a, b] = parts;
    for (const p of [a, b]) {
      if (!vocab.has(p)) throw new CheckpointError('merges.txt', `line ${lineNo} (${JSON.stringify(line)}) uses ${JSON.stringify(p)}, which is not in vocab.json`);
    }
    if (!vocab.has(a + b)) {
      throw new CheckpointError('merges.txt', `line ${lineNo} (${JSON.stringify(line)}) produces ${JSON.stringify(a + b)}, which is not in vocab.json`);
    }
    const key = a + ' ' + b;
    const earlier = firstLine.get(key);
    if (earlier !== undefined) {
      throw new CheckpointError('merges.txt', `line ${lineNo} repeats the merge on line ${earlier} (${JSON.stringify(line)})`);
    }
    firstLine.set(key, lineNo);
    ranks.set(key, ranks.size);
  }
  return ranks;
}
