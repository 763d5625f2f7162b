// texText: any string renders in any equation. Every code point of the Basic Multilingual Plane
// (surrogates aside) and a sample of every astral block goes through KaTeX as it would in a
// chapter's equation, with no throw; ordinary text is still written as itself.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import katex from 'katex';
import { JSDOM } from 'jsdom';
import { renderTex, texCounts, texShape, texText } from '../../notebooks/tex.ts';

const OPTIONS = { displayMode: true, throwOnError: true, strict: 'ignore', trust: false, output: 'htmlAndMathml' } as const;

/** Render `tex` as chapter equations do; KaTeX's "no character metrics" warnings are muted. */
function render(tex: string): string {
  const warn = console.warn;
  console.warn = () => {};
  try {
    return katex.renderToString(tex, OPTIONS);
  } finally {
    console.warn = warn;
  }
}

function failures(codePoints: Iterable<number>): string[] {
  const bad: string[] = [];
  const warn = console.warn;
  console.warn = () => {};
  try {
    for (const c of codePoints) {
      const tok = texText(`“${String.fromCodePoint(c)}”`);
      try {
        katex.renderToString(String.raw`p_{${tok}} = \frac{1}{2}\ ${tok}`, OPTIONS);
      } catch (e) {
        bad.push(`U+${c.toString(16).toUpperCase()}: ${(e as Error).message}`);
      }
    }
  } finally {
    console.warn = warn;
  }
  return bad;
}

function* range(from: number, to: number, step = 1): Generator<number> {
  for (let c = from; c <= to; c += step) if (c < 0xd800 || c > 0xdfff) yield c;
}

describe('texText', () => {
  it('every BMP code point renders inside an equation, as a subscript and as text', () => {
    const bad = failures(range(0, 0xffff));
    assert.deepEqual(bad.slice(0, 10), [], `${bad.length} code points throw`);
  });

  it('astral code points render: every 97th one, and the first and last of each plane', () => {
    const edges = [];
    for (let plane = 1; plane <= 16; plane++) edges.push(plane * 0x10000, plane * 0x10000 + 0xffff);
    const bad = failures([...range(0x10000, 0x10ffff, 97), ...edges, 0x1d6a4, 0x1f600, 0x10fffd]);
    assert.deepEqual(bad.slice(0, 10), [], `${bad.length} code points throw`);
  });

  it('the cases from issue 15 render, a mark with no base and strings mixing them too', () => {
    for (const s of ['·', '\u2028', '\u2029', '∑', '\ue000', '\u0301', '\u0301a', 'e\u0301', 'a\u0301\u0302·∑x', '\u{10ffff}\u{1d6a4}5', '∑5', '·F']) {
      assert.doesNotThrow(() => render(texText(s)), JSON.stringify(s));
    }
  });

  it('ordinary text is written as itself', () => {
    assert.equal(texText('héllo wörld 中文 Ελληνικά'), '\\text{héllo␣wörld␣中文␣Ελληνικά}');
    assert.equal(texText('“the”'), '\\text{“the”}');
    const html = render(texText('héllo 中文'));
    for (const ch of 'héllo中文') assert.ok(html.includes(ch), ch);
  });

  it('a character KaTeX lacks as text is written by code point, and that code point is shown', () => {
    assert.equal(texText('·'), '\\text{{\\char"B7}}');
    assert.equal(texText('∑5'), '\\text{{\\char"2211}5}');
    assert.ok(render(texText('·')).includes('·'));
    assert.equal(texText('\u2028'), '\\text{<U+2028>}');
  });
});

describe('renderTex: a line typeset once per shape, its numbers filled in', () => {
  it('texShape swaps standalone numbers only: not exponents or their bases, subscripts, command arguments, character codes or lengths', () => {
    assert.deepEqual(texShape(String.raw`\mu = -7.82 \times 10^{-4},\qquad C = 256`),
      { shape: String.raw`\mu = -9009 \times 10^{-9019},\qquad C = 9029`, numbers: ['7.82', '4', '256'] });
    assert.equal(texShape(String.raw`\tfrac12\,x^3 + y_2 + \text{{\char"2211}} \hspace{0.5em} x`), null);
    assert.deepEqual(texShape(String.raw`\hat x_{30} = \sqrt{2/\pi}`)!.numbers, ['30', '2']);
    assert.equal(texShape(String.raw`\text{x9019} = 1.5`), null, 'digits a placeholder could be mistaken for: not copied');
  });

  it('each copy is what KaTeX itself typesets for that line, and only the first two lines of a shape cost KaTeX anything', () => {
    const { window } = new JSDOM('<!doctype html><html><body></body></html>');
    const document = window.document;
    const own = (tex: string) => {
      const el = document.createElement('div');
      el.className = 'tex tex-display';
      katex.render(tex, el, { displayMode: true, throwOnError: true, strict: 'ignore', trust: false, output: 'htmlAndMathml' });
      el.querySelector('.katex-display')?.setAttribute('tabindex', '0');
      return el.outerHTML;
    };
    const shapes = [
      (a: string, b: string, c: string) => String.raw`\text{dimension ${c}}:\quad \hat x_{${c}} = \frac{${a} - (${b})}{0.0547} = -2.98`,
      (a: string, b: string) => String.raw`\sigma = \sqrt{\tfrac{1}{C}\textstyle\sum_i (x_i-\mu)^2} = ${a},\qquad \varepsilon = ${b}`,
      (a: string, b: string) => String.raw`\operatorname{GELU}(${a}) = \tfrac12 \cdot (${a}) \cdot \bigl(1 + (${b})\bigr) = ${b}`,
      (a: string, b: string, c: string) => String.raw`x_{${c},\,5} = \mathrm{wte}[${a}][5] + \mathrm{wpe}[${c}][5] = ${b} + 1.00 \times 10^{-${c}}`,
    ];
    const g = globalThis as { document?: Document };
    g.document = document; // KaTeX builds its elements with the global document
    try {
      // Five lines of one shape: equal to KaTeX's own, and KaTeX ran for the first line, the shape, and the check of the first copy.
      const same = [['0.164', '7.82', '30'], ['0.0546', '1.00', '2'], ['12.5', '3.33', '199'], ['1', '0.000912', '7'], ['4096', '1.5', '0']];
      for (const shape of shapes) {
        const before = texCounts.typeset;
        for (const [a, b, c] of same) {
          const tex = shape(a, b, c);
          assert.equal(renderTex(tex, { document }).outerHTML, own(tex), tex);
        }
        assert.equal(texCounts.typeset - before, 3, shape('a', 'b', 'c'));
      }
      // Signs and powers of ten change a line's shape; every line is still KaTeX's own.
      for (const shape of shapes) {
        for (const [a, b, c] of [['-0.164', '7.82 \\times 10^{-4}', '3'], ['-1', '-2', '10'], ['2.00 \\times 10^{5}', '-0.5', '11'], ['-3', '-4', '12']]) {
          const tex = shape(a, b, c);
          assert.equal(renderTex(tex, { document }).outerHTML, own(tex), tex);
        }
      }
    } finally {
      delete g.document;
    }
  });
});
