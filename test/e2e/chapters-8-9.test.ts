// Chapters 8 (inference is not training) and 9 (cost and speed) in Chromium against the built
// site, with the real engine in its worker: pages load without console errors; KaTeX is rendered;
// inference's weights checksum stays put while the training demo's loss falls and its checksum
// changes every step; chapter 9's equation is the engine's count and its peak is measured on
// demand; axe is clean in light and dark.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, startPreview } from './harness.ts';
import { axeBoth, nextToken, open } from './chapter-page.ts';

describe('chapters 8 and 9', () => {
  let preview: Awaited<ReturnType<typeof startPreview>>;
  let browser: Browser;

  before(async () => {
    preview = await startPreview(process.env.E2E_DIST || undefined); // E2E_DIST: a build elsewhere than dist/
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await preview?.close();
  });

  describe('chapter 8, inference is not training', () => {
    let page: Page;
    let errors: string[];
    const data = (cell: string, sel: string) => page.locator(`[data-cell="${cell}"] ${sel}`).evaluate((el) => ({ ...(el as HTMLElement).dataset }));
    before(async () => {
      ({ page, errors } = await open(browser, `${preview.url}/chapters/not-training/`));
    });
    after(async () => {
      await page?.context().close();
    });

    it('inference keeps its checksum; the tiny model’s loss falls and its checksum changes every step', async () => {
      for (let i = 0; i < 3; i++) await nextToken(page);
      await page.waitForSelector('[data-cell="inference"] .inference-weights[data-ticks="3"]');
      const inf = await data('inference', '.inference-weights');
      assert.equal(inf.checksums, inf.atLoad, 'one checksum for every tick, the one taken at load');
      const button = page.getByRole('button', { name: /^Train/ });
      await button.focus();
      await page.keyboard.press('Enter');
      await page.waitForSelector('[data-cell="learning"] .learning[data-running="false"]', { timeout: 40_000 });
      const d = await data('learning', '.learning');
      assert.ok(Number(d.lastLoss) < Number(d.firstLoss), `${d.firstLoss} → ${d.lastLoss}`);
      const sums = [d.checksumBefore!, ...d.checksums!.split(' ')];
      assert.ok(sums.length > 10);
      for (let i = 1; i < sums.length; i++) assert.notEqual(sums[i], sums[i - 1], `step ${i}`);
      await nextToken(page);
      await page.waitForSelector('[data-cell="inference"] .inference-weights[data-ticks="4"]');
      assert.equal((await data('inference', '.inference-weights')).checksums, inf.atLoad, 'still the same after training ran');
    });

    it('no console errors; axe clean in light and dark', async () => {
      assert.deepEqual(errors, []);
      await axeBoth(page);
    });
  });

  describe('chapter 9, cost and speed', () => {
    let page: Page;
    let errors: string[];
    before(async () => {
      ({ page, errors } = await open(browser, `${preview.url}/chapters/cost-speed/`));
    });
    after(async () => {
      await page?.context().close();
    });

    it('the 2N equation is typeset with the loaded model’s numbers and the engine’s count', async () => {
      await page.waitForSelector('[data-cell="cost"] .live-equation .katex');
      const d = await page.locator('[data-cell="cost"] .live-equation').evaluate((el) => ({ ...(el as HTMLElement).dataset }));
      assert.ok(Number(d.n) > 0 && Number(d.n) < Number(d.params));
      assert.ok(Number(d.approx) > 2 * Number(d.n), 'the LM head adds 2CV');
      assert.ok(Math.abs(Number(d.exact) / Number(d.approx) - 1) < 0.2, `${d.exact} vs ${d.approx}`);
      assert.ok(await page.locator('.katex').count() >= 4, 'prose and live equations typeset');
    });

    it('tokens per second are measured from the ticks, and the peak button measures once', async () => {
      for (let i = 0; i < 3; i++) await nextToken(page);
      await page.waitForSelector('[data-cell="speed"] .speed[data-tokens-per-second]');
      const button = page.getByRole('button', { name: /Measure this device/ });
      await button.focus();
      await page.keyboard.press('Enter');
      await page.waitForSelector('[data-cell="speed"] .speed[data-peak-gflops]', { timeout: 30_000 });
      const d = await page.locator('[data-cell="speed"] .speed').evaluate((el) => ({ ...(el as HTMLElement).dataset }));
      assert.ok(Number(d.tokensPerSecond) > 0 && Number(d.peakGflops) > 0 && Number(d.gflops) > 0);
      const ratio = Number(await page.locator('[data-cell="gpt2"] .compare').getAttribute('data-ratio'));
      assert.ok(ratio > 1, String(ratio));
    });

    it('no console errors; axe clean in light and dark', async () => {
      assert.deepEqual(errors, []);
      await axeBoth(page);
    });
  });
});
