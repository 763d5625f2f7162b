/**
 * Equations typeset with KaTeX. Text from the model or the reader only ever enters an equation
 * through `texText`, which makes control characters visible and escapes every character TeX
 * treats specially, so a token is always shown as text and never read as a command, and any
 * string renders: a character KaTeX cannot take as it is (about 6,500 of them: "·", "∑", a
 * leading combining mark, private use…) is written as \char"XXXX, or spelled "<U+XXXX>" where
 * KaTeX has no such character at all.
 */
import katex from 'katex';
import { formatValue } from '../components/format.ts';
import { visibleText } from '../components/text.ts';

const SPECIAL: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '{': '\\{',
  '}': '\\}',
  '$': '\\$',
  '&': '\\&',
  '#': '\\#',
  '%': '\\%',
  '_': '\\_',
  '^': '\\textasciicircum{}',
  '~': '\\textasciitilde{}',
};

// How each non-ASCII character goes into \text{…}, learned from KaTeX itself the first time the
// character is met (one small parse), so the answer follows the installed KaTeX version.
const TEXT_FORM = new Map<number, string>();
const PROBE = { throwOnError: true, strict: 'ignore', trust: false, output: 'htmlAndMathml' } as const;

function parses(tex: string): boolean {
  try {
    katex.renderToString(`\\text{${tex}}`, PROBE);
    return true;
  } catch {
    return false;
  }
}

function textForm(ch: string, c: number): string {
  let form = TEXT_FORM.get(c);
  if (form === undefined) {
    const hex = c.toString(16).toUpperCase();
    const char = `{\\char"${hex}}`; // braces end the number: "{\char"2211}5" is ∑ then 5
    // A combining mark is always written as \char: as it is, KaTeX's lexer would join it to the
    // character before, and a mark over an arbitrary base is not something it can typeset.
    if (!/\p{M}/u.test(ch) && parses(ch)) form = ch;
    else if (parses(char)) form = char;
    else form = `<U+${hex.padStart(4, '0')}>`;
    TEXT_FORM.set(c, form);
  }
  return form;
}

/** `s` as a TeX \text{…} group: whitespace made visible, special characters escaped. */
export function texText(s: string): string {
  let out = '';
  for (const ch of visibleText(s)) {
    const c = ch.codePointAt(0) ?? 0;
    out += SPECIAL[ch] ?? (c < 0x80 ? ch : textForm(ch, c));
  }
  return `\\text{${out}}`;
}

/** A number as TeX, formatted like everywhere else (format.ts), "1.23e-5" written as 1.23 × 10⁻⁵. */
export function texNumber(x: number, format: (x: number) => string = formatValue): string {
  const s = format(x);
  const m = /^(-?[\d.]+)e([+-]?)(\d+)$/.exec(s);
  if (!m) return s === '—' ? '\\text{—}' : s;
  return `${m[1]} \\times 10^{${m[2] === '-' ? '-' : ''}${Number(m[3])}}`;
}

// The latest typeset equations of each document, by source: an equation's fixed parts (and any
// line whose numbers did not change) are typeset once and cloned after that (KaTeX takes
// milliseconds a line, on every tick otherwise).
const TYPESET_KEPT = 128;
const typeset = new WeakMap<Document, Map<string, HTMLElement>>();

/** Typeset `tex` into a new element of `doc` (display style unless `inline`). */
export function renderTex(tex: string, opts: { inline?: boolean; document?: Document } = {}): HTMLElement {
  const doc = opts.document ?? globalThis.document;
  let kept = typeset.get(doc);
  if (!kept) typeset.set(doc, (kept = new Map()));
  const key = `${opts.inline ? 'i' : 'd'}${tex}`;
  const hit = kept.get(key);
  if (hit) return hit.cloneNode(true) as HTMLElement;
  const el = typesetTex(tex, doc, opts.inline ?? false);
  kept.set(key, el.cloneNode(true) as HTMLElement);
  if (kept.size > TYPESET_KEPT) kept.delete(kept.keys().next().value!); // the oldest first
  return el;
}

function typesetTex(tex: string, doc: Document, inline: boolean): HTMLElement {
  const opts = { inline };
  const el = doc.createElement(opts.inline ? 'span' : 'div');
  el.className = opts.inline ? 'tex' : 'tex tex-display';
  katex.render(tex, el, { displayMode: !opts.inline, throwOnError: true, strict: 'ignore', trust: false, output: 'htmlAndMathml' });
  // A long equation scrolls sideways on a narrow screen; keyboard users must be able to scroll it too.
  if (!opts.inline) el.querySelector('.katex-display')?.setAttribute('tabindex', '0');
  return el;
}
