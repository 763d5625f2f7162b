/**
 * The reader's inputs, read and checked. Each parser turns what is in a field into a value or
 * refuses it with a message that says what is allowed; a refused value changes nothing
 * downstream (see `input` in runtime.ts).
 */
import { strings as ui } from './strings.ts';
import { InputError } from './runtime.ts';
import { LIMITS } from './url-state.ts';

// C0 and C1 control characters other than tab, newline and carriage return, and DEL.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/; // eslint-disable-line no-control-regex

/**
 * A prompt: not empty, no control characters, at most LIMITS.promptChars (the cap a shared link's
 * prompt has too, and the fields' maxlength); the token count is checked against the context by
 * the engine.
 */
export function parsePrompt(text: string): string {
  if (text.trim() === '') throw new InputError(ui('input.promptEmpty'));
  if (text.length > LIMITS.promptChars) throw new InputError(ui('input.promptChars', { chars: text.length, max: LIMITS.promptChars }));
  const m = CONTROL.exec(text);
  if (m) {
    const code = `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    throw new InputError(ui('input.promptControl', { code, position: m.index + 1 }));
  }
  return text;
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
    throw new InputError(ui('input.temperature'));
  }
  return t;
}

/** Top-k: a whole number from 0 (off) to the vocabulary size. */
export function parseTopK(raw: string, vocabSize: number, badInput = false): number {
  const k = number(raw, badInput);
  if (!Number.isInteger(k) || k < 0 || k > vocabSize) {
    throw new InputError(ui('input.topK', { max: vocabSize }));
  }
  return k;
}

/** Top-p in (0, 1] (1 = off). */
export function parseTopP(raw: string, badInput = false): number {
  const p = number(raw, badInput);
  if (!Number.isFinite(p) || p <= 0 || p > 1) throw new InputError(ui('input.topP'));
  return p;
}

/** Seed: a whole number from 0 to 4294967295. */
export function parseSeed(raw: string, badInput = false): number {
  const s = number(raw, badInput);
  if (!Number.isInteger(s) || s < 0 || s > 4294967295) throw new InputError(ui('input.seed'));
  return s;
}

/** Layer or Head: a whole number from 0 to count − 1 (`what` names it in the message). */
export function parseIndex(what: 'Layer' | 'Head', raw: string, count: number, badInput = false): number {
  return parseBelow(raw, count, badInput, () => ui(what === 'Layer' ? 'input.layer' : 'input.head', { last: count - 1, count }));
}

/** A whole number from 0 to count − 1 (a layer, a head, a position, a unit…), else `refusal()` as an InputError. */
export function parseBelow(raw: string, count: number, badInput: boolean, refusal: () => string): number {
  const i = number(raw, badInput);
  if (!Number.isInteger(i) || i < 0 || i >= count) throw new InputError(refusal());
  return i;
}

/** Play's speeds on offer, in ticks per second (0: as fast as the ticks run); the first, slow enough for a class to follow, is the default. */
export const PLAY_SPEEDS = [4, 1, 2, 10, 0] as const;

/** Play's pace from the speed list's value (ticks per second; anything else: the default). */
export function parseSpeed(raw: string): number {
  const n = Number(raw);
  return (PLAY_SPEEDS as readonly number[]).includes(n) && raw.trim() !== '' ? n : PLAY_SPEEDS[0];
}
