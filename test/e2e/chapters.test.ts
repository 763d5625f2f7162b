// The chapter pages in Chromium against the built site, with the real engine in its worker:
// every chapter loads cleanly with KaTeX typeset; Next token adds a token and a timeline row;
// Play and Pause work; moving Temperature re-draws the bars with no new tick; the live equation's
// numbers agree with the logits the page exposes; HTML-looking text is shown, never run; axe
// finds nothing to fix.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { texNumber } from '../../notebooks/tex.ts';
import { texProb } from '../../notebooks/chapters/06-logits-to-token/figures.ts';
import { checkAxe, collectConsoleErrors, formatViolations, launchBrowser, openPage, startPreview, showControls, visitFigures } from './harness.ts';

const ticks = (page: Page) => page.evaluate(() => Number(document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.ticks ?? 0));
const rows = (page: Page) => page.locator('[data-cell="timeline"] g.rows > g').count();

async function open(browser: Browser, url: string, scroll = true): Promise<{ page: Page; errors: string[] }> {
  const page = await openPage(browser);
  const errors = collectConsoleErrors(page);
  const res = await page.goto(url, { waitUntil: 'load' });
  assert.equal(res?.status(), 200, url);
  await page.waitForFunction(() => document.body.dataset.engine === 'ready' || document.body.dataset.engine === 'error', null, { timeout: 30_000 });
  assert.equal(await page.evaluate(() => document.body.dataset.engine), 'ready', await page.locator('[data-role="status"]').textContent() ?? '');
  await page.evaluate(() => document.querySelector('[data-cell="controls"]')?.scrollIntoView({ block: 'nearest' })); // the clock starts near the viewport
  await page.waitForFunction(() => /Model ready/.test(document.querySelector('[data-role="status"]')?.textContent ?? ''));
  if (!scroll) return { page, errors };
  // Cells start work only near the viewport: scroll past each once, as a reader would.
  await visitFigures(page);
  await showControls(page);
  return { page, errors };
}

async function nextToken(page: Page): Promise<void> {
  const n = await ticks(page);
  await page.getByRole('button', { name: 'Next token' }).click();
  await page.waitForFunction((n) => Number(document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.ticks) === n + 1 &&
    document.querySelectorAll('[data-cell="timeline"] g.rows > g').length === Math.min(n + 1, 40), n);
}

describe('chapter pages', () => {
  let preview: Awaited<ReturnType<typeof startPreview>>;
  let browser: Browser;
  let chapterUrls: string[];

  before(async () => {
    preview = await startPreview();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await preview?.close();
  });

  it('the chapter list links every chapter, in order, and has no axe violations', async () => {
    const page = await openPage(browser);
    const errors = collectConsoleErrors(page);
    await page.goto(`${preview.url}/chapters/`, { waitUntil: 'load' });
    chapterUrls = await page.locator('ol.chapters a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
    assert.ok(chapterUrls.some((u) => u.endsWith('/chapters/the-clock/')));
    assert.ok(chapterUrls.some((u) => u.endsWith('/chapters/logits-to-token/')));
    const violations = await checkAxe(page);
    assert.equal(violations.length, 0, formatViolations(violations));
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('every chapter loads with no console errors, its equations typeset by KaTeX, and previous/next links', async () => {
    for (const url of chapterUrls) {
      const { page, errors } = await open(browser, url, false);
      assert.ok((await page.locator('.katex').count()) > 0, `${url}: no KaTeX`);
      // The last figure is far below the fold: it has not started; scrolled to, it draws.
      const last = page.locator('figure [data-cell]').last();
      assert.notEqual(await last.getAttribute('data-state'), 'ready', `${url}: a figure out of view started work`);
      // Scrolled to as a reader scrolls to it: the parts above it are laid out as they come near
      // the window (content-visibility: auto) and may push it down, so the reader scrolls on.
      for (let i = 0; i < 20 && (await last.getAttribute('data-state')) !== 'ready'; i++) {
        await last.evaluate((el) => el.scrollIntoView({ block: 'center' }));
        await page.waitForTimeout(250);
      }
      await page.waitForFunction(() => [...document.querySelectorAll<HTMLElement>('figure [data-cell]')].at(-1)?.dataset.state === 'ready');
      assert.equal(await page.getByRole('heading', { level: 1 }).count(), 1);
      assert.ok((await page.locator('nav.chapter-nav a').count()) >= 2);
      for (const label of ['Prompt', 'Temperature', 'Top-k', 'Top-p', 'Seed']) assert.equal(await page.getByLabel(label, { exact: true }).count(), 1, label);
      assert.deepEqual(errors, [], url);
      await page.context().close();
    }
  });

  describe('chapter 1, the clock', () => {
    let page: Page;
    let errors: string[];
    before(async () => {
      ({ page, errors } = await open(browser, `${preview.url}/chapters/the-clock/`));
    });
    after(async () => {
      await page?.context().close();
    });

    it('Next token adds a token and a timeline row; the weights checksum stays the one at load', async () => {
      const tokensBefore = await page.locator('[data-cell="tokens"] g.token').count();
      await nextToken(page);
      await nextToken(page);
      // The weights are read back after the tick is shown: the registers get data-weights-now when that arrives.
      await page.waitForFunction(() => document.querySelectorAll('[data-cell="tokens"] g.token').length > 0 && /tick 1/.test(document.querySelector('[data-cell="registers"]')?.textContent ?? '') &&
        document.querySelector('[data-cell="registers"] table[data-weights-now]') !== null);
      assert.equal(await rows(page), 2);
      assert.equal(await page.locator('[data-cell="tokens"] g.token').count(), tokensBefore + 2);
      const reg = page.locator('[data-cell="registers"] table');
      assert.match((await reg.getAttribute('data-weights-now')) ?? '', /^[0-9a-f]{8}$/);
      assert.equal(await reg.getAttribute('data-weights-now'), await reg.getAttribute('data-weights-at-load'));
      assert.ok(Number(await page.locator('[data-cell="rate"] .clock-rate').getAttribute('data-ticks-per-second')) > 0);
    });

    it('Play ticks on its own and becomes Pause; Pause stops the clock', async () => {
      const n = await ticks(page);
      await page.getByRole('button', { name: 'Play' }).click();
      await page.getByRole('button', { name: 'Pause' }).waitFor();
      await page.waitForFunction((n) => Number(document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.ticks) >= n + 3, n);
      await page.getByRole('button', { name: 'Pause' }).click();
      await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.clock === 'idle');
      await page.getByRole('button', { name: 'Play' }).waitFor();
      const stopped = await ticks(page);
      await page.waitForTimeout(300);
      assert.equal(await ticks(page), stopped);
      await page.waitForFunction((n) => document.querySelectorAll('[data-cell="timeline"] g.rows > g').length === Math.min(n, 40), stopped);
    });

    it('has no console errors and no axe violations after ticking', async () => {
      assert.deepEqual(errors, []);
      const violations = await checkAxe(page);
      assert.equal(violations.length, 0, formatViolations(violations));
    });
  });

  describe('chapter 6, from logits to a token', () => {
    let page: Page;
    let errors: string[];
    before(async () => {
      ({ page, errors } = await open(browser, `${preview.url}/chapters/logits-to-token/`));
    });
    after(async () => {
      await page?.context().close();
    });

    const bars = () => page.locator('[data-cell="bars"] .chart');
    const equation = () => page.locator('[data-cell="equation"] .live-equation');

    it('the live equation’s numbers match the logits the page shows', async () => {
      await nextToken(page);
      await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-cell="equation"] .live-equation')?.dataset.tick === '0' &&
        document.querySelector<HTMLElement>('[data-cell="bars"] .chart')?.dataset.tick === '0');
      const eq = await equation().evaluate((el) => ({ ...(el as HTMLElement).dataset }));
      const z = Number(eq.logit);
      const T = Number(eq.temperature);
      const lse = Number(eq.logSumExp);
      const p = Number(eq.prob);
      assert.equal(T, 0.8);
      assert.ok(Math.abs(p - Math.exp(z / T - lse)) <= 1e-9 * Math.max(1, p), `p = ${p}, exp(z/T − lse) = ${Math.exp(z / T - lse)}`);
      // The typeset equation shows those numbers (KaTeX keeps its TeX source in an annotation).
      const tex = (await equation().locator('annotation').allTextContents())[1];
      for (const part of [texNumber(z), `/${T}}`, texNumber(z / T), texNumber(lse), texProb(p)]) assert.ok(tex.includes(part), `${part} in ${tex}`);
      // Each bar is the same softmax of its own logit: p_i = exp(z_i/T − lse), and the ratio of two is exp((z_a − z_b)/T).
      const cands = JSON.parse((await bars().getAttribute('data-candidates'))!) as { id: number; logit: number; prob: number }[];
      assert.equal(cands.length, 20);
      for (const c of cands) assert.ok(Math.abs(c.prob - Math.exp(c.logit / T - lse)) <= 1e-9 * Math.max(1, c.prob));
      const [a, b] = cands;
      assert.ok(Math.abs(a.prob / b.prob - Math.exp((a.logit - b.logit) / T)) < 1e-9);
      assert.ok(await equation().locator('.katex').count() >= 2);
    });

    it('moving Temperature re-draws the bars without a new tick', async () => {
      const before = await bars().getAttribute('data-candidates');
      const n = await ticks(page);
      await page.getByLabel('Temperature', { exact: true }).fill('2');
      await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-cell="bars"] .chart')?.dataset.temperature === '2');
      assert.notEqual(await bars().getAttribute('data-candidates'), before);
      assert.equal(await ticks(page), n);
      assert.equal(await rows(page), n);
      assert.equal(await equation().getAttribute('data-temperature'), '2');
    });

    it('a temperature typed as text is refused beside the input and the bars keep their state', async () => {
      const kept = await bars().getAttribute('data-candidates');
      await page.getByLabel('Temperature', { exact: true }).fill('');
      await page.getByLabel('Temperature', { exact: true }).pressSequentially('abc');
      await page.waitForFunction(() => /Temperature must be a number/.test(document.getElementById('temperature-error')?.textContent ?? ''));
      assert.equal(await page.getByLabel('Temperature', { exact: true }).getAttribute('aria-invalid'), 'true');
      assert.equal(await bars().getAttribute('data-candidates'), kept);
      await page.getByLabel('Top-k', { exact: true }).fill('99999999');
      await page.waitForFunction(() => /Top-k must be/.test(document.getElementById('top-k-error')?.textContent ?? ''));
      await page.getByLabel('Temperature', { exact: true }).fill('1');
      await page.getByLabel('Top-k', { exact: true }).fill('0');
      await page.waitForFunction(() => document.getElementById('temperature-error')?.textContent === '' && document.getElementById('top-k-error')?.textContent === '');
    });

    it('a prompt that looks like HTML is shown as text, never run', async () => {
      await page.evaluate(() => ((window as unknown as { pwned?: boolean }).pwned = false));
      await page.getByLabel('Prompt', { exact: true }).fill('<img src=x onerror="window.pwned=true">');
      await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.ticks) === 0);
      await nextToken(page);
      await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-cell="bars"] .chart')?.dataset.tick === '0');
      assert.equal(await page.locator('main img').count(), 0);
      assert.equal(await page.evaluate(() => (window as unknown as { pwned?: boolean }).pwned), false);
    });

    it('has no console errors and no axe violations, in light and dark colour schemes', async () => {
      assert.deepEqual(errors, []);
      await page.locator('[data-cell="bars"] details summary').click();
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        const violations = await checkAxe(page);
        assert.equal(violations.length, 0, `${colorScheme}:\n${formatViolations(violations)}`);
      }
    });
  });
});
