// Next token pressed while a tick runs waits its turn (notebooks/clock.ts `press`): three presses
// in a row give three ticks, in order, and the status line says how many wait meanwhile. Before,
// every press after the first was dropped while the first tick ran.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { launchBrowser, startPreview } from './harness.ts';
import { open, ticks } from './chapter-page.ts';

describe('presses of Next token while a tick runs', () => {
  let preview: Awaited<ReturnType<typeof startPreview>>;
  let browser: Browser;
  before(async () => {
    preview = await startPreview(process.env.E2E_DIST || undefined);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await preview?.close();
  });

  it('chapter 1: three presses in one moment run three ticks, and the status line counts the ones waiting', async () => {
    const { page, errors } = await open(browser, `${preview.url}/chapters/the-clock/`);
    try {
      // Three clicks in one task: the second and third come while the first tick runs.
      const said = await page.evaluate(`(() => {
        const b = document.querySelector('button[name="next-token"]');
        b.click(); b.click(); b.click();
        return document.querySelector('[data-cell="controls"] [data-role="status"]').textContent;
      })()`);
      // The status cell writes on the runtime's next frame; read it once it has.
      await page.waitForFunction(() => /2 more presses of Next token wait their turn/.test(document.querySelector('[data-cell="controls"] [data-role="status"]')?.textContent ?? ''), null, { timeout: 10_000 })
        .catch(() => assert.fail(`the status line never said two presses wait (it said ${JSON.stringify(said)} at the clicks)`));
      await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.ticks === '3', null, { timeout: 30_000 });
      await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.clock === 'idle');
      assert.equal(await ticks(page), 3);
      assert.doesNotMatch((await page.locator('[data-cell="controls"] [data-role="status"]').textContent()) ?? '', /wait/);
      // The timeline has a row for each tick, in order.
      await page.waitForFunction(() => document.querySelectorAll('[data-cell="timeline"] g.rows > g').length === 3, null, { timeout: 30_000 });
      assert.deepEqual(errors, []);
    } finally {
      await page.context().close();
    }
  });
});
