// The landing page, served from the built dist/: it loads cleanly, its controls are findable by
// their visible labels, and axe finds nothing to fix.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { checkAxe, collectConsoleErrors, formatViolations, launchBrowser, openPage, startPreview } from './harness.ts';

describe('landing page', () => {
  let preview: Awaited<ReturnType<typeof startPreview>>;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  before(async () => {
    preview = await startPreview();
    browser = await launchBrowser();
    page = await openPage(browser);
    errors = collectConsoleErrors(page);
    const response = await page.goto(`${preview.url}/`, { waitUntil: 'load' });
    assert.equal(response?.status(), 200);
  });

  after(async () => {
    await browser?.close();
    await preview?.close();
  });

  it('while the clock plays as fast as it runs, the page follows the text only as far as keeps Pause on screen, and Pause takes a real click', async () => {
    const p = await openPage(browser);
    try {
      await p.setViewportSize({ width: 1280, height: 720 });
      await p.goto(`${preview.url}/`, { waitUntil: 'load' });
      await p.waitForFunction(() => !(document.getElementById('play') as HTMLButtonElement | null)?.disabled, null, { timeout: 60_000 });
      await p.getByLabel('Play speed').selectOption('0');
      await p.getByRole('button', { name: 'Play' }).click();
      const y0 = await p.evaluate(() => scrollY);
      const seen: number[] = [];
      for (let i = 0; i < 40; i++) {
        await p.waitForTimeout(250);
        const top = await p.evaluate(() => document.getElementById('play')!.getBoundingClientRect().top);
        seen.push(top);
        assert.ok(top >= 0 && top < 720, `Pause is in the window (top ${top.toFixed(0)} px) after ${(i + 1) * 250} ms`);
      }
      const tick = () => p.evaluate(() => Number(/^Tick (\d+) /.exec(document.getElementById('status')?.textContent ?? '')?.[1] ?? -1));
      assert.ok((await tick()) > 100, 'it played long enough for the text to outgrow the window');
      assert.ok((await p.evaluate(() => scrollY)) > y0, 'the page followed the growing text');
      await p.getByRole('button', { name: 'Pause' }).click({ timeout: 5_000 });
      await p.getByRole('button', { name: 'Play' }).waitFor({ timeout: 5_000 });
    } finally {
      await p.close();
    }
  });

  it('loads with no console errors', () => {
    assert.deepEqual(errors, []);
  });

  it('is cross-origin isolated, so threaded wasm can run', async () => {
    assert.equal(await page.evaluate(() => globalThis.crossOriginIsolated), true);
  });

  it('has a title and one h1', async () => {
    assert.match(await page.title(), /Token Clock/);
    await assert.doesNotReject(page.getByRole('heading', { level: 1 }).waitFor());
    assert.equal(await page.getByRole('heading', { level: 1 }).count(), 1);
  });

  it('finds every control by its visible label', async () => {
    const prompt = page.getByLabel('Prompt');
    assert.equal(await prompt.evaluate((el) => el.tagName), 'TEXTAREA');
    assert.equal(await prompt.getAttribute('id'), 'prompt');
    assert.equal(await page.getByLabel('Temperature').inputValue(), '0.8');
    assert.equal(await page.getByLabel('Seed').inputValue(), '42');
    assert.equal(await page.getByRole('button', { name: 'Next token' }).getAttribute('id'), 'next-token');
    assert.equal(await page.getByRole('button', { name: 'Play' }).getAttribute('id'), 'play');
    assert.equal(await page.getByRole('button', { name: 'Reset' }).getAttribute('id'), 'reset');
    assert.equal(await page.locator('#generated').getAttribute('aria-live'), 'polite');
    assert.equal(await page.locator('#status').count(), 1);
  });

  it('serves the tfjs wasm binaries as application/wasm', async () => {
    const res = await page.request.get(`${preview.url}/tfjs/tfjs-backend-wasm-simd.wasm`);
    assert.equal(res.status(), 200);
    assert.equal(res.headers()['content-type'], 'application/wasm');
  });

  it('answers unknown paths with 404', async () => {
    const res = await page.request.get(`${preview.url}/no-such-page/`);
    assert.equal(res.status(), 404);
  });

  it('has no axe violations, in light and dark colour schemes', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      const violations = await checkAxe(page);
      assert.equal(violations.length, 0, `${colorScheme}:\n${formatViolations(violations)}`);
    }
  });
});
