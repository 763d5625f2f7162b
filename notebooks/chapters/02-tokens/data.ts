/**
 * Chapter 2's data: the word shown first, characters vs bytes vs tokens, and tokens joined the way
 * the engine's tick loop joins them (text only once a character's bytes are complete). No DOM.
 */
import { formatByte } from '../../../components/format.ts';
import { Utf8Joiner } from '../../../model/tokenizer.ts';
import type { BpeWord, ResponseMap, TokenInfo } from '../../../engine/protocol.ts';

/** The Chinese example: "The weather is very good today", six characters. */
export const CHINESE_EXAMPLE = '今天天气很好';
/** The same sentence in English, for the comparison. */
export const ENGLISH_EXAMPLE = 'The weather is very good today.';

/** The engine's tokenizeSteps answer: the prompt's words, merge by merge. */
export type Steps = ResponseMap['tokenizeSteps'];

/** The word whose merges are shown first: the one with the most merges (the first of equals). */
export function defaultWord(words: BpeWord[]): number {
  let best = 0;
  words.forEach((w, i) => {
    if (w.steps.length > words[best].steps.length) best = i;
  });
  return best;
}

/** Characters (code points), UTF-8 bytes and tokens of a text. */
export interface Counts {
  label: string;
  text: string;
  characters: number;
  bytes: number;
  tokens: number;
}

export function counts(label: string, text: string, tokens: number): Counts {
  return { label, text, characters: [...text].length, bytes: new TextEncoder().encode(text).length, tokens };
}

/** One row of the joining table: a token, the text it completes and the bytes still waiting. */
export interface JoinRow {
  token: TokenInfo;
  released: string; // text this token completes ("" while a character is unfinished)
  pending: number[]; // bytes waiting for the rest of their character
}

/** Join tokens the way the engine's tick loop does: text only once a character's bytes are complete. */
export function joinTokens(tokens: TokenInfo[]): { rows: JoinRow[]; text: string } {
  const joiner = new Utf8Joiner({ tokenBytes: () => new Uint8Array(0) });
  const rows = tokens.map((t) => {
    const r = joiner.pushBytes(Uint8Array.from(t.bytes));
    return { token: t, released: r.text, pending: [...r.pending] };
  });
  const tail = joiner.flush();
  return { rows, text: rows.map((r) => r.released).join('') + tail };
}

/** Bytes as hex, space-separated. */
export const hex = (bytes: ArrayLike<number>) => Array.from(bytes, formatByte).join(' ');
