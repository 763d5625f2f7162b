// One behaviour for long prompts everywhere (the landing page's is in clock.test.ts): a prompt
// longer than the model's context is not refused; its first tick keeps the most recent half of the
// context, the chapter's status line says so before and after, and the figures draw the window
// the model read. A prompt past the fields' 2,000 characters (typed, or in a shared link) is
// refused with a clear message, and the run already on the page is kept.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { BUNDLED_MODEL } from '../../model/bundled-model.ts';
import { launchBrowser, startPreview } from './harness.ts';
import { nextToken, open, ticks } from './chapter-page.ts';

const status = '[data-cell="controls"] [data-role="status"]';
const CONTEXT = (JSON.parse(readFileSync(new URL(`../../public/models/${BUNDLED_MODEL}/config.json`, import.meta.url), 'utf8')) as { n_positions: number }).n_positions;
const LONG = 'tick tock, the clock says. '.repeat(60); // ≈ 1,600 characters, well over the bundled model's context in tokens

describe('long prompts in the chapters', () => {
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

  it('chapter 4: a prompt longer than the context slides, is said to, and the matrix shows the window read', async () => {
    const { page, errors } = await open(browser, `${preview.url}/chapters/attention/`);
    try {
      await page.getByLabel('Prompt', { exact: true }).fill(LONG);
      await page.waitForFunction((s) => /more than the \d+ positions this model reads: the first tick keeps only the last \d+/.test(document.querySelector(s)?.textContent ?? ''), status, { timeout: 30_000 });
      const before = (await page.locator(status).textContent()) ?? '';
      const promptTokens = Number(/The prompt is (\d+) tokens/.exec(before)?.[1]);
      assert.ok(promptTokens > CONTEXT, `${promptTokens} tokens`);
      assert.match(before, new RegExp(`more than the ${CONTEXT} positions this model reads: the first tick keeps only the last ${CONTEXT / 2}\\.`));
      assert.equal(await page.locator('#prompt-error').textContent(), '', 'the long prompt is not refused');

      await nextToken(page);
      await page.waitForFunction((s) => /^1 tick/.test(document.querySelector(s)?.textContent ?? ''), status);
      const after = (await page.locator(status).textContent()) ?? '';
      assert.match(after, new RegExp(`Context full at tick 0: the ${promptTokens - CONTEXT / 2} oldest tokens were dropped`));
      const chart = '[data-cell="matrix"] .chart';
      await page.waitForFunction((s) => document.querySelector<HTMLElement>(s)?.dataset.tick === '0', chart, { timeout: 30_000 });
      assert.equal(Number(await page.locator(chart).getAttribute('data-rows')), CONTEXT / 2, 'the prefill read the kept half of the context');

      // The note stays while the window is in force.
      await nextToken(page);
      assert.match((await page.locator(status).textContent()) ?? '', /Context full at tick 0/);
      assert.deepEqual(errors, []);
    } finally {
      await page.context().close();
    }
  });

  it('chapter 1: a prompt over 2,000 characters is refused with its length, and the run on the page is kept', async () => {
    const { page, errors } = await open(browser, `${preview.url}/chapters/the-clock/`);
    const field = page.getByLabel('Prompt', { exact: true });
    try {
      await nextToken(page);
      await nextToken(page);
      const kept = await page.locator(status).textContent();
      // A value past the field's maxlength (set by a script or an extension) is refused by the page's own check…
      await field.evaluate((el) => {
        (el as HTMLTextAreaElement).value = 'a'.repeat(2001);
        el.dispatchEvent(new Event('input', { bubbles: true }));
      });
      await page.waitForFunction(() => /The prompt is 2,?001 characters; keep it to 2,?000/.test(document.getElementById('prompt-error')?.textContent ?? ''));
      assert.equal(await field.getAttribute('aria-invalid'), 'true');
      assert.equal(await ticks(page), 2, 'the clock and its ticks are kept');
      assert.equal(await page.locator(status).textContent(), kept);
      await nextToken(page); // and it still ticks, on the prompt it had
      assert.equal(await ticks(page), 3);
      // …while typing or pasting stops at the maxlength, and 2,000 characters are a valid prompt.
      await field.fill('a'.repeat(2001));
      assert.equal((await field.inputValue()).length, 2000);
      await page.waitForFunction(() => document.getElementById('prompt-error')?.textContent === '');
      await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.ticks === '0');
      await nextToken(page);
      assert.deepEqual(errors, []);
    } finally {
      await page.context().close();
    }
  });

  it('a shared link with a prompt over 2,000 characters is refused by name and the page runs its own prompt', async () => {
    const url = `${preview.url}/chapters/the-clock/?prompt=${encodeURIComponent('b'.repeat(2001))}`;
    const { page, errors } = await open(browser, url);
    try {
      await page.waitForFunction(() => /prompt/i.test(document.querySelector('[data-role="link-notice"]')?.textContent ?? ''));
      const notice = (await page.locator('[data-role="link-notice"]').textContent()) ?? '';
      assert.match(notice, /Prompt \(prompt\)/);
      assert.notEqual(await page.getByLabel('Prompt', { exact: true }).inputValue(), 'b'.repeat(2001));
      await nextToken(page);
      assert.deepEqual(errors, []);
    } finally {
      await page.context().close();
    }
  });
});
