/**
 * A byte-level BPE trainer that writes GPT-2-format `vocab.json` and `merges.txt`, so the
 * engine's Tokenizer (model/tokenizer.ts) loads a vocabulary trained here exactly as it loads
 * GPT-2's own.
 *
 * GPT-2's scheme: the text is cut into words by GPT-2's pre-tokenizer regex (merges never cross
 * a word boundary), each word's UTF-8 bytes become GPT-2's byte symbols, and the most frequent
 * adjacent pair of symbols is merged, again and again. Special tokens such as <|endoftext|> are
 * cut out first, so they are never counted, split or merged.
 *
 * Deterministic: ties in pair frequency go to the smallest pair by symbol strings (left symbol
 * first, then right, comparing UTF-16 code units, which for GPT-2's byte symbols — all below
 * U+0144 — is code point order). Nothing depends on Map/Set iteration order or on the machine.
 * (Pre-tokenising non-ASCII text uses the regex engine's Unicode tables, which follow the Node
 * version's Unicode release; ASCII text is unaffected.)
 *
 * Fast: words are counted once (unique words with multiplicity); a merge touches only the words
 * that contain its pair (an index pair → words), and the best pair comes from a max-heap with
 * lazy deletion, so no step scans all pairs.
 */

import { GPT2_SPLIT_REGEX, byteToSymbol, END_OF_TEXT } from '../model/tokenizer.ts';

/** Progress report, at most about a hundred times per training. */
export interface BPEProgress {
  merges: number; // merges learned so far
  totalMerges: number; // merges needed for the requested vocabulary (an upper bound when duplicates occur)
  lastMerge: [string, string]; // the pair merged most recently
  frequency: number; // how often that pair occurred when it was merged
}

/** Options for trainBPE(). */
export interface BPEOptions {
  vocabSize: number; // total vocabulary: 256 byte tokens + merged tokens + special tokens
  specialTokens?: string[]; // added last, never split or merged (default ['<|endoftext|>'])
  minFrequency?: number; // a pair must occur at least this often to be merged (default 2)
  onProgress?: (p: BPEProgress) => void;
}

/** A trained vocabulary, as files and as data. */
export interface BPEResult {
  vocabJson: string; // vocab.json text: token → id in id order (GPT-2's layout, non-ASCII escaped)
  mergesTxt: string; // merges.txt text: "#version: 0.2" then one "left right" per line, in rank order
  merges: [string, string][]; // the merges in rank order
  vocab: Record<string, number>; // token → id (a plain object: integer-like keys iterate first)
}

/** The 256 byte symbols in GPT-2's id order (encoder.json ids 0..255): ascending code point. */
function byteSymbolsInGpt2Order(): string[] {
  const symbols = Array.from({ length: 256 }, (_, b) => byteToSymbol(b));
  return symbols.sort((a, b) => a.charCodeAt(0) - b.charCodeAt(0));
}

const PAIR_BASE = 1 << 21; // pair key = left * PAIR_BASE + right; exact in a double for ids < 2^21

/** A max-heap of (count, pair) with the tie rule; stale entries are skipped when popped. */
class PairHeap {
  private counts: number[] = [];
  private pairs: number[] = [];

  constructor(private readonly better: (ca: number, pa: number, cb: number, pb: number) => boolean) {}

  get size(): number {
    return this.counts.length;
  }

  push(count: number, pair: number): void {
    const c = this.counts;
    const p = this.pairs;
    let i = c.length;
    c.push(count);
    p.push(pair);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.better(c[i], p[i], c[parent], p[parent])) break;
      [c[i], c[parent]] = [c[parent], c[i]];
      [p[i], p[parent]] = [p[parent], p[i]];
      i = parent;
    }
  }

  /** Remove the top; returns [count, pair]. */
  pop(): [number, number] {
    const c = this.counts;
    const p = this.pairs;
    const top: [number, number] = [c[0], p[0]];
    const lastC = c.pop() as number;
    const lastP = p.pop() as number;
    if (c.length > 0) {
      c[0] = lastC;
      p[0] = lastP;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < c.length && this.better(c[l], p[l], c[m], p[m])) m = l;
        if (r < c.length && this.better(c[r], p[r], c[m], p[m])) m = r;
        if (m === i) break;
        [c[i], c[m]] = [c[m], c[i]];
        [p[i], p[m]] = [p[m], p[i]];
        i = m;
      }
    }
    return top;
  }
}

/** Python's json.dumps(ensure_ascii=True) spelling of a string, as in GPT-2's encoder.json. */
function jsonAscii(s: string): string {
  return JSON.stringify(s).replace(/[\u0080-\uffff]/g, (ch) => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0'));
}

/**
 * Train a GPT-2-style byte-level BPE vocabulary on `text` (one string, or several documents).
 *
 * Ids: the 256 byte symbols first, in GPT-2's order; then each merged token in the order it was
 * learned; then the special tokens. Should two merges spell the same token (possible in BPE, rare),
 * the second is still written to merges.txt but reuses the first one's id, so the vocabulary has
 * exactly `vocabSize` entries.
 * @throws Error for empty text, a non-integer vocabSize, vocabSize below 257 + specials,
 *   bad special tokens, or a vocabSize larger than the corpus supports
 */
export function trainBPE(text: string | string[], { vocabSize, specialTokens = [END_OF_TEXT], minFrequency = 2, onProgress }: BPEOptions): BPEResult {
  if (!Number.isInteger(vocabSize)) throw new Error(`vocabSize must be an integer, got ${vocabSize}`);
  if (!Number.isInteger(minFrequency) || minFrequency < 1) throw new Error(`minFrequency must be a positive integer, got ${minFrequency}`);
  const specials = [...specialTokens];
  for (const s of specials) if (typeof s !== 'string' || s === '') throw new Error('special tokens must be non-empty strings');
  if (new Set(specials).size !== specials.length) throw new Error(`special tokens repeat: ${JSON.stringify(specials)}`);
  const minVocab = 257 + specials.length;
  if (vocabSize < minVocab) {
    throw new Error(`vocabSize ${vocabSize} is too small: 256 byte tokens + ${specials.length} special token(s) + at least one merge need vocab_size ≥ ${minVocab}`);
  }
  if (vocabSize - specials.length >= PAIR_BASE) throw new Error(`vocabSize ${vocabSize} is too large (at most ${PAIR_BASE - 1 + specials.length})`);
  const docs = typeof text === 'string' ? [text] : text;
  if (!docs.every((d) => typeof d === 'string')) throw new Error('text must be a string or an array of strings');

  // 1. Count words. Special tokens are cut out first so their characters are never counted.
  const wordIndex = new Map<string, number>();
  const wordFreq: number[] = [];
  const wordTexts: string[] = [];
  const specialSplit = specials.length > 0 ? new RegExp(specials.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g') : null;
  for (const doc of docs) {
    const chunks = specialSplit ? doc.split(specialSplit) : [doc];
    for (const chunk of chunks) {
      for (const m of chunk.matchAll(GPT2_SPLIT_REGEX)) {
        const w = m[0];
        const idx = wordIndex.get(w);
        if (idx === undefined) {
          wordIndex.set(w, wordFreq.length);
          wordFreq.push(1);
          wordTexts.push(w);
        } else wordFreq[idx]++;
      }
    }
  }
  if (wordFreq.length === 0) throw new Error('the text is empty (nothing to train on once special tokens are removed)');

  // 2. Words as arrays of symbol ids (ids are final vocab ids: the byte order above).
  const tokens = byteSymbolsInGpt2Order();
  const idOf = new Map<string, number>(tokens.map((t, i) => [t, i]));
  const byteId = Array.from({ length: 256 }, (_, b) => idOf.get(byteToSymbol(b)) as number);
  const encoder = new TextEncoder();
  const words: number[][] = wordTexts.map((w) => Array.from(encoder.encode(w), (b) => byteId[b]));

  // 3. Pair counts and the index pair → words containing it (entries may go stale; checked on use).
  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  for (let w = 0; w < words.length; w++) {
    const sym = words[w];
    const f = wordFreq[w];
    for (let i = 0; i + 1 < sym.length; i++) {
      const key = sym[i] * PAIR_BASE + sym[i + 1];
      pairCount.set(key, (pairCount.get(key) ?? 0) + f);
      let set = pairWords.get(key);
      if (set === undefined) pairWords.set(key, (set = new Set()));
      set.add(w);
    }
  }

  // Higher count first; on a tie, the smaller (left, right) by symbol strings.
  const better = (ca: number, pa: number, cb: number, pb: number): boolean => {
    if (ca !== cb) return ca > cb;
    const la = tokens[Math.floor(pa / PAIR_BASE)];
    const lb = tokens[Math.floor(pb / PAIR_BASE)];
    if (la !== lb) return la < lb;
    return tokens[pa % PAIR_BASE] < tokens[pb % PAIR_BASE];
  };
  const heap = new PairHeap(better);
  // Pushed in key order so the heap's internal layout is the same on every run.
  for (const key of [...pairCount.keys()].sort((a, b) => a - b)) heap.push(pairCount.get(key) as number, key);

  // 4. Merge until the vocabulary (without specials) is full.
  const targetTokens = vocabSize - specials.length;
  const totalMerges = targetTokens - 256;
  const merges: [string, string][] = [];
  const progressEvery = Math.max(1, Math.floor(totalMerges / 100));
  while (tokens.length < targetTokens) {
    let best = -1;
    let bestCount = 0;
    while (heap.size > 0) {
      const [count, key] = heap.pop();
      if (pairCount.get(key) === count) {
        best = key;
        bestCount = count;
        break;
      }
    }
    if (best < 0 || bestCount < minFrequency) {
      const supported = tokens.length + specials.length;
      throw new Error(
        `the corpus supports only ${merges.length} merges; choose vocab_size ≤ ${supported} ` +
          `(asked for ${vocabSize}; a merge needs a pair that occurs at least ${minFrequency} times), or give more text`,
      );
    }
    const a = Math.floor(best / PAIR_BASE);
    const b = best % PAIR_BASE;
    const merged = tokens[a] + tokens[b];
    let c = idOf.get(merged);
    if (c === undefined) {
      c = tokens.length;
      tokens.push(merged);
      idOf.set(merged, c);
    }
    merges.push([tokens[a], tokens[b]]);

    // Rewrite each word holding the pair: subtract its old pairs, merge left to right (as the
    // Tokenizer does), add its new pairs. Words are short, so whole-word updates are cheap and
    // get overlapping cases ("a a a") right without special handling.
    const touched = new Set<number>();
    const holders = pairWords.get(best) as Set<number>;
    pairWords.delete(best);
    for (const w of holders) {
      const sym = words[w];
      let found = false;
      for (let i = 0; i + 1 < sym.length; i++) {
        if (sym[i] === a && sym[i + 1] === b) {
          found = true;
          break;
        }
      }
      if (!found) continue; // stale index entry: an earlier merge already consumed the pair here
      const f = wordFreq[w];
      for (let i = 0; i + 1 < sym.length; i++) {
        const key = sym[i] * PAIR_BASE + sym[i + 1];
        pairCount.set(key, (pairCount.get(key) as number) - f);
        touched.add(key);
      }
      const out: number[] = [];
      for (let i = 0; i < sym.length; ) {
        if (i + 1 < sym.length && sym[i] === a && sym[i + 1] === b) {
          out.push(c);
          i += 2;
        } else out.push(sym[i++]);
      }
      words[w] = out;
      for (let i = 0; i + 1 < out.length; i++) {
        const key = out[i] * PAIR_BASE + out[i + 1];
        pairCount.set(key, (pairCount.get(key) ?? 0) + f);
        touched.add(key);
        let set = pairWords.get(key);
        if (set === undefined) pairWords.set(key, (set = new Set()));
        set.add(w);
      }
    }
    pairCount.delete(best);
    touched.delete(best);
    for (const key of [...touched].sort((x, y) => x - y)) {
      const n = pairCount.get(key) as number;
      if (n > 0) heap.push(n, key);
      else {
        pairCount.delete(key);
        pairWords.delete(key);
      }
    }
    if (onProgress && (merges.length % progressEvery === 0 || tokens.length === targetTokens)) {
      onProgress({ merges: merges.length, totalMerges, lastMerge: merges[merges.length - 1], frequency: bestCount });
    }
  }

  // 5. Special tokens last; then the files.
  for (const s of specials) {
    if (idOf.has(s)) throw new Error(`special token ${JSON.stringify(s)} is also a learned token; choose another spelling`);
    idOf.set(s, tokens.length);
    tokens.push(s);
  }
  const vocab: Record<string, number> = {};
  tokens.forEach((t, i) => (vocab[t] = i));
  // Built by hand: JSON.stringify(vocab) would list integer-like tokens ("0", "10") first.
  const vocabJson = '{' + tokens.map((t, i) => `${jsonAscii(t)}: ${i}`).join(', ') + '}';
  const mergesTxt = '#version: 0.2\n' + merges.map(([l, r]) => `${l} ${r}\n`).join('');
  return { vocabJson, mergesTxt, merges, vocab };
}
