/**
 * Equations typeset with KaTeX. Text from the model or the reader only ever enters an equation
 * through `texText`, which makes control characters visible and escapes every character TeX
 * treats specially, so a token is always shown as text and never read as a command.
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

/** `s` as a TeX \text{…} group: whitespace made visible, special characters escaped. */
export function texText(s: string): string {
  let out = '';
  for (const ch of visibleText(s)) out += SPECIAL[ch] ?? ch;
  return `\\text{${out}}`;
}

/** A number as TeX, formatted like everywhere else (format.ts), "1.23e-5" written as 1.23 × 10⁻⁵. */
export function texNumber(x: number, format: (x: number) => string = formatValue): string {
  const s = format(x);
  const m = /^(-?[\d.]+)e([+-]?)(\d+)$/.exec(s);
  if (!m) return s === '—' ? '\\text{—}' : s;
  return `${m[1]} \\times 10^{${m[2] === '-' ? '-' : ''}${Number(m[3])}}`;
}

/** Typeset `tex` into a new element of `doc` (display style unless `inline`). */
export function renderTex(tex: string, opts: { inline?: boolean; document?: Document } = {}): HTMLElement {
  const doc = opts.document ?? globalThis.document;
  const el = doc.createElement(opts.inline ? 'span' : 'div');
  el.className = opts.inline ? 'tex' : 'tex tex-display';
  katex.render(tex, el, { displayMode: !opts.inline, throwOnError: true, strict: 'ignore', trust: false, output: 'htmlAndMathml' });
  // A long equation scrolls sideways on a narrow screen; keyboard users must be able to scroll it too.
  if (!opts.inline) el.querySelector('.katex-display')?.setAttribute('tabindex', '0');
  return el;
}
