// Chapter 2's cell graph with a real (small, random) model in Node: the words table and the merge
// steps are the engine tokenizer's own encodeWithSteps, a word button picks the word whose merges
// are drawn, the Chinese example shows its partial-character tokens as <0x..> bytes and joins them
// back into the text, and the counts are the tokenizer's.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as chapter from '../../notebooks/chapters/02-tokens/index.ts';
import { CHINESE_EXAMPLE, counts, defaultWord, joinTokens } from '../../notebooks/chapters/02-tokens/data.ts';
import { openChapter, type Page } from './page.ts';
import { smallEngine } from './small-model.ts';

describe('chapter 2: tokens', () => {
  let e: Awaited<ReturnType<typeof smallEngine>>;
  let page: Page;
  const merges = () => page.mounts.merges!.querySelector<HTMLElement>('.chart');
  const words = () => page.mounts.words!.querySelector<HTMLTableElement>('table.bpe-words');
  const joined = () => page.mounts.joined!.querySelector<HTMLElement>('.joined');
  const prompt = () => page.control<HTMLTextAreaElement>('prompt').value;

  before(async () => {
    e = await smallEngine();
    page = await openChapter(chapter, ['examples', 'words', 'merges', 'strip', 'compare', 'joined'], e.engine, e.info);
    // The example button, as site/components/Examples.astro renders it.
    page.mounts.examples!.innerHTML = `<button type="button" data-text="${CHINESE_EXAMPLE}">Chinese</button>`;
    await page.until('the model to be ready', () => /Model ready/.test(page.$('[data-role="status"]').textContent ?? ''));
  });
  after(async () => {
    page?.close();
    await e?.cleanup();
  });

  it('the words table is the tokenizer’s encodeWithSteps of the prompt, word for word', async () => {
    await page.until('the words', () => words() !== null && merges() !== null);
    const ref = e.host.model!.tokenizer.encodeWithSteps(prompt());
    assert.equal(Number(words()!.dataset.words), ref.words.length);
    assert.deepEqual(JSON.parse(words()!.dataset.tokens!), ref.ids);
    assert.deepEqual(ref.ids, e.host.model!.tokenizer.encode(prompt()));
    const rows = [...words()!.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent));
    ref.words.forEach((w, i) => {
      assert.equal(rows[i][1], [...w.bytes].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' '));
      assert.equal(rows[i][2], w.initial.join(' '));
      assert.equal(rows[i][3], String(w.steps.length));
    });
    assert.match(words()!.querySelector('caption')!.textContent ?? '', /vocabulary of 300 tokens/);
  });

  it('the merges shown first are those of the word with the most merges, with their ranks, ending in its tokens', () => {
    const ref = e.host.model!.tokenizer.encodeWithSteps(prompt());
    const i = Number(merges()!.dataset.index);
    assert.equal(i, ref.words.reduce((best, w, j) => (w.steps.length > ref.words[best].steps.length ? j : best), 0));
    const w = ref.words[i];
    assert.ok(w.steps.length > 0, 'the prompt has a word with merges');
    assert.deepEqual(JSON.parse(merges()!.dataset.ranks!), w.steps.map((s) => s.rank));
    assert.deepEqual(JSON.parse(merges()!.dataset.tokens!), w.ids);
    const stages = [...merges()!.querySelectorAll('svg g.stage')];
    assert.equal(stages.length, w.steps.length + 1);
    const last = [...stages.at(-1)!.querySelectorAll('text.symbol-text')].map((t) => t.textContent);
    assert.deepEqual(last, w.steps.at(-1)!.symbols);
    const table = [...merges()!.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent));
    assert.deepEqual(table.slice(1).map((r) => r[2]), w.steps.map((s) => String(s.rank)));
  });

  it('pressing a word’s button shows that word’s merges, and keeps focus on it', async () => {
    const btn = page.mounts.words!.querySelector<HTMLButtonElement>('button[data-index="0"]')!;
    btn.focus();
    btn.click();
    await page.until('word 0', () => merges()?.dataset.index === '0');
    const ref = e.host.model!.tokenizer.encodeWithSteps(prompt()).words[0];
    assert.equal(merges()!.dataset.word, ref.text);
    await page.until('word 0 pressed', () => page.mounts.words!.querySelector('button[aria-pressed="true"]')?.getAttribute('data-index') === '0');
    assert.equal(page.document.activeElement?.getAttribute('data-index'), '0');
  });

  it('the token strip shows each prompt token with its id and bytes', () => {
    const strip = page.mounts.strip!;
    const ids = e.host.model!.tokenizer.encode(prompt());
    assert.deepEqual([...strip.querySelectorAll('text.id')].map((t) => Number(t.textContent)), ids);
    assert.equal(strip.querySelectorAll('text.bytes').length, ids.length);
  });

  it('the counts are characters, UTF-8 bytes and the tokenizer’s tokens', () => {
    const table = page.mounts.compare!.querySelector<HTMLElement>('table.token-counts')!;
    const rows = JSON.parse(table.dataset.counts!) as { label: string; characters: number; bytes: number; tokens: number }[];
    const tok = e.host.model!.tokenizer;
    assert.deepEqual(rows[0], { label: 'Your prompt', characters: [...prompt()].length, bytes: Buffer.byteLength(prompt()), tokens: tok.encode(prompt()).length });
    assert.deepEqual(rows[1], { label: 'Chinese', characters: 6, bytes: 18, tokens: tok.encode(CHINESE_EXAMPLE).length });
    assert.ok(rows[1].tokens > rows[1].characters, 'Chinese needs more tokens than characters here');
  });

  it('the Chinese example: partial characters shown as <0x..> bytes, never �, and joined back into the text', async () => {
    page.$('[data-cell="examples"] button').click();
    await page.until('the Chinese prompt', () => prompt() === CHINESE_EXAMPLE && joined()?.dataset.joined === CHINESE_EXAMPLE);
    assert.ok(Number(joined()!.dataset.partial) > 0);
    const pieces = [...joined()!.querySelectorAll('.piece.partial')].map((p) => p.textContent ?? '');
    assert.ok(pieces.length > 0 && pieces.every((p) => /<0x[0-9A-F]{2}>/.test(p)), pieces.join(' '));
    assert.ok(!page.document.body.textContent!.includes('\ufffd'), 'no replacement character anywhere');
    assert.match(joined()!.querySelector('.joined-text')!.textContent ?? '', /今天天气很好/);
    await page.until('the strip', () => page.mounts.strip!.querySelectorAll('g.token.incomplete').length > 0);
    assert.ok(page.mounts.strip!.querySelector('g.token.incomplete tspan.byte'));
    await page.until('the counts', () => /"Your prompt","characters":6,"bytes":18/.test(page.mounts.compare!.querySelector<HTMLElement>('table')?.dataset.counts ?? ''));
  });

  it('an empty prompt is refused beside the field and the tables keep their last good state', async () => {
    const good = words()!.dataset.tokens;
    page.set('prompt', '');
    await page.until('the prompt message', () => /Type a prompt/.test(page.$('#prompt-error').textContent ?? ''));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(words()!.dataset.tokens, good);
    assert.equal(joined()!.dataset.joined, CHINESE_EXAMPLE);
  });

  it('a prompt that looks like HTML is set as text', async () => {
    page.set('prompt', '<img src=x onerror=alert(1)>');
    await page.until('the new words', () => merges() !== null && /img/.test(words()?.textContent ?? '') && joined()?.dataset.joined === '<img src=x onerror=alert(1)>');
    assert.equal(page.document.querySelectorAll('img').length, 0);
  });
});

describe('chapter 2: pure computations', () => {
  it('defaultWord picks the word with the most merges, the first of equals', () => {
    const w = (n: number) => ({ steps: new Array(n) }) as Parameters<typeof defaultWord>[0][number];
    assert.equal(defaultWord([w(1), w(3), w(3), w(0)]), 1);
    assert.equal(defaultWord([w(0)]), 0);
  });

  it('joinTokens releases a character only when its last byte arrives', () => {
    const t = (bytes: number[]) => ({ id: 0, text: '', bytes, complete: false });
    const { rows, text } = joinTokens([t([0x41]), t([0xe4, 0xbb]), t([0x8a]), t([0xe5])]);
    assert.deepEqual(rows.map((r) => r.released), ['A', '', '今', '']);
    assert.deepEqual(rows.map((r) => r.pending), [[], [0xe4, 0xbb], [], [0xe5]]);
    assert.equal(text, 'A今\ufffd', 'an unfinished character at the very end is released as U+FFFD, as decode() does');
  });

  it('counts counts code points, not UTF-16 units', () => {
    assert.deepEqual(counts('x', 'a今😀', 5), { label: 'x', text: 'a今😀', characters: 3, bytes: 8, tokens: 5 });
  });
});
