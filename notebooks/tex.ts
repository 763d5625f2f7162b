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

// A line whose numbers changed is typeset once per shape: its numbers are swapped for numbered
// placeholders (9, two digits, 9), that line is typeset and kept, and each later line of the same
// shape is a copy with the placeholders' text replaced by its numbers. Only numbers standing alone
// are swapped: not a digit after ^ or _ (x^3), after a letter (\tfrac12) or a quote (\char"2211),
// nor one followed by a letter (a length: 0.5em) or by ^ or _ (in 10^{-4} the power binds to the
// 0 alone). The first copy of each shape is checked against KaTeX's own typesetting of that line,
// element for element; a shape whose copy differs is never copied again.
const NUMBER = /(^|[^A-Za-z"_^\\\d.])(\d+(?:\.\d+)?)(?![\d.A-Za-z^_])/g;
const PLACEHOLDER = /9(\d\d)9/g;
const MAX_SLOTS = 90; // two digits, and the first below 9: a placeholder never starts inside another
interface Shape { el: HTMLElement; checked: boolean; ok: boolean }
const shapes = new WeakMap<Document, Map<string, Shape>>();

/** The line's shape (its standalone numbers as placeholders) and those numbers, or null if it has none. */
export function texShape(tex: string): { shape: string; numbers: string[] } | null {
  if (/9\d\d9/.test(tex)) return null; // digits that read as a placeholder (a token "x9019"): typeset as it is
  const numbers: string[] = [];
  const shape = tex.replace(NUMBER, (_, before: string, n: string) => `${before}9${String(numbers.push(n) - 1).padStart(2, '0')}9`);
  return numbers.length > 0 && numbers.length <= MAX_SLOTS ? { shape, numbers } : null;
}

/** A copy of a typeset shape with its placeholders replaced by `numbers`, and `tex` as its source. */
function fill(shape: HTMLElement, numbers: string[], tex: string): HTMLElement {
  const el = shape.cloneNode(true) as HTMLElement;
  const walk = (node: Node) => {
    if (node.nodeType === 3) {
      const text = node.nodeValue ?? '';
      if (text.includes('9')) node.nodeValue = text.replace(PLACEHOLDER, (m, k: string) => numbers[Number(k)] ?? m);
      return;
    }
    if ((node as Element).localName === 'annotation') {
      node.textContent = tex;
      return;
    }
    for (let c = node.firstChild; c; c = c.nextSibling) walk(c);
  };
  walk(el);
  return el;
}

/** Typeset `tex` into a new element of `doc` (display style unless `inline`). */
export function renderTex(tex: string, opts: { inline?: boolean; document?: Document } = {}): HTMLElement {
  const doc = opts.document ?? globalThis.document;
  const inline = opts.inline ?? false;
  let kept = typeset.get(doc);
  if (!kept) typeset.set(doc, (kept = new Map()));
  const key = `${inline ? 'i' : 'd'}${tex}`;
  const hit = kept.get(key);
  if (hit) return hit.cloneNode(true) as HTMLElement;
  const el = typesetLine(tex, doc, inline);
  kept.set(key, el.cloneNode(true) as HTMLElement);
  if (kept.size > TYPESET_KEPT) kept.delete(kept.keys().next().value!); // the oldest first
  return el;
}

function typesetLine(tex: string, doc: Document, inline: boolean): HTMLElement {
  const line = texShape(tex);
  if (!line) return typesetTex(tex, doc, inline);
  let known = shapes.get(doc);
  if (!known) shapes.set(doc, (known = new Map()));
  const key = `${inline ? 'i' : 'd'}${line.shape}`;
  const shape = known.get(key);
  if (!shape) {
    known.set(key, { el: typesetTex(line.shape, doc, inline), checked: false, ok: true });
    if (known.size > TYPESET_KEPT) known.delete(known.keys().next().value!);
    return typesetTex(tex, doc, inline);
  }
  if (!shape.ok) return typesetTex(tex, doc, inline);
  const copy = fill(shape.el, line.numbers, tex);
  if (!shape.checked) {
    shape.checked = true;
    const own = typesetTex(tex, doc, inline);
    if (own.outerHTML !== copy.outerHTML) {
      shape.ok = false;
      return own;
    }
  }
  return copy;
}

/** How many lines KaTeX has typeset (for the tests: a copied shape costs none). */
export const texCounts = { typeset: 0 };

function typesetTex(tex: string, doc: Document, inline: boolean): HTMLElement {
  texCounts.typeset++;
  const opts = { inline };
  const el = doc.createElement(opts.inline ? 'span' : 'div');
  el.className = opts.inline ? 'tex' : 'tex tex-display';
  katex.render(tex, el, { displayMode: !opts.inline, throwOnError: true, strict: 'ignore', trust: false, output: 'htmlAndMathml' });
  // A long equation scrolls sideways on a narrow screen; keyboard users must be able to scroll it too.
  if (!opts.inline) el.querySelector('.katex-display')?.setAttribute('tabindex', '0');
  return el;
}
