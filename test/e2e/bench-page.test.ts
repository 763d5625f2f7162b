// The benchmark page measures the real engine in a worker and shows a labelled table.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { checkAxe, collectConsoleErrors, formatViolations, launchBrowser, openPage, startPreview } from './harness.ts';

describe('benchmark page', () => {
  let preview: Awaited<ReturnType<typeof startPreview>>;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  before(async () => {
    preview = await startPreview();
    browser = await launchBrowser();
    page = await openPage(browser);
    errors = collectConsoleErrors(page);
    await page.goto(`${preview.url}/bench/?quick=1&only=small`);
  });
  after(async () => {
    await browser?.close();
    await preview?.close();
  });

  it('runs the small model when asked and fills one row of positive numbers', async () => {
    await page.getByRole('button', { name: 'Run benchmark' }).click();
    await page.waitForFunction(() => window.tokenClockBench !== undefined, null, { timeout: 120_000 });
    const rows = page.locator('#bench-table tbody tr');
    assert.equal(await rows.count(), 1);
    const cells = await rows.first().locator('td').allTextContents();
    assert.equal(cells.length, 6);
    for (const c of cells) assert.ok(parseFloat(c) > 0, `cell ${c}`);
    assert.match((await page.locator('#bench-status').textContent()) ?? '', /^Done on wasm/);
  });

  it('has no console errors and no axe violations', async () => {
    assert.deepEqual(errors, []);
    const v = await checkAxe(page);
    assert.equal(v.length, 0, formatViolations(v));
  });
});
