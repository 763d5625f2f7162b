/**
 * The reader's inputs, read and checked. Each parser turns what is in a field into a value or
 * refuses it with a message that says what is allowed; a refused value changes nothing
 * downstream (see `input` in runtime.ts).
 */
import { InputError } from './runtime.ts';

// C0 and C1 control characters other than tab, newline and carriage return, and DEL.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/; // eslint-disable-line no-control-regex

/** A prompt: not empty, no control characters (the token count is checked against the context by the engine). */
export function parsePrompt(text: string): string {
  if (text.trim() === '') throw new InputError('Type a prompt: the model needs some text to continue.');
  const m = CONTROL.exec(text);
  if (m) {
    const code = `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    throw new InputError(`The prompt contains a control character (${code}) at position ${m.index + 1}; remove it.`);
  }
  return text;
}

/** The prompt's token count against the context: the model needs room for at least one new token. */
export function checkPromptLength(tokens: number, nPositions: number): void {
  if (tokens > nPositions - 1) {
    throw new InputError(`The prompt is ${tokens} tokens; this model reads at most ${nPositions} and needs room for one more, so keep it to ${nPositions - 1}.`);
  }
}

/** A number field's text; `badInput` is what browsers report for text typed into type=number. */
function number(raw: string, badInput: boolean): number {
  if (badInput || raw.trim() === '') return NaN;
  return Number(raw);
}

/** Temperature T ≥ 0 (0 = greedy), at most 100. */
export function parseTemperature(raw: string, badInput = false): number {
  const t = number(raw, badInput);
  if (!Number.isFinite(t) || t < 0 || t > 100) {
    throw new InputError('Temperature must be a number from 0 (always the most likely token) to 100.');
  }
  return t;
}

/** Top-k: a whole number from 0 (off) to the vocabulary size. */
export function parseTopK(raw: string, vocabSize: number, badInput = false): number {
  const k = number(raw, badInput);
  if (!Number.isInteger(k) || k < 0 || k > vocabSize) {
    throw new InputError(`Top-k must be a whole number from 0 (off) to ${vocabSize}, the size of the vocabulary.`);
  }
  return k;
}

/** Top-p in (0, 1] (1 = off). */
export function parseTopP(raw: string, badInput = false): number {
  const p = number(raw, badInput);
  if (!Number.isFinite(p) || p <= 0 || p > 1) throw new InputError('Top-p must be a number above 0 and at most 1 (1 = off).');
  return p;
}

/** Seed: a whole number from 0 to 4294967295. */
export function parseSeed(raw: string, badInput = false): number {
  const s = number(raw, badInput);
  if (!Number.isInteger(s) || s < 0 || s > 4294967295) throw new InputError('Seed must be a whole number from 0 to 4294967295.');
  return s;
}

/** Layer or Head: a whole number from 0 to count − 1 (`what` names it in the message). */
export function parseIndex(what: 'Layer' | 'Head', raw: string, count: number, badInput = false): number {
  const i = number(raw, badInput);
  if (!Number.isInteger(i) || i < 0 || i >= count) {
    throw new InputError(`${what} must be a whole number from 0 to ${count - 1}: this model has ${count} ${what === 'Layer' ? 'layers' : 'heads'}.`);
  }
  return i;
}
