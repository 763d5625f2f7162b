// Chapters 2 (tokens) and 3 (embeddings) in Chromium against the built site, with the real engine
// in its worker: the BPE steps render for the prompt; the Chinese example shows its partial
// characters as <0x..> bytes (never �) and the joined text; the embeddings equation's numbers agree
// with the heatmap data the page shows; no console errors; axe finds nothing in light and dark.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { formatValue } from '../../components/format.ts';
import { texNumber } from '../../notebooks/tex.ts';
import { checkAxe, collectConsoleErrors, formatViolations, launchBrowser, openPage, startPreview, showControls, visitFigures } from './harness.ts';

const CHINESE = '今天天气很好';

/** An init script: every `nearest` answer the engine worker posts is copied to window.nearestAnswers before the notebook sees it. */
const RECORD_NEAREST = `(() => {
  const Base = window.Worker;
  window.nearestAnswers = [];
  window.Worker = class extends Base {
    constructor(url, options) {
      super(url, options);
      this.addEventListener('message', (e) => {
        const v = e.data && e.data.value;
        if (v && typeof v === 'object' && Array.isArray(v.neighbours)) window.nearestAnswers.push(v);
      });
    }
  };
})();`;

async function open(browser: Browser, url: string, init?: string): Promise<{ page: Page; errors: string[] }> {
  const page = await openPage(browser);
  if (init) await page.addInitScript({ content: init });
  const errors = collectConsoleErrors(page);
  const res = await page.goto(url, { waitUntil: 'load' });
  assert.equal(res?.status(), 200, url);
  await page.waitForFunction(() => document.body.dataset.engine === 'ready' || document.body.dataset.engine === 'error', null, { timeout: 30_000 });
  assert.equal(await page.evaluate(() => document.body.dataset.engine), 'ready');
  await page.evaluate(() => document.querySelector('[data-cell="controls"]')?.scrollIntoView({ block: 'nearest' })); // the clock starts near the viewport
  await page.waitForFunction(() => /Model ready/.test(document.querySelector('[data-role="status"]')?.textContent ?? ''));
  await visitFigures(page);
  await showControls(page);
  return { page, errors };
}

async function axeBothSchemes(page: Page): Promise<void> {
  for (const d of await page.locator('details.data-table summary').all()) await d.click();
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    const violations = await checkAxe(page);
    assert.equal(violations.length, 0, `${colorScheme}:\n${formatViolations(violations)}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

describe('chapters 2 and 3', () => {
  let preview: Awaited<ReturnType<typeof startPreview>>;
  let browser: Browser;

  before(async () => {
    preview = await startPreview();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await preview?.close();
  });

  describe('chapter 2, tokens', () => {
    let page: Page;
    let errors: string[];
    before(async () => {
      ({ page, errors } = await open(browser, `${preview.url}/chapters/tokens/`));
    });
    after(async () => {
      await page?.context().close();
    });

    it('the BPE steps render for the prompt: words, merges with ranks, and the token strip with bytes', async () => {
      await page.waitForFunction(() => document.querySelector('[data-cell="merges"] .chart svg') && document.querySelector('[data-cell="words"] table.bpe-words'));
      const ids = JSON.parse((await page.locator('table.bpe-words').getAttribute('data-tokens'))!) as number[];
      assert.ok(ids.length > 0);
      const steps = Number(await page.locator('[data-cell="merges"] .chart').getAttribute('data-steps'));
      assert.ok(steps > 0, 'the word shown first has merges');
      assert.equal(await page.locator('[data-cell="merges"] svg g.stage').count(), steps + 1);
      const ranks = JSON.parse((await page.locator('[data-cell="merges"] .chart').getAttribute('data-ranks'))!) as number[];
      assert.deepEqual(await page.locator('[data-cell="merges"] svg g.stage text.label').allTextContents(), ['bytes', ...ranks.map((r) => `rank ${r}`)]);
      assert.deepEqual((await page.locator('[data-cell="strip"] text.id').allTextContents()).map(Number), ids);
      assert.equal(await page.locator('[data-cell="strip"] text.bytes').count(), ids.length);
      // A word's button shows its merges, by keyboard too.
      await page.locator('table.bpe-words button[data-index="1"]').focus();
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-cell="merges"] .chart')?.dataset.index === '1');
    });

    it('the Chinese example: partial characters as <0x..> bytes, never �, joined back into the text', async () => {
      await page.getByRole('button', { name: /Chinese example/ }).click();
      await page.waitForFunction((zh) => document.querySelector<HTMLElement>('[data-cell="joined"] .joined')?.dataset.joined === zh, CHINESE);
      assert.equal(await page.getByLabel('Prompt', { exact: true }).inputValue(), CHINESE);
      const partial = await page.locator('[data-cell="joined"] .piece.partial').allTextContents();
      assert.ok(partial.length > 0 && partial.every((p) => /<0x[0-9A-F]{2}>/.test(p)), partial.join(' | '));
      assert.match((await page.locator('[data-cell="joined"] .joined-text').textContent()) ?? '', new RegExp(CHINESE));
      await page.waitForFunction(() => document.querySelectorAll('[data-cell="strip"] g.token.incomplete tspan.byte').length > 0);
      const counts = JSON.parse((await page.locator('table.token-counts').getAttribute('data-counts'))!) as { label: string; characters: number; bytes: number; tokens: number }[];
      assert.deepEqual(counts[0], { ...counts[0], label: 'Your prompt', characters: 6, bytes: 18 });
      assert.ok(counts[0].tokens > counts[0].characters);
      const cells = (await page.locator('figure [data-cell]').allTextContents()).join('');
      assert.ok(!cells.includes('\ufffd'), 'no figure shows the replacement character');
      mkdirSync('.tmp', { recursive: true });
      await page.locator('[data-cell="strip"]').screenshot({ path: '.tmp/chapter-2-chinese-strip.png' });
      await page.locator('[data-cell="merges"]').screenshot({ path: '.tmp/chapter-2-chinese-merges.png' });
    });

    it('has no console errors and no axe violations, in light and dark colour schemes', async () => {
      assert.deepEqual(errors, []);
      await axeBothSchemes(page);
    });
  });

  describe('chapter 3, embeddings', () => {
    let page: Page;
    let errors: string[];
    before(async () => {
      ({ page, errors } = await open(browser, `${preview.url}/chapters/embeddings/`, RECORD_NEAREST));
    });
    after(async () => {
      await page?.context().close();
    });

    it('the equation’s numbers match the heatmaps’ data and add up as the model adds', async () => {
      await page.getByRole('button', { name: 'Next token' }).click();
      await page.waitForFunction(() => document.querySelector('[data-cell="heatmaps"] .embeddings') && document.querySelector('[data-cell="equation"] .live-equation'));
      // Choose row 1, column 3 of the sum heatmap with the mouse.
      const row = page.locator('[data-cell="heatmaps"] .chart[data-which="sum"] image.row').nth(1);
      const box = (await row.boundingBox())!;
      const cells = Number(await row.getAttribute('data-cells'));
      await row.click({ position: { x: (3.5 * box.width) / cells, y: box.height / 2 } });
      await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-cell="equation"] .live-equation')?.dataset.position === '1' &&
        document.querySelector<HTMLElement>('[data-cell="equation"] .live-equation')?.dataset.dimension === '3');
      const eq = await page.locator('[data-cell="equation"] .live-equation').evaluate((el) => ({ ...(el as HTMLElement).dataset }));
      const wte = Number(eq.wte);
      const wpe = Number(eq.wpe);
      const x = Number(eq.x);
      assert.equal(x, Math.fround(wte + wpe));
      for (const which of ['token', 'position', 'sum']) {
        const details = page.locator(`[data-cell="heatmaps"] .chart[data-which="${which}"] details.data-table`);
        if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) await details.locator('summary').click();
      }
      const cell = async (which: string) =>
        page.locator(`[data-cell="heatmaps"] .chart[data-which="${which}"] tbody tr`).nth(1).locator('td').nth(3).textContent();
      assert.equal(await cell('token'), formatValue(wte));
      assert.equal(await cell('position'), formatValue(wpe));
      assert.equal(await cell('sum'), formatValue(x));
      const tex = await page.locator('[data-cell="equation"] .live-equation annotation').allTextContents();
      assert.ok(tex[2].includes(`= ${texNumber(wte)} + `) && tex[2].includes(texNumber(wpe)) && tex[2].endsWith(`= ${texNumber(x)}`), tex[2]);
      assert.equal(await page.getByLabel('Position', { exact: true }).inputValue(), '1');
      assert.equal(await page.getByLabel('Dimension', { exact: true }).inputValue(), '3');
    });

    it('Nearest tokens: the picked position’s token, and the engine’s own answer for the whole vocabulary', async () => {
      const near = '[data-cell="nearest"] .nearest-tokens';
      await page.locator('[data-cell="nearest"]').scrollIntoViewIfNeeded();
      await page.waitForFunction((s) => document.querySelector<HTMLElement>(s)?.dataset.position === '1', near);
      const id = Number(await page.locator(near).getAttribute('data-token-id'));
      assert.equal(id, Number(await page.locator('[data-cell="equation"] .live-equation').getAttribute('data-token-id')));
      const answer = await page.evaluate((id) => (window as unknown as { nearestAnswers: { id: number; neighbours: { id: number; text: string; cosine: number }[] }[] }).nearestAnswers.find((a) => a.id === id), id);
      assert.ok(answer, 'the engine answered for this token');
      assert.equal(answer.neighbours.length, 12);
      const rows = await page.locator(`${near} tbody tr`).evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
      assert.deepEqual(rows.map((r) => Number(r[2])), answer.neighbours.map((n) => n.id));
      assert.deepEqual(rows.map((r) => r[3]), answer.neighbours.map((n) => n.cosine.toFixed(3)));
      for (let i = 1; i < answer.neighbours.length; i++) assert.ok(answer.neighbours[i - 1].cosine >= answer.neighbours[i].cosine);
      assert.match((await page.locator(`${near} .nearest-finding`).textContent()) ?? '', new RegExp(answer.neighbours[0].cosine.toFixed(2)));
    });

    it('a dimension out of range is refused beside the input and the equation keeps its numbers', async () => {
      const kept = await page.locator('[data-cell="equation"] .live-equation').getAttribute('data-x');
      await page.getByLabel('Dimension', { exact: true }).fill('100000');
      await page.waitForFunction(() => /Dimension must be a whole number/.test(document.getElementById('dimension-error')?.textContent ?? ''));
      assert.equal(await page.locator('[data-cell="equation"] .live-equation').getAttribute('data-x'), kept);
      await page.getByLabel('Dimension', { exact: true }).fill('3');
      await page.waitForFunction(() => document.getElementById('dimension-error')?.textContent === '');
    });

    it('has no console errors and no axe violations, in light and dark colour schemes', async () => {
      assert.deepEqual(errors, []);
      await axeBothSchemes(page);
    });
  });
});
