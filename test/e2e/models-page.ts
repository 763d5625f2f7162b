// Helpers shared by the e2e files that store a model in the browser the way a reader does: on the
// Models page, from the stand-in Hub (test/hub-server.ts) — point the page at the Hub, pick a
// model (its size estimate answers first), and Use this model (it downloads, checks and stores).
import type { Page } from 'playwright-core';

/** On the Models page: set the Hub address to `hubUrl` and pick the model whose radio is named `title`; waits for its estimate. */
export async function pickHubModel(page: Page, hubUrl: string, title: RegExp): Promise<void> {
  await page.locator('details.advanced').evaluate((d) => ((d as HTMLDetailsElement).open = true));
  await page.getByLabel(/^Hub address/).fill(hubUrl);
  await page.getByLabel(/^Hub address/).dispatchEvent('change');
  await page.evaluate(() => delete document.body.dataset.estimate);
  await page.getByRole('radio', { name: title }).check();
  await page.waitForFunction(() => document.body.dataset.estimate !== undefined && !/^Asking/.test(document.getElementById('estimate')?.textContent ?? ''));
}

/** Wait for the load just started on the Models page to end (either way): the page then sets data-model. */
export const waitLoaded = (page: Page) => page.waitForFunction(() => document.body.dataset.model !== undefined, null, { timeout: 300_000 });

/** Press Use this model and wait for the load to end; returns the model's key (or 'error'). */
export async function useModel(page: Page): Promise<string> {
  await page.evaluate(() => delete document.body.dataset.model);
  await page.getByRole('button', { name: 'Use this model' }).click();
  await waitLoaded(page);
  return page.evaluate(() => document.body.dataset.model ?? '');
}
