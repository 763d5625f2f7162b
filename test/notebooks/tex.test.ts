// texText: any string renders in any equation. Every code point of the Basic Multilingual Plane
// (surrogates aside) and a sample of every astral block goes through KaTeX as it would in a
// chapter's equation, with no throw; ordinary text is still written as itself.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import katex from 'katex';
import { texText } from '../../notebooks/tex.ts';

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
