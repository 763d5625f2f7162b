// The errata page in Chromium against the built site, in English and Chinese, with the real engine
// in its worker, checked against an independent run of the same bundled model in Node (the local
// engine, wasm): the weights' checksum after three ticks is the one Node computes at load; the
// attention weights of layer 0, head 0 at the newest position are Node's trace of the same ticks,
// and the page's recomputation from q, k, v agrees with the engine's; the prompt's tokens and the
// article's prompt are Node's tokenizer's; the softmax is exp/Σexp of the article's inputs; the
// formula cell's numbers are the tick's. No console errors; axe clean in light and dark; the page
// fits a phone's width.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { collectConsoleErrors, distDir, launchBrowser, openPage, showControls, startPreview, visitFigures } from './harness.ts';
import { axeBoth } from './chapter-page.ts';
import { messagePairs } from '../../components/i18n/index.ts';
import { loadAllStrings } from '../strings.ts';
import { localEngine } from '../../engine/local.ts';
import type { ModelInfo, TickSummary, TokenInfo } from '../../engine/protocol.ts';
import { BUNDLED_MODEL } from '../../model/bundled-model.ts';
import { ARTICLE_INPUTS, ARTICLE_OUTPUT, ARTICLE_PROMPT, HEAD, LAYER, TRACE } from '../../notebooks/errata/data.ts';

const PROMPT = 'The clock struck one, and'; // the controls' default
const SAMPLING = { temperature: 0.8, topK: 0, topP: 1 }; // the controls' defaults
const SEED = 42;

/** English UI text left on a Chinese page (as zh-cn.test.ts finds it: whole English messages, runs of four English words). */
async function findEnglish(page: Page): Promise<string[]> {
  await loadAllStrings();
  const messages = messagePairs()
    .filter(({ en, zh }) => zh !== en && /[a-z]{3,} [a-z]{2,}/i.test(en))
    .flatMap(({ en: v }) => v.split(/\{\w+\}/).map((s) => s.trim()).filter((s) => s.length >= 14 && /[a-z]{3,} [a-z]{2,}/i.test(s)));
  const source = readFileSync(fileURLToPath(new URL('./find-english.js', import.meta.url)), 'utf8').replace(/^[\s\S]*?(?=function findEnglish)/, '');
  return page.evaluate(`(${source})(${JSON.stringify(messages)})`) as Promise<string[]>;
}

describe('the errata page', () => {
  let preview: Awaited<ReturnType<typeof startPreview>>;
  let browser: Browser;
  let node: ReturnType<typeof localEngine>;
  let info: ModelInfo;
  const nodeTicks: TickSummary[] = [];
  let promptTokens: TokenInfo[];
  let articleTokens: TokenInfo[];
  let outputTokens: TokenInfo[];

  before(async () => {
    const dist = process.env.E2E_DIST || undefined;
    preview = await startPreview(dist);
    browser = await launchBrowser();
    // The same model, run in Node: the reference the page's numbers must match.
    node = localEngine();
    info = await node.request({ type: 'load', source: { kind: 'url', url: join(dist ?? distDir, 'models', BUNDLED_MODEL), label: BUNDLED_MODEL }, backend: 'wasm' });
    await node.request({ type: 'start', prompt: PROMPT, seed: SEED, sampling: SAMPLING });
    for (let i = 0; i < 3; i++) nodeTicks.push(await node.request({ type: 'tick', trace: TRACE }));
    ({ tokens: promptTokens } = await node.request({ type: 'tokenize', text: PROMPT }));
    ({ tokens: articleTokens } = await node.request({ type: 'tokenize', text: ARTICLE_PROMPT }));
    ({ tokens: outputTokens } = await node.request({ type: 'tokenize', text: ARTICLE_OUTPUT }));
  });
  after(async () => {
    node?.host.session?.dispose();
    node?.host.model?.dispose();
    await browser?.close();
    await preview?.close();
  });

  for (const [lang, path] of [['en', '/errata/'], ['zh-cn', '/zh-cn/errata/']] as const) {
    describe(lang, () => {
      let page: Page;
      let errors: string[];
      const data = (cell: string, sel: string) => page.locator(`[data-cell="${cell}"] ${sel}`).evaluate((el) => ({ ...(el as HTMLElement).dataset }));
      // A figure draws only near the viewport (notebooks/chapter.ts): bring it there, then wait.
      const seen = async (selector: string) => {
        await page.locator(selector.split(' ')[0]).scrollIntoViewIfNeeded();
        await page.waitForSelector(selector);
      };
      const ticks = () => page.evaluate(() => Number(document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.ticks ?? 0));

      before(async () => {
        page = await openPage(browser);
        errors = collectConsoleErrors(page);
        const res = await page.goto(`${preview.url}${path}`, { waitUntil: 'load' });
        assert.equal(res?.status(), 200);
        await page.waitForFunction(() => document.body.dataset.engine === 'ready', null, { timeout: 60_000 });
        await visitFigures(page);
        await showControls(page);
      });
      after(async () => {
        await page?.context().close();
      });

      it('quotes the article in Chinese; English adds a translation; seven claims', async () => {
        assert.equal(await page.locator('section.claim').count(), 7);
        assert.equal(await page.locator('section.claim blockquote[lang="zh-CN"]').count(), 7);
        assert.equal(await page.locator('section.claim .translation').count(), lang === 'en' ? 7 : 0);
        assert.match(await page.locator('section.claim blockquote').first().innerText(), /更新模型参数/);
      });

      it('three ticks: checksum, attention, formula are the engine’s, as Node computes them', async () => {
        const button = page.locator('[name="next-token"]');
        for (let i = 1; i <= 3; i++) {
          await button.focus();
          await page.keyboard.press('Enter'); // the keyboard runs the clock
          await page.waitForFunction((n) => Number(document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.ticks) === n, i);
        }
        assert.equal(await ticks(), 3);
        await seen('[data-cell="weights"] .errata-weights[data-ticks="3"][data-read="3"]'); // each tick's read-back follows it
        const w = await data('weights', '.errata-weights');
        assert.equal(w.atLoad, info.checksum, 'the checksum Node takes of the same file');
        assert.deepEqual(w.checksums!.split(' '), [info.checksum, info.checksum, info.checksum]);
        assert.equal(w.same, 'true');

        await seen('[data-cell="attention"] .errata-attention[data-tick="2"]');
        const a = await data('attention', '.errata-attention');
        const last = nodeTicks[2];
        const det = last.trace!.detail!.find((d) => d.layer === LAYER)!;
        const att = last.trace!.attention.find((x) => x.layer === LAYER)!;
        const [, T, K] = att.shape;
        const position = last.trace!.start + T - 1;
        assert.equal(Number(a.position), position);
        const nodeWeights = Array.from(att.data.subarray((HEAD * T + T - 1) * K, (HEAD * T + T - 1) * K + position + 1));
        const pageWeights = JSON.parse(a.weights!) as number[];
        assert.equal(pageWeights.length, nodeWeights.length);
        pageWeights.forEach((x, j) => assert.ok(Math.abs(x - nodeWeights[j]) < 1e-5, `weight ${j}: ${x} vs ${nodeWeights[j]}`));
        const nodeOut = Array.from(det.heads!.subarray((HEAD * T + T - 1) * det.headDim, (HEAD * T + T) * det.headDim));
        (JSON.parse(a.output!) as number[]).forEach((x, c) => assert.ok(Math.abs(x - nodeOut[c]) < 1e-4, `output ${c}: ${x} vs ${nodeOut[c]}`));
        assert.ok(Number(a.wDiff) < 1e-5 && Number(a.oDiff) < 1e-5, `${a.wDiff} ${a.oDiff}`);
        assert.ok(Number(a.cosine) < 0.999);

        await seen('[data-cell="formula"] .errata-formula[data-tick="2"]');
        const f = await data('formula', '.errata-formula');
        assert.deepEqual([Number(f.fed), Number(f.position), Number(f.vocab), Number(f.flops)], [last.fed, last.position, last.sample.vocabSize, last.flops]);
      });

      it('tokens: the prompt has no added start or end token; the article’s prompt is counted by the tokenizer', async () => {
        const s = await data('special', '.errata-special');
        assert.equal(s.ids, promptTokens.map((t) => t.id).join(' '));
        assert.equal(s.eotCount, '0');
        const c = await data('count', '.errata-count');
        assert.equal(c.ids, articleTokens.map((t) => t.id).join(' '));
        assert.equal(Number(c.tokens), articleTokens.length);
        assert.equal(Number(c.outputTokens), outputTokens.length);
      });

      it('the softmax is exp/Σexp of the article’s inputs', async () => {
        const real = JSON.parse((await data('softmax', '.errata-softmax')).real!) as number[];
        const e = ARTICLE_INPUTS.map(Math.exp);
        const sum = e.reduce((x, y) => x + y, 0);
        real.forEach((p, i) => assert.ok(Math.abs(p - e[i] / sum) < 1e-7));
      });

      it('no console errors; axe clean in light and dark; a phone’s width without sideways scrolling', async () => {
        assert.deepEqual(errors, []);
        if (lang === 'zh-cn') assert.deepEqual(await findEnglish(page), [], 'no English UI left on the Chinese page');
        await axeBoth(page);
        await page.setViewportSize({ width: 390, height: 844 });
        assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'page fits a phone');
      });
    });
  }
});
