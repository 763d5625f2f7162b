// The two editions are equal: every chapter has, in English and in Chinese, the same sections
// (as many ## and ### headings) and the same live cells (the same components and data-cell mounts,
// the same number of times each). A section or a cell that only one edition has fails here.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = (lang: string) => `${root}site/content/chapters/${lang}/`;
const EDITIONS = ['en', 'zh-cn'] as const;

/** The body of an mdx file without its front matter and without fenced code (a `## ` in code is not a heading). */
function body(mdx: string): string {
  return mdx.replace(/^---\n[\s\S]*?\n---\n/, '').replace(/^```[\s\S]*?^```/gm, '');
}

/** How many headings of each level (## and ###) the chapter has. */
export function sectionCounts(mdx: string): { h2: number; h3: number } {
  const lines = body(mdx).split('\n');
  return { h2: lines.filter((l) => /^## \S/.test(l)).length, h3: lines.filter((l) => /^### \S/.test(l)).length };
}

/**
 * The chapter's live mounts, sorted: each component it mounts (`<Cell name="x">` as `Cell:x`,
 * `<Predict …>` as `Predict`) and each `data-cell="x"` element, as many times as they appear.
 */
export function liveMounts(mdx: string): string[] {
  const text = body(mdx);
  const out: string[] = [];
  for (const m of text.matchAll(/<([A-Z]\w*)\b([^>]*)>/g)) {
    const name = m[2].match(/\bname="([^"]*)"/)?.[1];
    out.push(name ? `${m[1]}:${name}` : m[1]);
  }
  for (const m of text.matchAll(/\bdata-cell="([^"]*)"/g)) out.push(`data-cell:${m[1]}`);
  return out.sort();
}

describe('the English and Chinese editions have the same chapters, sections and live cells', () => {
  const files = Object.fromEntries(EDITIONS.map((lang) => [lang, readdirSync(dir(lang)).filter((f) => f.endsWith('.mdx')).sort()]));

  it('the same chapter files', () => {
    assert.ok(files.en.length >= 11, `${files.en.length} chapters`);
    assert.deepEqual(files['zh-cn'], files.en);
  });

  for (const file of files.en) {
    const read = (lang: string) => readFileSync(dir(lang) + file, 'utf8');
    it(`${file}: the same number of sections (## and ###)`, () => {
      assert.deepEqual(sectionCounts(read('zh-cn')), sectionCounts(read('en')));
    });
    it(`${file}: the same live cells`, () => {
      const en = liveMounts(read('en'));
      assert.ok(en.length > 0, 'the chapter mounts live cells');
      assert.deepEqual(liveMounts(read('zh-cn')), en);
    });
  }

  it('the checks see a missing section and a missing cell', () => {
    const mdx = readFileSync(dir('en') + files.en[0], 'utf8');
    const heading = mdx.match(/^## .*\n/m)![0];
    assert.notDeepEqual(sectionCounts(mdx.replace(heading, '')), sectionCounts(mdx));
    assert.notDeepEqual(sectionCounts(`${mdx}\n### One more\n`), sectionCounts(mdx));
    const cell = mdx.match(/<Cell [^>]*>/)![0];
    assert.notDeepEqual(liveMounts(mdx.replace(cell, '')), liveMounts(mdx));
    assert.deepEqual(sectionCounts('---\ntitle: x\n---\n## a\n```\n## not a heading\n```\n'), { h2: 1, h3: 0 });
  });
});
