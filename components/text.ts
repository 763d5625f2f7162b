/**
 * Token text as a reader should see it, and how wide it will be drawn.
 *
 * Charts cannot measure text (no getBBox in Node, and measuring forces layout in the browser), so
 * widths are estimated for the monospace font the charts use: 0.6 em a character, 1 em for wide
 * (CJK, fullwidth, emoji) characters.
 */

/** The monospace stack every chart draws token text in (the width estimate assumes it). */
export const MONO = 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';

// Characters that would vanish or reorder the line: shown as a visible stand-in.
const VISIBLE: Record<string, string> = { ' ': '␣', '\n': '↵', '\t': '⇥', '\r': '␍', '\u007f': '␡', '\u00a0': '⍽' };
// Zero-width and bidirectional controls and the line/paragraph separators: they reorder, hide or
// break text, so they are spelled out.
const INVISIBLE = /[\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

/** Whitespace and control characters made visible: " the\n" → "␣the↵". */
export function visibleText(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (VISIBLE[ch] !== undefined) out += VISIBLE[ch];
    else if (c < 0x20) out += String.fromCodePoint(0x2400 + c); // the Control Pictures block: ␀ … ␟
    else if (INVISIBLE.test(ch)) out += `<U+${c.toString(16).toUpperCase().padStart(4, '0')}>`;
    else out += ch;
  }
  return out;
}

/** A piece of token text: plain text, or one `<0xE4>` byte of an incomplete UTF-8 character. */
export interface TextSegment {
  text: string;
  byte: boolean; // true for a `<0xE4>`-style byte that is not (yet) a whole character
}

/** Split tokenizer text ("<0xE4><0xB8>" for bytes of a half-written character) into segments. */
export function splitBytes(s: string): TextSegment[] {
  const out: TextSegment[] = [];
  let last = 0;
  for (const m of s.matchAll(/<0x[0-9A-Fa-f]{2}>/g)) {
    const at = m.index ?? 0;
    if (at > last) out.push({ text: s.slice(last, at), byte: false });
    out.push({ text: m[0], byte: true });
    last = at + m[0].length;
  }
  if (last < s.length) out.push({ text: s.slice(last), byte: false });
  return out;
}

function isWide(c: number): boolean {
  return (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) ||
    (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
    (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1faff) || (c >= 0x20000 && c <= 0x3fffd);
}

/** Estimated drawn width of `s` at `fontSize` px in the monospace font. */
export function textWidth(s: string, fontSize: number): number {
  let em = 0;
  for (const ch of s) em += isWide(ch.codePointAt(0) ?? 0) ? 1 : 0.6;
  return em * fontSize;
}

/** `s` cut to fit `maxWidth` px (estimated), ending in "…" when cut. */
export function truncate(s: string, maxWidth: number, fontSize: number): string {
  if (textWidth(s, fontSize) <= maxWidth) return s;
  let out = '';
  let w = textWidth('…', fontSize);
  for (const ch of s) {
    w += textWidth(ch, fontSize);
    if (w > maxWidth) break;
    out += ch;
  }
  return out + '…';
}
