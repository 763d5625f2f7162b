// Helpers shared by the chapter e2e files: open a chapter as a reader would, tick, check axe.
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { checkAxe, collectConsoleErrors, formatViolations, openPage } from './harness.ts';

/** Ticks the page's clock has run (the controls' data-ticks). */
export const ticks = (page: Page) => page.evaluate(() => Number(document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.ticks ?? 0));

/** Open a chapter, wait for the model, and scroll past every figure once so its cells start. */
export async function open(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await openPage(browser);
  const errors = collectConsoleErrors(page);
  const res = await page.goto(url, { waitUntil: 'load' });
  assert.equal(res?.status(), 200, url);
  await page.waitForFunction(() => /Model ready/.test(document.querySelector('[data-role="status"]')?.textContent ?? ''), null, { timeout: 30_000 });
  for (const cell of await page.locator('figure [data-cell]').all()) await cell.scrollIntoViewIfNeeded();
  await page.locator('[data-cell="controls"]').scrollIntoViewIfNeeded();
  return { page, errors };
}

/** Press Next token and wait for the tick to be counted. */
export async function nextToken(page: Page): Promise<void> {
  const n = await ticks(page);
  await page.getByRole('button', { name: 'Next token' }).click();
  await page.waitForFunction((n) => Number(document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.ticks) === n + 1, n);
}

/** No axe violations in the light and the dark colour scheme. */
export async function axeBoth(page: Page): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    const violations = await checkAxe(page);
    assert.equal(violations.length, 0, `${colorScheme}:\n${formatViolations(violations)}`);
  }
}
